import { describe, expect, it } from 'vitest';
import { evaluateTickets, monthlyStatement, type MetricResult } from '../../../../functions/core/sla/engine';
import type { TicketTimeline } from '../../../../functions/core/sla/ticket';
import { exampleTerms } from './fixtures';

/** Properties that hold on any input, checked on tickets from a seeded generator. */

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
const secondsOf = (text: string) => Date.parse(text) / 1000;
const START = secondsOf('2025-01-01T00:00:00Z');
const STATUSES = ['open', 'pending_customer', 'on_hold', 'solved', 'closed', 'open', 'open'];
const SOURCES = [
  undefined,
  undefined,
  undefined,
  'auto_acknowledgement',
  'bot',
  'internal_note',
  'shared_account',
];

function generate(random: () => number, id: string, reclassify = true): TicketTimeline & { as_of: string } {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  // Gaps from a minute to three days, in whole minutes.
  const gap = () => 60 * Math.floor(1 + random() ** 3 * 3 * 1440);
  const created = START + 60 * Math.floor(random() * 330 * 1440);
  const severities = [{ at: iso(created), severity: pick(['S1', 'S2', 'S3', 'S4']) }];
  const statuses = [{ at: iso(created), status: 'new' }];
  const comments: TicketTimeline['comments'] = [];
  let t = created;
  for (let i = 0, n = Math.floor(random() * 7); i < n; i++)
    statuses.push({ at: iso((t += gap())), status: pick(STATUSES) });
  t = created;
  for (let i = 0, n = Math.floor(random() * 8); i < n; i++) {
    const source = pick(SOURCES);
    comments.push({
      at: iso((t += gap())),
      author: random() < 0.55 ? 'agent' : 'customer',
      ...(random() < 0.1 ? { public: false } : {}),
      ...(source ? { source: source as any } : {}),
    });
  }
  if (reclassify && random() < 0.4)
    severities.push({ at: iso(created + gap()), severity: pick(['S1', 'S2', 'S3', 'S4']) });
  return {
    id,
    created_at: iso(created),
    severity_history: severities,
    status_history: statuses,
    comments,
    as_of: iso(created + 20 * 86400),
  };
}

const tickets = (seed: number, n: number, reclassify = true) => {
  const random = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => generate(random, `P${i}`, reclassify));
};
const key = (r: MetricResult) => `${r.ticket} ${r.metric} ${r.start}`;
const byKey = (results: MetricResult[]) => new Map(results.map((r) => [key(r), r]));

const sticky = exampleTerms();
const variants = {
  'retroactive, sticky': sticky,
  'retroactive, not sticky': exampleTerms((x) => (x.reclassification.breach_sticky = false)),
  'segmented, sticky': exampleTerms((x) => (x.reclassification.mode = 'segmented')),
  'segmented, not sticky': exampleTerms(
    (x) => (x.reclassification = { mode: 'segmented', breach_sticky: false }),
  ),
};

describe('properties', () => {
  for (const [name, terms] of Object.entries(variants)) {
    it(`elapsed never exceeds wall time (${name})`, () => {
      const list = tickets(1, 400);
      for (const r of evaluateTickets(terms, list)) {
        if (r.elapsed_min === null) continue;
        const ticket = list.find((t) => t.id === r.ticket)!;
        const wall = (secondsOf(r.stop ?? ticket.as_of) - secondsOf(r.start)) / 60;
        expect(r.elapsed_min, key(r)).toBeLessThanOrEqual(Math.round(wall * 100) / 100);
      }
    });

    it(`adding a pause never increases elapsed nor adds a breach (${name})`, () => {
      const random = mulberry32(2);
      for (const ticket of tickets(3, 300)) {
        // A pending interval inside a stretch where the ticket is open or new, between two changes.
        const history = ticket.status_history;
        const stretches = history
          .map((h, i) => ({
            i,
            from: secondsOf(h.at),
            to: secondsOf(history[i + 1]?.at ?? ticket.as_of),
            status: h.status,
          }))
          .filter((s) => (s.status === 'open' || s.status === 'new') && s.to - s.from > 120);
        if (stretches.length === 0) continue;
        const s = stretches[Math.floor(random() * stretches.length)]!;
        const p1 = s.from + 60 + Math.floor(random() * (s.to - s.from - 120));
        const p2 = p1 + Math.floor(random() * (s.to - p1 - 1)) + 1;
        const paused = structuredClone(ticket);
        paused.status_history.splice(
          s.i + 1,
          0,
          { at: iso(p1), status: 'pending_customer' },
          { at: iso(p2), status: s.status },
        );
        const before = byKey(evaluateTickets(terms, [ticket]));
        const after = evaluateTickets(terms, [paused]);
        expect(after.map(key).sort()).toEqual([...before.keys()].sort());
        for (const r of after) {
          const was = before.get(key(r))!;
          if (r.elapsed_min !== null) expect(r.elapsed_min, key(r)).toBeLessThanOrEqual(was.elapsed_min!);
          if (r.breached) expect(was.breached, key(r)).toBe(true);
        }
      }
    });

    it(`more business hours never remove a breach; a holiday never adds one (${name})`, () => {
      const longer = exampleTerms((x) => {
        Object.assign(x.reclassification, (terms as any).reclassification);
        const week = x.calendars.ny_biz.weekly;
        for (const day of Object.keys(week)) week[day] = [['08:00', '18:00']];
        week.sat = [['10:00', '14:00']];
      });
      const holidays = exampleTerms((x) => {
        Object.assign(x.reclassification, (terms as any).reclassification);
        const random = mulberry32(5);
        const days = new Set<string>(x.calendars.ny_biz.holidays);
        while (days.size < 60) days.add(iso(START + 86400 * Math.floor(random() * 365)).slice(0, 10));
        x.calendars.ny_biz.holidays = [...days];
      });
      const list = tickets(4, 400);
      const base = byKey(evaluateTickets(terms, list));
      const more = byKey(evaluateTickets(longer, list));
      const fewer = byKey(evaluateTickets(holidays, list));
      const count = (m: Map<string, MetricResult>) => [...m.values()].filter((r) => r.breached).length;
      for (const [k, r] of base) {
        if (r.breached) expect(more.get(k)!.breached, k).toBe(true);
        if (fewer.get(k)!.breached) expect(r.breached, k).toBe(true);
      }
      expect(count(more)).toBeGreaterThanOrEqual(count(base));
      expect(count(fewer)).toBeLessThanOrEqual(count(base));
    });
  }

  it('without reclassification: breached exactly when elapsed exceeds target, at due', () => {
    for (const r of evaluateTickets(sticky, tickets(6, 400, false))) {
      expect(r.breached, key(r)).toBe(r.elapsed_min! > r.target_min!);
      if (r.breached) expect(r.breach_at).toBe(r.due);
      expect(r.state).toBe(r.breached ? 'breached' : r.stop === null ? 'in_progress' : 'met');
    }
  });

  it('24x7 first responses: elapsed is the wall time and due is start + target', () => {
    for (const r of evaluateTickets(sticky, tickets(7, 400, false))) {
      if (r.severity !== 'S1' || r.metric !== 'first_response' || r.stop === null) continue;
      expect(r.elapsed_min).toBe(Math.round(((secondsOf(r.stop) - secondsOf(r.start)) / 60) * 100) / 100);
      expect(secondsOf(r.due!)).toBe(secondsOf(r.start) + 30 * 60);
    }
  });

  it('a statement counts exactly the instances evaluate attributes to its month', () => {
    const list = tickets(8, 300).map(({ as_of: _asOf, ...t }) => t);
    for (const month of ['2025-03', '2025-07', '2025-11']) {
      const statement = monthlyStatement(sticky, list, { month });
      const end = secondsOf(statement.period.end);
      const results = evaluateTickets(sticky, list, { asOf: iso(end - 1) });
      const attributed = results.filter((r) => r.period === month);
      expect(statement.lines.reduce((n, l) => n + l.counted, 0)).toBe(attributed.length);
      expect(statement.lines.reduce((n, l) => n + l.breached, 0)).toBe(
        attributed.filter((r) => r.breached).length,
      );
      expect(statement.in_progress.length).toBe(results.filter((r) => r.state === 'in_progress').length);
    }
  });
});
