/**
 * Fields and merge fields placed on a template's pages. A type from the palette is dragged onto a
 * page (or, from the keyboard, added to the page in view); a box is moved by dragging it and
 * resized by its corner handle, or with the arrow keys (Shift: 10 points, Alt: resize). The panel
 * beside the pages edits the selected box: its type, name, role, whether it is required, its
 * validation, and its page and rectangle in points from the page's top-left corner.
 */

import { dictionary } from '../i18n';
import { append, field, h, on, uid } from '../ui';
import { placeBox } from '../../shared/pdf';
import {
  arrowMove,
  clampToPage,
  followPointer,
  pageInView,
  pageScale,
  pointOnPage,
  type PageBox,
} from '../pdf-pages';
import {
  FIELD_TYPES,
  type FieldType,
  type MergeField,
  type TemplateField,
  type TemplateRole,
} from './template-types';

const t = dictionary(
  {
    palette: 'Add a field',
    paletteHint: 'Drag a type onto a page, or press it to add it to the page in view.',
    merge: 'Merge field',
    placed: 'On the pages',
    none: 'Nothing is placed yet.',
    properties: 'Selected box',
    nothingSelected: 'Select a box on a page or in the list to edit it.',
    type: 'Type',
    name: 'Name',
    role: 'Role',
    required: 'Required',
    key: 'Merge key',
    keyHint: 'Filled from the envelope’s merge data, such as customer.name',
    fontSize: 'Font size (points)',
    pattern: 'Pattern (regular expression)',
    min: 'Minimum',
    max: 'Maximum',
    minMaxHint: 'Numbers: the value; text: the length; dates: YYYY-MM-DD',
    options: 'Options, one per line',
    page: 'Page',
    x: 'X (pt)',
    y: 'Y (pt)',
    width: 'Width (pt)',
    height: 'Height (pt)',
    pointsHint: 'In points (1/72 inch) from the page’s top-left corner.',
    remove: 'Remove this box',
    boxLabel: (p) => `${p.kind} ${p.name} on page ${p.page}${p.problem ? ' (has a problem)' : ''}`,
    field: 'Field',
    mergeKind: 'Merge field',
    moveHint: 'Arrow keys move the selected box (Shift: 10 points), Alt+arrows resize it, Delete removes it.',
    added: (p) => `${p.name} added on page ${p.page}`,
    removed: (p) => `${p.name} removed`,
    problems: 'The server refused this box:',
    readOnly: 'This version is shown read-only.',
    signature: 'Signature',
    initials: 'Initials',
    date_signed: 'Date signed',
    text: 'Text',
    number: 'Number',
    date: 'Date',
    checkbox: 'Checkbox',
    dropdown: 'Dropdown',
  },
  {
    palette: 'Añadir un campo',
    paletteHint: 'Arrastre un tipo a una página, o púlselo para añadirlo a la página visible.',
    merge: 'Campo combinado',
    placed: 'En las páginas',
    none: 'Aún no hay nada colocado.',
    properties: 'Recuadro seleccionado',
    nothingSelected: 'Seleccione un recuadro en una página o en la lista para editarlo.',
    type: 'Tipo',
    name: 'Nombre',
    role: 'Rol',
    required: 'Obligatorio',
    key: 'Clave de combinación',
    keyHint: 'Se rellena con los datos del sobre, como customer.name',
    fontSize: 'Tamaño de letra (puntos)',
    pattern: 'Patrón (expresión regular)',
    min: 'Mínimo',
    max: 'Máximo',
    minMaxHint: 'Números: el valor; texto: la longitud; fechas: AAAA-MM-DD',
    options: 'Opciones, una por línea',
    page: 'Página',
    x: 'X (pt)',
    y: 'Y (pt)',
    width: 'Ancho (pt)',
    height: 'Alto (pt)',
    pointsHint: 'En puntos (1/72 de pulgada) desde la esquina superior izquierda de la página.',
    remove: 'Quitar este recuadro',
    boxLabel: (p) => `${p.kind} ${p.name} en la página ${p.page}${p.problem ? ' (tiene un problema)' : ''}`,
    field: 'Campo',
    mergeKind: 'Campo combinado',
    moveHint:
      'Las flechas mueven el recuadro (Mayús: 10 puntos), Alt+flechas lo redimensionan, Supr lo quita.',
    added: (p) => `${p.name} añadido en la página ${p.page}`,
    removed: (p) => `${p.name} quitado`,
    problems: 'El servidor rechazó este recuadro:',
    readOnly: 'Esta versión se muestra solo para lectura.',
    signature: 'Firma',
    initials: 'Iniciales',
    date_signed: 'Fecha de firma',
    text: 'Texto',
    number: 'Número',
    date: 'Fecha',
    checkbox: 'Casilla',
    dropdown: 'Lista',
  },
);

type Kind = 'field' | 'merge';
interface Selection {
  kind: Kind;
  index: number;
}

const DEFAULT_SIZE: Record<FieldType | 'merge', [number, number]> = {
  signature: [180, 40],
  initials: [60, 30],
  date_signed: [120, 20],
  text: [180, 20],
  number: [100, 20],
  date: [120, 20],
  checkbox: [16, 16],
  dropdown: [150, 20],
  merge: [200, 16],
};
const MIN_SIZE = 6;
const round = (n: number) => Math.round(n * 10) / 10;
const clamp = (n: number, lo: number, hi: number) => Math.min(Math.max(n, lo), Math.max(lo, hi));
/** A box's top-left corner kept on its page, to a tenth of a point. */
const onPage = (page: PageBox, x: number, y: number, width: number, height: number) => {
  const at = clampToPage(page, x, y, width, height);
  return { x: round(at.x), y: round(at.y) };
};

export interface PlacerModel {
  fields: TemplateField[];
  mergeFields: MergeField[];
  roles: TemplateRole[];
}

export class FieldPlacer {
  readonly element: HTMLElement;
  private readonly listEl: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly pagesHost: HTMLElement;
  private pages: PageBox[] = [];
  private selected: Selection | null = null;
  private problems = new Map<string, string[]>();
  /** Set after a drag from the palette, so that its click does not add a second box. */
  private suppressClick = false;

  constructor(
    private readonly model: PlacerModel,
    pagesElement: HTMLElement,
    private readonly onChange: () => void,
    private readonly announce: (message: string) => void,
    private readonly readOnly = false,
  ) {
    this.listEl = h('div', { class: 'placed-list' });
    this.panel = h('div', { class: 'placer-panel', 'aria-live': 'off' });
    this.pagesHost = h('div', { class: 'placer-pages' }, pagesElement);
    const palette = this.readOnly
      ? h('p', { class: 'notice info' }, t('readOnly'))
      : h(
          'div',
          { class: 'palette', role: 'group', 'aria-label': t('palette') },
          h('h3', {}, t('palette')),
          h('p', { class: 'hint', id: 'palette-hint' }, t('paletteHint')),
          h(
            'div',
            { class: 'palette-items' },
            ...[...FIELD_TYPES, 'merge' as const].map((type) => this.paletteItem(type)),
          ),
        );
    this.element = h(
      'div',
      { class: 'placer' },
      h('aside', { class: 'placer-side' }, palette, h('h3', {}, t('placed')), this.listEl),
      this.pagesHost,
      h(
        'aside',
        { class: 'placer-props', 'aria-label': t('properties') },
        h('h3', {}, t('properties')),
        this.panel,
      ),
    );
    this.drawList();
    this.drawPanel();
  }

  /** Called once the pages are laid out: draws the boxes on them. */
  mount(pages: PageBox[]): void {
    this.pages = pages;
    this.drawBoxes();
  }

  /** The server's problems with fields (`body.fields[2].x`): the boxes are marked and the panel lists them. */
  showProblems(details: { path: string; message: string }[]): number {
    this.problems.clear();
    let placed = 0;
    for (const d of details) {
      const m = /^body\.(fields|mergeFields)\[(\d+)\]/.exec(d.path);
      if (!m) continue;
      const key = `${m[1] === 'fields' ? 'field' : 'merge'}:${m[2]}`;
      this.problems.set(key, [
        ...(this.problems.get(key) ?? []),
        `${d.path.slice(m[0].length).replace(/^\./, '') || m[1]}: ${d.message}`,
      ]);
      placed++;
    }
    this.drawBoxes();
    this.drawList();
    const first = [...this.problems.keys()][0];
    if (first) {
      const [kind, index] = first.split(':');
      this.select({ kind: kind as Kind, index: Number(index) }, true);
    }
    return placed;
  }

  // ------------------------------------------------------------------------------------------

  private items(kind: Kind): (TemplateField | MergeField)[] {
    return kind === 'field' ? this.model.fields : this.model.mergeFields;
  }

  private itemOf(sel: Selection): TemplateField | MergeField | undefined {
    return this.items(sel.kind)[sel.index];
  }

  private nameOf(kind: Kind, item: TemplateField | MergeField): string {
    return kind === 'field' ? (item as TemplateField).name : (item as MergeField).key || '…';
  }

  private typeLabel(type: FieldType | 'merge'): string {
    return type === 'merge' ? t('merge') : t(type);
  }

  private changed(): void {
    this.onChange();
  }

  private paletteItem(type: FieldType | 'merge'): HTMLElement {
    const item = h(
      'button',
      {
        type: 'button',
        class: `palette-item type-${type}`,
        'data-palette': type,
        'aria-describedby': 'palette-hint',
      },
      this.typeLabel(type),
    );
    on(item, 'click', () => {
      if (this.suppressClick) {
        this.suppressClick = false;
        return;
      }
      const page = pageInView(this.pages);
      if (!page) return;
      const [w, hgt] = DEFAULT_SIZE[type];
      this.add(type, page, page.width / 2 - w / 2, page.height / 2 - hgt / 2);
    });
    on(item, 'pointerdown', (down) => {
      if (down.button !== 0 || !this.pages.length) return;
      const startX = down.clientX;
      const startY = down.clientY;
      let ghost: HTMLElement | null = null;
      const [w, hgt] = DEFAULT_SIZE[type];
      const scale = pageScale(this.pages[0]!);
      const move = (e: PointerEvent) => {
        if (!ghost && Math.hypot(e.clientX - startX, e.clientY - startY) < 5) return;
        if (!ghost) {
          ghost = h('div', { class: `drag-ghost type-${type}`, 'aria-hidden': 'true' }, this.typeLabel(type));
          ghost.style.width = `${w * scale}px`;
          ghost.style.height = `${Math.max(hgt * scale, 18)}px`;
          document.body.append(ghost);
        }
        ghost.style.left = `${e.clientX - (w * scale) / 2}px`;
        ghost.style.top = `${e.clientY - (hgt * scale) / 2}px`;
      };
      const up = (e: PointerEvent) => {
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', up);
        window.removeEventListener('pointercancel', up);
        if (!ghost) return;
        ghost.remove();
        this.suppressClick = true;
        window.setTimeout(() => (this.suppressClick = false), 0);
        const hit = pointOnPage(this.pages, e.clientX, e.clientY);
        if (hit) this.add(type, hit.page, hit.x - w / 2, hit.y - hgt / 2);
      };
      window.addEventListener('pointermove', move);
      window.addEventListener('pointerup', up);
      window.addEventListener('pointercancel', up);
    });
    return item;
  }

  private uniqueName(type: FieldType): string {
    const names = new Set(this.model.fields.map((f) => f.name));
    for (let n = 1; ; n++) if (!names.has(`${type}_${n}`)) return `${type}_${n}`;
  }

  private defaultRole(): string {
    const roles = this.model.roles;
    return (
      (roles.find((r) => r.role === 'signer') ?? roles.find((r) => r.role !== 'carbon_copy') ?? roles[0])
        ?.name ?? ''
    );
  }

  private add(type: FieldType | 'merge', page: PageBox, x: number, y: number): void {
    const [w, hgt] = DEFAULT_SIZE[type];
    const box = {
      page: page.number,
      ...onPage(page, x, y, w, hgt),
      width: w,
      height: hgt,
    };
    let sel: Selection;
    if (type === 'merge') {
      this.model.mergeFields.push({ key: 'customer.name', ...box });
      sel = { kind: 'merge', index: this.model.mergeFields.length - 1 };
    } else {
      this.model.fields.push({
        name: this.uniqueName(type),
        type,
        role: this.defaultRole(),
        ...box,
        ...(type === 'signature' || type === 'initials' ? { required: true } : {}),
        ...(type === 'dropdown' ? { validation: { options: ['Option 1', 'Option 2'] } } : {}),
      });
      sel = { kind: 'field', index: this.model.fields.length - 1 };
    }
    this.drawBoxes();
    this.drawList();
    this.select(sel, true);
    this.announce(t('added', { name: this.nameOf(sel.kind, this.itemOf(sel)!), page: page.number }));
    this.changed();
  }

  private remove(sel: Selection): void {
    const item = this.itemOf(sel);
    if (!item) return;
    this.items(sel.kind).splice(sel.index, 1);
    this.problems.delete(`${sel.kind}:${sel.index}`);
    this.selected = null;
    this.drawBoxes();
    this.drawList();
    this.drawPanel();
    this.announce(t('removed', { name: this.nameOf(sel.kind, item) }));
    this.changed();
  }

  private select(sel: Selection | null, focusBox = false): void {
    this.selected = sel;
    for (const el of this.element.querySelectorAll<HTMLElement>('.place-box')) {
      const isOn = sel !== null && el.dataset.kind === sel.kind && Number(el.dataset.index) === sel.index;
      el.classList.toggle('selected', isOn);
      el.setAttribute('aria-pressed', String(isOn));
    }
    this.drawPanel();
    if (sel && focusBox) {
      const box = this.boxElement(sel);
      box?.scrollIntoView({ block: 'nearest' });
      box?.focus({ preventScroll: true });
    }
  }

  private boxElement(sel: Selection): HTMLElement | null {
    return this.element.querySelector<HTMLElement>(
      `.place-box[data-kind="${sel.kind}"][data-index="${sel.index}"]`,
    );
  }

  private drawBoxes(): void {
    for (const page of this.pages) page.overlays.replaceChildren();
    const draw = (kind: Kind) =>
      this.items(kind).forEach((item, index) => {
        const page = this.pages.find((p) => p.number === item.page);
        if (!page) return;
        const name = this.nameOf(kind, item);
        const problem = this.problems.has(`${kind}:${index}`);
        const isSelected = this.selected?.kind === kind && this.selected.index === index;
        const type = kind === 'field' ? (item as TemplateField).type : 'merge';
        const handle = h('span', { class: 'resize-handle', 'aria-hidden': 'true' });
        const box = h(
          'div',
          {
            class: `place-box kind-${kind} type-${type}${isSelected ? ' selected' : ''}${problem ? ' has-problem' : ''}`,
            role: 'button',
            tabindex: this.readOnly ? undefined : '0',
            'aria-pressed': String(isSelected),
            'aria-label': t('boxLabel', {
              kind: kind === 'field' ? t('field') : t('mergeKind'),
              name,
              page: item.page,
              problem: problem ? 1 : 0,
            }),
            'data-kind': kind,
            'data-index': index,
            'data-name': name,
          },
          h('span', { class: 'box-label', 'aria-hidden': 'true' }, kind === 'merge' ? `{{${name}}}` : name),
          this.readOnly ? null : handle,
        );
        placeBox(box, page, item);
        if (!this.readOnly) this.interact(box, kind, index);
        page.overlays.append(box);
      });
    draw('field');
    draw('merge');
  }

  private interact(box: HTMLElement, kind: Kind, index: number): void {
    on(box, 'focus', () => {
      if (this.selected?.kind !== kind || this.selected.index !== index) this.select({ kind, index });
    });
    on(box, 'keydown', (e) => {
      const item = this.items(kind)[index];
      if (!item) return;
      const page = this.pages.find((p) => p.number === item.page)!;
      if (e.key === 'Delete' || e.key === 'Backspace') {
        e.preventDefault();
        this.remove({ kind, index });
        return;
      }
      const arrow = arrowMove(e, 1);
      if (!arrow) return;
      const [dx, dy] = arrow;
      e.preventDefault();
      if (e.altKey) {
        item.width = round(clamp(item.width + dx, MIN_SIZE, page.width - item.x));
        item.height = round(clamp(item.height + dy, MIN_SIZE, page.height - item.y));
      } else Object.assign(item, onPage(page, item.x + dx, item.y + dy, item.width, item.height));
      placeBox(box, page, item);
      this.drawPanel();
      this.changed();
    });
    on(box, 'pointerdown', (down) => {
      if (down.button !== 0) return;
      const item = this.items(kind)[index];
      if (!item) return;
      down.preventDefault();
      box.focus({ preventScroll: true });
      if (this.selected?.kind !== kind || this.selected.index !== index) this.select({ kind, index });
      const page = this.pages.find((p) => p.number === item.page)!;
      const scale = 1 / pageScale(page);
      const resizing = (down.target as HTMLElement).classList.contains('resize-handle');
      const start = { x: down.clientX, y: down.clientY, box: { ...item } };
      let moved = false;
      box.classList.add('dragging');
      const next = { x: item.x, y: item.y, width: item.width, height: item.height };
      const move = (e: PointerEvent) => {
        const dx = (e.clientX - start.x) * scale;
        const dy = (e.clientY - start.y) * scale;
        if (!moved && Math.hypot(dx, dy) < 1) return;
        moved = true;
        if (resizing) {
          next.width = round(clamp(start.box.width + dx, MIN_SIZE, page.width - start.box.x));
          next.height = round(clamp(start.box.height + dy, MIN_SIZE, page.height - start.box.y));
        } else
          Object.assign(
            next,
            onPage(page, start.box.x + dx, start.box.y + dy, start.box.width, start.box.height),
          );
        placeBox(box, page, { ...next });
      };
      followPointer(box, down, move, (e) => {
        box.classList.remove('dragging');
        if (!moved) return;
        // Dropped over another page: the box moves there, under the pointer.
        const hit = resizing ? undefined : pointOnPage(this.pages, e.clientX, e.clientY);
        if (hit && hit.page.number !== item.page) {
          item.page = hit.page.number;
          Object.assign(
            item,
            onPage(hit.page, hit.x - item.width / 2, hit.y - item.height / 2, item.width, item.height),
          );
        } else Object.assign(item, next);
        this.drawBoxes();
        this.drawList();
        this.select({ kind, index }, true);
        this.changed();
      });
    });
  }

  private drawList(): void {
    const entries: HTMLElement[] = [];
    for (const kind of ['field', 'merge'] as const) {
      this.items(kind).forEach((item, index) => {
        const name = this.nameOf(kind, item);
        const detail =
          kind === 'field'
            ? `${this.typeLabel((item as TemplateField).type)} · ${(item as TemplateField).role} · p. ${item.page}`
            : `${t('merge')} · p. ${item.page}`;
        const b = h(
          'button',
          {
            type: 'button',
            class: `placed-item${this.problems.has(`${kind}:${index}`) ? ' has-problem' : ''}`,
            'data-kind': kind,
            'data-index': index,
          },
          h('span', { class: 'placed-name' }, name),
          h('span', { class: 'placed-detail' }, detail),
        );
        on(b, 'click', () => this.select({ kind, index }, true));
        entries.push(h('li', {}, b));
      });
    }
    this.listEl.replaceChildren(
      entries.length ? h('ul', {}, ...entries) : h('p', { class: 'muted' }, t('none')),
    );
  }

  private drawPanel(): void {
    const sel = this.selected;
    const item = sel ? this.itemOf(sel) : undefined;
    if (!sel || !item) {
      this.panel.replaceChildren(
        h('p', { class: 'muted' }, t('nothingSelected')),
        h('p', { class: 'hint' }, t('moveHint')),
      );
      return;
    }
    const disabled = this.readOnly;
    const redraw = () => {
      const box = this.boxElement(sel);
      const page = this.pages.find((p) => p.number === item.page);
      if (box && page) placeBox(box, page, item);
      this.changed();
    };
    const text = (
      label: string,
      value: string,
      set: (v: string) => void,
      opts: { hint?: string; relist?: boolean } = {},
    ) => {
      const control = h('input', { type: 'text', value, autocomplete: 'off', spellcheck: 'false', disabled });
      on(control, 'input', () => {
        set(control.value);
        if (opts.relist) {
          // The box's name, label and accessible name follow (the focus stays in this input).
          this.drawList();
          this.drawBoxes();
        }
        this.changed();
      });
      return field(label, control, opts.hint ? { hint: opts.hint } : {});
    };
    const num = (
      label: string,
      value: number | undefined,
      set: (v: number | undefined) => void,
      step = 'any',
    ) => {
      const control = h('input', {
        type: 'number',
        step,
        value: value === undefined ? '' : String(value),
        disabled,
      });
      on(control, 'input', () => {
        const n = control.value === '' ? undefined : Number(control.value);
        set(n === undefined || Number.isNaN(n) ? undefined : n);
        redraw();
      });
      return field(label, control);
    };
    const check = (label: string, value: boolean, set: (v: boolean) => void) => {
      const control = h('input', { type: 'checkbox', id: uid('chk'), disabled });
      control.checked = value;
      on(control, 'change', () => {
        set(control.checked);
        this.changed();
      });
      return h('div', { class: 'check-line' }, control, h('label', { for: control.id }, label));
    };
    const pageSelect = h(
      'select',
      { disabled },
      ...this.pages.map((p) => h('option', { value: String(p.number) }, String(p.number))),
    );
    pageSelect.value = String(item.page);
    on(pageSelect, 'change', () => {
      const page = this.pages.find((p) => p.number === Number(pageSelect.value))!;
      item.page = page.number;
      Object.assign(item, onPage(page, item.x, item.y, item.width, item.height));
      this.drawBoxes();
      this.drawList();
      this.select(sel, true);
      this.changed();
    });
    const position = h(
      'fieldset',
      { class: 'position' },
      h('legend', {}, t('page')),
      field(t('page'), pageSelect),
      h(
        'div',
        { class: 'grid two' },
        num(t('x'), item.x, (v) => (item.x = v ?? 0)),
        num(t('y'), item.y, (v) => (item.y = v ?? 0)),
        num(t('width'), item.width, (v) => (item.width = v ?? MIN_SIZE)),
        num(t('height'), item.height, (v) => (item.height = v ?? MIN_SIZE)),
      ),
      h('p', { class: 'hint' }, t('pointsHint')),
    );
    const problems = this.problems.get(`${sel.kind}:${sel.index}`);
    const problemBox = problems
      ? h(
          'div',
          { class: 'notice error', role: 'alert' },
          h('p', { class: 'notice-title' }, t('problems')),
          h('ul', {}, ...problems.map((p) => h('li', {}, p))),
        )
      : null;
    const removeButton = disabled
      ? null
      : (() => {
          const b = h(
            'button',
            { type: 'button', class: 'button small danger-outline', id: 'remove-box' },
            t('remove'),
          );
          on(b, 'click', () => this.remove(sel));
          return b;
        })();

    if (sel.kind === 'merge') {
      const m = item as MergeField;
      this.panel.replaceChildren(
        problemBox ?? '',
        text(t('key'), m.key, (v) => (m.key = v), { hint: t('keyHint'), relist: true }),
        check(t('required'), m.required !== false, (v) => {
          if (v) delete m.required;
          else m.required = false;
        }),
        num(t('fontSize'), m.fontSize, (v) => {
          if (v === undefined) delete m.fontSize;
          else m.fontSize = v;
        }),
        position,
        removeButton ?? '',
      );
      return;
    }
    const f = item as TemplateField;
    const typeSelect = h(
      'select',
      { disabled },
      ...FIELD_TYPES.map((type) => h('option', { value: type }, this.typeLabel(type))),
    );
    typeSelect.value = f.type;
    on(typeSelect, 'change', () => {
      f.type = typeSelect.value as FieldType;
      if (f.type !== 'dropdown' && f.validation?.options) delete f.validation.options;
      if (f.type === 'dropdown')
        f.validation = { ...f.validation, options: f.validation?.options ?? ['Option 1', 'Option 2'] };
      if (f.validation && Object.keys(f.validation).length === 0) delete f.validation;
      this.drawBoxes();
      this.drawList();
      this.select(sel);
      this.changed();
    });
    const roleSelect = h(
      'select',
      { disabled },
      ...[...new Set([...this.model.roles.map((r) => r.name), f.role])].map((name) =>
        h('option', { value: name }, name),
      ),
    );
    roleSelect.value = f.role;
    on(roleSelect, 'change', () => {
      f.role = roleSelect.value;
      this.drawList();
      this.changed();
    });
    const validation = (key: 'pattern' | 'min' | 'max', label: string) =>
      text(label, f.validation?.[key] === undefined ? '' : String(f.validation[key]), (v) => {
        const next = { ...f.validation };
        if (v.trim() === '') delete next[key];
        else if (key !== 'pattern' && f.type === 'number' && !Number.isNaN(Number(v))) next[key] = Number(v);
        else if (key !== 'pattern' && f.type === 'text' && /^\d+$/.test(v.trim())) next[key] = Number(v);
        else next[key] = v;
        if (Object.keys(next).length) f.validation = next;
        else delete f.validation;
      });
    const options = (() => {
      const control = h('textarea', { rows: 4, disabled }, (f.validation?.options ?? []).join('\n'));
      on(control, 'input', () => {
        const list = control.value
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean);
        f.validation = { ...f.validation, options: list };
        this.changed();
      });
      return field(t('options'), control);
    })();
    const takesValue = ['text', 'number', 'date'].includes(f.type);
    this.panel.replaceChildren();
    append(
      this.panel,
      problemBox,
      field(t('type'), typeSelect),
      text(t('name'), f.name, (v) => (f.name = v), { relist: true }),
      field(t('role'), roleSelect),
      check(t('required'), f.required === true, (v) => {
        if (v) f.required = true;
        else delete f.required;
      }),
      f.type === 'text' ? validation('pattern', t('pattern')) : null,
      takesValue
        ? h('div', { class: 'grid two' }, validation('min', t('min')), validation('max', t('max')))
        : null,
      takesValue ? h('p', { class: 'hint' }, t('minMaxHint')) : null,
      f.type === 'dropdown' ? options : null,
      position,
      removeButton,
    );
  }
}
