/**
 * SLA terms checked in the browser as the server checks them (functions/core/sla/terms.ts): first
 * against the schema, with the validator ajv compiled at build time (no eval: the console's CSP
 * forbids it), then, on terms that match it, the server's own consistency checks
 * (functions/core/sla/terms-consistency.ts). Each problem names its path relative to the terms
 * (`targets[2].severity`), the way the server's details do after their `body.slaTerms` prefix, so
 * both land on the same control of the form.
 */

import { validate } from 'virtual:sla-terms-validator';
import {
  at,
  consistencyProblems,
  schemaProblems,
  type Segment,
  type SlaTerms,
} from '../../../functions/core/sla/terms-consistency';

export type { Segment };

export interface TermsProblem {
  path: string;
  message: string;
}

/** `['targets', 3, 'severity']` → `targets[3].severity`. */
export function pathKey(segments: readonly Segment[]): string {
  return at('', ...segments);
}

/** The parent paths of a path, nearest first: `a.b[0].c` → `a.b[0]`, `a.b`, `a`. */
export function parentPaths(path: string): string[] {
  const parents: string[] = [];
  let rest = path;
  for (;;) {
    const cut = Math.max(rest.lastIndexOf('.'), rest.lastIndexOf('['));
    if (cut <= 0) break;
    rest = rest.slice(0, cut);
    parents.push(rest);
  }
  return parents;
}

/** A server detail path (`body.slaTerms.targets[0].severity`) relative to the terms, or null. */
export function termsPathOf(serverPath: string, prefix = 'body.slaTerms'): string | null {
  if (serverPath === prefix) return '';
  return serverPath.startsWith(`${prefix}.`) || serverPath.startsWith(`${prefix}[`)
    ? serverPath.slice(prefix.length).replace(/^\./, '')
    : null;
}

/** Every problem of the terms: the schema's, or (when they match it) the consistency checks'. */
export function checkTerms(terms: unknown): TermsProblem[] {
  if (!validate(terms)) return schemaProblems(validate.errors ?? [], '');
  return consistencyProblems(terms as SlaTerms, '');
}
