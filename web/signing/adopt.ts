/**
 * Adopting a signature (or initials): typed, shown in a handwriting font as the server draws it,
 * or drawn on a pad. Typing is the default, so a keyboard alone can sign; drawing is a choice.
 */

import type { SignatureInput } from './api';
import { h, on, uid } from './dom';
import { t } from './i18n';
import { SignaturePad } from './signature-pad';
import { MAX_INITIALS_TEXT, MAX_SIGNATURE_TEXT } from './validation';

export type Preview = { kind: 'text'; text: string } | { kind: 'image'; src: string };

export class Adopter {
  mode: 'typed' | 'drawn' = 'typed';
  text: string;
  readonly pad: SignaturePad;
  private error = '';
  private errorEl: HTMLElement | undefined;
  private inputEl: HTMLInputElement | undefined;
  private preview: string | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly kind: 'signature' | 'initials',
    defaultText: string,
  ) {
    this.text = defaultText;
    this.pad = new SignaturePad(
      t(kind === 'signature' ? 'sig.pad' : 'sig.padInitials'),
      kind === 'signature' ? 3 : 2,
    );
    this.pad.onChange(() => {
      this.preview = this.pad.toDataUrl();
      if (this.preview) this.setError('');
      this.changed();
    });
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private get max(): number {
    return this.kind === 'signature' ? MAX_SIGNATURE_TEXT : MAX_INITIALS_TEXT;
  }

  /** What the request carries, or undefined when nothing is adopted yet. */
  value(): SignatureInput | undefined {
    if (this.mode === 'typed') {
      const text = this.text.trim();
      return text && [...text].length <= this.max ? { type: 'typed', text } : undefined;
    }
    const png = this.pad.toPngBase64();
    return png ? { type: 'drawn', pngBase64: png } : undefined;
  }

  /** What the field on the page shows. */
  previewOf(): Preview | null {
    if (this.mode === 'typed') {
      const text = this.text.trim();
      return text ? { kind: 'text', text } : null;
    }
    return this.preview ? { kind: 'image', src: this.preview } : null;
  }

  /** Checks that something is adopted; shows why not. */
  check(): boolean {
    if (this.mode === 'typed' && [...this.text.trim()].length > this.max) {
      this.setError(t('sig.tooLong', { max: this.max }));
      return false;
    }
    if (this.value()) return true;
    const signature = this.kind === 'signature';
    this.setError(
      t(
        this.mode === 'typed'
          ? signature
            ? 'sig.emptyTyped'
            : 'sig.emptyInitialsTyped'
          : signature
            ? 'sig.emptyDrawn'
            : 'sig.emptyInitialsDrawn',
      ),
    );
    return false;
  }

  /** A message from the server about this signature. */
  setError(message: string): void {
    this.error = message;
    if (!this.errorEl) return;
    this.errorEl.textContent = message;
    this.errorEl.hidden = !message;
    this.inputEl?.setAttribute('aria-invalid', message ? 'true' : 'false');
  }

  /** Moves focus to the control that adopts: the text box, or the chosen mode. */
  focus(): void {
    const target =
      this.mode === 'typed'
        ? this.inputEl
        : (this.errorEl?.parentElement?.querySelector<HTMLInputElement>('input[type=radio]:checked') ??
          undefined);
    target?.focus();
    target?.scrollIntoView({ block: 'center' });
  }

  render(): HTMLElement {
    const signature = this.kind === 'signature';
    const name = uid(this.kind);
    const headingId = uid('adopt-h');
    const inputId = uid('adopt-text');
    const previewId = uid('adopt-preview');
    const errorId = uid('adopt-error');
    const radio = (mode: 'typed' | 'drawn', label: string) => {
      const input = h('input', {
        type: 'radio',
        name,
        value: mode,
        id: `${name}-${mode}`,
        checked: this.mode === mode,
        'data-mode': mode,
      });
      on(input, 'change', () => {
        if (!input.checked) return;
        this.mode = mode;
        this.setError('');
        typedPart.hidden = mode !== 'typed';
        drawnPart.hidden = mode !== 'drawn';
        this.changed();
      });
      return h('label', { class: 'segment', for: `${name}-${mode}` }, input, h('span', {}, label));
    };

    const input = h('input', {
      id: inputId,
      type: 'text',
      class: 'text-input',
      autocomplete: signature ? 'name' : 'off',
      maxlength: this.max,
      spellcheck: 'false',
      'aria-describedby': `${previewId} ${errorId}`,
      'data-adopt': this.kind,
    });
    input.value = this.text;
    this.inputEl = input;
    const previewText = h('span', { class: 'script' }, this.text);
    const previewBox = h(
      'div',
      {
        class: `adopt-preview ${this.kind}`,
        id: previewId,
        role: 'img',
        'aria-label': t(signature ? 'sig.previewOf' : 'sig.previewInitials', { text: this.text }),
      },
      previewText,
    );
    on(input, 'input', () => {
      this.text = input.value;
      previewText.textContent = input.value;
      previewBox.setAttribute(
        'aria-label',
        t(signature ? 'sig.previewOf' : 'sig.previewInitials', { text: input.value }),
      );
      if (input.value.trim()) this.setError('');
      this.changed();
    });
    const typedPart = h(
      'div',
      { class: 'adopt-typed', hidden: this.mode !== 'typed' },
      h('label', { for: inputId }, t(signature ? 'sig.typeLabel' : 'sig.initialsLabel')),
      input,
      h('p', { class: 'preview-label', 'aria-hidden': 'true' }, t('sig.preview')),
      previewBox,
    );

    this.pad.setLabel(t(signature ? 'sig.pad' : 'sig.padInitials'));
    const clear = h(
      'button',
      { type: 'button', class: 'button secondary small', 'data-clear': this.kind },
      t('sig.clear'),
    );
    on(clear, 'click', () => this.pad.clear());
    const drawnPart = h(
      'div',
      { class: 'adopt-drawn', hidden: this.mode !== 'drawn' },
      h('p', {}, t(signature ? 'sig.drawLabel' : 'sig.drawInitialsLabel')),
      h('div', { class: `pad ${this.kind}`, 'data-pad': this.kind }, this.pad.canvas),
      h('div', { class: 'pad-actions' }, h('p', { class: 'hint' }, t('sig.drawKeyboard')), clear),
    );

    const errorEl = h('p', { class: 'field-error', id: errorId, hidden: !this.error }, this.error);
    this.errorEl = errorEl;
    return h(
      'section',
      { class: 'card adopt', 'aria-labelledby': headingId, 'data-adopter': this.kind },
      h('h2', { id: headingId }, t(signature ? 'sig.title' : 'sig.initialsTitle')),
      h(
        'fieldset',
        { class: 'segments' },
        h('legend', {}, t(signature ? 'sig.mode' : 'sig.initialsMode')),
        radio('typed', t('sig.type')),
        radio('drawn', t('sig.draw')),
      ),
      typedPart,
      drawnPart,
      errorEl,
    );
  }
}
