import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../functions/cli/main';
import { contractCreatedEvent, foldContract } from '../../functions/core/contracts/contract';
import { contractSummary } from '../../functions/core/contracts/records';
import type { Ports } from '../../functions/core/ports';
import type { SlaTerms } from '../../functions/core/sla/terms';
import { startLocalService } from '../../functions/local/service';
import { exampleTerms } from '../support/templates';

/**
 * `countersign sla report-run` against a state directory of its own: contracts and tickets are
 * put in place through a local service, which is then stopped, as the command needs.
 */

const TENANT = 'acme';
const REPORTS = 'reports@customer.example';
const OWNER = 'owner@vendor.example';
let home: string;

async function seedContract(ports: Ports, contractId: string, startDate: string): Promise<void> {
  const terms = exampleTerms();
  terms.reporting.recipients = [REPORTS];
  const created = contractCreatedEvent(
    {
      tenantId: TENANT,
      contractId,
      title: `Support agreement ${contractId}`,
      envelopeId: contractId,
      template: { id: 'support', version: 1 },
      parties: [{ role: 'customer', name: 'Ada Buyer', email: 'ada@customer.example' }],
      owners: [OWNER],
      term: {
        startDate,
        termMonths: 12,
        renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 60, reminderDays: 30 },
        timeZone: 'America/New_York',
      },
      fee: { currency: terms.currency, monthlyMinor: terms.monthly_fee_minor },
      slaTerms: terms as SlaTerms,
      sealedDocumentKey: `tenants/${TENANT}/envelopes/${contractId}/sealed.pdf`,
      auditLink: `/v1/envelopes/${contractId}/audit`,
    },
    { at: new Date('2024-12-20T12:00:00Z'), actor: { kind: 'system', id: 'test' } },
  );
  await ports.contracts.append(created, contractSummary(foldContract([created])));
}

const run = (...args: string[]) => runCli(['sla', 'report-run', '--home', home, ...args]);
const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, any>)
    .sort((a, b) => a.contractId.localeCompare(b.contractId));

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'countersign-report-run-'));
  const service = await startLocalService({ home, port: 0 });
  try {
    await seedContract(service.ports, 'c-january', '2025-01-01');
    await seedContract(service.ports, 'c-march', '2025-03-01');
    await service.ports.sla.putTickets(TENANT, 'c-january', [
      {
        contractId: 'c-january',
        source: 'api',
        updatedAt: '2025-01-20T18:00:00Z',
        ticket: {
          id: 'T-1',
          created_at: '2025-01-20T10:00:00-05:00',
          severity_history: [{ at: '2025-01-20T10:00:00-05:00', severity: 'Urgent' }],
          status_history: [
            { at: '2025-01-20T10:00:00-05:00', status: 'New' },
            { at: '2025-01-20T13:00:00-05:00', status: 'Solved' },
          ],
          comments: [{ at: '2025-01-20T11:30:00-05:00', author: 'agent' }],
        },
      },
    ]);
  } finally {
    await service.close();
  }
}, 60_000);

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('countersign sla report-run', () => {
  it('runs the report of the month for each contract of the tenant and prints a line each', async () => {
    const result = await run('--tenant', TENANT, '--month', '2025-01');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual([
      {
        contractId: 'c-january',
        month: '2025-01',
        status: 'issued',
        issued: true,
        sentTo: [REPORTS, OWNER],
        reportKey: `tenants/${TENANT}/contracts/c-january/sla/2025-01/report.pdf`,
      },
      {
        contractId: 'c-march',
        month: '2025-01',
        status: 'not_started',
        issued: false,
        sentTo: [],
        reportKey: null,
      },
    ]);
  }, 60_000);

  it('a month already issued is not sent again', async () => {
    const result = await run('--tenant', TENANT, '--month', '2025-01', '--contract', 'c-january');
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual([
      {
        contractId: 'c-january',
        month: '2025-01',
        status: 'already_issued',
        issued: false,
        sentTo: [],
        reportKey: `tenants/${TENANT}/contracts/c-january/sla/2025-01/report.pdf`,
      },
    ]);
  }, 60_000);

  it('the issued statement and the stored report are in the state directory; a running service blocks the command', async () => {
    const service = await startLocalService({ home, port: 0 });
    try {
      const [statement, ...more] = await service.ports.sla.listIssued(TENANT, 'c-january');
      expect(more).toEqual([]);
      expect(statement).toMatchObject({ month: '2025-01', sentTo: [REPORTS, OWNER] });
      expect(statement!.statement.lines.some((l) => l.breached > 0)).toBe(true);
      const pdf = await service.ports.documents.getDocument(statement!.reportKey, statement!.sha256.report);
      const path = join(home, 'report.pdf');
      writeFileSync(path, pdf);
      const { stdout } = await promisify(execFile)('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-']);
      expect(stdout).toContain('January 2025');
      expect(stdout).toContain('Support agreement c-january');

      const locked = await run('--tenant', TENANT, '--month', '2025-01');
      expect(locked.code).toBe(1);
      expect(locked.stderr).toContain('is already running');
    } finally {
      await service.close();
    }
  }, 60_000);

  it('reports a contract it cannot find, and wrong usage', async () => {
    const missing = await run('--tenant', TENANT, '--month', '2025-01', '--contract', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('countersign sla report-run: contract nope: contract nope not found\n');
    expect(JSON.parse(missing.stdout)).toMatchObject({ contractId: 'nope', status: 'failed' });

    expect(await run('--month', '2025-13')).toMatchObject({
      code: 2,
      stderr: 'countersign sla report-run: --month "2025-13" is not a month (YYYY-MM)\n',
    });
    expect((await run('--tenant', 'not a tenant')).code).toBe(2);
    expect((await run('--bogus')).code).toBe(2);
    expect((await runCli(['--help'])).stdout).toContain('sla report-run');
  }, 60_000);
});
