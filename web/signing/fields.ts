/**
 * The recipient's fields: a highlighted box on the page for each, the inputs for the values they
 * enter (text, number, date, checkbox, dropdown), the guide from one field to the next, and the
 * messages next to a field, the page's own checks first and the server's answer when it refuses.
 */

import type { ErrorDetail, SigningField } from './api';
import type { Adopter, Preview } from './adopt';
import { announce, h, on, prefersReducedMotion } from './dom';
import { t, type Key } from './i18n';
import {
  checkField,
  fieldOfPath,
  isEmpty,
  isValueField,
  readingOrder,
  type Problem,
  type RawValue,
} from './validation';

export interface FieldFormOptions {
  fields: SigningField[];
  documentOrder: string[];
  /** The values entered so far (kept across re-renders and language changes). */
  values: Record<string, RawValue>;
  signature?: Adopter;
  initials?: Adopter;
  /** Where focus goes when every field is done. */
  onAllDone: () => void;
}

const TYPE_KEYS: Record<SigningField['type'], Key> = {
  signature: 'field.signature',
  initials: 'field.initials',
  date_signed: 'field.date_signed',
  text: 'field.text',
  number: 'field.number',
  date: 'field.date',
  checkbox: 'field.checkbox',
  dropdown: 'field.dropdown',
};

/** "company_name" → "Company name". */
function humanize(name: string): string {
  const words = name
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : name;
}

function problemText(p: Problem): string {
  const { key, ...params } = p;
  return t(key, params as Record<string, string | number>);
}

export class FieldForm {
  private readonly ordered: SigningField[];
  private readonly overlays = new Map<string, HTMLElement>();
  private readonly errors = new Map<string, string>();
  private readonly touched = new Set<string>();
  private current = -1;
  private progressEl: HTMLElement | undefined;
  private panelInputs = new Map<string, HTMLElement>();

  constructor(private readonly options: FieldFormOptions) {
    this.ordered = readingOrder(options.fields, options.documentOrder);
    options.signature?.onChange(() => this.refresh());
    options.initials?.onChange(() => this.refresh());
  }

  /** Fields the recipient acts on, in reading order (a signing date fills itself). */
  get actionable(): SigningField[] {
    return this.ordered.filter((f) => f.type !== 'date_signed');
  }

  get valueFields(): SigningField[] {
    return this.ordered.filter(isValueField);
  }

  label(f: SigningField): string {
    if (f.name) return humanize(f.name);
    const same = this.ordered.filter((o) => o.type === f.type);
    const base = t(TYPE_KEYS[f.type]);
    return same.length > 1 ? `${base} ${same.indexOf(f) + 1}` : base;
  }

  private adopterOf(f: SigningField): Adopter | undefined {
    return f.type === 'signature'
      ? this.options.signature
      : f.type === 'initials'
        ? this.options.initials
        : undefined;
  }

  isDone(f: SigningField): boolean {
    if (f.type === 'date_signed') return true;
    const adopter = this.adopterOf(f);
    if (adopter) return adopter.value() !== undefined;
    return !isEmpty(f, this.options.values[f.id]) && checkField(f, this.options.values[f.id]) === null;
  }

  private isRequired(f: SigningField): boolean {
    return f.type === 'signature' || f.type === 'initials' || f.required;
  }

  /** The box over the page for a field; made once, kept while the document is shown. */
  overlayFor = (f: SigningField): HTMLElement => {
    const existing = this.overlays.get(f.id);
    if (existing) return existing;
    const box =
      f.type === 'date_signed'
        ? h('div', { class: 'field-box auto', 'data-field-id': f.id, 'data-type': f.type })
        : h('button', { type: 'button', class: 'field-box', 'data-field-id': f.id, 'data-type': f.type });
    box.classList.toggle('required', this.isRequired(f));
    if (box instanceof HTMLButtonElement) on(box, 'click', () => this.activate(f));
    this.overlays.set(f.id, box);
    this.paintOverlay(f);
    return box;
  };

  private paintOverlay(f: SigningField): void {
    const box = this.overlays.get(f.id);
    if (!box) return;
    const done = this.isDone(f);
    const where = t('field.onPage', { page: f.page });
    const need = t(this.isRequired(f) ? 'field.required' : 'field.optional');
    box.classList.toggle('done', done && f.type !== 'date_signed');
    box.classList.toggle('invalid', this.errors.has(f.id));
    if (f.type === 'date_signed') {
      box.setAttribute('title', t('field.autoDate'));
      box.replaceChildren(h('span', { class: 'field-hint', 'aria-hidden': 'true' }, t('field.date_signed')));
      return;
    }
    const adopter = this.adopterOf(f);
    // What the box shows; its accessible name starts with it (so voice control finds it by sight).
    let shown = '';
    let content: Node;
    if (adopter) {
      const preview: Preview | null = adopter.previewOf();
      if (!preview) shown = t(f.type === 'signature' ? 'field.signHere' : 'field.initialHere');
      else if (preview.kind === 'text') shown = preview.text;
      content =
        preview?.kind === 'image'
          ? h('img', { class: 'field-image', src: preview.src, alt: '' })
          : h('span', { class: preview ? 'field-value script' : 'field-hint' }, shown);
    } else {
      const raw = this.options.values[f.id];
      if (f.type === 'checkbox') shown = raw === true ? '✓' : '';
      else shown = typeof raw === 'string' && raw.trim() ? raw.trim() : this.label(f);
      const hint = f.type !== 'checkbox' && shown === this.label(f);
      content = h(
        'span',
        { class: hint ? 'field-hint' : `field-value${f.type === 'checkbox' ? ' check' : ''}` },
        shown,
      );
    }
    const description = t('field.overlay', { label: this.label(f), need, where, done: done ? 1 : 0 });
    box.setAttribute(
      'aria-label',
      shown && shown !== '✓' && shown !== this.label(f) ? `${shown}: ${description}` : description,
    );
    box.replaceChildren(content);
  }

  /** Overlays and progress after any change. */
  refresh(): void {
    for (const f of this.ordered) this.paintOverlay(f);
    if (this.progressEl) this.progressEl.textContent = this.progressText();
  }

  private progressText(): string {
    const required = this.actionable.filter((f) => this.isRequired(f));
    if (!required.length) return '';
    return t('fields.progress', {
      done: required.filter((f) => this.isDone(f)).length,
      total: required.length,
    });
  }

  /** The panel of inputs for the values to enter. */
  renderPanel(): HTMLElement {
    this.panelInputs.clear();
    const fields = this.valueFields;
    const list = h('div', { class: 'field-list' }, ...fields.map((f) => this.renderInput(f)));
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'fields-h' },
      h('h2', { id: 'fields-h' }, t('fields.title')),
      fields.length ? list : h('p', {}, t('fields.none')),
    );
  }

  /** The "Next field" bar with the progress. */
  renderGuide(approver: boolean): HTMLElement {
    const next = h('button', { type: 'button', class: 'button primary', id: 'next-field' }, t('fields.next'));
    on(next, 'click', () => this.next());
    this.progressEl = h('span', { class: 'progress', 'aria-live': 'polite' }, this.progressText());
    return h(
      'div',
      { class: 'guide-bar' },
      approver || !this.actionable.length ? null : next,
      approver ? h('span', { class: 'progress' }, t('fields.allDoneApprove')) : this.progressEl,
    );
  }

  private renderInput(f: SigningField): HTMLElement {
    const id = `field-${f.id}`;
    const errorId = `${id}-error`;
    const raw = this.options.values[f.id];
    const required = this.isRequired(f);
    const labelText = [
      h('span', {}, this.label(f)),
      h(
        'span',
        { class: 'field-meta' },
        ` (${t(required ? 'field.required' : 'field.optional')}, ${t('field.onPage', { page: f.page })})`,
      ),
    ];
    const error = this.errors.get(f.id) ?? '';
    const common = {
      id,
      'data-field-input': f.id,
      'aria-describedby': errorId,
      'aria-invalid': error ? 'true' : 'false',
      required: required && f.type !== 'checkbox' ? true : undefined,
    };
    let control: HTMLInputElement | HTMLSelectElement;
    const v = f.validation ?? {};
    switch (f.type) {
      case 'checkbox':
        control = h('input', { ...common, type: 'checkbox', 'aria-required': required ? 'true' : undefined });
        (control as HTMLInputElement).checked = raw === true;
        break;
      case 'dropdown':
        control = h(
          'select',
          { ...common, class: 'text-input' },
          h('option', { value: '' }, t('field.choose')),
          ...(v.options ?? []).map((o) => h('option', { value: o }, o)),
        );
        control.value = typeof raw === 'string' ? raw : '';
        break;
      case 'date':
        control = h('input', {
          ...common,
          type: 'date',
          class: 'text-input',
          min: typeof v.min === 'string' ? v.min : undefined,
          max: typeof v.max === 'string' ? v.max : undefined,
        });
        control.value = typeof raw === 'string' ? raw : '';
        break;
      case 'number':
        control = h('input', {
          ...common,
          type: 'text',
          inputmode: 'decimal',
          class: 'text-input',
          autocomplete: 'off',
        });
        control.value = typeof raw === 'string' ? raw : '';
        break;
      default:
        control = h('input', {
          ...common,
          type: 'text',
          class: 'text-input',
          autocomplete: 'off',
          maxlength: typeof v.max === 'number' ? Math.min(v.max, 1000) : 1000,
        });
        control.value = typeof raw === 'string' ? raw : '';
    }
    const read = () => {
      this.options.values[f.id] =
        control instanceof HTMLInputElement && control.type === 'checkbox' ? control.checked : control.value;
    };
    on(control, 'input', () => {
      read();
      // A message goes away as soon as the value fits; a new one waits until the field is left.
      if (this.errors.has(f.id) && !checkField(f, this.options.values[f.id])) this.setError(f, '');
      this.refresh();
    });
    on(control, 'change', () => {
      read();
      this.touched.add(f.id);
      this.validate(f);
      this.refresh();
    });
    on(control, 'blur', () => {
      if (!this.touched.has(f.id) && isEmpty(f, this.options.values[f.id])) return;
      this.touched.add(f.id);
      this.validate(f);
    });
    this.panelInputs.set(f.id, control);
    const errorEl = h('p', { class: 'field-error', id: errorId, hidden: !error }, error);
    const row =
      f.type === 'checkbox'
        ? h(
            'div',
            { class: 'field-row checkbox-row', 'data-row': f.id },
            h('div', { class: 'check-line' }, control, h('label', { for: id }, ...labelText)),
            errorEl,
          )
        : h(
            'div',
            { class: 'field-row', 'data-row': f.id },
            h('label', { for: id }, ...labelText),
            control,
            errorEl,
          );
    return row;
  }

  private validate(f: SigningField): boolean {
    const problem = checkField(f, this.options.values[f.id]);
    this.setError(f, problem ? problemText(problem) : '');
    return !problem;
  }

  private setError(f: SigningField, message: string): void {
    if (message) this.errors.set(f.id, message);
    else this.errors.delete(f.id);
    const control = this.panelInputs.get(f.id);
    const errorEl = document.getElementById(`field-${f.id}-error`);
    if (errorEl) {
      errorEl.textContent = message;
      errorEl.hidden = !message;
    }
    control?.setAttribute('aria-invalid', message ? 'true' : 'false');
    this.paintOverlay(f);
  }

  /** Checks every field (values and adopted signatures); the first problem gets focus. */
  validateAll(): boolean {
    const bad: SigningField[] = [];
    for (const f of this.valueFields) if (!this.validate(f)) bad.push(f);
    let firstAdopter: Adopter | undefined;
    for (const adopter of [this.options.signature, this.options.initials]) {
      if (adopter && !adopter.check()) firstAdopter ??= adopter;
    }
    const count =
      bad.length +
      (this.options.signature && !this.options.signature.value() ? 1 : 0) +
      (this.options.initials && !this.options.initials.value() ? 1 : 0);
    this.refresh();
    if (!count) return true;
    announce(t('fields.fix', { n: count }));
    if (bad[0]) this.focusInput(bad[0]);
    else firstAdopter?.focus();
    return false;
  }

  /**
   * The server's details, next to their fields: `body.fields.<id>` by field, the signature's and
   * initials' by their section. Answers whether any detail found a place.
   */
  showServerErrors(details: ErrorDetail[]): boolean {
    let placed = false;
    let first: SigningField | undefined;
    for (const d of details) {
      const id = fieldOfPath(d.path);
      const f = id ? this.ordered.find((x) => x.id === id) : undefined;
      if (f && isValueField(f)) {
        this.setError(f, t('fields.server', { message: d.message }));
        first ??= f;
        placed = true;
      } else if (d.path.startsWith('body.signature') && this.options.signature) {
        this.options.signature.setError(t('fields.server', { message: d.message }));
        placed = true;
      } else if (d.path.startsWith('body.initials') && this.options.initials) {
        this.options.initials.setError(t('fields.server', { message: d.message }));
        placed = true;
      }
    }
    if (first) this.focusInput(first);
    return placed;
  }

  private focusInput(f: SigningField): void {
    const control = this.panelInputs.get(f.id);
    control?.focus();
    control?.scrollIntoView({ block: 'center', behavior: prefersReducedMotion() ? 'auto' : 'smooth' });
  }

  /** A field's box was chosen on the page: go to where it is filled in. */
  private activate(f: SigningField): void {
    this.current = this.actionable.indexOf(f);
    const adopter = this.adopterOf(f);
    if (adopter) adopter.focus();
    else this.focusInput(f);
  }

  /**
   * The guide: the next required field not yet done, in reading order after the current one. Its
   * box on the page is shown and focused, and its name read out; when all are done, the Sign
   * button gets focus.
   */
  next(): void {
    const fields = this.actionable;
    const pending = fields.filter((f) => this.isRequired(f) && !this.isDone(f));
    if (!pending.length) {
      announce(t('fields.allDone'));
      this.options.onAllDone();
      return;
    }
    const after = pending.find((f) => fields.indexOf(f) > this.current) ?? pending[0]!;
    this.current = fields.indexOf(after);
    for (const box of this.overlays.values()) box.classList.remove('current');
    const box = this.overlays.get(after.id);
    if (!box) return;
    box.classList.add('current');
    box.scrollIntoView({ block: 'center', behavior: prefersReducedMotion() ? 'auto' : 'smooth' });
    box.focus({ preventScroll: true });
    announce(
      t('fields.announce', { index: this.current + 1, total: fields.length, label: this.label(after) }),
    );
  }
}
