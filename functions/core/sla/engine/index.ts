/**
 * The SLA engine (SPEC.md): pure functions from SLA terms, ticket timelines and outages to
 * per-ticket metric results and monthly statements. No I/O; the current time is read only when
 * `evaluateTickets` is given no `asOf`.
 */
export { evaluateTickets, type EvaluateOptions } from './evaluate';
export { monthlyStatement } from './statement';
export type {
  Adjustment,
  AdjustedInstance,
  AdjustedLine,
  InProgress,
  Statement,
  StatementOptions,
} from './statement';
export type { MetricResult } from './attribution';
export type { State } from './reclassify';
export type { StatementLine, CreditTotals } from './credits';
export type { UptimeResult } from './uptime';
export type { ChronicFlag } from './chronic';
export {
  checkMonthResult,
  type AdjustmentRecord,
  type CountedInstance,
  type MonthResult,
  type Outcome,
  type ResultLine,
} from './history';
export { statementCsv } from './csv';
export { parseInstant } from './instant';
export { formatInstant } from './zone';
