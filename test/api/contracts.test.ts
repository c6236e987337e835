import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/adapters/system';
import { startTestService, type TestService } from '../support/service';
import { eventually, mailTo } from '../support/signing';
import { exampleTerms } from '../support/templates';
import { signedContract as signedContractOn, type Signed } from '../support/contracts';

/** Signing happens in mid-January 2025; each lifecycle test moves the clock on from there. */
const SIGNED_AT = new Date('2025-01-15T15:00:00Z');
const clock = fixedClock(SIGNED_AT);
let service: TestService;
beforeAll(async () => {
  service = await startTestService({ overrides: () => ({ clock }) });
});
afterAll(async () => service.close());

/** A signed contract on this file's service and clock (see test/support/contracts.ts). */
const signedContract = (label: string, options: Parameters<typeof signedContractOn>[4] = {}) =>
  signedContractOn(service, clock, SIGNED_AT, label, options);

const jobsFor = (contractId: string) =>
  service.scheduler
    .pending()
    .filter((p) => p.job.job === 'contract.lifecycle' && p.job.input.contractId === contractId);

describe('contracts', () => {
  let first: Signed;

  beforeAll(async () => {
    first = await signedContract('lifecycle');
  }, 120_000);

  it('a completed envelope with SLA terms becomes a contract: parties, dates, renewal rule, fee, terms, links', async () => {
    const c = (await service.api('GET', `/v1/contracts/${first.contractId}`, { token: first.t.auditor }))
      .body;
    const terms = exampleTerms();
    expect(c).toMatchObject({
      id: first.contractId,
      title: 'Support agreement lifecycle',
      status: 'active',
      envelopeId: first.contractId,
      template: { id: first.templateId, version: 1 },
      term: {
        startDate: '2025-01-01',
        termMonths: 12,
        renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 60, reminderDays: 30 },
        timeZone: terms.reporting.time_zone,
      },
      currentPeriod: { index: 1, start: '2025-01-01', end: '2025-12-31' },
      noticeDeadline: '2025-11-01',
      noticeWindowOpensOn: '2025-10-02',
      fee: { currency: terms.currency, monthlyMinor: terms.monthly_fee_minor },
      links: { audit: `/v1/envelopes/${first.contractId}/audit` },
    });
    expect(c.owners).toEqual(expect.arrayContaining([first.owner, 'sender@acme.test']));
    expect(c.parties).toEqual([
      { role: 'customer', name: 'Ada Buyer', email: first.customer },
      expect.objectContaining({ role: 'vendor', name: 'Victor Vendor' }),
    ]);

    const link = await service.api('GET', c.links.document, { token: first.t.auditor });
    expect(link.status).toBe(200);

    const termsNow = await service.api('GET', `/v1/contracts/${first.contractId}/terms?date=2025-06-01`, {
      token: first.t.auditor,
    });
    expect(termsNow.body.inForce.slaTerms).toEqual(terms);
    const before = await service.api('GET', `/v1/contracts/${first.contractId}/terms?date=2024-12-31`, {
      token: first.t.auditor,
    });
    expect(before.body.inForce).toBeNull();

    const history = await service.api('GET', `/v1/contracts/${first.contractId}/history`, {
      token: first.t.auditor,
    });
    expect(history.body.verified).toBe(true);
    expect(history.body.events.map((e: any) => e.type)).toEqual(['contract.created']);
  });

  it('are listed by status, counterparty and renewal window', async () => {
    const list = async (query: string) =>
      (await service.api('GET', `/v1/contracts${query}`, { token: first.t.auditor })).body.items.map(
        (c: any) => c.contractId,
      );
    expect(await list('')).toEqual([first.contractId]);
    expect(await list('?status=active')).toEqual([first.contractId]);
    expect(await list('?status=expired')).toEqual([]);
    expect(await list('?counterparty=ada%20BUYER')).toEqual([first.contractId]);
    expect(await list('?counterparty=globex')).toEqual([]);
    expect(await list('?renewalFrom=2025-10-01&renewalTo=2025-11-30')).toEqual([first.contractId]);
    expect(await list('?renewalFrom=2025-12-01')).toEqual([]);
    const bad = await service.api('GET', '/v1/contracts?renewalFrom=next-week', { token: first.t.auditor });
    expect(bad.status).toBe(400);
  });

  it('the notice window opens at 09:00 in the contract zone on its day, e-mails the owners, then the contract renews', async () => {
    const jobs = jobsFor(first.contractId);
    expect(jobs.map((j) => j.due)).toEqual(['2025-10-02T13:00:00.000Z']); // 09:00 EDT
    clock.set(new Date('2025-10-02T12:59:00Z'));
    await service.scheduler.runDue();
    expect(await mailTo(service, first.owner, 'Renewal notice')).toHaveLength(0);

    clock.set(new Date('2025-10-02T13:00:00Z'));
    expect(await service.scheduler.runDue()).toBe(1);
    const notices = await eventually('the renewal notice', async () => {
      const mails = await mailTo(service, first.owner, 'Renewal notice');
      return mails.length > 0 ? mails : undefined;
    });
    expect(notices[0]!.subject).toContain('2025-11-01');
    // Run again: nothing more is sent.
    expect(await service.scheduler.runDue()).toBe(0);

    // 00:00 EST on 1 January 2026: the renewal.
    expect(jobsFor(first.contractId).map((j) => j.due)).toEqual(['2026-01-01T05:00:00.000Z']);
    clock.set(new Date('2026-01-01T05:00:00Z'));
    await service.scheduler.runDue();
    const c = (await service.api('GET', `/v1/contracts/${first.contractId}`, { token: first.t.auditor }))
      .body;
    expect(c).toMatchObject({
      status: 'active',
      currentPeriod: { index: 2, start: '2026-01-01', end: '2026-12-31' },
      noticeDeadline: '2026-11-01',
    });
    expect(c.renewals).toHaveLength(1);
    expect(await mailTo(service, first.owner, 'Renewed')).toHaveLength(1);
    const history = await service.api('GET', `/v1/contracts/${first.contractId}/history`, {
      token: first.t.auditor,
    });
    expect(history.body.verified).toBe(true);
    expect(history.body.events.map((e: any) => e.type)).toEqual([
      'contract.created',
      'contract.notice_window_opened',
      'contract.renewed',
    ]);
  });

  it('across a DST change: a Berlin contract whose window opens on the day clocks go forward fires at 09:00 CEST', async () => {
    const berlin = await signedContract('berlin', {
      contract: {
        termMonths: 12,
        renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 30, reminderDays: 1 },
        timeZone: 'Europe/Berlin',
      },
      mergeData: { effective_from: '2024-05-01' },
    });
    const c = (await service.api('GET', `/v1/contracts/${berlin.contractId}`, { token: berlin.t.auditor }))
      .body;
    expect(c).toMatchObject({
      term: { timeZone: 'Europe/Berlin' },
      currentPeriod: { start: '2024-05-01', end: '2025-04-30' },
      noticeDeadline: '2025-03-31',
      noticeWindowOpensOn: '2025-03-30',
    });
    // 30 March 2025 is the day Berlin moves from CET (+01:00) to CEST (+02:00): 09:00 is 07:00Z, not 08:00Z.
    expect(jobsFor(berlin.contractId).map((j) => j.due)).toEqual(['2025-03-30T07:00:00.000Z']);
    clock.set(new Date('2025-03-30T06:59:59Z'));
    await service.scheduler.runDue();
    expect(await mailTo(service, berlin.owner, 'Renewal notice')).toHaveLength(0);
    clock.set(new Date('2025-03-30T07:00:00Z'));
    await service.scheduler.runDue();
    expect(await mailTo(service, berlin.owner, 'Renewal notice')).toHaveLength(1);
    // The period ends at 00:00 CEST on 1 May: 22:00Z on 30 April.
    expect(jobsFor(berlin.contractId).map((j) => j.due)).toEqual(['2025-04-30T22:00:00.000Z']);
  }, 120_000);

  it('notice of non-renewal (legal, by the deadline) ends the contract with its period; the owners hear of it', async () => {
    const ending = await signedContract('ending');
    const sender = await service.api('POST', `/v1/contracts/${ending.contractId}/non-renewal`, {
      token: ending.t.sender,
      body: { reason: 'moving to another vendor' },
    });
    expect(sender.status).toBe(403);
    clock.set(new Date('2025-06-01T12:00:00Z'));
    const noticed = await service.api('POST', `/v1/contracts/${ending.contractId}/non-renewal`, {
      token: ending.t.legal,
      body: { reason: 'moving to another vendor', role: 'customer' },
    });
    expect(noticed.status, JSON.stringify(noticed.body)).toBe(200);
    expect(noticed.body).toMatchObject({
      nonRenewal: { forEnd: '2025-12-31', reason: 'moving to another vendor' },
    });
    const again = await service.api('POST', `/v1/contracts/${ending.contractId}/non-renewal`, {
      token: ending.t.legal,
      body: { reason: 'twice' },
    });
    expect(again.status).toBe(409);
    // No notice window any more: only the expiry at the end of the period.
    expect(jobsFor(ending.contractId).map((j) => j.due)).toEqual(['2026-01-01T05:00:00.000Z']);
    clock.set(new Date('2026-01-01T05:00:00Z'));
    await service.scheduler.runDue();
    const c = (await service.api('GET', `/v1/contracts/${ending.contractId}`, { token: ending.t.auditor }))
      .body;
    expect(c).toMatchObject({ status: 'expired', expiry: { endDate: '2025-12-31' } });
    expect(await mailTo(service, ending.owner, 'Ended')).toHaveLength(1);
    expect(jobsFor(ending.contractId)).toEqual([]);
    const late = await service.api('POST', `/v1/contracts/${ending.contractId}/terminate`, {
      token: ending.t.legal,
      body: { reason: 'too late' },
    });
    expect(late.status).toBe(409);
  }, 120_000);

  it('termination is recorded with its reason and stops every lifecycle job', async () => {
    const ended = await signedContract('terminated');
    clock.set(new Date('2025-03-10T12:00:00Z'));
    const res = await service.api('POST', `/v1/contracts/${ended.contractId}/terminate`, {
      token: ended.t.legal,
      body: { reason: 'merger' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      status: 'terminated',
      termination: { reason: 'merger', effectiveDate: '2025-03-10' },
    });
    expect(jobsFor(ended.contractId)).toEqual([]);
    // An ended contract is no longer in any renewal window.
    const renewing = await service.api('GET', '/v1/contracts?renewalFrom=2000-01-01', {
      token: ended.t.auditor,
    });
    expect(renewing.body.items.map((c: { contractId: string }) => c.contractId)).not.toContain(
      ended.contractId,
    );
    const empty = await service.api('POST', `/v1/contracts/${ended.contractId}/terminate`, {
      token: ended.t.legal,
      body: { reason: '' },
    });
    expect(empty.status).toBe(400);
  }, 120_000);

  it('an amendment changes the terms from its effective date; the history keeps both', async () => {
    const base = await signedContract('amended');
    // Version 2 of the template: a higher fee.
    const v1 = (await service.api('GET', `/v1/templates/${base.templateId}`, { token: base.t.sender })).body;
    const terms = {
      ...v1.slaTerms,
      monthly_fee_minor: v1.slaTerms.monthly_fee_minor + 250_000,
      effective_from: '2025-07-01',
    };
    const { roles, fields, mergeFields, message, scheduleAfterPage, name, contract } = v1;
    const v2 = await service.api('PUT', `/v1/templates/${base.templateId}`, {
      token: base.t.sender,
      body: {
        name,
        roles,
        fields,
        mergeFields,
        message,
        scheduleAfterPage,
        contract,
        slaTerms: terms,
        baseVersion: 1,
      },
    });
    expect(v2.status, JSON.stringify(v2.body)).toBe(200);

    const unknown = await service.api('POST', '/v1/envelopes', {
      token: base.t.sender,
      body: {
        title: 'x',
        template: { id: base.templateId },
        roles: {
          customer: { name: 'A', email: 'a@x.example' },
          vendor: { name: 'V', email: 'v@x.example' },
          procurement: { name: 'P', email: 'p@x.example' },
        },
        mergeData: { customer: { name: 'A' }, fee: { monthly: '1' } },
        amends: 'no-such-contract',
      },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('body.amends');

    await signedContract('amended', {
      amends: { t: base.t, templateId: base.templateId, version: 2, contractId: base.contractId },
      mergeData: { effective_from: '2025-07-01' },
    });
    const c = (await service.api('GET', `/v1/contracts/${base.contractId}`, { token: base.t.auditor })).body;
    expect(c.amendments).toEqual([expect.objectContaining({ effectiveFrom: '2025-07-01' })]);
    const at = async (date: string) =>
      (
        await service.api('GET', `/v1/contracts/${base.contractId}/terms?date=${date}`, {
          token: base.t.auditor,
        })
      ).body;
    expect((await at('2025-06-30')).inForce.fee.monthlyMinor).toBe(v1.slaTerms.monthly_fee_minor);
    expect((await at('2025-07-01')).inForce.fee.monthlyMinor).toBe(terms.monthly_fee_minor);
    expect((await at('2025-07-01')).history).toHaveLength(2);
    // The amending envelope is no contract of its own.
    expect((await service.api('GET', '/v1/contracts', { token: base.t.auditor })).body.items).toHaveLength(1);
  }, 180_000);
});
