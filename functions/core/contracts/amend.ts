import { ConflictError, ValidationError, type ErrorDetail } from '../errors';
import type { SlaTerms } from '../sla/terms';
import {
  ensureActive,
  feeProblems,
  nextEvent,
  type ContractEventOf,
  type ContractFee,
  type ContractState,
  type EventContext,
  type TermChange,
} from './contract';
import { checkDate, noticeFitProblem, renewalProblems, type IsoDate } from './lifecycle';

/**
 * Amendments: a signed and sealed envelope that amends a contract. Its terms apply from its
 * effective date; the terms before it stay in the history (see `termsInForce`).
 *
 * A term change (renewal rule, last day of the current period) governs the lifecycle from the
 * moment the amendment is recorded: the notice deadline and window of the current period follow
 * it at once.
 */

export interface AmendmentInput {
  envelopeId: string;
  effectiveDate: IsoDate;
  slaTerms?: SlaTerms;
  fee?: ContractFee;
  term?: TermChange;
}

/**
 * The amendment event, once its checks pass: the contract is running; the effective date lies
 * within the contract (not before its start, not after the current period's end) and not before
 * the terms now in the history; at least one change; a fee and SLA terms that agree on the
 * currency and the contract id; a term whose notice still fits. A second amendment by the same
 * envelope is a conflict.
 */
export function amendmentEvent(
  state: ContractState,
  input: AmendmentInput,
  ctx: EventContext,
): ContractEventOf<'contract.amended'> {
  ensureActive(state, ctx.at, 'an ended contract cannot be amended');
  const problems: ErrorDetail[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });

  if (typeof input.envelopeId !== 'string' || input.envelopeId.trim() === '')
    problem('envelopeId', 'required: the amending envelope');
  else if (input.envelopeId === state.envelopeId)
    problem('envelopeId', 'is the envelope the contract was made from, not an amendment');
  else if (state.termsHistory.some((e) => e.amendmentEnvelopeId === input.envelopeId))
    throw new ConflictError(`the contract was already amended by envelope ${input.envelopeId}`);

  const contractStart = state.termsHistory[0]!.effectiveFrom;
  const latest = state.termsHistory.at(-1)!;
  const end = state.currentPeriod.end;
  let effective: IsoDate | undefined;
  try {
    effective = checkDate(input.effectiveDate, 'effectiveDate');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.details);
  }
  if (effective !== undefined) {
    if (effective < contractStart)
      problem('effectiveDate', `${effective} is before the contract starts (${contractStart})`);
    else if (effective < latest.effectiveFrom)
      problem(
        'effectiveDate',
        `${effective} is before the terms in force from ${latest.effectiveFrom} (amendment ${latest.amendmentEnvelopeId}): amendments apply in order`,
      );
    if (effective > end)
      problem('effectiveDate', `${effective} is after the contract's current end (${end})`);
  }

  if (input.slaTerms === undefined && input.fee === undefined && input.term === undefined)
    problem('amendment', 'an amendment changes the SLA terms, the fee or the term: none given');

  const fee = input.fee ?? latest.fee;
  if (input.fee !== undefined) problems.push(...feeProblems(input.fee, 'fee'));
  const sla = input.slaTerms;
  if (sla !== undefined) {
    if (typeof sla !== 'object' || sla === null) problem('slaTerms', 'must be the SLA terms object');
    else {
      if (sla.contract_id !== latest.slaTerms.contract_id)
        problem(
          'slaTerms.contract_id',
          `${JSON.stringify(sla.contract_id)} differs from the contract's ${JSON.stringify(latest.slaTerms.contract_id)}`,
        );
      if (sla.effective_from !== undefined && effective !== undefined && sla.effective_from !== effective)
        problem(
          'slaTerms.effective_from',
          `${sla.effective_from} differs from the amendment's effective date ${effective}`,
        );
    }
  }
  const currency = (sla ?? latest.slaTerms).currency;
  if (fee && typeof fee.currency === 'string' && currency !== fee.currency)
    problem(
      input.slaTerms ? 'slaTerms.currency' : 'fee.currency',
      `the SLA terms' currency ${JSON.stringify(currency)} differs from the fee's ${JSON.stringify(fee.currency)}`,
    );

  const change = input.term;
  if (change !== undefined) {
    if (typeof change !== 'object' || change === null) problem('term', 'must be {renewal?, endDate?}');
    else {
      if (change.renewal === undefined && change.endDate === undefined)
        problem('term', 'a term change sets renewal, endDate or both');
      let newEnd = end;
      if (change.endDate !== undefined) {
        try {
          newEnd = checkDate(change.endDate, 'term.endDate');
          if (newEnd < state.currentPeriod.start)
            problem(
              'term.endDate',
              `${newEnd} is before the current period starts (${state.currentPeriod.start})`,
            );
          else if (effective !== undefined && newEnd < effective)
            problem('term.endDate', `${newEnd} is before the amendment takes effect (${effective})`);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          problems.push(...error.details);
        }
      }
      // The notice must fit in the current period, as the change leaves it.
      const current = { label: 'current period', start: state.currentPeriod.start, end: newEnd };
      const fits = newEnd >= current.start;
      if (change.renewal !== undefined) {
        problems.push(...renewalProblems(change.renewal, 'term.renewal', fits ? current : undefined));
      } else if (fits && state.term.renewal.mode === 'auto') {
        const unfit = noticeFitProblem(state.term.renewal.noticeDays, current);
        if (unfit) problem('term.endDate', unfit);
      }
    }
  }

  if (problems.length > 0)
    throw new ValidationError(
      `the amendment is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  return nextEvent(
    state,
    'contract.amended',
    {
      envelopeId: input.envelopeId,
      effectiveDate: effective!,
      ...(input.slaTerms ? { slaTerms: input.slaTerms } : {}),
      ...(input.fee ? { fee: input.fee } : {}),
      ...(input.term ? { term: input.term } : {}),
    },
    ctx,
  );
}
