import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../functions/core/errors';
import { evaluateTickets, monthlyStatement } from '../../../../functions/core/sla/engine';
import { exampleTerms, ticket } from './fixtures';

/** Bad input is an error naming the ticket (or outage) and the field; the engine never guesses. */

const terms = exampleTerms();
const base = () =>
  ticket({
    id: 'INC42',
    created: '2025-03-04T09:00:00-05:00',
    statuses: [
      ['2025-03-04T09:00:00-05:00', 'New'],
      ['2025-03-04T09:30:00-05:00', 'Open'],
      ['2025-03-04T10:00:00-05:00', 'Solved'],
    ],
    comments: [['2025-03-04T09:20:00-05:00', 'agent']],
  }) as any;

function rejects(change: (t: any) => void, message: string | RegExp, path?: string) {
  const t = base();
  change(t);
  let error: unknown;
  try {
    evaluateTickets(terms, [t], { asOf: '2025-03-31T00:00:00Z' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as Error).message).toMatch(message);
  if (path) expect((error as ValidationError).details).toEqual([expect.objectContaining({ path })]);
}

describe('bad tickets', () => {
  it('the base ticket is fine, source statuses mapped through status_map', () => {
    expect(evaluateTickets(terms, [base()], { asOf: '2025-03-31T00:00:00Z' }).map((r) => r.state)).toEqual([
      'met',
      'met',
    ]);
  });

  it('a time without an offset', () =>
    rejects(
      (t) => (t.status_history[1].at = '2025-03-04T09:30'),
      'ticket INC42: status_history[1].at "2025-03-04T09:30" has no UTC offset (declare the source time zone)',
      'tickets[0].status_history[1].at',
    ));

  it('...accepted once the source time zone is declared', () => {
    const t = base();
    t.status_history[1].at = '2025-03-04T09:30';
    t.comments[0].at = '2025-03-04 09:20:00';
    const results = evaluateTickets(terms, [t], {
      asOf: '2025-03-31T00:00:00Z',
      sourceTimeZone: 'America/New_York',
    });
    expect(results[0]).toMatchObject({ metric: 'first_response', elapsed_min: 20 });
  });

  it('a history out of order', () =>
    rejects(
      (t) => (t.status_history[2].at = '2025-03-04T09:10:00-05:00'),
      'ticket INC42: status_history[2].at "2025-03-04T09:10:00-05:00" is before status_history[1].at "2025-03-04T09:30:00-05:00": the history is out of order',
    ));

  it('comments out of order', () =>
    rejects(
      (t) => t.comments.push({ at: '2025-03-04T09:10:00-05:00', author: 'customer' }),
      /^ticket INC42: comments\[1\]\.at .* out of order/,
    ));

  it('an unknown status', () =>
    rejects(
      (t) => (t.status_history[1].status = 'Escalated'),
      'ticket INC42: status_history[1].status "Escalated" is not a canonical status (new, open, pending_customer, on_hold, solved, closed) nor a key of status_map',
    ));

  it('an unknown severity; ids and severity_map keys are both accepted', () => {
    rejects(
      (t) => (t.severity_history[0].severity = 'P1'),
      'ticket INC42: severity_history[0].severity "P1" is not a severity of these terms (S1, S2, S3, S4) nor a key of severity_map',
    );
    const t = base();
    t.severity_history = [{ at: t.created_at, severity: 'Urgent' }];
    expect(evaluateTickets(terms, [t], { asOf: '2025-03-31T00:00:00Z' })[0]!.severity).toBe('S1');
  });

  it('a missing created_at', () =>
    rejects((t) => delete t.created_at, 'ticket INC42: created_at is missing', 'tickets[0].created_at'));

  it('a first severity not at created_at', () =>
    rejects(
      (t) => (t.severity_history[0].at = '2025-03-04T09:05:00-05:00'),
      /^ticket INC42: severity_history\[0\]\.at .* is not created_at/,
    ));

  it('a status before the ticket was created', () =>
    rejects(
      (t) => t.status_history.unshift({ at: '2025-03-04T08:00:00-05:00', status: 'new' }),
      'ticket INC42: status_history[0].at "2025-03-04T08:00:00-05:00" is before created_at "2025-03-04T09:00:00-05:00"',
    ));

  it('an unknown comment author or source', () => {
    rejects(
      (t) => (t.comments[0].author = 'robot'),
      'ticket INC42: comments[0].author "robot" is not "customer" or "agent"',
    );
    rejects(
      (t) => (t.comments[0].source = 'email'),
      /^ticket INC42: comments\[0\]\.source "email" is not one of/,
    );
  });

  it('customer_reported_at after created_at', () =>
    rejects(
      (t) => (t.customer_reported_at = '2025-03-04T09:01:00-05:00'),
      /^ticket INC42: customer_reported_at .* is after created_at/,
    ));

  it('a ticket without an id, and two with the same id', () => {
    const t = base();
    delete t.id;
    expect(() => evaluateTickets(terms, [t])).toThrow('ticket #1: id is missing or not a non-empty string');
    expect(() => evaluateTickets(terms, [base(), base()])).toThrow(
      'ticket INC42: id is used by ticket #1 too: ids are unique per contract',
    );
  });

  it('an unknown source time zone, and a bad as-of', () => {
    expect(() => evaluateTickets(terms, [base()], { sourceTimeZone: 'Mars/Olympus' })).toThrow(
      'source time zone "Mars/Olympus" is not an IANA time zone',
    );
    expect(() => evaluateTickets(terms, [base()], { asOf: '2025-03-31' })).toThrow(
      /^options: asOf "2025-03-31"/,
    );
  });
});

describe('bad statement options', () => {
  it('a month that is not YYYY-MM', () => {
    for (const month of ['2025-3', '2025-13', 'March', '2025-03-01'])
      expect(() => monthlyStatement(terms, [], { month })).toThrow(
        `month "${month}" is not a month (YYYY-MM)`,
      );
  });

  it('an outage ending before it starts', () => {
    expect(() =>
      monthlyStatement(terms, [], {
        month: '2025-06',
        outages: [
          { start: '2025-06-01T00:00:00Z', end: '2025-06-01T01:00:00Z', kind: 'outage' },
          { start: '2025-06-02T10:00:00Z', end: '2025-06-02T09:00:00Z', kind: 'outage' },
        ],
      }),
    ).toThrow(
      'outages[1]: end "2025-06-02T09:00:00Z" is before start "2025-06-02T10:00:00Z": an outage ends after it starts',
    );
  });

  it('an outage without an offset or of an unknown kind', () => {
    expect(() =>
      monthlyStatement(terms, [], {
        month: '2025-06',
        outages: [{ start: '2025-06-01T00:00', end: '2025-06-01T01:00:00Z', kind: 'outage' }],
      }),
    ).toThrow('outages[0]: start "2025-06-01T00:00" has no UTC offset (declare the source time zone)');
    expect(() =>
      monthlyStatement(terms, [], {
        month: '2025-06',
        outages: [{ start: '2025-06-01T00:00:00Z', end: '2025-06-01T01:00:00Z', kind: 'brownout' }],
      }),
    ).toThrow('outages[0]: kind "brownout" is not "outage" or "maintenance"');
  });

  it('a history entry that is not a month result', () => {
    expect(() => monthlyStatement(terms, [], { month: '2025-06', history: [{ month: 'May' }] })).toThrow(
      'history[0].month: "May" is not a month (YYYY-MM)',
    );
    expect(() =>
      monthlyStatement(terms, [], {
        month: '2025-06',
        history: [
          {
            month: '2025-05',
            lines: [{ severity: 'S1', metric: 'resolution', counted: 1, breached: 2, miss: true }],
          },
        ],
      }),
    ).toThrow('history[0].lines[0].breached: 2 is more than counted 1');
  });
});
