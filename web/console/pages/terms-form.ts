/**
 * The SLA terms of a template edited as a form rather than as JSON: general terms, reporting,
 * severities, the maps from the ticket system, calendars with weekly windows, holidays and
 * exceptions, metrics, the targets table, reclassification, uptime and credits (per breach,
 * compliance, uptime tiers, chronic failure). Every control is bound to a path of the terms
 * (`data-path="targets[0].severity"`); the terms are checked on every change (terms-check.ts) and
 * each problem is shown under the control of its path, or, for a whole row or section, at the top
 * of that row or section. Problems the server finds on save are shown the same way.
 */

import { dictionary } from '../i18n';
import { field, fieldError, h, on, uid } from '../ui';
import { KIND_BOUNDS } from '../../../functions/core/sla/terms-consistency';
import { checkTerms, parentPaths, pathKey, type Segment, type TermsProblem } from './terms-check';

/* eslint-disable @typescript-eslint/no-explicit-any -- the terms are edited as plain JSON */
type Json = any;

const t = dictionary(
  {
    general: 'General',
    contractId: 'Contract reference',
    currency: 'Currency (ISO 4217)',
    fee: 'Monthly fee (minor units)',
    feeHint: 'In cents: 1000000 is 10,000.00. The base of service credits.',
    effectiveFrom: 'Effective from',
    effectiveTo: 'Effective to',
    optional: 'Optional',
    reporting: 'Reporting',
    timeZone: 'Time zone (IANA)',
    uptimeZone: 'Uptime time zone',
    uptimeZoneHint: 'Default UTC',
    sendOnDay: 'Report sent on day',
    sendOnDayHint: 'Of the following month, 1 to 28 (default 5)',
    recipients: 'Report recipients',
    recipientsHint: 'E-mail addresses, separated by commas',
    severities: 'Severities',
    severity: 'Severity',
    id: 'Id',
    name: 'Name',
    rank: 'Rank',
    rankHint: '1 = most severe',
    definition: 'Definition',
    addSeverity: 'Add a severity',
    remove: 'Remove',
    statusMap: 'Ticket statuses',
    statusMapHint: 'Each status of the ticket system, as one of the canonical statuses',
    sourceStatus: 'Status in the ticket system',
    canonical: 'Canonical status',
    addStatus: 'Add a status',
    severityMap: 'Ticket priorities',
    severityMapHint: 'Each priority of the ticket system, as a severity of these terms',
    sourcePriority: 'Priority in the ticket system',
    addPriority: 'Add a priority',
    calendars: 'Calendars',
    calendarName: 'Calendar name',
    type: 'Type',
    weekly: 'Weekly windows',
    weeklyHint: 'Local times, HH:MM to HH:MM (24:00 for midnight at the end of a day)',
    from: 'From',
    to: 'To',
    addWindow: 'Add a window',
    holidays: 'Holidays',
    holiday: 'Holiday',
    addHoliday: 'Add a holiday',
    exceptions: 'Exceptions',
    exceptionDate: 'Date',
    exceptionWindows: 'Windows on that date',
    exceptionWindowsHint: 'Such as 09:00-12:00, 13:00-15:00; empty: closed all day',
    addException: 'Add an exception',
    addCalendar: 'Add a calendar',
    metrics: 'Metrics',
    metricName: 'Metric name',
    kind: 'Kind',
    start: 'Starts at',
    stop: 'Stops at',
    byDefault: '(default)',
    pauses: 'Paused while the ticket is',
    minCompliance: 'Reporting target (%)',
    minComplianceHint: 'The compliance the line is reported against',
    reopen: 'On reopen',
    reopenWindow: 'Reopen window (days)',
    excludeSources: 'Replies that do not count',
    addMetric: 'Add a metric',
    targets: 'Targets',
    targetsHint: 'One target per severity and metric: the minutes allowed, counted on a calendar',
    metric: 'Metric',
    minutes: 'Target (minutes)',
    calendar: 'Calendar',
    addTarget: 'Add a target',
    reclassification: 'Reclassification',
    mode: 'Mode',
    sticky: 'A breach stays a breach after a downgrade',
    uptime: 'Uptime',
    hasUptime: 'The terms commit to an uptime',
    commitment: 'Commitment (%)',
    denominator: 'Denominator',
    granularity: 'Downtime counted in',
    serviceId: 'Service',
    minNotice: 'Maintenance notice at least (hours)',
    maxMaintenance: 'Maintenance at most (minutes a month)',
    customerCaused: 'Outages the customer caused are excluded',
    forceMajeure: 'Force majeure is excluded',
    credits: 'Service credits',
    cap: 'Cap (% of the monthly fee)',
    claimWindow: 'Claim within (days)',
    claimWindowHint: 'Empty: credits are applied automatically',
    perBreach: 'Per breach',
    creditPct: 'Credit (%)',
    addPerBreach: 'Add a per-breach credit',
    compliance: 'Below a compliance',
    minCompliancePct: 'Below (%)',
    minSample: 'Minimum sample',
    addCompliance: 'Add a compliance credit',
    tiers: 'Uptime tiers',
    tiersHint: 'From the highest uptime down',
    atOrAbove: 'At or above (%)',
    below: 'Below (%)',
    addTier: 'Add a tier',
    chronic: 'Chronic failure',
    rules: 'Rules',
    ruleType: 'When',
    consecutive: 'Consecutive months',
    rolling: 'Months within 12',
    addRule: 'Add a rule',
    remedy: 'Remedy',
    exerciseWindow: 'Right lasts (days after the report)',
    problems: (p) => (p.n === 1 ? '1 problem in the SLA terms' : `${p.n} problems in the SLA terms`),
    noProblems: 'The SLA terms match the schema and hold together.',
    goTo: 'Go to the field',
    duplicateKey: (p) => `${p.key} is already used`,
    emptyKey: 'A name is required',
  },
  {
    general: 'General',
    contractId: 'Referencia del contrato',
    currency: 'Moneda (ISO 4217)',
    fee: 'Cuota mensual (unidades menores)',
    feeHint: 'En céntimos: 1000000 es 10.000,00. La base de los créditos de servicio.',
    effectiveFrom: 'Vigente desde',
    effectiveTo: 'Vigente hasta',
    optional: 'Opcional',
    reporting: 'Informes',
    timeZone: 'Zona horaria (IANA)',
    uptimeZone: 'Zona horaria de la disponibilidad',
    uptimeZoneHint: 'Por defecto UTC',
    sendOnDay: 'Informe enviado el día',
    sendOnDayHint: 'Del mes siguiente, de 1 a 28 (por defecto 5)',
    recipients: 'Destinatarios del informe',
    recipientsHint: 'Direcciones de correo separadas por comas',
    severities: 'Severidades',
    severity: 'Severidad',
    id: 'Id',
    name: 'Nombre',
    rank: 'Rango',
    rankHint: '1 = la más grave',
    definition: 'Definición',
    addSeverity: 'Añadir una severidad',
    remove: 'Quitar',
    statusMap: 'Estados de los tickets',
    statusMapHint: 'Cada estado del sistema de tickets, como uno de los estados canónicos',
    sourceStatus: 'Estado en el sistema de tickets',
    canonical: 'Estado canónico',
    addStatus: 'Añadir un estado',
    severityMap: 'Prioridades de los tickets',
    severityMapHint: 'Cada prioridad del sistema de tickets, como una severidad de estos términos',
    sourcePriority: 'Prioridad en el sistema de tickets',
    addPriority: 'Añadir una prioridad',
    calendars: 'Calendarios',
    calendarName: 'Nombre del calendario',
    type: 'Tipo',
    weekly: 'Franjas semanales',
    weeklyHint: 'Horas locales, HH:MM a HH:MM (24:00 para la medianoche al final del día)',
    from: 'Desde',
    to: 'Hasta',
    addWindow: 'Añadir una franja',
    holidays: 'Festivos',
    holiday: 'Festivo',
    addHoliday: 'Añadir un festivo',
    exceptions: 'Excepciones',
    exceptionDate: 'Fecha',
    exceptionWindows: 'Franjas en esa fecha',
    exceptionWindowsHint: 'Como 09:00-12:00, 13:00-15:00; vacío: cerrado todo el día',
    addException: 'Añadir una excepción',
    addCalendar: 'Añadir un calendario',
    metrics: 'Métricas',
    metricName: 'Nombre de la métrica',
    kind: 'Clase',
    start: 'Empieza en',
    stop: 'Termina en',
    byDefault: '(por defecto)',
    pauses: 'En pausa mientras el ticket está',
    minCompliance: 'Objetivo de informe (%)',
    minComplianceHint: 'El cumplimiento con el que se compara la línea',
    reopen: 'Al reabrir',
    reopenWindow: 'Plazo de reapertura (días)',
    excludeSources: 'Respuestas que no cuentan',
    addMetric: 'Añadir una métrica',
    targets: 'Objetivos',
    targetsHint: 'Un objetivo por severidad y métrica: los minutos permitidos, contados en un calendario',
    metric: 'Métrica',
    minutes: 'Objetivo (minutos)',
    calendar: 'Calendario',
    addTarget: 'Añadir un objetivo',
    reclassification: 'Reclasificación',
    mode: 'Modo',
    sticky: 'Un incumplimiento sigue siéndolo tras bajar la severidad',
    uptime: 'Disponibilidad',
    hasUptime: 'Los términos comprometen una disponibilidad',
    commitment: 'Compromiso (%)',
    denominator: 'Denominador',
    granularity: 'Caída contada en',
    serviceId: 'Servicio',
    minNotice: 'Aviso de mantenimiento mínimo (horas)',
    maxMaintenance: 'Mantenimiento máximo (minutos al mes)',
    customerCaused: 'Se excluyen las caídas causadas por el cliente',
    forceMajeure: 'Se excluye la fuerza mayor',
    credits: 'Créditos de servicio',
    cap: 'Tope (% de la cuota mensual)',
    claimWindow: 'Reclamar en (días)',
    claimWindowHint: 'Vacío: los créditos se aplican automáticamente',
    perBreach: 'Por incumplimiento',
    creditPct: 'Crédito (%)',
    addPerBreach: 'Añadir un crédito por incumplimiento',
    compliance: 'Por debajo de un cumplimiento',
    minCompliancePct: 'Por debajo de (%)',
    minSample: 'Muestra mínima',
    addCompliance: 'Añadir un crédito de cumplimiento',
    tiers: 'Tramos de disponibilidad',
    tiersHint: 'De la disponibilidad más alta a la más baja',
    atOrAbove: 'Desde (%)',
    below: 'Por debajo de (%)',
    addTier: 'Añadir un tramo',
    chronic: 'Incumplimiento crónico',
    rules: 'Reglas',
    ruleType: 'Cuando',
    consecutive: 'Meses consecutivos',
    rolling: 'Meses en 12',
    addRule: 'Añadir una regla',
    remedy: 'Remedio',
    exerciseWindow: 'El derecho dura (días tras el informe)',
    problems: (p) => (p.n === 1 ? '1 problema en los términos SLA' : `${p.n} problemas en los términos SLA`),
    noProblems: 'Los términos SLA cumplen el esquema y son coherentes.',
    goTo: 'Ir al campo',
    duplicateKey: (p) => `${p.key} ya se usa`,
    emptyKey: 'Hace falta un nombre',
  },
);

const CANONICAL = ['new', 'open', 'pending_customer', 'on_hold', 'solved', 'closed'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const KINDS = Object.keys(KIND_BOUNDS);
const SOURCES = ['auto_acknowledgement', 'bot', 'internal_note', 'shared_account'];

/** Terms to start from when a template has none: one of everything, valid as they are. */
export function starterTerms(): Json {
  return {
    schema_version: '1.0',
    contract_id: 'NEW-CONTRACT',
    currency: 'USD',
    monthly_fee_minor: 100000,
    reporting: { period: 'calendar_month', time_zone: 'UTC', send_on_day: 5 },
    calendars: { '24x7': { type: '24x7' } },
    severities: [
      { id: 'S1', name: 'Critical', rank: 1 },
      { id: 'S2', name: 'High', rank: 2 },
    ],
    status_map: { New: 'new', Open: 'open', Pending: 'pending_customer', Solved: 'solved', Closed: 'closed' },
    severity_map: { Urgent: 'S1', High: 'S2' },
    metrics: {
      first_response: { kind: 'first_response', start: 'ticket_created', stop: 'first_public_agent_reply' },
      resolution: {
        kind: 'resolution',
        start: 'ticket_created',
        stop: 'status_solved',
        pause_statuses: ['pending_customer'],
      },
    },
    targets: [
      { severity: 'S1', metric: 'first_response', target_minutes: 30, calendar: '24x7' },
      { severity: 'S2', metric: 'first_response', target_minutes: 120, calendar: '24x7' },
    ],
    reclassification: { mode: 'retroactive', breach_sticky: true },
    credits: {
      cap_pct_of_monthly_fee: 10,
      per_breach: [{ severity: 'S1', metric: 'first_response', credit_pct: 1 }],
    },
  };
}

interface ControlOptions {
  optional?: boolean;
  hint?: string;
  class?: string;
}

export class TermsForm {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly controls = new Map<string, HTMLElement>();
  private readonly groups = new Map<string, HTMLElement>();
  private serverProblems: TermsProblem[] = [];
  private timer: number | undefined;
  private readonly lists: Record<'severities' | 'metrics' | 'calendars' | 'zones', string>;
  problems: TermsProblem[] = [];

  constructor(
    private terms: Json,
    private readonly onChange: () => void,
  ) {
    this.summary = h('div', { class: 'terms-summary', 'data-terms-summary': '' });
    this.body = h('div', { class: 'terms-body' });
    this.lists = { severities: uid('sev'), metrics: uid('met'), calendars: uid('cal'), zones: uid('tz') };
    this.element = h('div', { class: 'terms-form' }, this.summary, this.body);
    this.render();
  }

  /** The terms as edited. */
  value(): Json {
    return this.terms;
  }

  /** Problems the server found (paths relative to the terms), shown until the next change. */
  showServerProblems(problems: TermsProblem[]): void {
    this.serverProblems = problems;
    this.showProblems();
    this.focusFirstProblem();
  }

  /** Moves to the first control with a problem (or the summary). */
  focusFirstProblem(): void {
    const first = this.problems[0] ?? this.serverProblems[0];
    if (!first) return;
    const target = this.targetOf(first.path);
    if (target) {
      target.scrollIntoView({ block: 'center' });
      if (target.matches('input, select, textarea, button')) target.focus();
    }
  }

  // ------------------------------------------------------------------------------------------
  // Values by path.

  private get(path: Segment[]): Json {
    return path.reduce<Json>((o, k) => (o === undefined || o === null ? undefined : o[k]), this.terms);
  }

  private set(path: Segment[], value: unknown): void {
    let node = this.terms;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object')
        node[key] = typeof path[i + 1] === 'number' ? [] : {};
      node = node[key];
    }
    const last = path[path.length - 1]!;
    if (value === undefined) {
      if (Array.isArray(node) && typeof last === 'number') node[last] = undefined;
      else delete node[last];
    } else node[last] = value;
  }

  private changed(): void {
    this.serverProblems = [];
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => {
      this.showProblems();
      this.onChange();
    }, 120);
  }

  /** Checks now (a save must not wait for the debounce). */
  check(): TermsProblem[] {
    window.clearTimeout(this.timer);
    this.showProblems();
    return this.problems;
  }

  // ------------------------------------------------------------------------------------------
  // Controls.

  private register(path: Segment[], control: HTMLElement): void {
    const key = pathKey(path);
    control.dataset.path = key;
    this.controls.set(key, control);
  }

  private group(path: Segment[], el: HTMLElement): HTMLElement {
    const key = pathKey(path);
    el.dataset.groupPath = key;
    this.groups.set(key, el);
    return el;
  }

  private text(
    path: Segment[],
    label: string,
    opts: ControlOptions & { type?: string; list?: string; placeholder?: string } = {},
  ): HTMLElement {
    const value = this.get(path);
    const control = h('input', {
      type: opts.type ?? 'text',
      value: value === undefined || value === null ? '' : String(value),
      list: opts.list,
      placeholder: opts.placeholder,
      autocomplete: 'off',
      spellcheck: 'false',
    });
    this.register(path, control);
    on(control, 'input', () => {
      const v = control.value;
      this.set(path, v === '' && opts.optional ? undefined : v);
      this.changed();
    });
    return field(opts.optional ? `${label} (${t('optional').toLowerCase()})` : label, control, {
      ...(opts.hint ? { hint: opts.hint } : {}),
      ...(opts.class ? { class: opts.class } : {}),
    });
  }

  private num(
    path: Segment[],
    label: string,
    opts: ControlOptions & { integer?: boolean; nullWhenEmpty?: boolean } = {},
  ): HTMLElement {
    const value = this.get(path);
    const control = h('input', {
      type: 'number',
      inputmode: opts.integer ? 'numeric' : 'decimal',
      step: opts.integer ? '1' : 'any',
      value: typeof value === 'number' ? String(value) : '',
    });
    this.register(path, control);
    on(control, 'input', () => {
      const raw = control.value.trim();
      const n = raw === '' ? undefined : Number(raw);
      this.set(path, n === undefined || Number.isNaN(n) ? (opts.nullWhenEmpty ? null : undefined) : n);
      this.changed();
    });
    return field(opts.optional ? `${label} (${t('optional').toLowerCase()})` : label, control, {
      ...(opts.hint ? { hint: opts.hint } : {}),
      ...(opts.class ? { class: opts.class } : {}),
    });
  }

  private choice(path: Segment[], label: string, options: string[], opts: ControlOptions = {}): HTMLElement {
    const value = this.get(path) as string | undefined;
    const all = value !== undefined && !options.includes(value) ? [...options, value] : options;
    const control = h(
      'select',
      {},
      opts.optional ? h('option', { value: '' }, t('byDefault')) : null,
      ...all.map((o) => h('option', { value: o }, o)),
    );
    control.value = value ?? '';
    this.register(path, control);
    on(control, 'change', () => {
      this.set(path, control.value === '' && opts.optional ? undefined : control.value);
      this.changed();
    });
    return field(label, control, {
      ...(opts.hint ? { hint: opts.hint } : {}),
      ...(opts.class ? { class: opts.class } : {}),
    });
  }

  /** A checkbox; unticked removes an optional flag, or writes false. */
  private flag(
    path: Segment[],
    label: string,
    opts: { optional?: boolean; onToggle?: () => void } = {},
  ): HTMLElement {
    const control = h('input', { type: 'checkbox', id: uid('chk') });
    control.checked = this.get(path) === true;
    this.register(path, control);
    on(control, 'change', () => {
      this.set(path, control.checked ? true : opts.optional ? undefined : false);
      this.changed();
      opts.onToggle?.();
    });
    return h('div', { class: 'check-line' }, control, h('label', { for: control.id }, label));
  }

  /** A set of strings as checkboxes (pause statuses, excluded sources). */
  private multi(path: Segment[], label: string, options: string[]): HTMLElement {
    const current = new Set<string>((this.get(path) as string[] | undefined) ?? []);
    const box = h('fieldset', { class: 'multi' }, h('legend', {}, label));
    this.group(path, box);
    for (const option of options) {
      const control = h('input', { type: 'checkbox', id: uid('opt'), value: option });
      control.checked = current.has(option);
      on(control, 'change', () => {
        const values = new Set<string>((this.get(path) as string[] | undefined) ?? []);
        if (control.checked) values.add(option);
        else values.delete(option);
        const ordered = options.filter((o) => values.has(o));
        const extra = [...values].filter((v) => !options.includes(v));
        this.set(path, [...ordered, ...extra]);
        this.changed();
      });
      box.append(h('div', { class: 'check-line' }, control, h('label', { for: control.id }, option)));
    }
    return box;
  }

  private removeButton(label: string, onClick: () => void): HTMLButtonElement {
    const b = h(
      'button',
      { type: 'button', class: 'button small danger-outline', 'aria-label': label },
      t('remove'),
    );
    on(b, 'click', onClick);
    return b;
  }

  private addButton(label: string, onClick: () => void): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'button small' }, label);
    on(b, 'click', onClick);
    return b;
  }

  /** A list of rows: each drawn by `row`, removable; `fresh` makes a new one. */
  private list(
    path: Segment[],
    addLabel: string,
    fresh: () => Json,
    row: (itemPath: Segment[], index: number) => (HTMLElement | null)[],
    rowLabel: (index: number) => string,
  ): HTMLElement {
    const items = (this.get(path) as Json[] | undefined) ?? [];
    const rows = items.map((_, i) => {
      const itemPath = [...path, i];
      const el = h(
        'div',
        { class: 'terms-row', role: 'group', 'aria-label': rowLabel(i) },
        ...row(itemPath, i),
        h(
          'div',
          { class: 'row-actions' },
          this.removeButton(`${t('remove')}: ${rowLabel(i)}`, () => {
            const list = this.get(path) as Json[];
            list.splice(i, 1);
            if (list.length === 0 && path.length > 1 && this.isOptionalList(path)) this.set(path, undefined);
            this.structural(pathKey(path));
          }),
        ),
      );
      return this.group(itemPath, el);
    });
    const add = this.addButton(addLabel, () => {
      const list = (this.get(path) as Json[] | undefined) ?? [];
      list.push(fresh());
      this.set(path, list);
      this.structural(pathKey([...path, list.length - 1]));
    });
    return this.group(
      path,
      h('div', { class: 'terms-list' }, ...rows, h('div', { class: 'list-actions' }, add)),
    );
  }

  /** Lists the schema requires to have items are kept even when emptied (the schema then says so). */
  private isOptionalList(path: Segment[]): boolean {
    const key = pathKey(path);
    return !['severities', 'targets'].includes(key);
  }

  /** An object keyed by name (calendars, metrics, maps): the name editable, order kept. */
  private map(
    path: Segment[],
    addLabel: string,
    keyLabel: string,
    fresh: () => [string, Json],
    entry: (entryPath: Segment[], key: string) => (HTMLElement | null)[],
    opts: { optional?: boolean; compact?: boolean } = {},
  ): HTMLElement {
    const object = (this.get(path) as Record<string, Json> | undefined) ?? {};
    const rows = Object.keys(object).map((key) => {
      const entryPath = [...path, key];
      const keyInput = h('input', { type: 'text', value: key, autocomplete: 'off', spellcheck: 'false' });
      keyInput.dataset.keyOf = pathKey(entryPath);
      on(keyInput, 'change', () => {
        const next = keyInput.value.trim();
        if (next === key) return fieldError(keyInput);
        const current = this.get(path) as Record<string, Json>;
        if (next === '') return fieldError(keyInput, t('emptyKey'));
        if (next in current) return fieldError(keyInput, t('duplicateKey', { key: next }));
        fieldError(keyInput);
        const renamed: Record<string, Json> = {};
        for (const [k, v] of Object.entries(current)) renamed[k === key ? next : k] = v;
        this.set(path, renamed);
        this.structural(`${pathKey(path)}.${next}`, true);
      });
      const el = h(
        'div',
        {
          class: opts.compact ? 'terms-row' : 'terms-entry',
          role: 'group',
          'aria-label': `${keyLabel}: ${key}`,
        },
        field(keyLabel, keyInput, { class: 'key-field' }),
        ...entry(entryPath, key),
        h(
          'div',
          { class: 'row-actions' },
          this.removeButton(`${t('remove')}: ${key}`, () => {
            const current = this.get(path) as Record<string, Json>;
            delete current[key];
            if (opts.optional && Object.keys(current).length === 0) this.set(path, undefined);
            this.structural(pathKey(path));
          }),
        ),
      );
      return this.group(entryPath, el);
    });
    const add = this.addButton(addLabel, () => {
      const current = (this.get(path) as Record<string, Json> | undefined) ?? {};
      const [base, value] = fresh();
      let key = base;
      for (let n = 2; key in current; n++) key = `${base}_${n}`;
      current[key] = value;
      this.set(path, current);
      this.structural(`${pathKey(path)}.${key}`, true);
    });
    return this.group(
      path,
      h('div', { class: 'terms-list' }, ...rows, h('div', { class: 'list-actions' }, add)),
    );
  }

  private section(title: string, path: Segment[] | null, ...children: (HTMLElement | null)[]): HTMLElement {
    const el = h('fieldset', { class: 'terms-section' }, h('legend', {}, title), ...children);
    if (path) this.group(path, el);
    return el;
  }

  /** Redraws after rows were added, removed or renamed, then focuses the row's first control. */
  private structural(focusPath: string, keyField = false): void {
    const scroll = window.scrollY;
    this.render();
    window.scrollTo({ top: scroll });
    const target = keyField
      ? this.body.querySelector<HTMLElement>(`[data-key-of="${CSS.escape(focusPath)}"]`)
      : (this.groups.get(focusPath)?.querySelector<HTMLElement>('input, select, textarea') ?? null);
    target?.focus();
    this.changed();
  }

  // ------------------------------------------------------------------------------------------
  // The form.

  render(): void {
    this.controls.clear();
    this.groups.clear();
    const terms = this.terms;
    const severityIds = ((terms.severities as Json[] | undefined) ?? []).map((s) => s?.id).filter(Boolean);
    const metricNames = Object.keys(terms.metrics ?? {});
    const calendarNames = Object.keys(terms.calendars ?? {});
    const zones: string[] =
      typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
    const datalist = (id: string, values: string[]) =>
      h('datalist', { id }, ...values.map((v) => h('option', { value: v })));

    const recipientsControl = (() => {
      const path: Segment[] = ['reporting', 'recipients'];
      const control = h('input', {
        type: 'text',
        value: ((this.get(path) as string[] | undefined) ?? []).join(', '),
        autocomplete: 'off',
      });
      this.register(path, control);
      on(control, 'input', () => {
        const list = control.value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        this.set(path, list.length ? list : undefined);
        this.changed();
      });
      return field(`${t('recipients')} (${t('optional').toLowerCase()})`, control, {
        hint: t('recipientsHint'),
      });
    })();

    const general = this.section(
      t('general'),
      null,
      h(
        'div',
        { class: 'grid' },
        this.text(['contract_id'], t('contractId')),
        this.text(['currency'], t('currency'), { placeholder: 'USD' }),
        this.num(['monthly_fee_minor'], t('fee'), { integer: true, hint: t('feeHint') }),
        this.text(['effective_from'], t('effectiveFrom'), { type: 'date', optional: true }),
        this.text(['effective_to'], t('effectiveTo'), { type: 'date', optional: true }),
      ),
    );

    const reporting = this.section(
      t('reporting'),
      ['reporting'],
      h(
        'div',
        { class: 'grid' },
        this.text(['reporting', 'time_zone'], t('timeZone'), { list: this.lists.zones }),
        this.text(['reporting', 'uptime_time_zone'], t('uptimeZone'), {
          list: this.lists.zones,
          optional: true,
          hint: t('uptimeZoneHint'),
        }),
        this.num(['reporting', 'send_on_day'], t('sendOnDay'), {
          integer: true,
          optional: true,
          hint: t('sendOnDayHint'),
        }),
      ),
      recipientsControl,
    );

    const severities = this.section(
      t('severities'),
      null,
      this.list(
        ['severities'],
        t('addSeverity'),
        () => {
          const ranks = ((this.get(['severities']) as Json[] | undefined) ?? []).map(
            (s) => Number(s?.rank) || 0,
          );
          const rank = Math.max(0, ...ranks) + 1;
          return { id: `S${rank}`, name: '', rank };
        },
        (p) => [
          this.text([...p, 'id'], t('id'), { class: 'narrow-field' }),
          this.text([...p, 'name'], t('name'), { optional: true }),
          this.num([...p, 'rank'], t('rank'), { integer: true, hint: t('rankHint'), class: 'narrow-field' }),
          this.text([...p, 'definition'], t('definition'), { optional: true, class: 'wide-field' }),
        ],
        (i) => `${t('severity')} ${i + 1}`,
      ),
    );

    const maps = this.section(
      t('statusMap'),
      null,
      h('p', { class: 'hint' }, t('statusMapHint')),
      this.map(
        ['status_map'],
        t('addStatus'),
        t('sourceStatus'),
        () => ['Status', 'open'],
        (p) => [this.choice(p, t('canonical'), CANONICAL)],
        { compact: true },
      ),
    );
    const severityMap = this.section(
      t('severityMap'),
      null,
      h('p', { class: 'hint' }, t('severityMapHint')),
      this.map(
        ['severity_map'],
        t('addPriority'),
        t('sourcePriority'),
        () => ['Priority', severityIds[0] ?? 'S1'],
        (p) => [this.text(p, t('severity'), { list: this.lists.severities })],
        { optional: true, compact: true },
      ),
    );

    const calendars = this.section(
      t('calendars'),
      null,
      this.map(
        ['calendars'],
        t('addCalendar'),
        t('calendarName'),
        () => [
          'business_hours',
          {
            type: 'business',
            time_zone: terms.reporting?.time_zone ?? 'UTC',
            weekly: { mon: [['09:00', '17:00']] },
          },
        ],
        (p) => this.calendar(p),
      ),
    );

    const metrics = this.section(
      t('metrics'),
      null,
      this.map(
        ['metrics'],
        t('addMetric'),
        t('metricName'),
        () => [
          'next_response',
          {
            kind: 'next_response',
            start: 'oldest_unanswered_customer_message',
            stop: 'next_public_agent_reply',
          },
        ],
        (p) => this.metric(p),
      ),
    );

    const targets = this.section(
      t('targets'),
      null,
      h('p', { class: 'hint' }, t('targetsHint')),
      this.list(
        ['targets'],
        t('addTarget'),
        () => ({
          severity: severityIds[0] ?? '',
          metric: metricNames[0] ?? '',
          target_minutes: 60,
          calendar: calendarNames[0] ?? '',
        }),
        (p) => [
          this.text([...p, 'severity'], t('severity'), {
            list: this.lists.severities,
            class: 'narrow-field',
          }),
          this.text([...p, 'metric'], t('metric'), { list: this.lists.metrics }),
          this.num([...p, 'target_minutes'], t('minutes'), { class: 'narrow-field' }),
          this.text([...p, 'calendar'], t('calendar'), { list: this.lists.calendars }),
        ],
        (i) => `${t('targets')} ${i + 1}`,
      ),
    );

    const reclassification = this.section(
      t('reclassification'),
      ['reclassification'],
      h(
        'div',
        { class: 'grid' },
        this.choice(['reclassification', 'mode'], t('mode'), ['retroactive', 'segmented']),
      ),
      this.flag(['reclassification', 'breach_sticky'], t('sticky')),
    );

    const hasUptime = terms.uptime !== undefined;
    const uptimeToggle = h('input', { type: 'checkbox', id: uid('chk') });
    uptimeToggle.checked = hasUptime;
    on(uptimeToggle, 'change', () => {
      this.set(
        ['uptime'],
        uptimeToggle.checked
          ? { commitment_pct: 99.9, denominator: 'all_minutes', granularity: 'exact_seconds' }
          : undefined,
      );
      this.structural('uptime');
    });
    const uptime = this.section(
      t('uptime'),
      ['uptime'],
      h('div', { class: 'check-line' }, uptimeToggle, h('label', { for: uptimeToggle.id }, t('hasUptime'))),
      hasUptime
        ? h(
            'div',
            {},
            h(
              'div',
              { class: 'grid' },
              this.num(['uptime', 'commitment_pct'], t('commitment')),
              this.choice(['uptime', 'denominator'], t('denominator'), ['all_minutes', 'scheduled_minutes']),
              this.choice(['uptime', 'granularity'], t('granularity'), [
                'exact_seconds',
                'whole_minutes_any',
                'whole_minutes_min_1',
              ]),
              this.text(['uptime', 'service_id'], t('serviceId'), { optional: true }),
              this.num(
                ['uptime', 'exclusions', 'scheduled_maintenance', 'min_notice_hours'],
                t('minNotice'),
                { optional: true },
              ),
              this.num(
                ['uptime', 'exclusions', 'scheduled_maintenance', 'max_minutes_per_month'],
                t('maxMaintenance'),
                { optional: true },
              ),
            ),
            this.flag(['uptime', 'exclusions', 'customer_caused'], t('customerCaused'), { optional: true }),
            this.flag(['uptime', 'exclusions', 'force_majeure'], t('forceMajeure'), { optional: true }),
          )
        : null,
    );

    const lineRow = (p: Segment[]) => [
      this.text([...p, 'severity'], t('severity'), { list: this.lists.severities, class: 'narrow-field' }),
      this.text([...p, 'metric'], t('metric'), { list: this.lists.metrics }),
    ];
    const credits = this.section(
      t('credits'),
      ['credits'],
      h(
        'div',
        { class: 'grid' },
        this.num(['credits', 'cap_pct_of_monthly_fee'], t('cap')),
        this.num(['credits', 'claim_window_days'], t('claimWindow'), {
          integer: true,
          optional: true,
          hint: t('claimWindowHint'),
        }),
      ),
      h('h4', {}, t('perBreach')),
      this.list(
        ['credits', 'per_breach'],
        t('addPerBreach'),
        () => ({ severity: severityIds[0] ?? '', metric: metricNames[0] ?? '', credit_pct: 1 }),
        (p) => [...lineRow(p), this.num([...p, 'credit_pct'], t('creditPct'), { class: 'narrow-field' })],
        (i) => `${t('perBreach')} ${i + 1}`,
      ),
      h('h4', {}, t('compliance')),
      this.list(
        ['credits', 'compliance'],
        t('addCompliance'),
        () => ({
          severity: severityIds[0] ?? '',
          metric: metricNames[0] ?? '',
          min_compliance_pct: 95,
          credit_pct: 2,
        }),
        (p) => [
          ...lineRow(p),
          this.num([...p, 'min_compliance_pct'], t('minCompliancePct'), { class: 'narrow-field' }),
          this.num([...p, 'min_sample'], t('minSample'), {
            integer: true,
            optional: true,
            class: 'narrow-field',
          }),
          this.num([...p, 'credit_pct'], t('creditPct'), { class: 'narrow-field' }),
        ],
        (i) => `${t('compliance')} ${i + 1}`,
      ),
      h('h4', {}, t('tiers')),
      h('p', { class: 'hint' }, t('tiersHint')),
      this.list(
        ['credits', 'uptime_tiers'],
        t('addTier'),
        () => ({ below_pct: 99.9, at_or_above_pct: 99, credit_pct: 5 }),
        (p) => [
          this.num([...p, 'at_or_above_pct'], t('atOrAbove'), { optional: true, class: 'narrow-field' }),
          this.num([...p, 'below_pct'], t('below'), { class: 'narrow-field' }),
          this.num([...p, 'credit_pct'], t('creditPct'), { class: 'narrow-field' }),
        ],
        (i) => `${t('tiers')} ${i + 1}`,
      ),
      h('h4', {}, t('chronic')),
      this.group(
        ['credits', 'chronic_failure'],
        h(
          'div',
          {},
          this.list(
            ['credits', 'chronic_failure', 'rules'],
            t('addRule'),
            () => ({ type: 'cap_reached', consecutive_months: 3 }),
            (p) => [
              this.choice([...p, 'type'], t('ruleType'), ['uptime_miss', 'cap_reached', 'metric_miss']),
              this.num([...p, 'consecutive_months'], t('consecutive'), {
                integer: true,
                optional: true,
                class: 'narrow-field',
              }),
              this.num([...p, 'months_in_rolling_12'], t('rolling'), {
                integer: true,
                optional: true,
                class: 'narrow-field',
              }),
              this.text([...p, 'severity'], t('severity'), {
                list: this.lists.severities,
                optional: true,
                class: 'narrow-field',
              }),
              this.text([...p, 'metric'], t('metric'), { list: this.lists.metrics, optional: true }),
            ],
            (i) => `${t('rules')} ${i + 1}`,
          ),
          h(
            'div',
            { class: 'grid' },
            this.choice(
              ['credits', 'chronic_failure', 'remedy'],
              t('remedy'),
              ['termination_without_penalty', 'escalation_meeting'],
              {
                optional: true,
              },
            ),
            this.num(['credits', 'chronic_failure', 'exercise_window_days'], t('exerciseWindow'), {
              integer: true,
              optional: true,
            }),
          ),
        ),
      ),
    );

    this.body.replaceChildren(
      datalist(this.lists.severities, severityIds),
      datalist(this.lists.metrics, metricNames),
      datalist(this.lists.calendars, calendarNames),
      datalist(this.lists.zones, zones),
      general,
      reporting,
      severities,
      maps,
      severityMap,
      calendars,
      metrics,
      targets,
      reclassification,
      uptime,
      credits,
    );
    this.showProblems();
  }

  private calendar(p: Segment[]): HTMLElement[] {
    const calendar = this.get(p) as Json;
    const type = h(
      'select',
      {},
      h('option', { value: '24x7' }, '24x7'),
      h('option', { value: 'business' }, 'business'),
    );
    type.value = calendar?.type ?? 'business';
    this.register([...p, 'type'], type);
    on(type, 'change', () => {
      if (type.value === '24x7') this.set(p, { type: '24x7' });
      else
        this.set(p, {
          type: 'business',
          time_zone: this.terms.reporting?.time_zone ?? 'UTC',
          weekly: { mon: [['09:00', '17:00']] },
        });
      this.structural(pathKey([...p, 'type']));
    });
    const parts: HTMLElement[] = [h('div', { class: 'grid' }, field(t('type'), type))];
    if (calendar?.type !== 'business') return parts;
    parts[0]!.append(this.text([...p, 'time_zone'], t('timeZone'), { list: this.lists.zones }));

    const days = WEEKDAYS.map((day) => {
      const dayPath = [...p, 'weekly', day];
      const windows = (this.get(dayPath) as [string, string][] | undefined) ?? [];
      const rows = windows.map((_, i) => {
        const wPath = [...dayPath, i];
        return this.group(
          wPath,
          h(
            'div',
            { class: 'window-row' },
            this.text([...wPath, 0], `${day} ${t('from')}`, { placeholder: '09:00', class: 'time-field' }),
            this.text([...wPath, 1], `${day} ${t('to')}`, { placeholder: '17:00', class: 'time-field' }),
            this.removeButton(`${t('remove')}: ${day} ${i + 1}`, () => {
              const list = this.get(dayPath) as Json[];
              list.splice(i, 1);
              if (list.length === 0) this.set(dayPath, undefined);
              this.structural(pathKey([...p, 'weekly']));
            }),
          ),
        );
      });
      const add = this.addButton(`${t('addWindow')} (${day})`, () => {
        const list = (this.get(dayPath) as Json[] | undefined) ?? [];
        list.push(['09:00', '17:00']);
        this.set(dayPath, list);
        this.structural(pathKey([...dayPath, list.length - 1]));
      });
      return this.group(
        dayPath,
        h(
          'div',
          { class: 'weekday' },
          h('span', { class: 'weekday-name' }, day),
          h('div', { class: 'windows' }, ...rows, add),
        ),
      );
    });
    parts.push(
      this.group(
        [...p, 'weekly'],
        h(
          'fieldset',
          { class: 'weekly' },
          h('legend', {}, t('weekly')),
          h('p', { class: 'hint' }, t('weeklyHint')),
          ...days,
        ),
      ),
    );

    parts.push(
      h(
        'fieldset',
        { class: 'holidays' },
        h('legend', {}, t('holidays')),
        this.list(
          [...p, 'holidays'],
          t('addHoliday'),
          () => new Date().toISOString().slice(0, 10),
          (hp) => [this.text(hp, t('holiday'), { type: 'date', class: 'narrow-field' })],
          (i) => `${t('holiday')} ${i + 1}`,
        ),
      ),
    );

    parts.push(
      h(
        'fieldset',
        { class: 'exceptions' },
        h('legend', {}, t('exceptions')),
        this.list(
          [...p, 'exceptions'],
          t('addException'),
          () => ({ date: new Date().toISOString().slice(0, 10), windows: [['09:00', '13:00']] }),
          (ep) => [
            this.text([...ep, 'date'], t('exceptionDate'), { type: 'date', class: 'narrow-field' }),
            this.windowsText([...ep, 'windows']),
          ],
          (i) => `${t('exceptions')} ${i + 1}`,
        ),
      ),
    );
    return parts;
  }

  /** Windows typed as `09:00-12:00, 13:00-15:00`. */
  private windowsText(path: Segment[]): HTMLElement {
    const windows = (this.get(path) as [string, string][] | undefined) ?? [];
    const control = h('input', {
      type: 'text',
      value: windows.map(([a, b]) => `${a}-${b}`).join(', '),
      autocomplete: 'off',
    });
    this.register(path, control);
    on(control, 'input', () => {
      const parsed = control.value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => s.split('-').map((x) => x.trim()) as [string, string]);
      this.set(path, parsed);
      this.changed();
    });
    return field(t('exceptionWindows'), control, { hint: t('exceptionWindowsHint'), class: 'wide-field' });
  }

  private metric(p: Segment[]): HTMLElement[] {
    const metric = (this.get(p) as Json) ?? {};
    const kind = h('select', {}, ...KINDS.map((k) => h('option', { value: k }, k)));
    kind.value = metric.kind ?? 'first_response';
    this.register([...p, 'kind'], kind);
    on(kind, 'change', () => {
      const bounds = KIND_BOUNDS[kind.value as keyof typeof KIND_BOUNDS];
      const next: Json = { ...this.get(p), kind: kind.value, start: bounds.starts[0], stop: bounds.stops[0] };
      if (!bounds.paused) delete next.pause_statuses;
      if (kind.value === 'resolution') delete next.qualifying_reply;
      else delete next.reopen;
      this.set(p, next);
      this.structural(pathKey([...p, 'kind']));
    });
    const bounds =
      KIND_BOUNDS[(metric.kind as keyof typeof KIND_BOUNDS) ?? 'first_response'] ??
      KIND_BOUNDS.first_response;
    const parts: HTMLElement[] = [
      h(
        'div',
        { class: 'grid' },
        field(t('kind'), kind),
        this.choice([...p, 'start'], t('start'), bounds.starts, { optional: true }),
        this.choice([...p, 'stop'], t('stop'), bounds.stops, { optional: true }),
        this.num([...p, 'min_compliance_pct'], t('minCompliance'), {
          optional: true,
          hint: t('minComplianceHint'),
        }),
      ),
    ];
    if (bounds.paused || (metric.pause_statuses ?? []).length > 0)
      parts.push(
        this.multi(
          [...p, 'pause_statuses'],
          t('pauses'),
          CANONICAL.filter((s) => s !== 'solved' && s !== 'closed'),
        ),
      );
    if (metric.kind === 'resolution' || metric.reopen !== undefined)
      parts.push(
        h(
          'div',
          { class: 'grid' },
          this.choice([...p, 'reopen', 'mode'], t('reopen'), ['resume', 'new_cycle', 'ignore'], {
            optional: true,
          }),
          this.num([...p, 'reopen', 'window_days'], t('reopenWindow'), { optional: true }),
        ),
      );
    if (metric.kind !== 'resolution' || metric.qualifying_reply !== undefined)
      parts.push(this.multi([...p, 'qualifying_reply', 'exclude_sources'], t('excludeSources'), SOURCES));
    return parts;
  }

  // ------------------------------------------------------------------------------------------
  // Problems.

  private targetOf(path: string): HTMLElement | undefined {
    const control = this.controls.get(path);
    if (control) return control;
    for (const parent of [path, ...parentPaths(path)]) {
      const group = this.groups.get(parent);
      if (group) return group.querySelector<HTMLElement>('input, select, textarea') ?? group;
      const c = this.controls.get(parent);
      if (c) return c;
    }
    return undefined;
  }

  private showProblems(): void {
    // Checked whole each time: a change in one place can settle or raise a problem in another.
    this.problems = checkTerms(this.terms);
    const all = [...this.problems, ...this.serverProblems];
    for (const control of this.controls.values())
      if (control.hasAttribute('aria-invalid')) fieldError(control);
    for (const el of this.body.querySelectorAll('.group-error')) el.remove();
    for (const el of this.body.querySelectorAll('.has-problem')) el.classList.remove('has-problem');

    const byControl = new Map<HTMLElement, string[]>();
    const byGroup = new Map<HTMLElement, string[]>();
    for (const problem of all) {
      const control = this.controls.get(problem.path);
      if (control) {
        byControl.set(control, [...(byControl.get(control) ?? []), problem.message]);
        continue;
      }
      const group = [problem.path, ...parentPaths(problem.path)]
        .map((p) => this.groups.get(p) ?? this.controls.get(p))
        .find(Boolean);
      // Without a place on the form, the problem is in the summary only.
      if (!group) continue;
      if (this.groups.get(group.dataset.groupPath ?? '') === group)
        byGroup.set(group, [...(byGroup.get(group) ?? []), `${problem.path}: ${problem.message}`]);
      else byControl.set(group, [...(byControl.get(group) ?? []), `${problem.path}: ${problem.message}`]);
    }
    for (const [control, messages] of byControl) fieldError(control, messages.join(' · '));
    for (const [group, messages] of byGroup) {
      group.classList.add('has-problem');
      const note = h('p', { class: 'group-error', role: 'note' }, messages.join(' · '));
      const legend = group.querySelector(':scope > legend');
      if (legend) legend.after(note);
      else group.prepend(note);
    }

    if (all.length === 0) {
      this.summary.replaceChildren(h('p', { class: 'notice success terms-ok' }, t('noProblems')));
      this.summary.dataset.problems = '0';
      return;
    }
    this.summary.dataset.problems = String(all.length);
    this.summary.replaceChildren(
      h(
        'div',
        { class: 'notice error' },
        h('p', { class: 'notice-title' }, t('problems', { n: all.length })),
        h(
          'ul',
          { class: 'error-details' },
          ...all.slice(0, 20).map((problem) => {
            const go = h(
              'button',
              { type: 'button', class: 'button link small' },
              h('code', {}, problem.path || 'slaTerms'),
            );
            on(go, 'click', () => {
              const target = this.targetOf(problem.path);
              target?.scrollIntoView({ block: 'center' });
              if (target?.matches('input, select, textarea')) target.focus();
            });
            return h('li', {}, go, ` ${problem.message}`);
          }),
        ),
      ),
    );
  }
}
