import { expect } from 'vitest';
import type { Actor } from '../../../functions/core/audit-chain';
import { DomainError } from '../../../functions/core/errors';
import type { Clock, ScheduledJob, Scheduler } from '../../../functions/core/ports';
import type { SlaTerms } from '../../../functions/core/sla/terms';
import {
  contractCreatedEvent,
  foldContract,
  type ContractEvent,
  type ContractState,
  type ContractTerm,
  type NewContract,
} from '../../../functions/core/contracts/contract';
import { applyDue, nextLifecycleJob, scheduledJob } from '../../../functions/core/contracts/lifecycle';

export const owner: Actor = { kind: 'user', id: 'u-owner', email: 'owner@vendor.test' };

export const at = (iso: string) => new Date(iso);
/** Who records an event, and when: the owner unless told. */
export const ctx = (iso: string, actor: Actor = owner) => ({ at: at(iso), actor });

export function slaTerms(overrides: Partial<SlaTerms> = {}): SlaTerms {
  return {
    schema_version: '1.0',
    contract_id: 'MSA-2025-001',
    currency: 'EUR',
    monthly_fee_minor: 250_000,
    reporting: { period: 'calendar_month', time_zone: 'Europe/Berlin' },
    calendars: { always: { type: '24x7' } },
    severities: [{ id: 'P1', rank: 1 }],
    status_map: { open: 'open', solved: 'solved' },
    metrics: { first_response: { kind: 'first_response' } },
    targets: [{ severity: 'P1', metric: 'first_response', target_minutes: 60, calendar: 'always' }],
    reclassification: { mode: 'segmented', breach_sticky: true },
    credits: {
      cap_pct_of_monthly_fee: 20,
      chronic_failure: {
        rules: [{ type: 'cap_reached', consecutive_months: 3 }],
        remedy: 'termination_without_penalty',
        exercise_window_days: 30,
      },
    },
    ...overrides,
  };
}

export function term(overrides: Partial<ContractTerm> = {}): ContractTerm {
  return {
    startDate: '2025-01-01',
    termMonths: 12,
    renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 30, reminderDays: 14 },
    timeZone: 'Europe/Berlin',
    ...overrides,
  };
}

export function newContract(overrides: Partial<NewContract> = {}): NewContract {
  return {
    tenantId: 't1',
    contractId: 'c1',
    envelopeId: 'env-1',
    template: { id: 'tpl-msa', version: 3 },
    parties: [
      { role: 'vendor', name: 'Vendor GmbH', email: 'legal@vendor.test' },
      { role: 'customer', name: 'Ada Buyer', email: 'ada@customer.test', organisation: 'Customer AG' },
    ],
    owners: ['owner@vendor.test', 'support-lead@vendor.test'],
    term: term(),
    fee: { currency: 'EUR', monthlyMinor: 250_000 },
    slaTerms: slaTerms(),
    sealedDocumentKey: 'sealed/t1/env-1/contract.pdf',
    auditLink: '/v1/envelopes/env-1/audit',
    ...overrides,
  };
}

export const CREATED_AT = new Date('2024-12-20T10:00:00Z');

/** The created event of a contract with this term (recorded at CREATED_AT unless told). */
export function created(t: Partial<ContractTerm> = {}, at = CREATED_AT): ContractEvent {
  return contractCreatedEvent(newContract({ term: term(t) }), { at, actor: owner });
}

export function contract(t: Partial<ContractTerm> = {}): ContractState {
  return foldContract([created(t)]);
}

/** The thrown DomainError, so that its class, message and details can be checked. */
export function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('nothing was thrown');
}

export class FakeClock implements Clock {
  constructor(public current: Date) {}
  now(): Date {
    return this.current;
  }
}

/** Keeps one-off jobs in memory, by id: scheduling an id again replaces its job. */
export class FakeScheduler implements Scheduler {
  readonly jobs = new Map<string, { when: Date; job: ScheduledJob }>();
  async at(when: Date, job: ScheduledJob): Promise<void> {
    this.jobs.set(job.id, { when, job });
  }
  async cron(): Promise<void> {
    throw new Error('contracts schedule one-off jobs only');
  }
  async cancel(id: string): Promise<void> {
    this.jobs.delete(id);
  }
  /** The earliest job due at or before `until`, taken off the schedule. */
  takeNext(until: Date): { when: Date; job: ScheduledJob } | undefined {
    const next = [...this.jobs.values()]
      .filter((j) => j.when.getTime() <= until.getTime())
      .sort((a, b) => a.when.getTime() - b.when.getTime())[0];
    if (next) this.jobs.delete(next.job.id);
    return next;
  }
}

export interface Run {
  state: ContractState;
  events: ContractEvent[];
  /** Each event the lifecycle produced, with the clock's time when it ran. */
  log: { at: string; type: ContractEvent['type']; data: unknown }[];
  scheduler: FakeScheduler;
  clock: FakeClock;
}

/**
 * Runs the contract's lifecycle as the service does, on a fake clock: schedule the next job, move
 * the clock to it, run it (applyDue, fold), schedule the next; until `until` or nothing is left.
 */
export async function runLifecycle(events: ContractEvent[], from: Date, until: Date): Promise<Run> {
  const clock = new FakeClock(from);
  const scheduler = new FakeScheduler();
  const all = [...events];
  let state = foldContract(all);
  const log: Run['log'] = [];
  const schedule = async () => {
    const job = nextLifecycleJob(state, clock.now());
    if (job) await scheduler.at(job.at, scheduledJob(state, job));
  };
  await schedule();
  for (let guard = 0; guard < 10_000; guard++) {
    const due = scheduler.takeNext(until);
    if (!due) break;
    clock.current = due.when;
    const produced = applyDue(state, clock.now());
    for (const e of produced) log.push({ at: clock.now().toISOString(), type: e.type, data: e.data });
    all.push(...produced);
    if (produced.length > 0) state = foldContract(produced, state);
    await schedule();
  }
  return { state, events: all, log, scheduler, clock };
}
