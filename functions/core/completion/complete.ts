import type { EnvelopeEvent, EnvelopeState } from '../envelope';
import { IncrementalPdf } from '../pdf-seal/incremental';
import type { FontSource } from '../pdf-stamp/fonts';
import { completionFiles, embedFiles } from './attachments';
import { completionCertificate } from './certificate';
import { drawCertificatePages } from './pages';

export interface CompletionOptions {
  /** The seal's claimed time: printed, and `sealedAt` of the attached record. */
  sealedAt: Date;
  fonts: FontSource;
}

/**
 * The document with its certificate of completion: the pages after its last page and the
 * attached files (`countersign-completion.json`, and `sla-terms.json` when the envelope has SLA
 * terms), in one incremental update, ready for the seal. The audit head is the state's last event.
 */
export async function addCompletion(
  pdf: Uint8Array,
  state: EnvelopeState,
  events: readonly EnvelopeEvent[],
  options: CompletionOptions,
): Promise<{ bytes: Uint8Array; pages: number }> {
  const certificate = completionCertificate(state, events, options.sealedAt);
  const files = completionFiles(certificate.record, state.slaTerms);
  const incremental = await IncrementalPdf.open(pdf);
  const pages = await drawCertificatePages(incremental.doc, certificate, options.fonts, {
    files: files.map((f) => ({ name: f.name, description: f.description })),
  });
  embedFiles(incremental.doc, files);
  return { bytes: await incremental.save(), pages };
}
