/**
 * `#/bulk-sends/:id`: a bulk send as it goes out. The bar counts the rows done (sent or failed),
 * refreshed every two seconds until every row is done; each row links to its envelope once sent
 * and says why when it failed. The page can be left and opened again: the batch goes on without it.
 */

import { dictionary } from '../i18n';
import { announce, badge, errorBox, facts, h, pageHeader, ProgressBar, scrollRegion } from '../ui';
import type { BulkSendProgress as BulkSend } from '../../../functions/core/bulk-send/shared';
import type { PageContext } from './registry';

const POLL_MS = 2000;

const t = dictionary(
  {
    title: 'Bulk send',
    progress: 'Envelopes sent',
    counts: (p) => `${p.done} of ${p.total} done: ${p.sent} sent, ${p.failed} not sent`,
    doneAll: (p) => `All ${p.n} envelopes were sent.`,
    doneSome: (p) => `${p.sent} envelopes were sent; ${p.failed} could not be, see why below.`,
    going: 'Sending goes on if you leave this page.',
    template: 'Template',
    started: 'Started',
    finished: 'Finished',
    rows: 'Envelopes of this bulk send',
    row: 'Line',
    envelope: 'Envelope',
    recipients: 'Recipients',
    status: 'Status',
    'status.pending': 'waiting',
    'status.sent': 'sent',
    'status.failed': 'not sent',
  },
  {
    title: 'Envío masivo',
    progress: 'Sobres enviados',
    counts: (p) => `${p.done} de ${p.total} hechos: ${p.sent} enviados, ${p.failed} sin enviar`,
    doneAll: (p) => `Se enviaron los ${p.n} sobres.`,
    doneSome: (p) => `Se enviaron ${p.sent} sobres; ${p.failed} no se pudieron enviar, vea abajo por qué.`,
    going: 'El envío sigue aunque salga de esta página.',
    template: 'Plantilla',
    started: 'Iniciado',
    finished: 'Terminado',
    rows: 'Sobres de este envío masivo',
    row: 'Línea',
    envelope: 'Sobre',
    recipients: 'Destinatarios',
    status: 'Estado',
    'status.pending': 'en espera',
    'status.sent': 'enviado',
    'status.failed': 'sin enviar',
  },
);

export function render(ctx: PageContext): () => void {
  const id = ctx.params.id!;
  const bar = new ProgressBar(t('progress'));
  const summary = h('div', { id: 'bulk-summary' });
  const table = h('div');
  ctx.root.append(pageHeader(t('title')), h('section', { class: 'card' }, bar.element, summary), table);
  bar.set(undefined);
  let timer: number | undefined;
  let announced = false;

  async function poll(): Promise<void> {
    let batch: BulkSend;
    try {
      batch = await ctx.api.get<BulkSend>(`/v1/bulk-sends/${encodeURIComponent(id)}`, undefined, {
        signal: ctx.signal,
      });
    } catch (err) {
      if (!ctx.signal.aborted) summary.replaceChildren(errorBox(err));
      return;
    }
    draw(batch);
    if (batch.status !== 'done' && !ctx.signal.aborted) timer = window.setTimeout(() => void poll(), POLL_MS);
  }

  function draw(batch: BulkSend): void {
    const done = batch.sent + batch.failed;
    bar.set(
      batch.total ? done / batch.total : 1,
      t('counts', { done, total: batch.total, sent: batch.sent, failed: batch.failed }),
    );
    const finished = batch.status === 'done';
    const verdict = finished
      ? batch.failed
        ? t('doneSome', { sent: batch.sent, failed: batch.failed })
        : t('doneAll', { n: batch.total })
      : t('going');
    summary.replaceChildren(
      h(
        'p',
        { class: `notice ${finished ? (batch.failed ? 'error' : 'success') : 'info'}`, id: 'bulk-verdict' },
        verdict,
      ),
      facts([
        [t('template'), `${batch.template.name} (v${batch.template.version})`],
        [t('started'), new Date(batch.createdAt).toLocaleString()],
        [t('finished'), batch.finishedAt ? new Date(batch.finishedAt).toLocaleString() : ''],
      ]),
    );
    if (finished && !announced) {
      announced = true;
      announce(verdict);
    }
    table.replaceChildren(
      h(
        'section',
        { class: 'card' },
        scrollRegion(
          t('rows'),
          h(
            'table',
            { class: 'table', id: 'bulk-rows-table' },
            h('caption', {}, t('rows')),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...[t('row'), t('envelope'), t('recipients'), t('status')].map((c) =>
                  h('th', { scope: 'col' }, c),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              ...batch.rows.map((r) =>
                h(
                  'tr',
                  { 'data-status': r.status },
                  h('td', {}, String(r.row + 1)),
                  h(
                    'td',
                    {},
                    r.status === 'sent'
                      ? h('a', { href: `#/envelopes/${encodeURIComponent(r.envelopeId)}` }, r.title)
                      : r.title,
                  ),
                  h('td', {}, r.recipients.map((p) => p.email ?? p.name ?? p.role).join(', ')),
                  h(
                    'td',
                    {},
                    badge(
                      r.status === 'sent' ? 'sent' : r.status === 'failed' ? 'declined' : 'draft',
                      t(`status.${r.status}`),
                    ),
                    r.error ? h('p', { class: 'hint' }, r.error) : '',
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  void poll();
  return () => window.clearTimeout(timer);
}
