/**
 * SLA terms checked on the server: against terms.schema.json with ajv, compiled when this module
 * loads, and then, on terms that match it, by the consistency checks of terms-consistency.ts,
 * which also holds the terms' types (re-exported here) and which the console runs in the browser.
 */

import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import schema from './terms.schema.json';
import { ValidationError, type ErrorDetail } from '../errors';
import { consistencyProblems, schemaProblems, type SlaTerms } from './terms-consistency';

export type {
  AlwaysOnCalendar,
  BusinessCalendar,
  CanonicalStatus,
  ChronicFailureRule,
  ComplianceCredit,
  CreditTerms,
  IsoDate,
  LocalWindow,
  MetricKind,
  MetricStart,
  MetricStop,
  PerBreachCredit,
  ReplySource,
  SlaCalendar,
  SlaMetric,
  SlaSeverity,
  SlaTarget,
  SlaTerms,
  UptimeTerms,
  UptimeTier,
  WallClock,
  Weekday,
} from './terms-consistency';

const ajv = new Ajv2020({ allErrors: true, strict: false });
// The schema's `date` and `date-time` formats are checked, not ignored.
addFormats.default(ajv);
const validate = ajv.compile(schema);

function reject(heading: string, details: ErrorDetail[]): never {
  throw new ValidationError(
    `${heading}: ${details
      .slice(0, 5)
      .map((d) => `${d.path}: ${d.message}`)
      .join('; ')}${details.length > 5 ? `; and ${details.length - 5} more` : ''}`,
    details.slice(0, 50),
  );
}

/**
 * The terms when they match the schema and hold together; otherwise a ValidationError naming
 * every path that does not. The schema is checked first; the checks it cannot express (what the
 * terms refer to, time zones, windows, tiers...) only run on terms that match it.
 */
export function checkSlaTerms(terms: unknown, prefix = 'body.slaTerms'): SlaTerms {
  if (!validate(terms))
    reject('the SLA terms do not match the schema', schemaProblems(validate.errors ?? [], prefix));
  const checked = terms as SlaTerms;
  const problems = consistencyProblems(checked, prefix);
  if (problems.length > 0) reject('the SLA terms do not hold together', problems);
  return checked;
}
