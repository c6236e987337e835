/**
 * `#/verify`: drop a PDF (and, if at hand, its signed audit export) to check its seal. Up to 3 MB
 * the PDF goes inline; larger ones through a presigned upload with a progress bar. The verdict —
 * valid, tampered or unsealed — comes with the signer's certificate, the signing and timestamp
 * times, and every problem found.
 */

import { checkPdf, dropZone, MAX_INLINE_BYTES, put, toBase64, uploadingLabel } from '../files';
import { dictionary, formatBytes, formatDateTime } from '../i18n';
import type { UploadTicket, VerificationReport } from '../types';
import {
  badge,
  busy,
  button,
  errorBox,
  facts,
  field,
  fieldError,
  h,
  on,
  pageHeader,
  ProgressBar,
  uid,
} from '../ui';
import type { PageContext } from './registry';

const t = dictionary(
  {
    title: 'Verify a signed PDF',
    intro:
      'Check that a PDF completed here is intact and sealed: drop it below. The file is checked by the server and not kept.',
    pdf: 'PDF to verify',
    audit: 'Audit export (optional)',
    auditHint: 'The JSON from “Download the signed audit export”, to check it against the PDF.',
    auditInvalid: 'This file is not an audit export (JSON).',
    verify: 'Verify',
    verifying: 'Verifying…',
    result: 'Result',
    'verdict.valid': 'Seal valid',
    'verdict.tampered': 'Tampered or invalid',
    'verdict.unsealed': 'Not sealed',
    'explain.valid': 'Every signature is intact: the document has not changed since it was sealed.',
    'explain.tampered':
      'A check failed: the document changed after it was sealed, or a signature does not verify.',
    'explain.unsealed': 'The PDF has no signature to check.',
    file: 'File',
    fileFacts: (p) => `${p.name} · ${p.size} · ${p.pages} ${Number(p.pages) === 1 ? 'page' : 'pages'}`,
    sha256: 'SHA-256',
    signature: (p) => `Signature ${p.n}`,
    signedAt: 'Signed at',
    timestamp: 'Timestamp',
    signer: 'Signer certificate',
    issuer: 'Issued by',
    validity: 'Valid',
    validityRange: (p) => `${p.from} – ${p.to}`,
    keyAlgorithm: 'Key',
    serial: 'Serial number',
    fingerprint: 'Certificate SHA-256',
    intact: 'Intact',
    yes: 'Yes',
    no: 'No',
    auditResult: 'Audit export',
    auditOk: (p) => `Valid: ${p.n} events, signed, and matches the PDF.`,
    auditBad: 'Does not check out.',
    problems: 'Problems found',
    notes: 'Notes',
    choosePdf: 'Choose the PDF to verify.',
  },
  {
    title: 'Verificar un PDF firmado',
    intro:
      'Compruebe que un PDF completado aquí está íntegro y sellado: suéltelo abajo. El servidor lo comprueba y no lo guarda.',
    pdf: 'PDF que verificar',
    audit: 'Exportación de auditoría (opcional)',
    auditHint: 'El JSON de «Descargar la exportación firmada de la auditoría», para cotejarlo con el PDF.',
    auditInvalid: 'Este archivo no es una exportación de auditoría (JSON).',
    verify: 'Verificar',
    verifying: 'Verificando…',
    result: 'Resultado',
    'verdict.valid': 'Sello válido',
    'verdict.tampered': 'Alterado o no válido',
    'verdict.unsealed': 'Sin sellar',
    'explain.valid': 'Todas las firmas están íntegras: el documento no ha cambiado desde que se selló.',
    'explain.tampered':
      'Una comprobación falló: el documento cambió después de sellarse, o una firma no se verifica.',
    'explain.unsealed': 'El PDF no tiene ninguna firma que comprobar.',
    file: 'Archivo',
    fileFacts: (p) => `${p.name} · ${p.size} · ${p.pages} ${Number(p.pages) === 1 ? 'página' : 'páginas'}`,
    sha256: 'SHA-256',
    signature: (p) => `Firma ${p.n}`,
    signedAt: 'Firmado el',
    timestamp: 'Sello de tiempo',
    signer: 'Certificado del firmante',
    issuer: 'Emitido por',
    validity: 'Válido',
    validityRange: (p) => `${p.from} – ${p.to}`,
    keyAlgorithm: 'Clave',
    serial: 'Número de serie',
    fingerprint: 'SHA-256 del certificado',
    intact: 'Íntegra',
    yes: 'Sí',
    no: 'No',
    auditResult: 'Exportación de auditoría',
    auditOk: (p) => `Válida: ${p.n} eventos, firmada y coincide con el PDF.`,
    auditBad: 'No se verifica.',
    problems: 'Problemas encontrados',
    notes: 'Notas',
    choosePdf: 'Elija el PDF que quiere verificar.',
  },
);

export function render(ctx: PageContext): void {
  let pdf: { file: File; bytes: Uint8Array } | undefined;
  let auditExport: unknown;
  let report: VerificationReport | undefined;

  const pdfMessage = h('div');
  const chosen = h('p', { class: 'chosen', hidden: true });
  const zone = dropZone('verify-file', (file) => void pickPdf(file));
  const auditInput = h('input', { type: 'file', id: 'verify-audit', accept: 'application/json,.json' });
  const auditChosen = h('p', { class: 'muted small', hidden: true });
  const progress = new ProgressBar(uploadingLabel());
  const resultSlot = h('div', { id: 'verify-result', 'aria-live': 'polite' });
  const errorSlot = h('div');
  const verifyButton = button(t('verify'), () => void verify(), {
    class: 'button primary',
    id: 'verify-button',
  });
  const pdfHeading = uid('pdf');

  ctx.root.append(
    pageHeader(t('title')),
    h(
      'section',
      { class: 'card', 'aria-labelledby': pdfHeading },
      h('h2', { id: pdfHeading }, t('pdf')),
      h('p', {}, t('intro')),
      zone.element,
      pdfMessage,
      chosen,
      field(t('audit'), auditInput, { hint: t('auditHint') }),
      auditChosen,
      progress.element,
      errorSlot,
      h('div', { class: 'actions' }, verifyButton),
    ),
    resultSlot,
  );

  on(auditInput, 'change', () => {
    const file = auditInput.files?.[0];
    fieldError(auditInput);
    auditExport = undefined;
    auditChosen.hidden = true;
    if (!file) return;
    void file
      .text()
      .then((text) => {
        const parsed = JSON.parse(text) as { format?: string };
        if (parsed?.format !== 'countersign-audit/1') throw new Error('format');
        auditExport = parsed;
        auditChosen.hidden = false;
        auditChosen.textContent = `${file.name} · ${formatBytes(file.size)}`;
      })
      .catch(() => fieldError(auditInput, t('auditInvalid')));
  });

  async function pickPdf(file: File): Promise<void> {
    pdfMessage.replaceChildren();
    fieldError(zone.input);
    const result = await checkPdf(file);
    if (!result.ok) {
      pdf = undefined;
      chosen.hidden = true;
      pdfMessage.replaceChildren(
        h('p', { class: 'notice error', role: 'alert', 'data-error': 'file' }, result.message),
      );
      return;
    }
    pdf = { file: result.file, bytes: result.bytes };
    chosen.hidden = false;
    chosen.textContent = `${file.name} · ${formatBytes(file.size)}`;
    // Dropping a file is asking to check it.
    await verify();
  }

  async function verify(): Promise<void> {
    errorSlot.replaceChildren();
    if (!pdf) {
      fieldError(zone.input, t('choosePdf'));
      zone.input.focus();
      return;
    }
    const current = pdf;
    resultSlot.replaceChildren(h('p', { role: 'status', class: 'loading' }, t('verifying')));
    await busy(
      verifyButton,
      async () => {
        const extra = auditExport ? { audit: auditExport } : {};
        if (current.bytes.length <= MAX_INLINE_BYTES) {
          report = await ctx.api.post<VerificationReport>(
            '/v1/verify',
            { contentBase64: toBase64(current.bytes), ...extra },
            { signal: ctx.signal, idempotencyKey: false },
          );
        } else {
          const ticket = await ctx.api.post<UploadTicket>(
            '/v1/verify/uploads',
            { contentType: 'application/pdf', size: current.bytes.length },
            { signal: ctx.signal, idempotencyKey: false },
          );
          await put(ticket, current.bytes, progress, ctx.signal);
          report = await ctx.api.post<VerificationReport>(
            '/v1/verify',
            { uploadId: ticket.uploadId, ...extra },
            { signal: ctx.signal, idempotencyKey: false },
          );
        }
        showReport(report, current.file);
      },
      (err) => {
        resultSlot.replaceChildren();
        errorSlot.replaceChildren(errorBox(err));
      },
    );
  }

  function showReport(r: VerificationReport, file: File): void {
    const headingId = uid('result');
    const yesNo = (b: boolean) => (b ? t('yes') : t('no'));
    resultSlot.replaceChildren(
      h(
        'section',
        {
          class: `card verdict-card verdict-${r.verdict}`,
          'aria-labelledby': headingId,
          'data-verdict': r.verdict,
        },
        h(
          'div',
          { class: 'step-head' },
          h('h2', { id: headingId }, t('result')),
          badge(r.verdict, t(`verdict.${r.verdict}`)),
        ),
        h('p', { class: 'verdict-text' }, t(`explain.${r.verdict}`)),
        facts([
          [
            t('file'),
            t('fileFacts', { name: file.name, size: formatBytes(r.file.size), pages: r.file.pages ?? '?' }),
          ],
          [t('sha256'), h('code', {}, r.file.sha256)],
        ]),
        ...r.signatures.map((s) =>
          h(
            'div',
            { class: 'signature-report', 'data-signature': s.index },
            h(
              'h3',
              {},
              t('signature', { n: s.index }),
              ' ',
              badge(s.intact ? 'valid' : 'tampered', `${t('intact')}: ${yesNo(s.intact)}`),
            ),
            facts([
              [t('signedAt'), formatDateTime(s.signedAt ?? undefined)],
              [
                t('timestamp'),
                s.timestamp?.genTime
                  ? `${formatDateTime(s.timestamp.genTime)}${s.timestamp.tsaName ? ` · ${s.timestamp.tsaName}` : ''}`
                  : '',
              ],
              [t('signer'), s.signer?.subject ?? ''],
              [t('issuer'), s.signer?.issuer ?? ''],
              [
                t('validity'),
                s.signer
                  ? t('validityRange', {
                      from: formatDateTime(s.signer.notBefore),
                      to: formatDateTime(s.signer.notAfter),
                    })
                  : '',
              ],
              [t('keyAlgorithm'), s.signer?.keyAlgorithm ?? ''],
              [t('serial'), s.signer ? h('code', {}, s.signer.serialNumber) : ''],
              [t('fingerprint'), s.signer ? h('code', {}, s.signer.sha256) : ''],
            ]),
          ),
        ),
        r.audit
          ? h(
              'div',
              { class: 'audit-report' },
              h('h3', {}, t('auditResult')),
              h('p', {}, r.audit.valid ? t('auditOk', { n: r.audit.events }) : t('auditBad')),
            )
          : null,
        r.problems.length
          ? h(
              'div',
              { class: 'notice error' },
              h('p', { class: 'notice-title' }, t('problems')),
              h('ul', {}, ...r.problems.map((p) => h('li', {}, p))),
            )
          : null,
        r.notes.length
          ? h(
              'div',
              { class: 'notice' },
              h('p', { class: 'notice-title' }, t('notes')),
              h('ul', {}, ...r.notes.map((n) => h('li', {}, n))),
            )
          : null,
      ),
    );
  }
}
