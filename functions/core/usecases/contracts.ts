import { requireAnyRole, requireLegal, type Principal } from '../access';
import type { Actor } from '../audit-chain';
import { amendmentEvent } from '../contracts/amend';
import {
  contractCreatedEvent,
  foldContract,
  nonRenewalEvent,
  terminationEvent,
  termsInForce,
  type ChronicFailureExercise,
  type ContractEvent,
  type ContractParty,
  type ContractState,
  type IsoDate,
  type TermsEntry,
} from '../contracts/contract';
import {
  applyDue,
  localDate,
  nextLifecycleJob,
  scheduledJob,
  LIFECYCLE_ACTOR,
  LIFECYCLE_JOB,
} from '../contracts/lifecycle';
import { lifecycleMail, noticeWindowMail } from '../contracts/messages';
import { contractSummary, type ContractSummary } from '../contracts/records';
import type { EnvelopeState } from '../envelope';
import { ConcurrencyError, NotFoundError, ValidationError } from '../errors';
import type { Ports, ScheduledJob } from '../ports';
import { scheduleMonthlyReport } from './sla-reports';

/**
 * Contracts: a completed envelope made from a template with SLA terms and contract terms becomes
 * a contract (same id as the envelope), tracked until it ends. Lifecycle work runs as one-off jobs
 * through the scheduler port; every job recomputes what is due from the contract's events, so a
 * job that runs twice, late, or after a change does the right thing.
 */

export { LIFECYCLE_JOB as CONTRACT_LIFECYCLE_JOB };

const ATTEMPTS = 5;

async function load(ports: Ports, tenantId: string, contractId: string): Promise<ContractEvent[]> {
  return ports.contracts.loadEvents(tenantId, contractId);
}

/** Appends events built from the latest state; on a concurrent write, reloads and builds again. */
export async function change(
  ports: Ports,
  tenantId: string,
  contractId: string,
  build: (state: ContractState) => ContractEvent[],
): Promise<{ state: ContractState; appended: ContractEvent[] }> {
  for (let attempt = 1; ; attempt++) {
    const events = await load(ports, tenantId, contractId);
    if (events.length === 0) throw new NotFoundError(`contract ${contractId} not found`);
    let state = foldContract(events);
    const before = state;
    const next = build(state);
    try {
      for (const event of next) {
        state = foldContract([event], state);
        await ports.contracts.append(event, contractSummary(state));
      }
      await reschedule(ports, before, state);
      return { state, appended: next };
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || attempt >= ATTEMPTS) throw err;
    }
  }
}

/** The contract's next lifecycle job, replacing the one planned before a change. */
async function reschedule(ports: Ports, before: ContractState | null, after: ContractState): Promise<void> {
  const now = ports.clock.now();
  const previous = before ? nextLifecycleJob(before, now) : null;
  const next = nextLifecycleJob(after, now);
  if (previous && previous.id !== next?.id) await ports.scheduler.cancel(previous.id);
  if (next) await ports.scheduler.at(next.at, scheduledJob(after, next));
}

const isDate = (x: unknown): x is IsoDate =>
  typeof x === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(x) && !Number.isNaN(Date.parse(`${x}T00:00:00Z`));

/** The people of the envelope who signed or approved, by their template role. */
function partiesOf(envelope: EnvelopeState): ContractParty[] {
  return envelope.recipients
    .filter((r) => r.status === 'signed' || r.status === 'approved')
    .map((r) => ({ role: r.group?.id ?? r.id.replace(/-m\d+$/, ''), name: r.name, email: r.email }));
}

/**
 * After an envelope completed: opens its contract, or records the amendment it carries. Does
 * nothing for an envelope that is not a contract. Safe to run again (the NotifyCompletion retry).
 */
export async function openContract(ports: Ports, envelope: EnvelopeState): Promise<ContractState | null> {
  if (envelope.status !== 'completed') return null;
  const template = envelope.template;
  if (envelope.amends) return recordAmendment(ports, envelope, envelope.amends);
  if (!template?.contract || !envelope.slaTerms) return null;
  const existing = await load(ports, envelope.tenantId, envelope.id);
  if (existing.length > 0) {
    const state = foldContract(existing);
    await reschedule(ports, null, state);
    await scheduleMonthlyReport(ports, state);
    return state;
  }
  const terms = envelope.slaTerms;
  const completedAt = new Date(envelope.updatedAt);
  const timeZone = template.contract.timeZone ?? terms.reporting.time_zone;
  const startDate = template.contract.startDate ?? localDate(completedAt, timeZone);
  const owners = [
    ...new Set([
      ...(template.contract.owners ?? []),
      ...(envelope.owner.email ? [envelope.owner.email] : []),
    ]),
  ];
  const sealed = envelope.sealedDocuments?.[0] ?? envelope.documents[0]!;
  const created = contractCreatedEvent(
    {
      tenantId: envelope.tenantId,
      contractId: envelope.id,
      title: envelope.title,
      envelopeId: envelope.id,
      template: { id: template.id, version: template.version },
      parties: partiesOf(envelope),
      owners,
      term: {
        startDate,
        termMonths: template.contract.termMonths,
        renewal: template.contract.renewal,
        timeZone,
      },
      fee: { currency: terms.currency, monthlyMinor: terms.monthly_fee_minor },
      slaTerms: terms,
      sealedDocumentKey: sealed.storageKey,
      auditLink: `/v1/envelopes/${envelope.id}/audit`,
    },
    { at: ports.clock.now(), actor: LIFECYCLE_ACTOR },
  );
  let state = foldContract([created]);
  try {
    await ports.contracts.append(created, contractSummary(state));
  } catch (err) {
    if (!(err instanceof ConcurrencyError)) throw err;
    state = foldContract(await load(ports, envelope.tenantId, envelope.id));
  }
  await reschedule(ports, null, state);
  await scheduleMonthlyReport(ports, state);
  return state;
}

async function recordAmendment(ports: Ports, envelope: EnvelopeState, contractId: string) {
  if (!envelope.slaTerms) return null;
  const terms = envelope.slaTerms;
  const { state } = await change(ports, envelope.tenantId, contractId, (c) => {
    // Recorded once: a retry finds its amendment already there.
    if (c.termsHistory.some((t) => t.amendmentEnvelopeId === envelope.id)) return [];
    const effective = envelope.template?.contract?.startDate ?? terms.effective_from;
    return [
      amendmentEvent(
        c,
        {
          envelopeId: envelope.id,
          effectiveDate: isDate(effective)
            ? effective
            : localDate(new Date(envelope.updatedAt), c.term.timeZone),
          slaTerms: terms,
          fee: { currency: terms.currency, monthlyMinor: terms.monthly_fee_minor },
        },
        { at: ports.clock.now(), actor: LIFECYCLE_ACTOR },
      ),
    ];
  });
  // The amended terms may send the report on another day or in another zone.
  await scheduleMonthlyReport(ports, state);
  return state;
}

/** The lifecycle job: applies what is due (notice window, renewal, expiry) and tells the owners. */
export async function runContractLifecycle(ports: Ports, job: ScheduledJob): Promise<{ applied: string[] }> {
  const { tenantId, contractId } = job.input as { tenantId?: unknown; contractId?: unknown };
  if (typeof tenantId !== 'string' || typeof contractId !== 'string') {
    throw new ValidationError(`job ${job.id} does not name a contract`);
  }
  const { state, appended } = await change(ports, tenantId, contractId, (c) =>
    applyDue(c, ports.clock.now()),
  );
  for (const event of appended) {
    if (event.type === 'contract.notice_window_opened' && event.data.to.length > 0) {
      await ports.mail.send(noticeWindowMail(state, event.data));
    } else if (event.type === 'contract.renewed') {
      await ports.mail.send(lifecycleMail(state, state.owners, { renewed: event.data }));
    } else if (event.type === 'contract.expired') {
      await ports.mail.send(lifecycleMail(state, state.owners, { expired: event.data }));
    }
  }
  return { applied: appended.map((e) => e.type) };
}

export interface ContractQuery {
  limit: number;
  cursor?: string;
  status?: ContractState['status'];
  /** Any party whose name, organisation or e-mail contains this, case-insensitively. */
  counterparty?: string;
  /** Contracts whose notice deadline falls in [renewalFrom, renewalTo]. */
  renewalFrom?: IsoDate;
  renewalTo?: IsoDate;
}

/** Filters apply to each stored page; pages are read until the limit is filled or the list ends. */
export async function listContracts(
  ports: Ports,
  principal: Principal,
  query: ContractQuery,
): Promise<{ items: ContractSummary[]; nextCursor?: string }> {
  requireAnyRole(principal, 'list contracts');
  const needle = query.counterparty?.toLowerCase();
  // Only a running contract renews: an expired or terminated one keeps its last notice deadline.
  const renewing = (c: ContractSummary) => c.status === 'active' && c.renews && c.noticeDeadline !== null;
  const keep = (c: ContractSummary) =>
    (!query.status || c.status === query.status) &&
    (!needle ||
      c.parties.some((p) =>
        [p.name, p.organisation, p.email].some((x) => x?.toLowerCase().includes(needle)),
      )) &&
    (!query.renewalFrom || (renewing(c) && c.noticeDeadline! >= query.renewalFrom)) &&
    (!query.renewalTo || (renewing(c) && c.noticeDeadline! <= query.renewalTo));
  const items: ContractSummary[] = [];
  let cursor = query.cursor;
  for (let pages = 0; pages < 20 && items.length < query.limit; pages++) {
    const page = await ports.contracts.list(principal.tenantId, {
      limit: query.limit,
      ...(cursor ? { cursor } : {}),
    });
    items.push(...page.items.filter(keep));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return { items, ...(cursor ? { nextCursor: cursor } : {}) };
}

export async function getContract(
  ports: Ports,
  principal: Principal,
  contractId: string,
): Promise<{ state: ContractState; events: ContractEvent[] }> {
  requireAnyRole(principal, 'read contracts');
  const events = await load(ports, principal.tenantId, contractId);
  if (events.length === 0) throw new NotFoundError(`contract ${contractId} not found`);
  return { state: foldContract(events), events };
}

/** The terms in force on a local date (today in the contract's zone by default), and the history. */
export async function contractTerms(
  ports: Ports,
  principal: Principal,
  contractId: string,
  date?: IsoDate,
): Promise<{ date: IsoDate; inForce: TermsEntry | null; history: TermsEntry[] }> {
  const { state } = await getContract(ports, principal, contractId);
  const on = date ?? localDate(ports.clock.now(), state.term.timeZone);
  return { date: on, inForce: termsInForce(state, on), history: state.termsHistory };
}

const actorOf = (p: Principal): Actor => ({
  kind: 'user',
  id: p.sub,
  ...(p.email ? { email: p.email } : {}),
});

export async function giveNonRenewalNotice(
  ports: Ports,
  principal: Principal,
  contractId: string,
  input: { reason: string; role?: string },
): Promise<ContractState> {
  requireLegal(principal, 'give notice of non-renewal');
  const { state } = await change(ports, principal.tenantId, contractId, (c) => [
    nonRenewalEvent(
      c,
      {
        by: {
          ...(principal.email ? { email: principal.email } : { name: principal.sub }),
          ...(input.role ? { role: input.role } : {}),
        },
        reason: input.reason,
      },
      { at: ports.clock.now(), actor: actorOf(principal) },
    ),
  ]);
  return state;
}

export async function terminateContract(
  ports: Ports,
  principal: Principal,
  contractId: string,
  input: { reason: string; chronicFailure?: ChronicFailureExercise },
): Promise<ContractState> {
  requireLegal(principal, 'terminate contracts');
  const { state } = await change(ports, principal.tenantId, contractId, (c) => [
    terminationEvent(c, input, { at: ports.clock.now(), actor: actorOf(principal) }),
  ]);
  return state;
}

/** Checks, when an amending envelope is created, that the contract exists and is still running. */
export async function checkAmendable(ports: Ports, tenantId: string, contractId: string): Promise<void> {
  const events = await load(ports, tenantId, contractId);
  if (events.length === 0) {
    throw new ValidationError(`contract ${contractId} not found`, [
      { path: 'body.amends', message: 'no such contract' },
    ]);
  }
  const state = foldContract(events);
  if (state.status !== 'active') {
    throw new ValidationError(
      `contract ${contractId} has ${state.status === 'expired' ? 'expired' : 'been terminated'}`,
      [{ path: 'body.amends', message: `the contract is ${state.status}` }],
    );
  }
}
