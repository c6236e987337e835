import type { TemplateVersion } from './template';

/** One difference at a JSON path: `targets[2].target_minutes`, `reminders.everyHours`. */
export interface Change {
  path: string;
  from?: unknown;
  to?: unknown;
}

export interface ListChanges<T> {
  added: T[];
  removed: T[];
  /** Items present in both versions under the same name, with what changed in them. */
  changed: { name: string; changes: Change[] }[];
}

export interface TemplateDiff {
  from: number;
  to: number;
  name?: Change;
  document?: Change;
  message?: Change;
  roles: ListChanges<TemplateVersion['roles'][number]>;
  fields: ListChanges<TemplateVersion['fields'][number]>;
  mergeFields: ListChanges<TemplateVersion['mergeFields'][number]>;
  settings: Change[];
  slaTerms: Change[];
  contract: Change[];
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** Every leaf that differs between two JSON values, by path. */
function jsonChanges(a: unknown, b: unknown, path = ''): Change[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    const changes: Change[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const p = `${path}[${i}]`;
      if (i >= a.length) changes.push({ path: p, to: b[i] });
      else if (i >= b.length) changes.push({ path: p, from: a[i] });
      else changes.push(...jsonChanges(a[i], b[i], p));
    }
    return changes;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in a)) return [{ path: p, to: b[k] }];
      if (!(k in b)) return [{ path: p, from: a[k] }];
      return jsonChanges(a[k], b[k], p);
    });
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  return [
    { path: path || '$', ...(a === undefined ? {} : { from: a }), ...(b === undefined ? {} : { to: b }) },
  ];
}

function listChanges<T>(a: T[], b: T[], nameOf: (x: T) => string): ListChanges<T> {
  const before = new Map(a.map((x) => [nameOf(x), x]));
  const after = new Map(b.map((x) => [nameOf(x), x]));
  return {
    added: b.filter((x) => !before.has(nameOf(x))),
    removed: a.filter((x) => !after.has(nameOf(x))),
    changed: [...after.entries()]
      .filter(([name]) => before.has(name))
      .map(([name, x]) => ({ name, changes: jsonChanges(before.get(name), x) }))
      .filter((c) => c.changes.length > 0),
  };
}

const single = (from: unknown, to: unknown): Change | undefined =>
  JSON.stringify(from) === JSON.stringify(to) ? undefined : { path: '$', from, to };

/** What changed from one version to another: roles, fields and merge fields by name, SLA terms by path. */
export function diffVersions(a: TemplateVersion, b: TemplateVersion): TemplateDiff {
  const name = single(a.name, b.name);
  const document = single(a.document.sha256, b.document.sha256);
  const message = single(a.message, b.message);
  return {
    from: a.version,
    to: b.version,
    ...(name ? { name } : {}),
    ...(document ? { document } : {}),
    ...(message ? { message } : {}),
    roles: listChanges(a.roles, b.roles, (r) => r.name),
    fields: listChanges(a.fields, b.fields, (f) => f.name),
    mergeFields: listChanges(a.mergeFields, b.mergeFields, (m) => `${m.key}@${m.page}:${m.x},${m.y}`),
    settings: jsonChanges(a.settings, b.settings),
    slaTerms: jsonChanges(a.slaTerms ?? {}, b.slaTerms ?? {}),
    contract: jsonChanges(a.contract ?? {}, b.contract ?? {}),
  };
}
