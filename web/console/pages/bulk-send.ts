/**
 * `#/send/bulk`: one template to many parties. The sender picks the template and version, gets a
 * spreadsheet to fill (a column per role's name and e-mail and per merge field), drops the filled
 * CSV, sees its rows and what is wrong with them by line, sets the title (with `{{merge.key}}`
 * placeholders), reminders and expiry, and sends. The server checks every row again and sends
 * nothing if one is wrong; otherwise the page opens the batch's progress (`#/bulk-sends/:id`).
 */

import { ApiError } from '../api';
import { columnsOf, csvExample, lineOfPath, rowsFromCsv, type BulkRow } from '../bulk-rows';
import { SettingsControls } from '../forms';
import { dictionary } from '../i18n';
import { TemplatePicker } from '../template-picker';
import { button, errorBox, field, h, input, on, pageHeader, saveFile, scrollRegion, uid } from '../ui';
import type { PageContext } from './registry';
import type { Template } from './template-types';

const MAX_FILE_BYTES = 2 * 1024 * 1024;

const t = dictionary(
  {
    title: 'Bulk send',
    list: 'Parties',
    listHint:
      'One line per envelope. Download the spreadsheet for this template, fill one line per party, save it as CSV and choose it here.',
    example: 'Download the spreadsheet (CSV)',
    file: 'Filled spreadsheet (CSV)',
    tooBig: 'The file is over 2 MB: split the list into several bulk sends.',
    notCsv: 'Choose a CSV file (comma-separated values).',
    rows: (p) => `${p.n} ${p.n === 1 ? 'envelope' : 'envelopes'} to send`,
    firstRows: (p) => `The first ${p.n} lines`,
    line: 'Line',
    problems: (p) => `${p.n} ${p.n === 1 ? 'problem' : 'problems'} to fix in the file`,
    more: (p) => `…and ${p.n} more`,
    envelope: 'Envelope',
    titleLabel: 'Title of each envelope',
    titleHint: 'Write {{key}} to put a line’s value in, such as {{customer.name}}.',
    send: 'Send to every party',
    sending: 'Checking and sending…',
    refused: 'Nothing was sent',
    pickFile: 'Choose the filled spreadsheet first.',
    fixFile: 'Fix the file and choose it again.',
  },
  {
    title: 'Envío masivo',
    list: 'Destinatarios',
    listHint:
      'Una línea por sobre. Descargue la hoja de cálculo de esta plantilla, rellene una línea por destinatario, guárdela como CSV y elíjala aquí.',
    example: 'Descargar la hoja de cálculo (CSV)',
    file: 'Hoja de cálculo rellenada (CSV)',
    tooBig: 'El archivo supera los 2 MB: divida la lista en varios envíos.',
    notCsv: 'Elija un archivo CSV (valores separados por comas).',
    rows: (p) => `${p.n} ${p.n === 1 ? 'sobre' : 'sobres'} por enviar`,
    firstRows: (p) => `Las primeras ${p.n} líneas`,
    line: 'Línea',
    problems: (p) => `${p.n} ${p.n === 1 ? 'problema' : 'problemas'} que corregir en el archivo`,
    more: (p) => `…y ${p.n} más`,
    envelope: 'Sobre',
    titleLabel: 'Título de cada sobre',
    titleHint: 'Escriba {{clave}} para poner el valor de la línea, como {{customer.name}}.',
    send: 'Enviar a todos',
    sending: 'Comprobando y enviando…',
    refused: 'No se envió nada',
    pickFile: 'Primero elija la hoja de cálculo rellenada.',
    fixFile: 'Corrija el archivo y vuelva a elegirlo.',
  },
);

export async function render(ctx: PageContext): Promise<void> {
  const body = h('div', { class: 'template-body' });
  const picker = new TemplatePicker(ctx, '/send/bulk', drawForm, () => body.replaceChildren());
  ctx.root.append(pageHeader(t('title')), picker.element, body);
  await picker.start();

  function drawForm(tpl: Template): void {
    let rows: BulkRow[] = [];
    // One key per batch on this page: a send retried after a lost answer is the same batch.
    let key = crypto.randomUUID();
    const columns = columnsOf(tpl);

    const fileInput = input({ type: 'file', accept: '.csv,text/csv', id: 'bulk-file' });
    const fileStatus = h('div', { id: 'bulk-rows', 'aria-live': 'polite' });
    const listHeading = uid('list');
    const listCard = h(
      'section',
      { class: 'card', 'aria-labelledby': listHeading },
      h('h2', { id: listHeading }, t('list')),
      h('p', { class: 'hint' }, t('listHint')),
      h(
        'div',
        { class: 'actions' },
        button(t('example'), () => saveFile(csvExample(tpl), `${tpl.name} - bulk send.csv`, 'text/csv'), {
          id: 'bulk-example',
        }),
      ),
      field(t('file'), fileInput),
      fileStatus,
    );
    on(fileInput, 'change', () => void readFile());

    const firstKey = columns.merge[0]?.key;
    const title = input({
      id: 'bulk-title',
      maxlength: 200,
      value: firstKey ? `${tpl.name} — {{${firstKey}}}` : tpl.name,
    });
    const detailsHeading = uid('details');
    const detailsCard = h(
      'section',
      { class: 'card', 'aria-labelledby': detailsHeading },
      h('h2', { id: detailsHeading }, t('titleLabel')),
      field(t('titleLabel'), title, { hint: t('titleHint'), required: true }),
    );
    const settings = new SettingsControls();
    void settings.showDefaults(ctx.api, ctx.signal, tpl.settings);

    const outcome = h('div', { class: 'outcome' });
    const send = h('button', { type: 'submit', class: 'button primary', id: 'bulk-send' }, t('send'));
    const form = h(
      'form',
      { class: 'send-form', novalidate: true },
      listCard,
      detailsCard,
      settings.element,
      h('div', { class: 'card submit-card' }, outcome, h('div', { class: 'actions' }, send)),
    );
    body.replaceChildren(form);
    on(form, 'submit', (event) => {
      event.preventDefault();
      void submit();
    });

    async function readFile(): Promise<void> {
      rows = [];
      key = crypto.randomUUID();
      outcome.replaceChildren();
      const file = fileInput.files?.[0];
      if (!file) return fileStatus.replaceChildren();
      if (file.size > MAX_FILE_BYTES) return fileStatus.replaceChildren(notice(t('tooBig')));
      if (!/\.csv$/i.test(file.name) && !/csv|text\/plain/.test(file.type)) {
        return fileStatus.replaceChildren(notice(t('notCsv')));
      }
      const parsed = rowsFromCsv(await file.text(), tpl);
      if (parsed.problems.length) {
        return fileStatus.replaceChildren(problemList(parsed.problems));
      }
      rows = parsed.rows;
      fileStatus.replaceChildren(
        h('p', { class: 'notice info', role: 'status' }, t('rows', { n: rows.length })),
        preview(rows),
      );
    }

    function preview(list: BulkRow[]): HTMLElement {
      const shown = list.slice(0, 5);
      const table = h(
        'table',
        { class: 'table' },
        h('caption', {}, t('firstRows', { n: shown.length })),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('line')),
            ...columns.roles.map((r) => h('th', { scope: 'col' }, r.role)),
          ),
        ),
        h(
          'tbody',
          {},
          ...shown.map((row, i) =>
            h(
              'tr',
              {},
              h('td', {}, String(i + 2)),
              ...columns.roles.map((r) =>
                h('td', {}, `${row.roles[r.role]!.name} <${row.roles[r.role]!.email}>`),
              ),
            ),
          ),
        ),
      );
      return scrollRegion(t('firstRows', { n: shown.length }), table);
    }

    async function submit(): Promise<void> {
      outcome.replaceChildren();
      if (!rows.length) {
        outcome.replaceChildren(notice(fileInput.files?.length ? t('fixFile') : t('pickFile')));
        fileInput.focus();
        return;
      }
      if (!settings.check()) {
        settings.element.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
        return;
      }
      send.disabled = true;
      send.textContent = t('sending');
      try {
        const batch = await ctx.api.post<{ id: string }>(
          '/v1/bulk-sends',
          {
            template: { id: tpl.id, version: tpl.version },
            title: title.value.trim() || tpl.name,
            rows,
            ...settings.value(),
          },
          { signal: ctx.signal, idempotencyKey: key, retries: 2 },
        );
        ctx.navigate(`/bulk-sends/${encodeURIComponent(batch.id)}`);
      } catch (err) {
        if (ctx.signal.aborted) return;
        const details = err instanceof ApiError ? err.details : [];
        const byLine = details
          .map((d) => ({
            line: lineOfPath(d.path),
            message: `${d.path.replace(/^body\.rows\[\d+\]\./, '')}: ${d.message}`,
          }))
          .filter((d): d is { line: number; message: string } => d.line !== undefined);
        outcome.replaceChildren(errorBox(err, t('refused')), byLine.length ? problemList(byLine) : '');
        outcome.querySelector<HTMLElement>('.notice-title')?.focus();
      } finally {
        send.disabled = false;
        send.textContent = t('send');
      }
    }
  }
}

function notice(message: string): HTMLElement {
  return h('p', { class: 'notice error', role: 'alert' }, message);
}

function problemList(problems: { line: number; message: string }[]): HTMLElement {
  const shown = problems.slice(0, 20);
  return h(
    'div',
    { class: 'notice error', role: 'alert', id: 'bulk-problems' },
    h('p', { class: 'notice-title' }, t('problems', { n: problems.length })),
    h(
      'ul',
      {},
      ...shown.map((p) => h('li', {}, `${t('line')} ${p.line}: ${p.message}`)),
      problems.length > shown.length ? h('li', {}, t('more', { n: problems.length - shown.length })) : '',
    ),
  );
}
