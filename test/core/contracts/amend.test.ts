import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../functions/core/errors';
import { amendmentEvent, type AmendmentInput } from '../../../functions/core/contracts/amend';
import {
  foldContract,
  terminationEvent,
  termsInForce,
  type ContractState,
} from '../../../functions/core/contracts/contract';
import { applyDue, nextLifecycleJob } from '../../../functions/core/contracts/lifecycle';
import { at, contract, ctx as recordedAt, slaTerms, thrown } from './fixtures';

const ctx = (iso = '2025-06-20T10:00:00Z') => recordedAt(iso);
/** The state after the amendment, recorded on 2025-06-20 unless told. */
const amend = (state: ContractState, input: AmendmentInput, c = ctx()) =>
  foldContract([amendmentEvent(state, input, c)], state);

const newSla = () =>
  slaTerms({
    monthly_fee_minor: 300_000,
    effective_from: '2025-07-01',
    credits: { cap_pct_of_monthly_fee: 25 },
  });

function amended(state: ContractState = contract()): ContractState {
  return amend(state, {
    envelopeId: 'env-2',
    effectiveDate: '2025-07-01',
    slaTerms: newSla(),
    fee: { currency: 'EUR', monthlyMinor: 300_000 },
  });
}

describe('amendments', () => {
  it('the terms change from the effective date, and the history keeps both', () => {
    const state = amended();
    const original = termsInForce(state, '2025-06-30')!;
    const changed = termsInForce(state, '2025-07-01')!;
    expect(original).toMatchObject({ effectiveFrom: '2025-01-01', fee: { monthlyMinor: 250_000 } });
    expect(original.slaTerms.credits.cap_pct_of_monthly_fee).toBe(20);
    expect(original.amendmentEnvelopeId).toBeUndefined();
    expect(changed).toMatchObject({
      effectiveFrom: '2025-07-01',
      fee: { monthlyMinor: 300_000 },
      amendmentEnvelopeId: 'env-2',
      recordedAt: '2025-06-20T10:00:00.000Z',
    });
    expect(changed.slaTerms.credits.cap_pct_of_monthly_fee).toBe(25);
    expect(termsInForce(state, '2025-12-31')).toBe(changed);
    expect(state.termsHistory).toHaveLength(2);
    expect(state.seq).toBe(2);
  });

  it('keeps what the amendment does not change', () => {
    const state = contract();
    const next = amend(state, {
      envelopeId: 'env-2',
      effectiveDate: '2025-03-01',
      fee: { currency: 'EUR', monthlyMinor: 260_000 },
    });
    expect(termsInForce(next, '2025-03-01')).toMatchObject({
      slaTerms: slaTerms(),
      fee: { monthlyMinor: 260_000 },
      term: state.term,
    });
  });

  it('a later amendment replaces the terms from its own date, the earlier ones stay', () => {
    const first = amended();
    const second = amend(
      first,
      {
        envelopeId: 'env-3',
        effectiveDate: '2025-10-01',
        fee: { currency: 'EUR', monthlyMinor: 320_000 },
      },
      ctx('2025-09-15T10:00:00Z'),
    );
    expect(
      ['2025-02-01', '2025-08-01', '2025-10-01'].map((d) => termsInForce(second, d)!.fee.monthlyMinor),
    ).toEqual([250_000, 300_000, 320_000]);
    // The SLA terms of the first amendment carry on under the second.
    expect(termsInForce(second, '2025-10-01')!.slaTerms.credits.cap_pct_of_monthly_fee).toBe(25);
  });

  it('a term change moves the notice deadline and window of the current period', () => {
    const state = contract();
    const next = amend(state, {
      envelopeId: 'env-2',
      effectiveDate: '2025-06-20',
      term: { renewal: { mode: 'auto', renewalMonths: 24, noticeDays: 60, reminderDays: 30 } },
    });
    expect(next.noticeDeadline).toBe('2025-11-01');
    expect(next.noticeWindowOpensOn).toBe('2025-10-02');
    expect(nextLifecycleJob(next, at('2025-06-20T10:00:00Z'))).toMatchObject({
      kind: 'notice_window',
      at: at('2025-10-02T07:00:00Z'),
    });
    // The next period runs for the amended 24 months.
    const renewed = foldContract(applyDue(next, at('2026-01-01T00:00:00Z')), next);
    expect(renewed.currentPeriod).toEqual({ index: 2, start: '2026-01-01', end: '2027-12-31' });
    // The history keeps the term before and after.
    expect(next.termsHistory.map((e) => e.term.renewal)).toEqual([
      { mode: 'auto', renewalMonths: 12, noticeDays: 30, reminderDays: 14 },
      { mode: 'auto', renewalMonths: 24, noticeDays: 60, reminderDays: 30 },
    ]);
  });

  it('extending the current period reopens the notice window for the new end', () => {
    let state = contract();
    state = foldContract(applyDue(state, at('2025-11-17T08:00:00Z')), state);
    expect(state.noticeWindowOpenedFor).toBe('2025-12-31');
    state = amend(
      state,
      { envelopeId: 'env-2', effectiveDate: '2025-11-20', term: { endDate: '2026-03-31' } },
      ctx('2025-11-20T10:00:00Z'),
    );
    expect(state.currentPeriod).toEqual({ index: 1, start: '2025-01-01', end: '2026-03-31' });
    expect(state.noticeDeadline).toBe('2026-03-01');
    expect(nextLifecycleJob(state, at('2025-11-20T10:00:00Z'))).toEqual({
      id: 'contract:t1:c1:notice_window:2026-03-31',
      kind: 'notice_window',
      at: at('2026-02-15T08:00:00Z'),
      forEnd: '2026-03-31',
    });
    expect(applyDue(state, at('2026-01-01T00:00:00Z'))).toEqual([]);
  });

  it('a fixed term amended to auto-renewal renews instead of expiring', () => {
    const state = contract({ renewal: { mode: 'fixed' } });
    const next = amend(state, {
      envelopeId: 'env-2',
      effectiveDate: '2025-06-20',
      term: { renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 30, reminderDays: 14 } },
    });
    expect(nextLifecycleJob(next, at('2025-12-10T00:00:00Z'))).toMatchObject({ kind: 'renew' });
  });

  it('checks the effective date against the contract', () => {
    const state = contract();
    const input = { envelopeId: 'env-2', fee: { currency: 'EUR', monthlyMinor: 1 } };
    const early = thrown(() => amendmentEvent(state, { ...input, effectiveDate: '2024-12-31' }, ctx()));
    expect(early).toBeInstanceOf(ValidationError);
    expect(early.details).toEqual([
      { path: 'effectiveDate', message: '2024-12-31 is before the contract starts (2025-01-01)' },
    ]);
    expect(
      thrown(() => amendmentEvent(state, { ...input, effectiveDate: '2026-01-01' }, ctx())).details,
    ).toEqual([
      { path: 'effectiveDate', message: "2026-01-01 is after the contract's current end (2025-12-31)" },
    ]);
    expect(
      thrown(() => amendmentEvent(state, { ...input, effectiveDate: '2025-06-31' }, ctx())).details,
    ).toEqual([{ path: 'effectiveDate', message: '2025-06-31 is not a day of the calendar' }]);
    const later = amended();
    expect(
      thrown(() =>
        amendmentEvent(later, { ...input, envelopeId: 'env-3', effectiveDate: '2025-06-30' }, ctx()),
      ).details,
    ).toEqual([
      {
        path: 'effectiveDate',
        message:
          '2025-06-30 is before the terms in force from 2025-07-01 (amendment env-2): amendments apply in order',
      },
    ]);
    // The contract's start and end days themselves are fine.
    expect(() => amendmentEvent(state, { ...input, effectiveDate: '2025-01-01' }, ctx())).not.toThrow();
    expect(() => amendmentEvent(state, { ...input, effectiveDate: '2025-12-31' }, ctx())).not.toThrow();
  });

  it('an ended contract cannot be amended', () => {
    const input = {
      envelopeId: 'env-2',
      effectiveDate: '2025-07-01',
      fee: { currency: 'EUR', monthlyMinor: 1 },
    };
    const state = contract();
    const terminated = foldContract(
      [terminationEvent(state, { reason: 'r' }, ctx('2025-06-01T10:00:00Z'))],
      state,
    );
    const error = thrown(() => amendmentEvent(terminated, input, ctx()));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe(
      'the contract was terminated on 2025-06-01: an ended contract cannot be amended',
    );
    const fixed = contract({ renewal: { mode: 'fixed' } });
    const expired = foldContract(applyDue(fixed, at('2026-01-01T00:00:00Z')), fixed);
    expect(thrown(() => amendmentEvent(expired, input, ctx())).message).toBe(
      'the contract expired at the end of 2025-12-31: an ended contract cannot be amended',
    );
    // Past the end of a fixed term before the expiry is recorded: ended all the same.
    expect(thrown(() => amendmentEvent(fixed, input, ctx('2026-01-02T00:00:00Z')))).toBeInstanceOf(
      ConflictError,
    );
  });

  it('the same amending envelope twice is a conflict', () => {
    const state = amended();
    const error = thrown(() =>
      amendmentEvent(
        state,
        { envelopeId: 'env-2', effectiveDate: '2025-08-01', fee: { currency: 'EUR', monthlyMinor: 1 } },
        ctx(),
      ),
    );
    expect(error).toBeInstanceOf(ConflictError);
  });

  it('names every bad field of the amendment', () => {
    const state = contract();
    const nothing = thrown(() =>
      amendmentEvent(state, { envelopeId: 'env-2', effectiveDate: '2025-07-01' }, ctx()),
    );
    expect(nothing.details).toEqual([
      { path: 'amendment', message: 'an amendment changes the SLA terms, the fee or the term: none given' },
    ]);
    const bad = thrown(() =>
      amendmentEvent(
        state,
        {
          envelopeId: 'env-1',
          effectiveDate: '2025-07-01',
          slaTerms: slaTerms({ contract_id: 'OTHER', currency: 'USD', effective_from: '2025-08-01' }),
          fee: { currency: 'EUR', monthlyMinor: 1.5 },
          term: {
            endDate: '2025-06-30',
            renewal: { mode: 'auto', renewalMonths: 0, noticeDays: 5, reminderDays: 1 },
          },
        },
        ctx(),
      ),
    );
    expect(bad.details.map((d) => d.path)).toEqual([
      'envelopeId',
      'fee.monthlyMinor',
      'slaTerms.contract_id',
      'slaTerms.effective_from',
      'slaTerms.currency',
      'term.endDate',
      'term.renewal.renewalMonths',
    ]);
    expect(bad.message).toMatch(
      /^the amendment is not valid: envelopeId: is the envelope the contract was made from/,
    );
  });

  it('refuses a term change whose notice no longer fits the current period', () => {
    const state = contract();
    const error = thrown(() =>
      amendmentEvent(
        state,
        { envelopeId: 'env-2', effectiveDate: '2025-01-10', term: { endDate: '2025-01-20' } },
        ctx(),
      ),
    );
    expect(error.details).toEqual([
      {
        path: 'term.endDate',
        message:
          '30 days of notice do not fit in the 20-day current period (2025-01-01 to 2025-01-20): notice must be fewer days than the current period',
      },
    ]);
    const tooLong = thrown(() =>
      amendmentEvent(
        state,
        {
          envelopeId: 'env-2',
          effectiveDate: '2025-07-01',
          term: { renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 400, reminderDays: 0 } },
        },
        ctx(),
      ),
    );
    expect(tooLong.details.map((d) => d.path)).toEqual([
      'term.renewal.noticeDays',
      'term.renewal.noticeDays',
    ]);
  });
});
