/**
 * Placing fields on a document's pages: a palette of field chips, dragged onto a page (or, from
 * the keyboard, a chip pressed to place it on the chosen page), boxes that can be moved by
 * dragging or with the arrow keys, and a list of what is placed with the field's options. Each
 * field belongs to an owner (a recipient of a one-off envelope, a role of a template). Positions
 * are PDF points from the page's top-left corner, as the API takes them.
 */

import { dictionary, type Params } from './i18n';
import { placeBox } from '../shared/pdf';
import { arrowMove, clampToPage, followPointer, type PageBox, type PdfPages } from './pdf-pages';
import { FIELD_TYPES, type Box, type FieldInput, type FieldType } from './types';
import { announce, button, h, input, on, scrollRegion, select, uid } from './ui';

const t = dictionary(
  {
    palette: 'Field types',
    for: 'Fields for',
    onPage: 'Place on page',
    paletteHint:
      'Drag a field onto a page, or press it to place it on the chosen page. Move a placed field by dragging it or with the arrow keys (Shift for bigger steps); Delete removes it.',
    noOwners: 'Add a signer first: fields belong to a signer.',
    placed: 'Placed fields',
    none: 'No fields placed yet.',
    type: 'Field',
    owner: 'For',
    page: 'Page',
    position: 'Position (pt from top-left)',
    required: 'Required',
    name: 'Name',
    options: 'Options (comma-separated)',
    remove: 'Remove',
    removeField: (p) => `Remove ${p.field}`,
    fieldLabel: (p) => `${p.type} · ${p.owner}, page ${p.page}`,
    placedOn: (p) => `${p.type} placed on page ${p.page}.`,
    removed: (p) => `${p.type} removed.`,
    'type.signature': 'Signature',
    'type.initials': 'Initials',
    'type.date_signed': 'Date signed',
    'type.text': 'Text',
    'type.number': 'Number',
    'type.date': 'Date',
    'type.checkbox': 'Checkbox',
    'type.dropdown': 'Dropdown',
  },
  {
    palette: 'Tipos de campo',
    for: 'Campos para',
    onPage: 'Colocar en la página',
    paletteHint:
      'Arrastre un campo a una página, o púlselo para colocarlo en la página elegida. Mueva un campo colocado arrastrándolo o con las flechas (Mayús para pasos más grandes); Supr lo quita.',
    noOwners: 'Añada primero un firmante: los campos pertenecen a un firmante.',
    placed: 'Campos colocados',
    none: 'Aún no hay campos colocados.',
    type: 'Campo',
    owner: 'Para',
    page: 'Página',
    position: 'Posición (pt desde arriba a la izquierda)',
    required: 'Obligatorio',
    name: 'Nombre',
    options: 'Opciones (separadas por comas)',
    remove: 'Quitar',
    removeField: (p) => `Quitar ${p.field}`,
    fieldLabel: (p) => `${p.type} · ${p.owner}, página ${p.page}`,
    placedOn: (p) => `${p.type} colocado en la página ${p.page}.`,
    removed: (p) => `${p.type} quitado.`,
    'type.signature': 'Firma',
    'type.initials': 'Iniciales',
    'type.date_signed': 'Fecha de firma',
    'type.text': 'Texto',
    'type.number': 'Número',
    'type.date': 'Fecha',
    'type.checkbox': 'Casilla',
    'type.dropdown': 'Lista',
  },
);

export const fieldTypeLabel = (type: FieldType, params: Params = {}) => t(`type.${type}`, params);

/** Default sizes in points. */
const SIZES: Record<FieldType, { width: number; height: number }> = {
  signature: { width: 180, height: 45 },
  initials: { width: 60, height: 30 },
  date_signed: { width: 110, height: 20 },
  text: { width: 160, height: 20 },
  number: { width: 80, height: 20 },
  date: { width: 110, height: 20 },
  checkbox: { width: 14, height: 14 },
  dropdown: { width: 150, height: 20 },
};

/** Signature and initials are always required; the others by choice. */
const ALWAYS_REQUIRED: readonly FieldType[] = ['signature', 'initials'];
const NEVER_REQUIRED: readonly FieldType[] = ['date_signed'];

const DRAG_TYPE = 'application/x-countersign-field';

export interface Owner {
  id: string;
  label: string;
}

export interface PlacedField extends Box {
  key: string;
  owner: string;
  type: FieldType;
  name: string;
  required: boolean;
  options: string[];
}

export interface FieldPlacerOptions {
  /** Who fields can be for (signers); read again on `refresh()`. */
  owners: () => Owner[];
  types?: readonly FieldType[];
  onChange?: () => void;
}

const round = (n: number) => Math.round(n * 10) / 10;

export class FieldPlacer {
  readonly palette: HTMLElement;
  readonly list: HTMLElement;
  fields: PlacedField[] = [];
  private readonly ownerSelect: HTMLSelectElement;
  private readonly pageSelect: HTMLSelectElement;
  private readonly chips: HTMLButtonElement[] = [];
  private readonly noOwners: HTMLElement;
  private counter = 0;

  constructor(
    private readonly pages: PdfPages,
    private readonly options: FieldPlacerOptions,
  ) {
    this.ownerSelect = h('select', { id: uid('owner') });
    this.pageSelect = select(
      pages.pages.map((p) => ({ value: String(p.number), label: String(p.number) })),
      '1',
      { id: uid('page') },
    );
    const hintId = uid('hint');
    for (const type of options.types ?? FIELD_TYPES) {
      const chip = h(
        'button',
        {
          type: 'button',
          class: `chip chip-${type}`,
          draggable: 'true',
          'data-field-type': type,
          'aria-describedby': hintId,
        },
        fieldTypeLabel(type),
      );
      on(chip, 'dragstart', (event) => {
        event.dataTransfer?.setData(DRAG_TYPE, type);
        event.dataTransfer?.setData('text/plain', type);
        if (event.dataTransfer) event.dataTransfer.effectAllowed = 'copy';
      });
      on(chip, 'click', () => {
        const page = pages.page(Number(this.pageSelect.value)) ?? pages.pages[0];
        if (!page) return;
        // From the keyboard: near the top-left, each one a little lower than the last.
        const offset = (this.fields.filter((f) => f.page === page.number).length % 12) * 28;
        this.add(type, page, 72 + SIZES[type].width / 2, 72 + offset + SIZES[type].height / 2);
      });
      this.chips.push(chip);
    }
    this.noOwners = h('p', { class: 'notice warn', hidden: true }, t('noOwners'));
    this.palette = h(
      'div',
      { class: 'field-palette' },
      h('h3', {}, t('palette')),
      h('p', { class: 'hint', id: hintId }, t('paletteHint')),
      this.noOwners,
      h(
        'div',
        { class: 'palette-selects' },
        h('div', { class: 'field' }, h('label', { for: this.ownerSelect.id }, t('for')), this.ownerSelect),
        h('div', { class: 'field' }, h('label', { for: this.pageSelect.id }, t('onPage')), this.pageSelect),
      ),
      h('div', { class: 'chips' }, ...this.chips),
    );
    this.list = h('div', { class: 'placed-list' });
    this.listenForDrops();
    this.refresh();
  }

  /** The fields of one owner, as the API takes them. */
  fieldsFor(owner: string, documentId?: string): FieldInput[] {
    return this.fields
      .filter((f) => f.owner === owner)
      .map((f) => ({
        type: f.type,
        ...(f.name ? { name: f.name } : {}),
        required: f.required,
        ...(documentId ? { documentId } : {}),
        ...(f.type === 'dropdown' && f.options.length ? { validation: { options: f.options } } : {}),
        page: f.page,
        x: round(f.x),
        y: round(f.y),
        width: round(f.width),
        height: round(f.height),
      }));
  }

  /** Owners changed (added, renamed, removed): their fields follow, those of removed owners go. */
  refresh(): void {
    const owners = this.options.owners();
    const value = this.ownerSelect.value;
    this.ownerSelect.replaceChildren(...owners.map((o) => h('option', { value: o.id }, o.label)));
    if (owners.some((o) => o.id === value)) this.ownerSelect.value = value;
    const none = owners.length === 0;
    this.noOwners.hidden = !none;
    this.ownerSelect.disabled = none;
    for (const chip of this.chips) chip.disabled = none;
    const before = this.fields.length;
    this.fields = this.fields.filter((f) => owners.some((o) => o.id === f.owner));
    this.redraw();
    if (before !== this.fields.length) this.options.onChange?.();
  }

  /** A field of the chosen owner, centred on a point of a page (in points). */
  add(type: FieldType, page: PageBox, cx: number, cy: number): PlacedField | undefined {
    const owner = this.ownerSelect.value;
    if (!owner) return undefined;
    const size = SIZES[type];
    const n = ++this.counter;
    const field: PlacedField = {
      key: `f${n}`,
      owner,
      type,
      name: `${type}_${n}`,
      required: !NEVER_REQUIRED.includes(type),
      options: type === 'dropdown' ? ['Option 1', 'Option 2'] : [],
      page: page.number,
      ...size,
      ...clampToPage(page, cx - size.width / 2, cy - size.height / 2, size.width, size.height),
    };
    this.fields.push(field);
    this.redraw();
    this.options.onChange?.();
    announce(t('placedOn', { type: fieldTypeLabel(type), page: page.number }));
    return field;
  }

  remove(key: string): void {
    const field = this.fields.find((f) => f.key === key);
    this.fields = this.fields.filter((f) => f.key !== key);
    this.redraw();
    this.options.onChange?.();
    if (field) announce(t('removed', { type: fieldTypeLabel(field.type) }));
  }

  private ownerIndex(owner: string): number {
    return Math.max(
      0,
      this.options.owners().findIndex((o) => o.id === owner),
    );
  }

  private ownerLabel(owner: string): string {
    return this.options.owners().find((o) => o.id === owner)?.label ?? owner;
  }

  private listenForDrops(): void {
    const target = this.pages.element;
    on(target, 'dragover', (event) => {
      if (!event.dataTransfer?.types.includes(DRAG_TYPE)) return;
      const frame = (event.target as HTMLElement).closest?.('.pdf-frame');
      if (!frame) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    });
    on(target, 'drop', (event) => {
      const type = event.dataTransfer?.getData(DRAG_TYPE) as FieldType | undefined;
      if (!type || !(FIELD_TYPES as readonly string[]).includes(type)) return;
      const frame = (event.target as HTMLElement).closest?.('.pdf-frame') as HTMLElement | null;
      const page = frame ? this.pages.page(Number(frame.dataset.page)) : undefined;
      if (!page) return;
      event.preventDefault();
      const at = this.pages.toPoints(page, event.clientX, event.clientY);
      this.add(type, page, at.x, at.y);
    });
  }

  /** Draws every placed field on its page, and the list. */
  private redraw(): void {
    for (const page of this.pages.pages) page.overlays.replaceChildren();
    for (const field of this.fields) {
      const page = this.pages.page(field.page);
      if (page) page.overlays.append(this.box(field, page));
    }
    this.drawList();
  }

  private box(field: PlacedField, page: PageBox): HTMLElement {
    const typeLabel = fieldTypeLabel(field.type);
    const owner = this.ownerLabel(field.owner);
    const label = t('fieldLabel', { type: typeLabel, owner, page: field.page });
    const handle = h(
      'button',
      { type: 'button', class: 'placed-handle', 'aria-label': label, title: label },
      h('span', { class: 'placed-text', 'aria-hidden': 'true' }, `${typeLabel} · ${owner}`),
    );
    const removeButton = h(
      'button',
      { type: 'button', class: 'placed-remove', 'aria-label': t('removeField', { field: label }) },
      '×',
    );
    const el = h(
      'div',
      {
        class: `placed-field owner-${this.ownerIndex(field.owner) % 6}`,
        'data-field-key': field.key,
        'data-field-type': field.type,
      },
      handle,
      removeButton,
    );
    placeBox(el, page, field);
    on(removeButton, 'click', () => this.remove(field.key));
    on(handle, 'keydown', (event) => {
      const move = arrowMove(event, 2);
      if (move) {
        event.preventDefault();
        Object.assign(
          field,
          clampToPage(page, field.x + move[0], field.y + move[1], field.width, field.height),
        );
        placeBox(el, page, field);
        this.drawList();
        this.options.onChange?.();
      } else if (event.key === 'Delete' || event.key === 'Backspace') {
        event.preventDefault();
        this.remove(field.key);
      }
    });
    // Moving with a mouse, pen or finger: the box follows the pointer, on its page.
    on(handle, 'pointerdown', (event) => {
      if (event.button !== 0) return;
      const start = { x: event.clientX, y: event.clientY, fx: field.x, fy: field.y };
      const scale = this.pages.scale(page);
      el.classList.add('moving');
      const moveTo = (e: PointerEvent) => {
        Object.assign(
          field,
          clampToPage(
            page,
            start.fx + (e.clientX - start.x) / scale,
            start.fy + (e.clientY - start.y) / scale,
            field.width,
            field.height,
          ),
        );
        placeBox(el, page, field);
      };
      followPointer(handle, event, moveTo, (e) => {
        moveTo(e);
        el.classList.remove('moving');
        this.drawList();
        this.options.onChange?.();
      });
    });
    return el;
  }

  private drawList(): void {
    if (!this.fields.length) {
      this.list.replaceChildren(h('h3', {}, t('placed')), h('p', { class: 'muted' }, t('none')));
      return;
    }
    const rows = this.fields.map((field) => {
      const required = h('input', { type: 'checkbox', id: uid('req'), 'aria-label': t('required') });
      required.checked = field.required;
      required.disabled = ALWAYS_REQUIRED.includes(field.type) || NEVER_REQUIRED.includes(field.type);
      on(required, 'change', () => {
        field.required = required.checked;
        this.options.onChange?.();
      });
      const name = input({ value: field.name, 'aria-label': t('name'), class: 'compact', maxlength: 64 });
      on(name, 'change', () => {
        field.name = name.value.trim();
        this.options.onChange?.();
      });
      let options: HTMLInputElement | null = null;
      if (field.type === 'dropdown') {
        options = input({ value: field.options.join(', '), 'aria-label': t('options'), class: 'compact' });
        const optionsInput = options;
        on(optionsInput, 'change', () => {
          field.options = optionsInput.value
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean);
          this.options.onChange?.();
        });
      }
      return h(
        'tr',
        { 'data-field-key': field.key },
        h('td', {}, fieldTypeLabel(field.type)),
        h('td', {}, this.ownerLabel(field.owner)),
        h('td', {}, String(field.page)),
        h('td', { class: 'num' }, `${Math.round(field.x)}, ${Math.round(field.y)}`),
        h('td', {}, required),
        h('td', {}, name, options),
        h(
          'td',
          {},
          button(t('remove'), () => this.remove(field.key), { class: 'button small danger-outline' }),
        ),
      );
    });
    this.list.replaceChildren(
      h('h3', {}, t('placed')),
      scrollRegion(
        t('placed'),
        h(
          'table',
          { class: 'compact-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...[t('type'), t('owner'), t('page'), t('position'), t('required'), t('name')].map((label) =>
                h('th', { scope: 'col' }, label),
              ),
              h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('remove'))),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
    );
  }
}
