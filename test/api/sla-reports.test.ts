import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/adapters/system';
import { sha256Hex } from '../../functions/core/hashing';
import type { MailMessage } from '../../functions/core/ports';
import type { TicketTimeline } from '../../functions/core/sla/ticket';
import {
  reportRetryId,
  reportScheduleId,
  runMonthlyReport,
  SLA_REPORT_JOB,
} from '../../functions/core/usecases/sla-reports';
import { signedContract as signedContractOn, type Signed } from '../support/contracts';
import { startTestService, type TestService } from '../support/service';
import { eventually, mailTo, outbox, recipientsOf, uniqueEmail } from '../support/signing';
import { exampleTerms } from '../support/templates';

/**
 * The monthly SLA report through the local service, with the clock moved by hand: the schedule a
 * signed contract gets, the run on the send day (mail with the PDF and CSV, the issued statement,
 * the stored files), a chronic failure recorded as a termination right, a mail failure retried,
 * and contracts outside the month.
 */

const SIGNED_AT = new Date('2025-01-15T15:00:00Z');
/** 06:00 in New York (EST, UTC-5) on the 5th: when the reports of the month before go out. */
const FEB_5 = new Date('2025-02-05T11:00:00Z');
const MAR_5 = new Date('2025-03-05T11:00:00Z');
const clock = fixedClock(SIGNED_AT);
/** Report mails to fail before one goes through. */
let failingReportMails = 0;
/** The jobs pending when a report mail failed: what a crash at that moment would leave. */
let pendingAtFailure: { id: string; kind: string }[] = [];
let service: TestService;

beforeAll(async () => {
  service = await startTestService({
    overrides: (ports) => {
      const ses = ports.mail;
      return {
        clock,
        mail: {
          send: async (message: MailMessage) => {
            if (failingReportMails > 0 && message.subject.startsWith('SLA report')) {
              failingReportMails--;
              pendingAtFailure = service.scheduler.pending().map((p) => ({ id: p.job.id, kind: p.kind }));
              throw new Error('SES is not answering');
            }
            return ses.send(message);
          },
        },
      };
    },
  });
});
afterAll(async () => service.close());

/** The example terms with report recipients and a cap of 1%: one S1 breach reaches it. */
function termsWith(recipients: string[]): Record<string, any> {
  const terms = exampleTerms();
  terms.reporting.recipients = recipients;
  terms.credits.cap_pct_of_monthly_fee = 1;
  return terms;
}

/**
 * A signed contract, once its report schedule is in place: the contract opens as the completion
 * mail goes out, and its schedules are put right after.
 */
async function signedContract(label: string, options: Parameters<typeof signedContractOn>[4] = {}) {
  const signed = await signedContractOn(service, clock, SIGNED_AT, label, options);
  await eventually(`the report schedule of ${label}`, () => reportJobsFor(signed).length > 0);
  return signed;
}

/** An S1 ticket whose first reply came after 90 minutes (target 30): a breach. Solved in 3 hours. */
function s1Breach(id: string, day: string): TicketTimeline {
  const at = (time: string) => `${day}T${time}:00-05:00`;
  return {
    id,
    created_at: at('10:00'),
    severity_history: [{ at: at('10:00'), severity: 'Urgent' }],
    status_history: [
      { at: at('10:00'), status: 'New' },
      { at: at('13:00'), status: 'Solved' },
    ],
    comments: [{ at: at('11:30'), author: 'agent' }],
  };
}

/** An S2 ticket answered in 30 minutes and solved in 2 hours, on a business day: met. */
function s2Met(id: string, day: string): TicketTimeline {
  const at = (time: string) => `${day}T${time}:00-05:00`;
  return {
    id,
    created_at: at('10:00'),
    severity_history: [{ at: at('10:00'), severity: 'High' }],
    status_history: [
      { at: at('10:00'), status: 'Open' },
      { at: at('12:00'), status: 'Solved' },
    ],
    comments: [{ at: at('10:30'), author: 'agent' }],
  };
}

async function putTickets(c: Signed, tickets: TicketTimeline[]): Promise<void> {
  await service.ports.sla.putTickets(
    c.t.tenant,
    c.contractId,
    tickets.map((ticket) => ({
      contractId: c.contractId,
      ticket,
      source: 'api',
      updatedAt: clock.now().toISOString(),
    })),
  );
}

const jobsFor = (c: Signed) =>
  service.scheduler.pending().filter((p) => p.job.input.contractId === c.contractId);
const reportJobsFor = (c: Signed) => jobsFor(c).filter((p) => p.job.job === SLA_REPORT_JOB);
const reportMails = (email: string) => mailTo(service, email, 'SLA report');
const issued = (c: Signed) => service.ports.sla.listIssued(c.t.tenant, c.contractId);
const runNow = (c: Signed, month: string) =>
  runMonthlyReport(
    service.ports,
    {
      id: `test-run:${c.contractId}:${Date.now()}`,
      job: SLA_REPORT_JOB,
      input: { tenantId: c.t.tenant, contractId: c.contractId },
    },
    { month },
  );

async function pdfText(pdf: Uint8Array): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-sla-report-'));
  try {
    const path = join(dir, 'report.pdf');
    await writeFile(path, pdf);
    const { stdout } = await promisify(execFile)('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-']);
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('monthly SLA reports', () => {
  let contract: Signed;
  let reports: string;

  beforeAll(async () => {
    reports = uniqueEmail('sla-reports');
    contract = await signedContract('report', { slaTerms: termsWith([reports]) });
  }, 120_000);

  it('a signed contract gets a monthly schedule: 06:00 on the 5th in the reporting time zone', () => {
    expect(reportJobsFor(contract)).toEqual([
      {
        kind: 'cron',
        expression: '0 6 5 * *',
        timeZone: 'America/New_York',
        due: FEB_5.toISOString(),
        job: {
          id: reportScheduleId(contract.t.tenant, contract.contractId),
          job: SLA_REPORT_JOB,
          input: { tenantId: contract.t.tenant, contractId: contract.contractId },
        },
      },
    ]);
  });

  it('on the 5th the report of the month before is mailed once, with the PDF and the CSV, stored and issued', async () => {
    await putTickets(contract, [s1Breach('JAN-1', '2025-01-20'), s2Met('JAN-2', '2025-01-21')]);
    clock.set(new Date(FEB_5.getTime() - 60_000));
    await service.scheduler.runDue();
    expect(await reportMails(reports)).toHaveLength(0);

    clock.set(FEB_5);
    await service.scheduler.runDue();
    const mails = await reportMails(reports);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe('SLA report January 2025: Support agreement report');
    // One message to the recipients of the terms and the contract's owners.
    expect(recipientsOf(mail)).toEqual(expect.arrayContaining([reports, contract.owner.toLowerCase()]));
    expect(mail.body.text).toContain('Measured targets: ');
    const attachments = mail.attachments ?? [];
    expect(attachments.map((a) => a.filename).sort()).toEqual([
      'sla-report-2025-01.pdf',
      'sla-tickets-2025-01.csv',
    ]);
    const pdf = Buffer.from(attachments.find((a) => a.filename.endsWith('.pdf'))!.content, 'base64');
    const csv = Buffer.from(attachments.find((a) => a.filename.endsWith('.csv'))!.content, 'base64').toString(
      'utf8',
    );
    expect(csv.split('\r\n')[0]).toBe(
      'ticket,metric,severity,breach_severity,elapsed_min,target_min,due,breached,breach_at,state,period,start,stop',
    );
    expect(csv).toMatch(/^JAN-1,first_response,S1,S1,90,30,.*,true,2025-01-20T10:30:00-05:00,/m);
    expect(csv).toMatch(/^JAN-2,first_response,S2,,30,120,.*,false,,/m);

    const [statement, ...more] = await issued(contract);
    expect(more).toEqual([]);
    const base = `tenants/${contract.t.tenant}/contracts/${contract.contractId}/sla/2025-01`;
    expect(statement).toMatchObject({
      month: '2025-01',
      reportKey: `${base}/report.pdf`,
      csvKey: `${base}/tickets.csv`,
      issuedAt: FEB_5.toISOString(),
    });
    expect(statement!.sentTo).toEqual(expect.arrayContaining([reports, contract.owner]));
    expect(statement!.result.cap_reached).toBe(true);
    // The stored files are the ones mailed, and the report shows its month.
    expect(statement!.sha256.report).toBe(sha256Hex(pdf));
    const stored = await service.ports.documents.getDocument(statement!.reportKey, statement!.sha256.report);
    expect(await pdfText(stored)).toContain('January 2025');
    const storedCsv = await service.ports.documents.getDocument(statement!.csvKey, statement!.sha256.csv);
    expect(Buffer.from(storedCsv).toString('utf8')).toBe(csv);

    // Run again, by the schedule or by hand: nothing is sent or issued twice.
    expect(await service.scheduler.runDue()).toBe(0);
    expect(await runNow(contract, '2025-01')).toMatchObject({
      status: 'already_issued',
      issued: false,
      sentTo: [],
      reportKey: `${base}/report.pdf`,
    });
    expect(await reportMails(reports)).toHaveLength(1);
    expect(await issued(contract)).toHaveLength(1);
    // Next month's run is planned; no retry is left.
    expect(reportJobsFor(contract).map((j) => [j.kind, j.due])).toEqual([['cron', MAR_5.toISOString()]]);
  });

  it('a month before the contract started is not reported', async () => {
    const before = (await outbox(service)).length;
    expect(await runNow(contract, '2024-12')).toMatchObject({ status: 'not_started', issued: false });
    expect((await outbox(service)).length).toBe(before);
    expect(await issued(contract)).toHaveLength(1);
  });

  it('a chronic failure over the issued months becomes a termination right on the contract', async () => {
    await putTickets(contract, [s1Breach('FEB-1', '2025-02-11')]);
    clock.set(MAR_5);
    await service.scheduler.runDue();
    const mails = await reportMails(reports);
    expect(mails.map((m) => m.subject)).toEqual([
      'SLA report January 2025: Support agreement report',
      'SLA report February 2025: Support agreement report',
    ]);
    expect(mails[1]!.body.text).toContain(
      'Chronic failure: service credits reaching the cap in 2025-01, 2025-02: the right to terminate the contract without penalty until 2025-04-04.',
    );
    const february = (await issued(contract)).find((s) => s.month === '2025-02')!;
    expect(february.statement.chronic_failure).toEqual([
      expect.objectContaining({
        type: 'cap_reached',
        months: ['2025-01', '2025-02'],
        deadline: '2025-04-04',
      }),
    ]);
    const read = async () =>
      (await service.api('GET', `/v1/contracts/${contract.contractId}`, { token: contract.t.auditor })).body;
    expect((await read()).terminationRights).toEqual([
      {
        rule: { type: 'cap_reached', consecutive_months: 2 },
        months: ['2025-01', '2025-02'],
        deadline: '2025-04-04',
        recordedAt: MAR_5.toISOString(),
      },
    ]);
    // Again: the right is there once.
    expect(await runNow(contract, '2025-02')).toMatchObject({ status: 'already_issued', rightsRecorded: 0 });
    expect((await read()).terminationRights).toHaveLength(1);
    const history = await service.api('GET', `/v1/contracts/${contract.contractId}/history`, {
      token: contract.t.auditor,
    });
    expect(history.body.verified).toBe(true);
    expect(history.body.events.map((e: any) => e.type)).toEqual([
      'contract.created',
      'contract.termination_right_recorded',
    ]);
  });

  it('a scheduler delivering one attempt twice at once mails once', async () => {
    const job = {
      id: reportScheduleId(contract.t.tenant, contract.contractId),
      job: SLA_REPORT_JOB,
      input: { tenantId: contract.t.tenant, contractId: contract.contractId },
    };
    const runs = await Promise.all([
      runMonthlyReport(service.ports, job, { month: '2025-03' }),
      runMonthlyReport(service.ports, job, { month: '2025-03' }),
    ]);
    // The second finds the attempt claimed (or, if it came late, the month issued).
    expect(runs.filter((r) => r.status === 'issued')).toHaveLength(1);
    expect(runs.filter((r) => r.status === 'in_progress' || r.status === 'already_issued')).toHaveLength(1);
    expect(await reportMails(reports)).toHaveLength(3);
    expect((await issued(contract)).map((s) => s.month)).toEqual(['2025-01', '2025-02', '2025-03']);
    expect(reportJobsFor(contract).map((j) => j.kind)).toEqual(['cron']);
  });

  it('GET /reports lists the issued months with a summary each, oldest first', async () => {
    const res = await service.api('GET', `/v1/contracts/${contract.contractId}/reports`, {
      token: contract.t.auditor,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.contractId).toBe(contract.contractId);
    const items = res.body.items as Record<string, any>[];
    expect(items.map((i) => i.month)).toEqual(['2025-01', '2025-02', '2025-03']);
    const [january] = await issued(contract);
    // January: JAN-1 breached its first response, JAN-2 met everything; the cap (1%) was reached.
    expect(items[0]).toMatchObject({
      month: '2025-01',
      issuedAt: FEB_5.toISOString(),
      reportDate: january!.statement.report_date,
      counted: january!.statement.lines.reduce((n, l) => n + l.counted, 0),
      breached: january!.statement.lines.reduce((n, l) => n + l.breached, 0),
      capped_pct: 1,
      credit_minor: january!.statement.credit_minor,
      currency: 'USD',
      chronicFailures: 0,
      links: { self: `/v1/contracts/${contract.contractId}/reports/2025-01` },
    });
    expect(items[0]!.breached).toBeGreaterThan(0);
    expect(items[0]!.compliance_pct).toBeGreaterThan(0);
    expect(items[0]!.compliance_pct).toBeLessThan(100);
    expect(items[1]).toMatchObject({ month: '2025-02', chronicFailures: 1 });
  });

  it('GET /reports/{month} links to the PDF and the CSV as they were issued', async () => {
    const res = await service.api('GET', `/v1/contracts/${contract.contractId}/reports/2025-01`, {
      token: contract.t.auditor,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [january] = await issued(contract);
    expect(res.body).toMatchObject({
      contractId: contract.contractId,
      month: '2025-01',
      issuedAt: FEB_5.toISOString(),
      sentTo: january!.sentTo,
      report: { method: 'GET', name: 'sla-report-2025-01.pdf', contentType: 'application/pdf' },
      csv: { method: 'GET', name: 'sla-tickets-2025-01.csv', contentType: 'text/csv' },
    });
    const pdf = await fetch(res.body.report.url);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(sha256Hex(new Uint8Array(await pdf.arrayBuffer()))).toBe(january!.sha256.report);
    expect(res.body.report.sha256).toBe(january!.sha256.report);
    const csv = await fetch(res.body.csv.url);
    expect(csv.headers.get('content-type')).toBe('text/csv');
    expect(csv.headers.get('content-disposition')).toContain('sla-tickets-2025-01.csv');
    const text = await csv.text();
    expect(sha256Hex(new TextEncoder().encode(text))).toBe(january!.sha256.csv);
    expect(text).toMatch(/^JAN-1,first_response,S1,S1,90,30,/m);
  });

  it('a month not issued, a malformed month, another tenant and an unknown contract are refused', async () => {
    const get = (path: string, token = contract.t.auditor) => service.api('GET', path, { token });
    const base = `/v1/contracts/${contract.contractId}/reports`;
    const notIssued = await get(`${base}/2025-06`);
    expect(notIssued.status).toBe(404);
    expect(notIssued.body.error.message).toContain('2025-06');
    const malformed = await get(`${base}/2025-13`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details).toContainEqual(expect.objectContaining({ path: 'path.month' }));
    const stranger = await service.token('auditor', { tenant: `other-${Date.now()}`, sub: 'x' });
    expect((await get(base, stranger)).status).toBe(404);
    expect((await get(`${base}/2025-01`, stranger)).status).toBe(404);
    expect((await get('/v1/contracts/no-such-contract/reports')).status).toBe(404);
  });

  it('a mail that fails is retried an hour later; the month is issued once, when the mail has left', async () => {
    const retried = await signedContract('retry');
    await putTickets(retried, [s1Breach('R-1', '2025-01-22')]);
    failingReportMails = 1;
    clock.set(FEB_5);
    await service.scheduler.runDue();
    expect(failingReportMails).toBe(0);
    expect(await reportMails(retried.owner)).toHaveLength(0);
    expect(await issued(retried)).toEqual([]);
    // The retry was in place before the mail was tried: a crash there would not lose the report.
    expect(pendingAtFailure).toContainEqual({
      id: reportRetryId(retried.t.tenant, retried.contractId, '2025-01'),
      kind: 'at',
    });
    const retry = reportJobsFor(retried).find((j) => j.kind === 'at')!;
    expect(retry).toMatchObject({
      due: new Date(FEB_5.getTime() + 3_600_000).toISOString(),
      job: {
        id: reportRetryId(retried.t.tenant, retried.contractId, '2025-01'),
        input: { month: '2025-01', attempt: 2 },
      },
    });

    clock.set(new Date(FEB_5.getTime() + 3_600_000));
    expect(await service.scheduler.runDue()).toBe(1);
    const mails = await reportMails(retried.owner);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.attachments).toHaveLength(2);
    const statements = await issued(retried);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ month: '2025-01', sentTo: [retried.owner, 'sender@acme.test'] });
    expect(reportJobsFor(retried).map((j) => j.kind)).toEqual(['cron']);

    clock.set(new Date(FEB_5.getTime() + 2 * 3_600_000));
    expect(await service.scheduler.runDue()).toBe(0);
    expect(await runNow(retried, '2025-01')).toMatchObject({ status: 'already_issued' });
    expect(await reportMails(retried.owner)).toHaveLength(1);
  }, 120_000);

  it('a contract that ended is reported for its last month, then never again', async () => {
    const ended = await signedContract('ended');
    await putTickets(ended, [s2Met('E-1', '2025-01-16')]);
    clock.set(new Date('2025-01-20T15:00:00Z'));
    const terminated = await service.api('POST', `/v1/contracts/${ended.contractId}/terminate`, {
      token: ended.t.legal,
      body: { reason: 'merger' },
    });
    expect(terminated.status, JSON.stringify(terminated.body)).toBe(200);

    // January: the contract ran until the 20th, so its report goes out, and the schedule ends.
    clock.set(FEB_5);
    await service.scheduler.runDue();
    expect((await reportMails(ended.owner)).map((m) => m.subject)).toEqual([
      'SLA report January 2025: Support agreement ended',
    ]);
    expect(jobsFor(ended)).toEqual([]);

    // February: nothing to report.
    clock.set(MAR_5);
    await service.scheduler.runDue();
    expect(await runNow(ended, '2025-02')).toMatchObject({
      status: 'ended',
      issued: false,
      sentTo: [],
      reportKey: null,
    });
    expect(await reportMails(ended.owner)).toHaveLength(1);
    expect((await issued(ended)).map((s) => s.month)).toEqual(['2025-01']);
  }, 120_000);

  it('a last month whose attempts all failed is reported by the next scheduled run', async () => {
    const ended = await signedContract('lapsed');
    clock.set(new Date('2025-01-20T15:00:00Z'));
    const terminated = await service.api('POST', `/v1/contracts/${ended.contractId}/terminate`, {
      token: ended.t.legal,
      body: { reason: 'merger' },
    });
    expect(terminated.status, JSON.stringify(terminated.body)).toBe(200);
    failingReportMails = 1;
    clock.set(FEB_5);
    await service.scheduler.runDue();
    expect(failingReportMails).toBe(0);
    // As if every retry had failed too.
    await service.scheduler.cancel(reportRetryId(ended.t.tenant, ended.contractId, '2025-01'));
    expect(reportJobsFor(ended).map((j) => j.kind)).toEqual(['cron']);

    clock.set(MAR_5);
    await service.scheduler.runDue();
    expect((await reportMails(ended.owner)).map((m) => m.subject)).toEqual([
      'SLA report January 2025: Support agreement lapsed',
    ]);
    expect((await issued(ended)).map((s) => s.month)).toEqual(['2025-01']);
    expect(jobsFor(ended)).toEqual([]);
  }, 120_000);
});
