import { GENESIS_HASH, seal, type Actor, type LoggedEvent } from '../audit-chain';
import { ConflictError, ValidationError, type ErrorDetail } from '../errors';
import { canonicalJson } from '../hashing';
import type { ChronicFailureRule, SlaTerms } from '../sla/terms';
import {
  checkContractTerm,
  checkDate,
  endsAt,
  localDate,
  noticeDeadline,
  periodEnd,
  renews,
  shown,
  windowOpens,
  type IsoDate,
} from './lifecycle';

/**
 * The contract aggregate: a signed and sealed envelope whose template carries SLA terms, tracked
 * until it ends. Event-sourced like envelopes and templates: the events are the truth and
 * `foldContract` derives the state from them.
 *
 * Dates are local calendar dates (`YYYY-MM-DD`) in the term's IANA time zone. A period runs from
 * its `start` to its `end` inclusive: it ends at 00:00 local on the day after `end`, which is when
 * it renews or expires.
 */

export type { IsoDate } from './lifecycle';

export type RenewalRule =
  | { mode: 'fixed' }
  | {
      mode: 'auto';
      /** The length of each renewal period. */
      renewalMonths: number;
      /** Notice of non-renewal must be given at least this many days before the end. */
      noticeDays: number;
      /** The notice window opens (the owners are e-mailed) this many days before the notice deadline. */
      reminderDays: number;
    };

export interface ContractTerm {
  startDate: IsoDate;
  /** The initial term. */
  termMonths: number;
  renewal: RenewalRule;
  /** IANA; every date of the contract is local to it. */
  timeZone: string;
}

export interface ContractParty {
  role: string;
  name: string;
  email?: string;
  organisation?: string;
}

export interface ContractFee {
  /** ISO 4217, upper case. */
  currency: string;
  monthlyMinor: number;
}

/** A right to terminate the contract without penalty, found by the SLA engine (chronic failure). */
export interface TerminationRight {
  /** The chronic-failure rule of the SLA terms that tripped. */
  rule: ChronicFailureRule;
  /** The failing report months, `YYYY-MM`. */
  months: string[];
  /** The last day, local to the contract, on which the right may be exercised. */
  deadline: IsoDate;
}

/** A chronic-failure termination right, as named by the termination that exercises it. */
export type ChronicFailureExercise = Pick<TerminationRight, 'rule' | 'months'>;

/**
 * What an amendment changes in the term: the renewal rule, and the last day of the current
 * period (to extend or shorten it). The start, initial term and time zone never change.
 */
export interface TermChange {
  renewal?: RenewalRule;
  endDate?: IsoDate;
}

export interface ContractCreatedData {
  /** The title of the envelope the contract was signed in. */
  title?: string;
  envelopeId: string;
  template: { id: string; version: number };
  parties: ContractParty[];
  /** The addresses of the contract's owners: the notice-window e-mails go to them. */
  owners: string[];
  term: ContractTerm;
  /** The last day of the initial term: `periodEnd(term.startDate, term.termMonths)`. */
  endDate: IsoDate;
  fee: ContractFee;
  slaTerms: SlaTerms;
  /** Where the sealed PDF is stored. */
  sealedDocumentKey: string;
  /** Where the envelope's audit trail is served. */
  auditLink: string;
}

export interface NoticeWindowOpenedData {
  /** The end date the window is for: notice given now stops the renewal at this end. */
  forEnd: IsoDate;
  noticeDeadline: IsoDate;
  /** The owners e-mailed. */
  to: string[];
}

export interface ContractRenewedData {
  previousEnd: IsoDate;
  start: IsoDate;
  end: IsoDate;
  /** 1 is the initial term: the first renewal starts period 2. */
  period: number;
}

export interface NoticeGiver {
  name?: string;
  email?: string;
  /** The party role the notice came from. */
  role?: string;
}

export interface NonRenewalNoticedData {
  by: NoticeGiver;
  /** The local date the notice was given. */
  noticedOn: IsoDate;
  reason: string;
  /** The contract expires at the end of this day. */
  forEnd: IsoDate;
}

export interface ContractExpiredData {
  /** The last day the contract ran. */
  endDate: IsoDate;
}

export interface ContractTerminatedData {
  reason: string;
  /** The local date of the termination: the contract ran until it. */
  effectiveDate: IsoDate;
  /** Set when the termination exercises a chronic-failure right recorded from the SLA engine. */
  chronicFailure?: ChronicFailureExercise;
}

export interface ContractAmendedData {
  /** The envelope that amends the contract, once signed and sealed. */
  envelopeId: string;
  effectiveDate: IsoDate;
  slaTerms?: SlaTerms;
  fee?: ContractFee;
  term?: TermChange;
}

export type TerminationRightRecordedData = TerminationRight;

/** Hash-chained like envelope and template events (docs/audit-trail.md). */
interface ContractEventBase<T extends string, D> extends LoggedEvent<T, D> {
  contractId: string;
}

export type ContractEvent =
  | ContractEventBase<'contract.created', ContractCreatedData>
  | ContractEventBase<'contract.notice_window_opened', NoticeWindowOpenedData>
  | ContractEventBase<'contract.renewed', ContractRenewedData>
  | ContractEventBase<'contract.non_renewal_noticed', NonRenewalNoticedData>
  | ContractEventBase<'contract.expired', ContractExpiredData>
  | ContractEventBase<'contract.terminated', ContractTerminatedData>
  | ContractEventBase<'contract.amended', ContractAmendedData>
  | ContractEventBase<'contract.termination_right_recorded', TerminationRightRecordedData>;

export type ContractEventType = ContractEvent['type'];
export type ContractEventOf<T extends ContractEventType> = Extract<ContractEvent, { type: T }>;

/** Who recorded an event, and when. */
export interface EventContext {
  at: Date;
  actor: Actor;
}

export type ContractStatus = 'active' | 'expired' | 'terminated';

/** A period of the contract: local dates, `end` being the last day included. */
export interface ContractPeriod {
  /** 1 for the initial term, then one more for each renewal. */
  index: number;
  start: IsoDate;
  end: IsoDate;
}

/** The terms from one date on: the initial terms, then one entry per amendment. */
export interface TermsEntry {
  effectiveFrom: IsoDate;
  slaTerms: SlaTerms;
  fee: ContractFee;
  term: ContractTerm;
  /** Absent on the initial terms. */
  amendmentEnvelopeId?: string;
  recordedAt: string;
}

export interface ContractState {
  id: string;
  tenantId: string;
  title?: string;
  status: ContractStatus;
  envelopeId: string;
  template: { id: string; version: number };
  parties: ContractParty[];
  owners: string[];
  /** The term in force for the lifecycle: the initial one, as amendments changed it. */
  term: ContractTerm;
  sealedDocumentKey: string;
  auditLink: string;
  /**
   * The period running now (or the last one, once the contract has ended). `end` is the last
   * day included: the period ends at 00:00 local on the day after it.
   */
  currentPeriod: ContractPeriod;
  /** The last day notice of non-renewal may be given for the current end; null for a fixed term. */
  noticeDeadline: IsoDate | null;
  /** The day the notice window opens for the current end; null for a fixed term. */
  noticeWindowOpensOn: IsoDate | null;
  /** The end date the notice window was last opened (and the owners e-mailed) for. */
  noticeWindowOpenedFor?: IsoDate;
  renewals: (ContractRenewedData & { at: string })[];
  /** Every set of terms the contract has had, in order of their effective dates. */
  termsHistory: TermsEntry[];
  terminationRights: (TerminationRight & { recordedAt: string })[];
  /** Notice that the current period does not renew: the contract expires at its end. */
  nonRenewal?: NonRenewalNoticedData & { at: string; actor: Actor };
  expiry?: { at: string; endDate: IsoDate };
  termination?: ContractTerminatedData & { at: string; actor: Actor };
  createdAt: string;
  updatedAt: string;
  /** The sequence number and hash of the last event. */
  seq: number;
  headHash: string;
}

function withDeadlines(state: ContractState): ContractState {
  return { ...state, noticeDeadline: noticeDeadline(state), noticeWindowOpensOn: windowOpens(state) };
}

export function applyContractEvent(state: ContractState | null, event: ContractEvent): ContractState {
  if (event.type === 'contract.created') {
    if (state) throw new Error(`contract ${event.contractId} created twice`);
    const d = event.data;
    return withDeadlines({
      id: event.contractId,
      tenantId: event.tenantId,
      ...(d.title ? { title: d.title } : {}),
      status: 'active',
      envelopeId: d.envelopeId,
      template: d.template,
      parties: d.parties,
      owners: d.owners,
      term: d.term,
      sealedDocumentKey: d.sealedDocumentKey,
      auditLink: d.auditLink,
      currentPeriod: { index: 1, start: d.term.startDate, end: d.endDate },
      noticeDeadline: null,
      noticeWindowOpensOn: null,
      renewals: [],
      termsHistory: [
        {
          effectiveFrom: d.term.startDate,
          slaTerms: d.slaTerms,
          fee: d.fee,
          term: d.term,
          recordedAt: event.at,
        },
      ],
      terminationRights: [],
      createdAt: event.at,
      updatedAt: event.at,
      seq: event.seq,
      headHash: event.hash,
    });
  }
  if (!state) throw new Error(`contract ${event.contractId}: ${event.type} before it was created`);
  const base: ContractState = { ...state, updatedAt: event.at, seq: event.seq, headHash: event.hash };
  switch (event.type) {
    case 'contract.notice_window_opened':
      return { ...base, noticeWindowOpenedFor: event.data.forEnd };
    case 'contract.renewed': {
      const { nonRenewal: _none, ...rest } = base;
      return withDeadlines({
        ...rest,
        currentPeriod: { index: event.data.period, start: event.data.start, end: event.data.end },
        renewals: [...base.renewals, { ...event.data, at: event.at }],
      });
    }
    case 'contract.non_renewal_noticed':
      return { ...base, nonRenewal: { ...event.data, at: event.at, actor: event.actor } };
    case 'contract.expired':
      return { ...base, status: 'expired', expiry: { at: event.at, endDate: event.data.endDate } };
    case 'contract.terminated':
      return {
        ...base,
        status: 'terminated',
        termination: { ...event.data, at: event.at, actor: event.actor },
      };
    case 'contract.termination_right_recorded':
      return {
        ...base,
        terminationRights: [...base.terminationRights, { ...event.data, recordedAt: event.at }],
      };
    case 'contract.amended': {
      const d = event.data;
      const previous = base.termsHistory.at(-1)!;
      const term: ContractTerm = d.term?.renewal ? { ...base.term, renewal: d.term.renewal } : base.term;
      const entry: TermsEntry = {
        effectiveFrom: d.effectiveDate,
        slaTerms: d.slaTerms ?? previous.slaTerms,
        fee: d.fee ?? previous.fee,
        term,
        amendmentEnvelopeId: d.envelopeId,
        recordedAt: event.at,
      };
      return withDeadlines({
        ...base,
        term,
        currentPeriod: d.term?.endDate ? { ...base.currentPeriod, end: d.term.endDate } : base.currentPeriod,
        termsHistory: [...base.termsHistory, entry],
      });
    }
  }
}

/** The state the events lead to, from `from` (a snapshot) when given. */
export function foldContract(
  events: readonly ContractEvent[],
  from: ContractState | null = null,
): ContractState {
  const state = events.reduce<ContractState | null>(applyContractEvent, from);
  if (!state) throw new Error('no events to fold');
  return state;
}

/**
 * The terms in force on a local date: the last entry of the history effective on or before it
 * (an amendment effective on the same day as an earlier entry replaces it from that day). Null
 * before the contract starts.
 */
export function termsInForce(state: Pick<ContractState, 'termsHistory'>, date: IsoDate): TermsEntry | null {
  checkDate(date, 'date');
  let found: TermsEntry | null = null;
  for (const entry of state.termsHistory) if (entry.effectiveFrom <= date) found = entry;
  return found;
}

/** The next event of the contract, numbered after its last one. */
export function nextEvent<T extends ContractEventType>(
  state: Pick<ContractState, 'id' | 'tenantId' | 'seq' | 'headHash'>,
  type: T,
  data: ContractEventOf<T>['data'],
  ctx: EventContext,
): ContractEventOf<T> {
  return seal<ContractEventOf<T>>({
    contractId: state.id,
    tenantId: state.tenantId,
    seq: state.seq + 1,
    type,
    at: ctx.at.toISOString(),
    actor: ctx.actor,
    data,
    prevHash: state.headHash,
  } as Omit<ContractEventOf<T>, 'hash'>);
}

// ---------------------------------------------------------------------------------------------
// Commands: each checks its input against the state and returns the event to append.

function reject(heading: string, details: ErrorDetail[]): never {
  throw new ValidationError(
    `${heading}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** An ISO 4217 code and a whole, non-negative number of minor units. */
export function feeProblems(fee: unknown, path: string): ErrorDetail[] {
  if (typeof fee !== 'object' || fee === null)
    return [{ path, message: 'required: {currency, monthlyMinor}' }];
  const { currency, monthlyMinor } = fee as Partial<ContractFee>;
  const problems: ErrorDetail[] = [];
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
    problems.push({
      path: `${path}.currency`,
      message: `must be an ISO 4217 code such as "EUR", not ${JSON.stringify(currency)}`,
    });
  if (!Number.isSafeInteger(monthlyMinor) || (monthlyMinor as number) < 0)
    problems.push({
      path: `${path}.monthlyMinor`,
      message: `must be a whole number of minor units, 0 or more, not ${shown(monthlyMinor)}`,
    });
  return problems;
}

export interface NewContract {
  tenantId: string;
  contractId: string;
  title?: string;
  envelopeId: string;
  template: { id: string; version: number };
  parties: ContractParty[];
  owners: string[];
  term: ContractTerm;
  fee: ContractFee;
  slaTerms: SlaTerms;
  sealedDocumentKey: string;
  auditLink: string;
}

/**
 * The event that starts a contract, once its term, fee, parties and owners hold together. The end
 * of the initial term is computed here and recorded, so that the event keeps its meaning.
 */
export function contractCreatedEvent(
  input: NewContract,
  ctx: EventContext,
): ContractEventOf<'contract.created'> {
  const problems: ErrorDetail[] = [];
  for (const field of ['tenantId', 'contractId', 'envelopeId', 'sealedDocumentKey', 'auditLink'] as const)
    if (!nonEmpty(input[field])) problems.push({ path: field, message: 'required' });
  if (!nonEmpty(input.template?.id)) problems.push({ path: 'template.id', message: 'required' });
  if (!Number.isSafeInteger(input.template?.version) || input.template.version < 1)
    problems.push({ path: 'template.version', message: 'must be a version number, 1 or more' });
  if (!Array.isArray(input.parties) || input.parties.length === 0)
    problems.push({ path: 'parties', message: 'a contract needs at least one party' });
  else
    input.parties.forEach((p, i) => {
      if (!nonEmpty(p.role)) problems.push({ path: `parties[${i}].role`, message: 'required' });
      if (!nonEmpty(p.name)) problems.push({ path: `parties[${i}].name`, message: 'required' });
      if (p.email !== undefined && !EMAIL.test(p.email))
        problems.push({
          path: `parties[${i}].email`,
          message: `${JSON.stringify(p.email)} is not an e-mail address`,
        });
    });
  if (!Array.isArray(input.owners) || input.owners.length === 0)
    problems.push({ path: 'owners', message: 'a contract needs at least one owner to e-mail' });
  else
    input.owners.forEach((o, i) => {
      if (typeof o !== 'string' || !EMAIL.test(o))
        problems.push({ path: `owners[${i}]`, message: `${JSON.stringify(o)} is not an e-mail address` });
    });
  problems.push(...feeProblems(input.fee, 'fee'));
  if (typeof input.slaTerms !== 'object' || input.slaTerms === null)
    problems.push({ path: 'slaTerms', message: 'required: a contract is tracked for its SLA terms' });
  else if (input.fee && input.slaTerms.currency !== input.fee.currency)
    problems.push({
      path: 'slaTerms.currency',
      message: `${JSON.stringify(input.slaTerms.currency)} differs from the fee's currency ${JSON.stringify(input.fee.currency)}`,
    });
  let term: ContractTerm | undefined;
  try {
    term = checkContractTerm(input.term, 'term');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.details);
  }
  if (problems.length > 0 || !term) reject('the contract is not valid', problems);
  const { tenantId, contractId, ...data } = input;
  return nextEvent(
    { id: contractId, tenantId, seq: 0, headHash: GENESIS_HASH },
    'contract.created',
    {
      ...(data.title ? { title: data.title } : {}),
      envelopeId: data.envelopeId,
      template: data.template,
      parties: data.parties,
      owners: data.owners,
      term,
      endDate: periodEnd(term.startDate, term.termMonths),
      fee: data.fee,
      slaTerms: data.slaTerms,
      sealedDocumentKey: data.sealedDocumentKey,
      auditLink: data.auditLink,
    },
    ctx,
  );
}

/**
 * Throws unless the contract is running at `at`: not expired or terminated, and not past the end
 * of a period that does not renew (an expiry the lifecycle has not recorded yet).
 */
export function ensureActive(state: ContractState, at: Date, action: string): void {
  if (state.status === 'expired')
    throw new ConflictError(
      `the contract expired at the end of ${state.expiry?.endDate ?? state.currentPeriod.end}: ${action}`,
    );
  if (state.status === 'terminated')
    throw new ConflictError(`the contract was terminated on ${state.termination?.effectiveDate}: ${action}`);
  if (!renews(state) && at.getTime() >= endsAt(state).getTime())
    throw new ConflictError(`the contract expired at the end of ${state.currentPeriod.end}: ${action}`);
}

/**
 * Notice that the contract is not to renew: it expires at the end of the current period. Only an
 * auto-renewing contract takes notice, once, and only up to its notice deadline (local to the
 * contract). `noticedOn` defaults to the local date of `ctx.at`; a notice recorded later than it
 * was given may name the earlier date, never a later one.
 */
export function nonRenewalEvent(
  state: ContractState,
  input: { by: NoticeGiver; reason: string; noticedOn?: IsoDate },
  ctx: EventContext,
): ContractEventOf<'contract.non_renewal_noticed'> {
  ensureActive(state, ctx.at, 'there is nothing to renew');
  const problems: ErrorDetail[] = [];
  if (!nonEmpty(input.reason)) problems.push({ path: 'reason', message: 'required' });
  if (!nonEmpty(input.by?.name) && !nonEmpty(input.by?.email))
    problems.push({ path: 'by', message: 'name or e-mail of who gave notice required' });
  const today = localDate(ctx.at, state.term.timeZone);
  const noticedOn = input.noticedOn ?? today;
  try {
    checkDate(noticedOn, 'noticedOn');
    if (noticedOn > today)
      problems.push({
        path: 'noticedOn',
        message: `${noticedOn} is after today (${today}) in ${state.term.timeZone}`,
      });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.details);
  }
  if (problems.length > 0) reject('the notice of non-renewal is not valid', problems);
  const end = state.currentPeriod.end;
  if (state.term.renewal.mode === 'fixed' || state.noticeDeadline === null)
    throw new ConflictError(`a fixed-term contract does not renew: it expires at the end of ${end}`);
  if (state.nonRenewal)
    throw new ConflictError(
      `notice of non-renewal was already given on ${state.nonRenewal.noticedOn}: the contract expires at the end of ${end}`,
    );
  if (noticedOn > state.noticeDeadline)
    throw new ConflictError(
      `notice given on ${noticedOn} is after the notice deadline ${state.noticeDeadline}: the contract renews at the end of ${end}`,
    );
  return nextEvent(
    state,
    'contract.non_renewal_noticed',
    { by: input.by, noticedOn, reason: input.reason, forEnd: end },
    ctx,
  );
}

function sameRight(a: ChronicFailureExercise, b: ChronicFailureExercise): boolean {
  return (
    canonicalJson(a.rule) === canonicalJson(b.rule) && canonicalJson(a.months) === canonicalJson(b.months)
  );
}

/**
 * A chronic-failure termination right reported by the SLA engine, shown on the contract until its
 * deadline. Null when the same right (rule and months) is already recorded: the engine may report
 * it again.
 */
export function terminationRightEvent(
  state: ContractState,
  right: TerminationRight,
  ctx: EventContext,
): ContractEventOf<'contract.termination_right_recorded'> | null {
  ensureActive(state, ctx.at, 'a termination right no longer applies');
  const problems: ErrorDetail[] = [];
  if (typeof right.rule !== 'object' || right.rule === null || !nonEmpty(right.rule.type))
    problems.push({ path: 'rule', message: 'required: the chronic-failure rule that tripped' });
  if (!Array.isArray(right.months) || right.months.length === 0)
    problems.push({ path: 'months', message: 'required: the failing months, YYYY-MM' });
  else
    right.months.forEach((m, i) => {
      if (typeof m !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(m))
        problems.push({ path: `months[${i}]`, message: `must be a month YYYY-MM, not ${JSON.stringify(m)}` });
    });
  try {
    checkDate(right.deadline, 'deadline');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.details);
  }
  if (problems.length > 0) reject('the termination right is not valid', problems);
  if (state.terminationRights.some((r) => sameRight(r, right))) return null;
  return nextEvent(
    state,
    'contract.termination_right_recorded',
    { rule: right.rule, months: right.months, deadline: right.deadline },
    ctx,
  );
}

/** Termination rights that may still be exercised on a local date. */
export function openTerminationRights(state: ContractState, date: IsoDate): TerminationRight[] {
  checkDate(date, 'date');
  if (state.status !== 'active') return [];
  return state.terminationRights
    .filter((r) => r.deadline >= date)
    .map(({ rule, months, deadline }) => ({ rule, months, deadline }));
}

/**
 * Ends the contract now, with a reason. A termination under a chronic-failure right names it
 * (rule and months): it must be recorded and its deadline not passed.
 */
export function terminationEvent(
  state: ContractState,
  input: { reason: string; chronicFailure?: ChronicFailureExercise },
  ctx: EventContext,
): ContractEventOf<'contract.terminated'> {
  ensureActive(state, ctx.at, 'it cannot be terminated');
  if (!nonEmpty(input.reason))
    reject('the termination is not valid', [{ path: 'reason', message: 'required' }]);
  const today = localDate(ctx.at, state.term.timeZone);
  const exercised = input.chronicFailure;
  if (exercised) {
    const right = state.terminationRights.find((r) => sameRight(r, exercised));
    if (!right)
      reject('the termination is not valid', [
        {
          path: 'chronicFailure',
          message: 'no termination right is recorded for this rule and these months',
        },
      ]);
    if (today > right.deadline)
      throw new ConflictError(
        `the termination right for ${right.months.join(', ')} lapsed after ${right.deadline}`,
      );
  }
  return nextEvent(
    state,
    'contract.terminated',
    {
      reason: input.reason,
      effectiveDate: today,
      ...(exercised ? { chronicFailure: { rule: exercised.rule, months: exercised.months } } : {}),
    },
    ctx,
  );
}
