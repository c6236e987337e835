import { ValidationError, type ErrorDetail } from '../errors';
import { isIsoDate } from '../field-values';
import { isTimeZone } from '../time/zone';
import type {
  Box,
  MergeField,
  TemplateContractTerms,
  TemplateDocument,
  TemplateField,
  TemplateRole,
} from './template';

/** A dotted path into the merge data: lower-case words, digits and underscores. */
const MERGE_KEY = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

const round = (n: number) => Math.round(n * 100) / 100;

function boxProblem(box: Box, doc: TemplateDocument, path: string): ErrorDetail | null {
  const page = doc.pages[box.page - 1];
  if (!page)
    return {
      path: `${path}.page`,
      message: `page ${box.page} does not exist (the document has ${doc.pages.length})`,
    };
  if (box.x < 0 || box.y < 0 || box.x + box.width > page.width || box.y + box.height > page.height) {
    return {
      path,
      message: `${box.x},${box.y} ${box.width}x${box.height} lies outside page ${box.page} (${round(page.width)}x${round(page.height)} points)`,
    };
  }
  return null;
}

/**
 * Everything about a template's roles, fields and merge fields that a schema cannot say: unique
 * names, references between them, steps 1, 2, 3... with someone who signs or approves in each,
 * boxes on existing pages, and validation rules that fit the field's type.
 */
export function checkDefinition(input: {
  document: TemplateDocument;
  roles: TemplateRole[];
  fields: TemplateField[];
  mergeFields: MergeField[];
  scheduleAfterPage?: number;
  contract?: TemplateContractTerms;
  hasSlaTerms?: boolean;
}): void {
  const problems: ErrorDetail[] = [];
  const { document: doc, roles, fields, mergeFields } = input;

  const roleNames = new Map<string, TemplateRole>();
  roles.forEach((r, i) => {
    if (roleNames.has(r.name))
      problems.push({ path: `body.roles[${i}].name`, message: `duplicate role name "${r.name}"` });
    roleNames.set(r.name, r);
  });
  const steps = [...new Set(roles.map((r) => r.step))].sort((a, b) => a - b);
  steps.forEach((step, i) => {
    if (step !== i + 1) {
      problems.push({
        path: 'body.roles',
        message: `routing steps must be 1, 2, 3... without gaps; used: ${steps.join(', ')}`,
      });
    }
    if (!roles.some((r) => r.step === step && r.role !== 'carbon_copy')) {
      problems.push({ path: 'body.roles', message: `step ${step} has no role that signs or approves` });
    }
  });

  const fieldNames = new Set<string>();
  fields.forEach((f, i) => {
    const path = `body.fields[${i}]`;
    if (fieldNames.has(f.name))
      problems.push({ path: `${path}.name`, message: `duplicate field name "${f.name}"` });
    fieldNames.add(f.name);
    const role = roleNames.get(f.role);
    if (!role) {
      problems.push({
        path: `${path}.role`,
        message: `"${f.role}" is not a role of this template (${[...roleNames.keys()].join(', ')})`,
      });
    } else if (role.role !== 'signer') {
      problems.push({
        path: `${path}.role`,
        message: `role "${f.role}" is ${role.role === 'approver' ? 'an approver' : 'a carbon copy'}: only signers fill fields`,
      });
    }
    const box = boxProblem(f, doc, path);
    if (box) problems.push(box);
    problems.push(...validationProblems(f, `${path}.validation`));
  });

  mergeFields.forEach((m, i) => {
    const path = `body.mergeFields[${i}]`;
    if (!MERGE_KEY.test(m.key)) {
      problems.push({
        path: `${path}.key`,
        message: `"${m.key}" is not a merge key like customer.name or fee.monthly`,
      });
    }
    const box = boxProblem(m, doc, path);
    if (box) problems.push(box);
  });

  if (input.scheduleAfterPage !== undefined && input.scheduleAfterPage > doc.pages.length) {
    problems.push({
      path: 'body.scheduleAfterPage',
      message: `the document has ${doc.pages.length} pages; the schedule cannot follow page ${input.scheduleAfterPage}`,
    });
  }
  if (input.contract) problems.push(...contractProblems(input.contract, Boolean(input.hasSlaTerms)));
  if (problems.length) {
    throw new ValidationError(
      `invalid template: ${problems
        .slice(0, 5)
        .map((p) => `${p.path}: ${p.message}`)
        .join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
      problems,
    );
  }
}

/**
 * Whether a field's validation rules fit its type: pattern for text (and it compiles), min and
 * max for text, number and date (numbers, or dates YYYY-MM-DD; min at most max), options for a
 * dropdown (which needs some, none repeated). Used for template fields and a one-off envelope's.
 */
export function validationProblems(
  f: Pick<TemplateField, 'type' | 'validation'>,
  path: string,
): ErrorDetail[] {
  const v = f.validation;
  if (!v)
    return f.type === 'dropdown'
      ? [{ path: `${path}.options`, message: 'a dropdown needs its options' }]
      : [];
  const problems: ErrorDetail[] = [];
  const only = (key: keyof typeof v, types: string[]) => {
    if (v[key] !== undefined && !types.includes(f.type)) {
      problems.push({
        path: `${path}.${key}`,
        message: `${key} does not apply to a ${f.type} field (only ${types.join(', ')})`,
      });
    }
  };
  only('pattern', ['text']);
  only('options', ['dropdown']);
  only('min', ['text', 'number', 'date']);
  only('max', ['text', 'number', 'date']);
  if (v.pattern !== undefined) {
    try {
      new RegExp(v.pattern, 'u');
    } catch {
      problems.push({ path: `${path}.pattern`, message: `"${v.pattern}" is not a valid regular expression` });
    }
  }
  if (f.type === 'dropdown') {
    const options = v.options ?? [];
    if (options.length === 0)
      problems.push({ path: `${path}.options`, message: 'a dropdown needs its options' });
    if (new Set(options).size !== options.length)
      problems.push({ path: `${path}.options`, message: 'options repeat' });
  }
  for (const key of ['min', 'max'] as const) {
    const value = v[key];
    if (value === undefined || !['text', 'number', 'date'].includes(f.type)) continue;
    const fits = f.type === 'date' ? isIsoDate(value) : typeof value === 'number' && Number.isFinite(value);
    if (!fits) {
      problems.push({
        path: `${path}.${key}`,
        message: f.type === 'date' ? 'must be a date YYYY-MM-DD' : 'must be a number',
      });
    }
  }
  if (v.min !== undefined && v.max !== undefined && typeof v.min === typeof v.max && v.min > v.max) {
    problems.push({ path: `${path}.max`, message: `max (${v.max}) is below min (${v.min})` });
  }
  return problems;
}

/** A contract needs SLA terms to track; its term and notice periods must fit inside each other. */
function contractProblems(c: TemplateContractTerms, hasSlaTerms: boolean): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const path = 'body.contract';
  if (!hasSlaTerms)
    problems.push({
      path,
      message: 'a template becomes a tracked contract only with SLA terms: add slaTerms',
    });
  if (c.timeZone !== undefined && !isTimeZone(c.timeZone))
    problems.push({ path: `${path}.timeZone`, message: `"${c.timeZone}" is not an IANA time zone` });
  if (c.renewal.mode === 'auto') {
    const { renewalMonths, noticeDays, reminderDays } = c.renewal;
    const shortest = Math.min(c.termMonths, renewalMonths) * 28;
    if (noticeDays + reminderDays >= shortest)
      problems.push({
        path: `${path}.renewal.noticeDays`,
        message: `${noticeDays} days of notice plus ${reminderDays} of reminder do not fit in a term of ${Math.min(c.termMonths, renewalMonths)} month(s)`,
      });
  }
  return problems;
}
