import { Ajv2020, type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import schema from './terms.schema.json';
import { ValidationError, type ErrorDetail } from '../errors';

/**
 * The machine-readable SLA terms of a maintenance contract, as `terms.schema.json` defines them
 * (a copy of the SLA engine's contract, kept identical by a test). Checked where they enter.
 */
export type SlaTerms = Record<string, unknown> & { schema_version: string; contract_id: string };

const ajv = new Ajv2020({ allErrors: true, strict: false });
// The schema's `date` and `date-time` formats are checked, not ignored.
addFormats.default(ajv);
const validate = ajv.compile(schema);

/** JSON Pointer `/targets/0/minutes` as a path under `prefix`: `body.slaTerms.targets[0].minutes`. */
function pathOf(prefix: string, e: ErrorObject): string {
  const segments = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const missing = e.keyword === 'required' ? [(e.params as { missingProperty: string }).missingProperty] : [];
  const extra =
    e.keyword === 'additionalProperties'
      ? [(e.params as { additionalProperty: string }).additionalProperty]
      : [];
  return [...segments, ...missing, ...extra].reduce(
    (path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : `${path}.${s}`),
    prefix,
  );
}

function messageOf(e: ErrorObject): string {
  if (e.keyword === 'required') return 'required';
  if (e.keyword === 'additionalProperties') return 'not a property of the SLA terms';
  if (e.keyword === 'enum')
    return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  if (e.keyword === 'const')
    return `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
  return e.message ?? 'invalid';
}

/** The terms when they match the schema; otherwise a ValidationError naming every path that does not. */
export function checkSlaTerms(terms: unknown, prefix = 'body.slaTerms'): SlaTerms {
  if (validate(terms)) return terms as SlaTerms;
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    // anyOf/oneOf report each branch and then themselves: the branches say more.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const detail = { path: pathOf(prefix, e), message: messageOf(e) };
    const key = `${detail.path} ${detail.message}`;
    if (!seen.has(key)) details.push(detail);
    seen.add(key);
  }
  throw new ValidationError(
    `the SLA terms do not match the schema: ${details
      .slice(0, 5)
      .map((d) => `${d.path}: ${d.message}`)
      .join('; ')}${details.length > 5 ? `; and ${details.length - 5} more` : ''}`,
    details.slice(0, 50),
  );
}
