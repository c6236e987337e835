import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../functions/cli/main';

/** `countersign sla` run as a subprocess on the shared example terms and tickets. */

const ROOT = resolve(import.meta.dirname, '../..');
const SHARED = resolve(ROOT, '../shared/sla');
let dir: string;
const file = (name: string) => join(dir, name);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['bin/countersign.js', 'sla', ...args],
      { cwd: ROOT },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** `sla evaluate`, which must succeed without a word on stderr: its lines, parsed. */
async function evaluated(args: string[]) {
  const { code, stdout, stderr } = await cli(['evaluate', ...args]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

const examples = JSON.parse(readFileSync(join(SHARED, 'examples.json'), 'utf8'));
const terms = join(SHARED, 'example-terms.json');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'countersign-sla-cli-'));
  const tickets = examples.tickets.map(({ expected: _expected, ...t }: Record<string, unknown>) => t);
  writeFileSync(file('tickets.jsonl'), tickets.map((t: unknown) => JSON.stringify(t)).join('\n') + '\n\n');
  writeFileSync(file('outages.json'), JSON.stringify(examples.period_examples.E13_uptime_june_2025.outages));
  const history = Object.entries(
    examples.period_examples.E16_chronic.monthly_uptime_pct as Record<string, number>,
  )
    .filter(([month]) => month < '2025-06')
    .map(([month, pct]) => ({
      month,
      lines: [],
      uptime: { uptime_pct: pct, miss: pct < 99.9, credit_pct: pct < 99.9 ? 10 : 0 },
      uncapped_pct: 0,
      capped_pct: 0,
      credit_minor: 0,
      cap_reached: false,
    }));
  writeFileSync(file('history.json'), JSON.stringify(history));
  const june = {
    id: 'J1',
    created_at: '2025-06-02T10:00:00-04:00',
    severity_history: [{ at: '2025-06-02T10:00:00-04:00', severity: 'Urgent' }],
    status_history: [
      { at: '2025-06-02T10:00:00-04:00', status: 'New' },
      { at: '2025-06-02T15:00:00-04:00', status: 'Solved' },
    ],
    comments: [{ at: '2025-06-02T10:45:00-04:00', author: 'agent' }],
  };
  writeFileSync(file('june.jsonl'), JSON.stringify(june) + '\n');
  const local = structuredClone(june);
  local.status_history[1]!.at = '2025-06-02T15:00:00';
  writeFileSync(file('local.jsonl'), JSON.stringify(local) + '\n');
  writeFileSync(file('broken.jsonl'), JSON.stringify(june) + '\n{"id": "J2", \n');
  const badTerms = JSON.parse(readFileSync(terms, 'utf8'));
  badTerms.targets[0].calendar = 'moon_biz';
  writeFileSync(file('bad-terms.json'), JSON.stringify(badTerms));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('countersign sla evaluate', () => {
  it('prints one JSON line per metric instance with exactly the documented fields', async () => {
    const lines = await evaluated(['--terms', terms, '--tickets', file('tickets.jsonl')]);
    for (const line of lines)
      expect(Object.keys(line)).toEqual([
        'ticket',
        'metric',
        'severity',
        'breach_severity',
        'elapsed_min',
        'target_min',
        'due',
        'breached',
        'breach_at',
        'state',
        'period',
      ]);
    for (const t of examples.tickets)
      for (const [metric, expected] of Object.entries(
        t.expected as Record<string, Record<string, unknown>>,
      )) {
        const line = lines.find((l) => l.ticket === t.id && l.metric === metric);
        for (const [field, value] of Object.entries(expected))
          expect(line[field === 'attribution_period' ? 'period' : field]).toEqual(value);
      }
    expect(lines.find((l) => l.ticket === 'E1' && l.metric === 'first_response')).toEqual({
      ticket: 'E1',
      metric: 'first_response',
      severity: 'S2',
      breach_severity: null,
      elapsed_min: 90,
      target_min: 120,
      due: '2025-03-04T12:15:00-05:00',
      breached: false,
      breach_at: null,
      state: 'met',
      period: '2025-03',
    });
  });

  it('--as-of evaluates earlier; an offsetless time needs --source-time-zone', async () => {
    const early = await cli([
      'evaluate',
      '--terms',
      terms,
      '--tickets',
      file('june.jsonl'),
      '--as-of',
      '2025-06-02T10:20:00-04:00',
    ]);
    expect(early.code).toBe(0);
    expect(JSON.parse(early.stdout.split('\n')[0]!)).toMatchObject({
      metric: 'first_response',
      severity: 'S1',
      state: 'in_progress',
      elapsed_min: 20,
      due: '2025-06-02T10:30:00-04:00',
    });
    const rejected = await cli(['evaluate', '--terms', terms, '--tickets', file('local.jsonl')]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toBe(
      'countersign sla: ticket J1: status_history[1].at "2025-06-02T15:00:00" has no UTC offset (declare the source time zone)\n',
    );
    const declared = await cli([
      'evaluate',
      '--terms',
      terms,
      '--tickets',
      file('local.jsonl'),
      '--source-time-zone',
      'America/New_York',
    ]);
    expect(declared.code).toBe(0);
    expect(
      declared.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).state),
    ).toEqual(['breached', 'breached']);
  });
});

describe('countersign sla statement', () => {
  it('prints the statement as JSON, with uptime and chronic failure from outages and history', async () => {
    const { code, stdout } = await cli([
      'statement',
      '--terms',
      terms,
      '--tickets',
      file('june.jsonl'),
      '--outages',
      file('outages.json'),
      '--history',
      file('history.json'),
      '--month',
      '2025-06',
    ]);
    expect(code).toBe(0);
    const s = JSON.parse(stdout);
    expect(s.uptime).toMatchObject({
      total_min: 43200,
      downtime_min: 110,
      uptime_pct: 99.74537037,
      credit_pct: 10,
    });
    // J1: S1 first response 45 minutes (breach, 2 %), resolution 300 minutes (breach, 5 %).
    expect(s.lines.find((l: any) => l.severity === 'S1' && l.metric === 'resolution')).toMatchObject({
      counted: 1,
      breached: 1,
      credit_pct: 5,
    });
    expect(s).toMatchObject({ uncapped_pct: 17, capped_pct: 17, credit_minor: 170000, currency: 'USD' });
    expect(s.chronic_failure).toEqual([
      expect.objectContaining({
        type: 'uptime_miss',
        months: ['2025-04', '2025-05', '2025-06'],
        deadline: '2025-08-04',
      }),
    ]);
    expect(s.result.month).toBe('2025-06');
  });

  it('prints CSV: a row per line, then uptime and totals, RFC 4180 quoting and CRLF', async () => {
    const { code, stdout } = await cli([
      'statement',
      '--terms',
      terms,
      '--tickets',
      file('june.jsonl'),
      '--outages',
      file('outages.json'),
      '--month',
      '2025-06',
      '--format',
      'csv',
    ]);
    expect(code).toBe(0);
    expect(stdout.endsWith('\r\n')).toBe(true);
    const rows = stdout.slice(0, -2).split('\r\n');
    expect(rows[0]).toBe(
      'month,row,severity,metric,counted,breached,compliance_pct,target_pct,uptime_pct,total_min,downtime_min,maintenance_min,credit_pct,credit_minor,currency,note',
    );
    expect(rows).toContain('2025-06,line,S1,resolution,1,1,0,,,,,,5,,,');
    expect(rows.filter((r) => r.split(',')[1] === 'line')).toHaveLength(9);
    const uptime = rows.find((r) => r.startsWith('2025-06,uptime,'))!;
    expect(uptime).toMatch(
      /^2025-06,uptime,,,,,,,99\.74537037,43200,110,120,10,,,"tier \[99, 99\.9\); commitment 99\.9 missed; all_minutes, exact_seconds"$/,
    );
    expect(rows).toContain('2025-06,total_uncapped,,,,,,,,,,,17,,,');
    expect(rows.find((r) => r.startsWith('2025-06,total,'))).toBe(
      '2025-06,total,,,,,,,,,,,17,170000,USD,cap 25%; applied automatically; report date 2025-07-05',
    );
  });

  it('exits 1 with a clear message on terms that do not check, and on unreadable files', async () => {
    const bad = await cli([
      'statement',
      '--terms',
      file('bad-terms.json'),
      '--tickets',
      file('june.jsonl'),
      '--month',
      '2025-06',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^countersign sla: the SLA terms do not hold together: terms\.targets\[0\]\.calendar: "moon_biz" is not a calendar/,
    );
    const missing = await cli(['evaluate', '--terms', file('nope.json'), '--tickets', file('june.jsonl')]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('cannot read the terms file') });
    const broken = await cli(['evaluate', '--terms', terms, '--tickets', file('broken.jsonl')]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('broken.jsonl line 2 is not JSON');
  });

  it('exits 2 on wrong usage', async () => {
    const run = (args: string[]) => runCli(['sla', ...args]);
    expect(await run(['statement', '--terms', terms, '--tickets', file('june.jsonl')])).toMatchObject({
      code: 2,
      stderr: 'countersign sla: give --month YYYY-MM\n',
    });
    expect(
      await run(['statement', '--terms', terms, '--tickets', file('june.jsonl'), '--month', '2025-6']),
    ).toMatchObject({ code: 2, stderr: 'countersign sla: --month "2025-6" is not a month (YYYY-MM)\n' });
    expect(
      await run([
        'statement',
        '--terms',
        terms,
        '--tickets',
        file('june.jsonl'),
        '--month',
        '2025-06',
        '--format',
        'pdf',
      ]),
    ).toMatchObject({ code: 2, stderr: 'countersign sla: --format pdf needs --out FILE\n' });
    expect(
      await run([
        'statement',
        '--terms',
        terms,
        '--tickets',
        file('june.jsonl'),
        '--month',
        '2025-06',
        '--format',
        'xml',
      ]),
    ).toMatchObject({ code: 2, stderr: 'countersign sla: --format "xml": json, csv or pdf\n' });
    expect((await run(['evaluate', '--terms', terms])).stderr).toBe('countersign sla: give --tickets FILE\n');
    expect((await run(['evaluate', '--terms', terms, '--tickets', 'x', '--as-of', 'soon'])).code).toBe(2);
    expect((await run(['evaluate', '--bogus'])).code).toBe(2);
    expect(await run(['report'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown sla command "report"'),
    });
    const help = await runCli(['--help']);
    expect(help.stdout).toContain('sla statement');
  });
});

describe('countersign sla --from and --format pdf', () => {
  /** The example terms with the words of other sources in their maps. */
  function termsFor(name: string, statuses: Record<string, string>, severities: Record<string, string>) {
    const json = JSON.parse(readFileSync(terms, 'utf8'));
    Object.assign(json.status_map, statuses);
    Object.assign(json.severity_map, severities);
    writeFileSync(file(name), JSON.stringify(json));
    return file(name);
  }

  it('reads a CSV through a mapping file, with its date format and the source time zone', async () => {
    writeFileSync(
      file('events.csv'),
      [
        'Case;When;What;Detail;Who',
        'J1;02/06/2025 10:00;created;;',
        'J1;02/06/2025 10:00;severity;Urgent;',
        'J1;02/06/2025 10:00;status;New;',
        'J1;02/06/2025 10:45;comment;;agent',
        'J1;02/06/2025 15:00;status;Solved;',
      ].join('\r\n') + '\r\n',
    );
    writeFileSync(
      file('mapping.json'),
      JSON.stringify({
        ticketId: 'Case',
        time: 'When',
        kind: 'What',
        value: 'Detail',
        author: 'Who',
        dateFormat: 'd/m/y',
        delimiter: ';',
      }),
    );
    const args = ['--terms', terms, '--tickets', file('events.csv'), '--from', 'csv'];
    const lines = await evaluated([
      ...args,
      '--csv-mapping',
      file('mapping.json'),
      '--source-time-zone',
      'America/New_York',
    ]);
    expect(lines.map((l) => [l.ticket, l.metric, l.elapsed_min, l.breached, l.breach_at])).toEqual([
      ['J1', 'first_response', 45, true, '2025-06-02T10:30:00-04:00'],
      ['J1', 'resolution', 300, true, '2025-06-02T14:00:00-04:00'],
    ]);
    // The same file as a statement; without the zone, its local times are an error naming the row.
    const statement = await cli([
      'statement',
      ...args,
      '--csv-mapping',
      file('mapping.json'),
      '--source-time-zone',
      'America/New_York',
      '--month',
      '2025-06',
    ]);
    expect(statement.code).toBe(0);
    expect(JSON.parse(statement.stdout)).toMatchObject({ uncapped_pct: 7, credit_minor: 70000 });
    const zoneless = await cli(['evaluate', ...args, '--csv-mapping', file('mapping.json')]);
    expect(zoneless.code).toBe(1);
    expect(zoneless.stderr).toMatch(
      /^countersign sla: .*events\.csv: row 2 \(ticket J1\): When .*no UTC offset/,
    );
    writeFileSync(file('typo.json'), JSON.stringify({ ticketID: 'Case' }));
    const typo = await cli(['evaluate', ...args, '--csv-mapping', file('typo.json')]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('"ticketID" is not a mapping key');
  });

  it('reads a Zendesk export of tickets with their audits', async () => {
    const zendeskTerms = termsFor(
      'zendesk-terms.json',
      { new: 'new', open: 'open', pending: 'pending_customer', solved: 'solved', closed: 'closed' },
      { urgent: 'S1', high: 'S2', normal: 'S3', low: 'S4' },
    );
    const exported = [
      {
        ticket: {
          id: 501,
          created_at: '2025-03-03T14:00:00Z',
          status: 'solved',
          priority: 'high',
          requester_id: 1,
        },
        audits: [
          {
            created_at: '2025-03-03T14:00:00Z',
            author_id: 1,
            events: [
              { type: 'Comment', author_id: 1, public: true },
              { type: 'Create', field_name: 'status', value: 'new' },
              { type: 'Create', field_name: 'priority', value: 'high' },
            ],
          },
          {
            created_at: '2025-03-03T14:30:00Z',
            author_id: 2,
            events: [
              { type: 'Comment', author_id: 2, public: true },
              { type: 'Change', field_name: 'status', value: 'open', previous_value: 'new' },
            ],
          },
          {
            created_at: '2025-03-03T16:00:00Z',
            author_id: 2,
            events: [{ type: 'Change', field_name: 'status', value: 'solved', previous_value: 'open' }],
          },
        ],
        users: [
          { id: 1, role: 'end-user' },
          { id: 2, role: 'agent' },
        ],
      },
    ];
    writeFileSync(file('zendesk.json'), JSON.stringify(exported));
    const lines = await evaluated([
      '--terms',
      zendeskTerms,
      '--tickets',
      file('zendesk.json'),
      '--from',
      'zendesk',
    ]);
    // 09:00 to 09:30 and to 11:00 New York business time.
    expect(lines.map((l) => [l.ticket, l.metric, l.severity, l.elapsed_min, l.state])).toEqual([
      ['501', 'first_response', 'S2', 30, 'met'],
      ['501', 'resolution', 'S2', 120, 'met'],
    ]);
  });

  it('lists the rows a ServiceNow log skips on stderr', async () => {
    const snTerms = termsFor(
      'sn-terms.json',
      { Active: 'open', Resolved: 'solved' },
      { '1 - Critical': 'S1' },
    );
    writeFileSync(
      file('servicenow.csv'),
      [
        'number,incident_state,sys_mod_count,made_sla,opened_at,sys_updated_at,priority',
        'INC0000001,New,0,true,2/6/2025 10:00,2/6/2025 10:00,1 - Critical',
        'INC0000001,-100,1,true,2/6/2025 10:00,2/6/2025 10:05,1 - Critical',
        'INC0000001,Active,2,true,2/6/2025 10:00,2/6/2025 10:20,1 - Critical',
      ].join('\r\n'),
    );
    const args = [
      'evaluate',
      '--terms',
      snTerms,
      '--tickets',
      file('servicenow.csv'),
      '--from',
      'servicenow',
    ];
    const { code, stdout, stderr } = await cli([
      ...args,
      '--source-time-zone',
      'America/New_York',
      '--as-of',
      '2025-06-02T11:00:00-04:00',
    ]);
    expect(code).toBe(0);
    expect(stderr).toBe(
      `countersign sla: ${file('servicenow.csv')}: skipped 1 row\n  row 3 (ticket INC0000001): incident_state "-100" is not a state\n`,
    );
    expect(JSON.parse(stdout.split('\n')[0]!)).toMatchObject({
      ticket: 'INC0000001',
      metric: 'first_response',
      elapsed_min: 20,
      state: 'met',
    });
    expect(await runCli(['sla', ...args])).toMatchObject({
      code: 2,
      stderr:
        'countersign sla: --from servicenow needs --source-time-zone ZONE: its times have no UTC offset\n',
    });
  });

  it('writes the monthly report PDF with --format pdf --out', async () => {
    const out = file('report.pdf');
    const { code, stdout, stderr } = await cli([
      'statement',
      '--terms',
      terms,
      '--tickets',
      file('june.jsonl'),
      '--outages',
      file('outages.json'),
      '--history',
      file('history.json'),
      '--month',
      '2025-06',
      '--format',
      'pdf',
      '--out',
      out,
      '--contract-name',
      'ACME Portal Support',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`${out}\n`);
    const pdf = readFileSync(out);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await new Promise<string>((done, fail) =>
      execFile('pdftotext', ['-layout', '-enc', 'UTF-8', out, '-'], (error, output) =>
        error ? fail(error) : done(output),
      ),
    );
    expect(text).toContain('Monthly SLA report: June 2025');
    expect(text).toContain('SLA report — ACME Portal Support — 2025-06 — page 1 of');
    // The history's months are the trend; J1's two breaches are listed with their times.
    expect(text).toContain('Trend: March 2025 to June 2025');
    expect(text).toMatch(/J1\s+S1 Critical\s+First response\s+2025-06-02 10:00\s+2025-06-02 10:30/);
    expect(text).toContain('Chronic failure');
    expect(text).toContain('USD 1,700.00');
  });

  it('exits 2 on an unknown --from, and on --csv-mapping without --from csv', async () => {
    const run = (args: string[]) => runCli(['sla', ...args]);
    expect(
      await run(['evaluate', '--terms', terms, '--tickets', file('june.jsonl'), '--from', 'xml']),
    ).toMatchObject({
      code: 2,
      stderr: 'countersign sla: --from "xml": jsonl, csv, zendesk, jsm, servicenow\n',
    });
    const viaBin = await cli([
      'statement',
      '--terms',
      terms,
      '--tickets',
      file('june.jsonl'),
      '--month',
      '2025-06',
      '--from',
      'excel',
    ]);
    expect(viaBin.code).toBe(2);
    expect(viaBin.stderr).toContain('--from "excel"');
    expect(
      await run([
        'evaluate',
        '--terms',
        terms,
        '--tickets',
        file('june.jsonl'),
        '--csv-mapping',
        file('mapping.json'),
      ]),
    ).toMatchObject({ code: 2, stderr: 'countersign sla: --csv-mapping goes with --from csv\n' });
  });
});
