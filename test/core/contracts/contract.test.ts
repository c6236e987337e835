import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../functions/core/errors';
import { checkSlaTerms } from '../../../functions/core/sla/terms';
import {
  applyContractEvent,
  contractCreatedEvent,
  foldContract,
  nonRenewalEvent,
  nextEvent,
  openTerminationRights,
  terminationEvent,
  terminationRightEvent,
  termsInForce,
  type ContractEvent,
  type ContractState,
  type TerminationRight,
} from '../../../functions/core/contracts/contract';
import { LIFECYCLE_ACTOR } from '../../../functions/core/contracts/lifecycle';
import { CREATED_AT, contract, created, ctx, newContract, owner, slaTerms, term, thrown } from './fixtures';

const right: TerminationRight = {
  rule: { type: 'cap_reached', consecutive_months: 3 },
  months: ['2025-03', '2025-04', '2025-05'],
  deadline: '2025-07-05',
};

describe('contract.created', () => {
  it('the fixture SLA terms are terms the SLA engine accepts', () => {
    expect(checkSlaTerms(slaTerms())).toMatchObject({ contract_id: 'MSA-2025-001' });
  });

  it('records the contract with its initial term end, and folds into an active contract', () => {
    const event = created();
    expect(event).toMatchObject({
      contractId: 'c1',
      tenantId: 't1',
      seq: 1,
      type: 'contract.created',
      at: CREATED_AT.toISOString(),
      actor: owner,
      data: {
        envelopeId: 'env-1',
        template: { id: 'tpl-msa', version: 3 },
        owners: ['owner@vendor.test', 'support-lead@vendor.test'],
        endDate: '2025-12-31',
        fee: { currency: 'EUR', monthlyMinor: 250_000 },
        sealedDocumentKey: 'sealed/t1/env-1/contract.pdf',
        auditLink: '/v1/envelopes/env-1/audit',
      },
    });
    const state = foldContract([event]);
    expect(state).toMatchObject({
      id: 'c1',
      tenantId: 't1',
      status: 'active',
      envelopeId: 'env-1',
      parties: newContract().parties,
      term: term(),
      currentPeriod: { index: 1, start: '2025-01-01', end: '2025-12-31' },
      noticeDeadline: '2025-12-01',
      noticeWindowOpensOn: '2025-11-17',
      renewals: [],
      terminationRights: [],
      seq: 1,
      createdAt: CREATED_AT.toISOString(),
    });
    expect(state.termsHistory).toEqual([
      {
        effectiveFrom: '2025-01-01',
        slaTerms: slaTerms(),
        fee: { currency: 'EUR', monthlyMinor: 250_000 },
        term: term(),
        recordedAt: CREATED_AT.toISOString(),
      },
    ]);
    expect(state.nonRenewal).toBeUndefined();
  });

  it('names every problem of the input', () => {
    const error = thrown(() =>
      contractCreatedEvent(
        newContract({
          contractId: '',
          parties: [{ role: 'customer', name: '', email: 'not-an-address' }],
          owners: [],
          fee: { currency: 'euro', monthlyMinor: -1 },
          term: term({ termMonths: 0, timeZone: 'Nowhere/Special' }),
        }),
        ctx('2025-01-01T00:00:00Z'),
      ),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.details.map((d) => d.path)).toEqual([
      'contractId',
      'parties[0].name',
      'parties[0].email',
      'owners',
      'fee.currency',
      'fee.monthlyMinor',
      'slaTerms.currency',
      'term.termMonths',
      'term.timeZone',
    ]);
    expect(error.message).toMatch(/^the contract is not valid: contractId: required; /);
  });

  it('refuses SLA terms in another currency than the fee', () => {
    const error = thrown(() =>
      contractCreatedEvent(
        newContract({ slaTerms: slaTerms({ currency: 'USD' }) }),
        ctx('2025-01-01T00:00:00Z'),
      ),
    );
    expect(error.details).toEqual([
      { path: 'slaTerms.currency', message: `"USD" differs from the fee's currency "EUR"` },
    ]);
  });

  it('a second created event, or an event before one, is a programming error', () => {
    expect(() => foldContract([created(), created()])).toThrow(/created twice/);
    const state = contract();
    const orphan = nextEvent(
      state,
      'contract.expired',
      { endDate: '2025-12-31' },
      ctx('2026-01-01T00:00:00Z'),
    );
    expect(() => applyContractEvent(null, orphan)).toThrow(/before it was created/);
    expect(() => foldContract([])).toThrow(/no events/);
  });
});

describe('folding each lifecycle event', () => {
  const base = () => contract();
  const fold = (state: ContractState, event: ContractEvent) => foldContract([event], state);

  it('contract.notice_window_opened marks the end it was opened for', () => {
    const state = fold(
      base(),
      nextEvent(
        base(),
        'contract.notice_window_opened',
        { forEnd: '2025-12-31', noticeDeadline: '2025-12-01', to: ['owner@vendor.test'] },
        ctx('2025-11-17T08:00:00Z', LIFECYCLE_ACTOR),
      ),
    );
    expect(state).toMatchObject({
      noticeWindowOpenedFor: '2025-12-31',
      seq: 2,
      updatedAt: '2025-11-17T08:00:00.000Z',
    });
  });

  it('contract.renewed moves to the next period and its deadlines', () => {
    const state = fold(
      base(),
      nextEvent(
        base(),
        'contract.renewed',
        { previousEnd: '2025-12-31', start: '2026-01-01', end: '2026-12-31', period: 2 },
        ctx('2025-12-31T23:00:00Z', LIFECYCLE_ACTOR),
      ),
    );
    expect(state).toMatchObject({
      status: 'active',
      currentPeriod: { index: 2, start: '2026-01-01', end: '2026-12-31' },
      noticeDeadline: '2026-12-01',
      noticeWindowOpensOn: '2026-11-17',
      renewals: [
        {
          previousEnd: '2025-12-31',
          start: '2026-01-01',
          end: '2026-12-31',
          period: 2,
          at: '2025-12-31T23:00:00.000Z',
        },
      ],
    });
  });

  it('contract.non_renewal_noticed records who, when and why', () => {
    const event = nonRenewalEvent(
      base(),
      { by: { name: 'Ada Buyer', role: 'customer' }, reason: 'moving in-house' },
      ctx('2025-09-30T23:30:00Z'), // 01:30 on 2025-10-01 in Berlin
    );
    expect(event.data).toEqual({
      by: { name: 'Ada Buyer', role: 'customer' },
      noticedOn: '2025-10-01',
      reason: 'moving in-house',
      forEnd: '2025-12-31',
    });
    expect(fold(base(), event).nonRenewal).toEqual({
      ...event.data,
      at: '2025-09-30T23:30:00.000Z',
      actor: owner,
    });
  });

  it('contract.expired ends the contract', () => {
    const state = fold(
      base(),
      nextEvent(base(), 'contract.expired', { endDate: '2025-12-31' }, ctx('2025-12-31T23:00:00Z')),
    );
    expect(state).toMatchObject({
      status: 'expired',
      expiry: { endDate: '2025-12-31', at: '2025-12-31T23:00:00.000Z' },
    });
  });

  it('contract.terminated ends the contract with its reason', () => {
    const state = fold(
      base(),
      terminationEvent(base(), { reason: 'breach of payment terms' }, ctx('2025-05-05T10:00:00Z')),
    );
    expect(state).toMatchObject({
      status: 'terminated',
      termination: { reason: 'breach of payment terms', effectiveDate: '2025-05-05', actor: owner },
    });
    expect(state.termination?.chronicFailure).toBeUndefined();
  });

  it('contract.termination_right_recorded shows the right on the contract until its deadline', () => {
    const event = terminationRightEvent(base(), right, ctx('2025-06-05T06:00:00Z', LIFECYCLE_ACTOR))!;
    const state = fold(base(), event);
    expect(state.terminationRights).toEqual([{ ...right, recordedAt: '2025-06-05T06:00:00.000Z' }]);
    expect(openTerminationRights(state, '2025-07-05')).toEqual([right]);
    expect(openTerminationRights(state, '2025-07-06')).toEqual([]);
    // The engine reporting the same right again records nothing.
    expect(terminationRightEvent(state, { ...right }, ctx('2025-06-06T06:00:00Z'))).toBeNull();
    // A right for other months is another right.
    expect(
      terminationRightEvent(
        state,
        { ...right, months: ['2025-04', '2025-05', '2025-06'] },
        ctx('2025-07-05T06:00:00Z'),
      ),
    ).not.toBeNull();
  });

  it('contract.amended adds to the history (see amend.test.ts for the checks)', () => {
    const state = fold(
      base(),
      nextEvent(
        base(),
        'contract.amended',
        { envelopeId: 'env-2', effectiveDate: '2025-07-01', fee: { currency: 'EUR', monthlyMinor: 300_000 } },
        ctx('2025-06-20T10:00:00Z'),
      ),
    );
    expect(
      state.termsHistory.map((e) => [e.effectiveFrom, e.fee.monthlyMinor, e.amendmentEnvelopeId]),
    ).toEqual([
      ['2025-01-01', 250_000, undefined],
      ['2025-07-01', 300_000, 'env-2'],
    ]);
  });
});

describe('termsInForce', () => {
  it('is null before the start, then the entry effective on the date', () => {
    const state = contract();
    expect(termsInForce(state, '2024-12-31')).toBeNull();
    expect(termsInForce(state, '2025-01-01')?.fee.monthlyMinor).toBe(250_000);
    expect(thrown(() => termsInForce(state, '2025-02-31')).details[0]!.path).toBe('date');
  });
});

describe('notice of non-renewal', () => {
  it('is refused after the deadline, on a fixed term, twice, or from no one', () => {
    const state = contract();
    // 2025-12-01 23:30 UTC is already 2025-12-02 in Berlin.
    const late = thrown(() =>
      nonRenewalEvent(state, { by: { name: 'Ada' }, reason: 'r' }, ctx('2025-12-01T23:30:00Z')),
    );
    expect(late).toBeInstanceOf(ConflictError);
    expect(late.message).toBe(
      'notice given on 2025-12-02 is after the notice deadline 2025-12-01: the contract renews at the end of 2025-12-31',
    );
    const fixed = thrown(() =>
      nonRenewalEvent(
        contract({ renewal: { mode: 'fixed' } }),
        { by: { name: 'Ada' }, reason: 'r' },
        ctx('2025-03-01T00:00:00Z'),
      ),
    );
    expect(fixed.message).toMatch(/fixed-term contract does not renew/);
    const noticed = foldContract(
      [nonRenewalEvent(state, { by: { name: 'Ada' }, reason: 'r' }, ctx('2025-03-01T00:00:00Z'))],
      state,
    );
    expect(
      thrown(() =>
        nonRenewalEvent(noticed, { by: { name: 'Ada' }, reason: 'r' }, ctx('2025-03-02T00:00:00Z')),
      ).message,
    ).toMatch(/already given on 2025-03-01/);
    const anonymous = thrown(() =>
      nonRenewalEvent(state, { by: {}, reason: ' ' }, ctx('2025-03-01T00:00:00Z')),
    );
    expect(anonymous).toBeInstanceOf(ValidationError);
    expect(anonymous.details.map((d) => d.path)).toEqual(['reason', 'by']);
  });

  it('may name the earlier day a notice was given, never a later one', () => {
    const state = contract();
    const event = nonRenewalEvent(
      state,
      { by: { name: 'Ada' }, reason: 'r', noticedOn: '2025-11-30' },
      ctx('2025-12-03T09:00:00Z'),
    );
    expect(event.data.noticedOn).toBe('2025-11-30');
    expect(
      thrown(() =>
        nonRenewalEvent(
          state,
          { by: { name: 'Ada' }, reason: 'r', noticedOn: '2025-11-30' },
          ctx('2025-11-29T09:00:00Z'),
        ),
      ).details,
    ).toEqual([{ path: 'noticedOn', message: '2025-11-30 is after today (2025-11-29) in Europe/Berlin' }]);
  });
});

describe('termination', () => {
  it('exercises a recorded chronic-failure right before its deadline', () => {
    let state = contract();
    state = foldContract([terminationRightEvent(state, right, ctx('2025-06-05T06:00:00Z'))!], state);
    const event = terminationEvent(
      state,
      {
        reason: 'chronic SLA failure',
        chronicFailure: { rule: { consecutive_months: 3, type: 'cap_reached' }, months: right.months },
      },
      ctx('2025-07-05T21:00:00Z'), // 23:00 in Berlin on the deadline day
    );
    expect(event.data).toEqual({
      reason: 'chronic SLA failure',
      effectiveDate: '2025-07-05',
      chronicFailure: { rule: { consecutive_months: 3, type: 'cap_reached' }, months: right.months },
    });
    expect(foldContract([event], state).termination?.chronicFailure).toEqual({
      rule: { consecutive_months: 3, type: 'cap_reached' },
      months: right.months,
    });
  });

  it('refuses a right that was never recorded or has lapsed', () => {
    let state = contract();
    const unknown = thrown(() =>
      terminationEvent(
        state,
        { reason: 'r', chronicFailure: { rule: right.rule, months: right.months } },
        ctx('2025-06-10T00:00:00Z'),
      ),
    );
    expect(unknown).toBeInstanceOf(ValidationError);
    expect(unknown.details[0]!.path).toBe('chronicFailure');
    state = foldContract([terminationRightEvent(state, right, ctx('2025-06-05T06:00:00Z'))!], state);
    const lapsed = thrown(() =>
      terminationEvent(state, { reason: 'r', chronicFailure: right }, ctx('2025-07-05T22:00:00Z')),
    );
    expect(lapsed).toBeInstanceOf(ConflictError);
    expect(lapsed.message).toBe(
      'the termination right for 2025-03, 2025-04, 2025-05 lapsed after 2025-07-05',
    );
  });

  it('an ended contract cannot be terminated, noticed or given rights', () => {
    const state = contract({ renewal: { mode: 'fixed' } });
    // Past its end although the expiry is not recorded yet.
    const after = ctx('2026-01-01T10:00:00Z');
    expect(thrown(() => terminationEvent(state, { reason: 'r' }, after))).toBeInstanceOf(ConflictError);
    const terminated = foldContract(
      [terminationEvent(state, { reason: 'r' }, ctx('2025-05-01T10:00:00Z'))],
      state,
    );
    const again = thrown(() => terminationEvent(terminated, { reason: 'r' }, ctx('2025-05-02T10:00:00Z')));
    expect(again.message).toBe('the contract was terminated on 2025-05-01: it cannot be terminated');
    expect(
      thrown(() => terminationRightEvent(terminated, right, ctx('2025-05-02T10:00:00Z'))),
    ).toBeInstanceOf(ConflictError);
    expect(
      thrown(() => terminationEvent(contract(), { reason: '' }, ctx('2025-05-02T10:00:00Z'))).details,
    ).toEqual([{ path: 'reason', message: 'required' }]);
  });

  it('names bad termination-right input', () => {
    const error = thrown(() =>
      terminationRightEvent(
        contract(),
        { rule: right.rule, months: ['2025-13'], deadline: '2025-07-32' },
        ctx('2025-06-05T06:00:00Z'),
      ),
    );
    expect(error.details.map((d) => d.path)).toEqual(['months[0]', 'deadline']);
  });
});
