/**
 * The "Import tickets" card of a contract's page (`#/contracts/:id`), for the roles that may add
 * tickets (admin, sender, support-manager, legal): a support tool's export (JSON Lines, Zendesk,
 * Jira Service Management, a ServiceNow incident log) is read in the browser, split into chunks
 * the API takes (ticket-chunks.ts) and sent one chunk after another to
 * `POST /v1/contracts/{id}/tickets`, with a progress bar, then a summary of what was merged.
 *
 * Each chunk carries an Idempotency-Key made of the import's own id and the SHA-256 of what it
 * sends, so that a retry after a lost answer gets the first answer back instead of counting the
 * chunk's tickets as unchanged; a later import of the same file gets new keys (a replayed key
 * would answer the first import's figures). A refused chunk stops the import: the API stores
 * nothing of a request it refuses, and chunks sent again are merged and change nothing.
 *
 * When tickets were created or updated the page is drawn again, so that its SLA figures include
 * them; the summary is kept across that and shown again in the new card.
 */

import { ApiError } from '../api';
import { dictionary, formatBytes, lang } from '../i18n';
import {
  CHUNK_BYTES,
  ChunkError,
  chunkTickets,
  fileNumber,
  type ChunkFormat,
  type ChunkProblem,
  type TicketChunk,
  type Where,
} from '../ticket-chunks';
import { announce, append, errorBox, facts, field, fieldError, h, on, ProgressBar, select, uid } from '../ui';
import type { PageContext } from './registry';

/** The largest export read in the browser. */
export const MAX_FILE_BYTES = 200 * 1024 * 1024;
/** The roles the API lets add tickets. */
const INGEST_ROLES = ['admin', 'sender', 'support-manager', 'legal'];
const FORMATS: ChunkFormat[] = ['jsonl', 'zendesk', 'jsm', 'servicenow'];
/** Skipped rows listed in the summary; the others are counted. */
const SKIPPED_SHOWN = 10;

interface SkippedRow {
  row: number;
  ticket: string;
  reason: string;
}

interface IngestAnswer {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: SkippedRow[];
  alerted: number;
}

interface Totals extends Omit<IngestAnswer, 'skipped'> {
  /** The first skipped rows, numbered as in the file. */
  skipped: SkippedRow[];
  skippedCount: number;
}

interface Outcome {
  kind: 'done' | 'stopped' | 'failed';
  file: { name: string; size: number };
  chunks: number;
  /** Chunks imported. */
  sent: number;
  totals: Totals;
  /** Why chunk `sent + 1` was not imported (`failed`). */
  error?: unknown;
  /** The chunk that failed: where it is in the file. */
  failedChunk?: Pick<TicketChunk, 'unit' | 'first' | 'last' | 'offset'>;
  /** Whether the page was drawn again to show the new figures. */
  refreshed: boolean;
}

const t = dictionary(
  {
    title: 'Import tickets',
    intro:
      'Add tickets from a support tool’s export. They are checked against the contract’s terms and merged with the tickets already here by ticket id and event time: importing a file again changes nothing.',
    format: 'Format',
    jsonl: 'JSON Lines (ticket timelines)',
    zendesk: 'Zendesk (tickets with audits, JSON)',
    jsm: 'Jira Service Management (issues with changelog, JSON)',
    servicenow: 'ServiceNow (incident event log, CSV)',
    zone: 'Time zone of the log',
    zoneHint:
      'ServiceNow writes times without an offset: the IANA zone they were recorded in, e.g. America/Sao_Paulo.',
    zoneMissing: 'Enter the time zone the log’s times were recorded in.',
    zoneInvalid: (p) => `“${p.zone}” is not an IANA time zone (such as Europe/Paris).`,
    drop: 'Drop the export here, or',
    choose: 'choose a file',
    fileHint: (p) =>
      `Text in UTF-8 (.jsonl, .json or .csv), up to ${p.max}. It is sent in chunks of at most ${p.chunk}.`,
    chosen: (p) => `${p.name} · ${p.size}`,
    chooseFile: 'Choose the export to import.',
    empty: (p) => `“${p.name}” is empty.`,
    tooLarge: (p) =>
      `“${p.name}” is ${p.size}; an export can be at most ${p.max}. Split it and import the parts.`,
    notText: (p) =>
      `“${p.name}” is not a text file. Choose the export as JSON Lines, JSON or CSV (a zip must be extracted first).`,
    notUtf8: (p) => `“${p.name}” is not UTF-8 text. Save it as UTF-8 and choose it again.`,
    unreadable: (p) => `“${p.name}” could not be read.`,
    import: 'Import',
    stop: 'Stop after this chunk',
    stopping: 'Stopping after this chunk…',
    progress: 'Import progress',
    reading: (p) => `Reading ${p.name}…`,
    splitting: 'Splitting into chunks…',
    sending: (p) => `Sending chunk ${p.i} of ${p.n} · ${p.tickets} tickets so far`,
    sent: (p) => `Chunk ${p.i} of ${p.n} imported · ${p.tickets} tickets so far`,
    ended: (p) =>
      `${p.k} of ${p.n} ${Number(p.n) === 1 ? 'chunk' : 'chunks'} imported · ${p.tickets} tickets`,
    started: (p) => `Importing ${p.name}: ${p.n} ${Number(p.n) === 1 ? 'chunk' : 'chunks'}.`,
    cannotSplit: 'This file cannot be imported',
    nothingSent: 'Nothing was sent.',
    'where.line': (p) => `line ${p.n}`,
    'where.row': (p) => `row ${p.n}`,
    'where.item': (p) => `item ${p.n}`,
    'problem.empty': (p) => `“${p.name}” holds no tickets.`,
    'problem.oversize': (p) =>
      `${p.ticket ? `Ticket ${p.ticket} (${p.where})` : `The ticket at ${p.where}`} takes ${p.size} in a request, more than the ${p.limit} a chunk may hold. Shorten it in the file.`,
    'problem.notJson': (p) =>
      `${p.where ? `${p.where} of “${p.name}”` : `“${p.name}”`} is not JSON (${p.reason}). Check that the format is right.`,
    'problem.duplicate': (p) =>
      `Ticket ${p.ticket} appears twice in the file (${p.first} and ${p.where}): ticket ids are unique per contract.`,
    'problem.noNumberColumn': (p) =>
      `The first row of “${p.name}” has no number column: it is not a ServiceNow incident event log.`,
    'problem.incidentApart': (p) =>
      `The rows of incident ${p.ticket} are not together (${p.first}, and again ${p.where}): sort the log by number.`,
    done: 'Import complete',
    stopped: 'Import stopped',
    failed: (p) => `Chunk ${p.k} of ${p.n} was not imported`,
    failedWhole: 'The file was not imported',
    answer: 'The server’s answer',
    fileLine: (p) => `${p.name}: ${p.n} ${Number(p.n) === 1 ? 'chunk' : 'chunks'}.`,
    received: 'Tickets received',
    created: 'Created',
    updated: 'Updated',
    unchanged: 'Unchanged',
    skippedRows: 'Rows left out',
    alerted: 'Alerts mailed to the owners',
    allUnchanged: 'Every ticket was already stored as the file has it: nothing changed.',
    refreshed: 'The service levels above now include these tickets.',
    skippedTitle: (p) => `Rows left out of the log (${p.n})`,
    row: 'Row',
    incident: 'Incident',
    reason: 'Reason',
    moreSkipped: (p) => `and ${p.n} more ${Number(p.n) === 1 ? 'row' : 'rows'}.`,
    importedNone: 'No chunk was imported.',
    importedSome: (p) =>
      Number(p.k) === 1
        ? `Chunk 1 was imported (${p.tickets} tickets).`
        : `Chunks 1 to ${p.k} were imported (${p.tickets} tickets).`,
    refusedChunk: (p) => `Nothing of chunk ${p.k} was stored, and the chunks after it were not sent.`,
    unknownChunk: (p) =>
      `The answer for chunk ${p.k} did not come: it may or may not have been stored. The chunks after it were not sent.`,
    chunkSpan: (p) => `Chunk ${p.k} holds ${p.from} to ${p.to} of the file.`,
    located: (p) => `In chunk ${p.k}, ${p.inChunk} is ${p.inFile} of the file.`,
    refusedWhole: 'Nothing of it was stored.',
    unknownWhole: 'The answer did not come: it may or may not have been stored.',
    againWhole: 'Fix the file and import it again.',
    again:
      'Fix the file and import it again: the chunks already imported are merged with what is stored and change nothing.',
    stoppedText: (p) =>
      `The other ${p.left} ${Number(p.left) === 1 ? 'chunk was' : 'chunks were'} not sent. Import the file again to finish: what is already stored changes nothing.`,
  },
  {
    title: 'Importar tickets',
    intro:
      'Añada tickets desde la exportación de una herramienta de soporte. Se comprueban con los términos del contrato y se combinan con los tickets que ya hay por id de ticket y hora del evento: importar de nuevo un archivo no cambia nada.',
    format: 'Formato',
    jsonl: 'JSON Lines (cronologías de tickets)',
    zendesk: 'Zendesk (tickets con auditorías, JSON)',
    jsm: 'Jira Service Management (incidencias con historial, JSON)',
    servicenow: 'ServiceNow (registro de eventos de incidentes, CSV)',
    zone: 'Zona horaria del registro',
    zoneHint:
      'ServiceNow escribe las horas sin desfase: la zona IANA en la que se registraron, p. ej. America/Sao_Paulo.',
    zoneMissing: 'Indique la zona horaria en la que se registraron las horas del registro.',
    zoneInvalid: (p) => `«${p.zone}» no es una zona horaria IANA (como Europe/Madrid).`,
    drop: 'Suelte aquí la exportación, o',
    choose: 'elija un archivo',
    fileHint: (p) =>
      `Texto en UTF-8 (.jsonl, .json o .csv), de hasta ${p.max}. Se envía en bloques de como máximo ${p.chunk}.`,
    chosen: (p) => `${p.name} · ${p.size}`,
    chooseFile: 'Elija la exportación que quiere importar.',
    empty: (p) => `«${p.name}» está vacío.`,
    tooLarge: (p) =>
      `«${p.name}» ocupa ${p.size}; una exportación puede ocupar como máximo ${p.max}. Divídala e importe las partes.`,
    notText: (p) =>
      `«${p.name}» no es un archivo de texto. Elija la exportación en JSON Lines, JSON o CSV (un zip hay que descomprimirlo antes).`,
    notUtf8: (p) => `«${p.name}» no es texto UTF-8. Guárdelo como UTF-8 y vuelva a elegirlo.`,
    unreadable: (p) => `No se pudo leer «${p.name}».`,
    import: 'Importar',
    stop: 'Detener tras este bloque',
    stopping: 'Se detendrá tras este bloque…',
    progress: 'Progreso de la importación',
    reading: (p) => `Leyendo ${p.name}…`,
    splitting: 'Dividiendo en bloques…',
    sending: (p) => `Enviando el bloque ${p.i} de ${p.n} · ${p.tickets} tickets hasta ahora`,
    sent: (p) => `Bloque ${p.i} de ${p.n} importado · ${p.tickets} tickets hasta ahora`,
    ended: (p) =>
      `${p.k} de ${p.n} ${Number(p.n) === 1 ? 'bloque importado' : 'bloques importados'} · ${p.tickets} tickets`,
    started: (p) => `Importando ${p.name}: ${p.n} ${Number(p.n) === 1 ? 'bloque' : 'bloques'}.`,
    cannotSplit: 'Este archivo no se puede importar',
    nothingSent: 'No se ha enviado nada.',
    'where.line': (p) => `la línea ${p.n}`,
    'where.row': (p) => `la fila ${p.n}`,
    'where.item': (p) => `el elemento ${p.n}`,
    'problem.empty': (p) => `«${p.name}» no contiene tickets.`,
    'problem.oversize': (p) =>
      `${p.ticket ? `El ticket ${p.ticket} (${p.where})` : `El ticket de ${p.where}`} ocupa ${p.size} en una petición, más de los ${p.limit} que admite un bloque. Acórtelo en el archivo.`,
    'problem.notJson': (p) =>
      `${p.where ? `${p.where} de «${p.name}»` : `«${p.name}»`} no es JSON (${p.reason}). Compruebe que el formato es el correcto.`,
    'problem.duplicate': (p) =>
      `El ticket ${p.ticket} aparece dos veces en el archivo (${p.first} y ${p.where}): los ids de ticket son únicos por contrato.`,
    'problem.noNumberColumn': (p) =>
      `La primera fila de «${p.name}» no tiene columna number: no es un registro de eventos de incidentes de ServiceNow.`,
    'problem.incidentApart': (p) =>
      `Las filas del incidente ${p.ticket} no están juntas (${p.first}, y de nuevo ${p.where}): ordene el registro por number.`,
    done: 'Importación completada',
    stopped: 'Importación detenida',
    failed: (p) => `El bloque ${p.k} de ${p.n} no se importó`,
    failedWhole: 'El archivo no se importó',
    answer: 'Respuesta del servidor',
    fileLine: (p) => `${p.name}: ${p.n} ${Number(p.n) === 1 ? 'bloque' : 'bloques'}.`,
    received: 'Tickets recibidos',
    created: 'Creados',
    updated: 'Actualizados',
    unchanged: 'Sin cambios',
    skippedRows: 'Filas descartadas',
    alerted: 'Alertas enviadas a los responsables',
    allUnchanged: 'Todos los tickets ya estaban guardados tal como los trae el archivo: no ha cambiado nada.',
    refreshed: 'Los niveles de servicio de arriba ya incluyen estos tickets.',
    skippedTitle: (p) => `Filas del registro descartadas (${p.n})`,
    row: 'Fila',
    incident: 'Incidente',
    reason: 'Motivo',
    moreSkipped: (p) => `y ${p.n} ${Number(p.n) === 1 ? 'fila más' : 'filas más'}.`,
    importedNone: 'No se importó ningún bloque.',
    importedSome: (p) =>
      Number(p.k) === 1
        ? `Se importó el bloque 1 (${p.tickets} tickets).`
        : `Se importaron los bloques 1 a ${p.k} (${p.tickets} tickets).`,
    refusedChunk: (p) => `No se guardó nada del bloque ${p.k}, y los bloques siguientes no se enviaron.`,
    unknownChunk: (p) =>
      `No llegó la respuesta del bloque ${p.k}: puede que se guardara o no. Los bloques siguientes no se enviaron.`,
    chunkSpan: (p) => `El bloque ${p.k} contiene de ${p.from} a ${p.to} del archivo.`,
    located: (p) => `En el bloque ${p.k}, ${p.inChunk} es ${p.inFile} del archivo.`,
    refusedWhole: 'No se guardó nada de él.',
    unknownWhole: 'No llegó la respuesta: puede que se guardara o no.',
    againWhole: 'Corrija el archivo e impórtelo de nuevo.',
    again:
      'Corrija el archivo e impórtelo de nuevo: los bloques ya importados se combinan con lo guardado y no cambian nada.',
    stoppedText: (p) =>
      `${Number(p.left) === 1 ? 'El otro bloque no se envió' : `Los otros ${p.left} bloques no se enviaron`}. Importe de nuevo el archivo para terminar: lo que ya está guardado no cambia.`,
  },
);

/** Outcomes to show again once the page is drawn anew with the imported tickets, by contract. */
const kept = new Map<string, Outcome>();
/** The format and zone last imported with, offered again when the page is drawn anew. */
let lastChoice: { format: ChunkFormat; zone: string } | undefined;

const count = (n: number) => new Intl.NumberFormat(lang() === 'es' ? 'es-ES' : 'en-US').format(n);
// Line, row and item numbers as editors and the API write them, without grouping.
const where = (w: Where) => t(`where.${w.unit}`, { n: w.n });

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function problemText(problem: ChunkProblem, name: string): string {
  return capital(problemWords(problem, name));
}

function problemWords(problem: ChunkProblem, name: string): string {
  switch (problem.kind) {
    case 'empty':
    case 'noNumberColumn':
      return t(`problem.${problem.kind}`, { name });
    case 'oversize':
      return t('problem.oversize', {
        ticket: problem.ticket ?? '',
        where: where(problem.where),
        size: formatBytes(problem.bytes),
        limit: formatBytes(problem.limit),
      });
    case 'notJson':
      return t('problem.notJson', {
        name,
        where: problem.where ? where(problem.where) : '',
        reason: problem.reason,
      });
    case 'duplicate':
    case 'incidentApart':
      return t(`problem.${problem.kind}`, {
        ticket: problem.ticket,
        where: where(problem.where),
        first: where(problem.first),
      });
  }
}

const isZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone !== '';
  } catch {
    return false;
  }
};

const browserZone = () => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return 'UTC';
  }
};

const hex = (bytes: ArrayBuffer | Uint8Array) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** The key of one chunk of one import: the import's id and the SHA-256 of what the chunk sends. */
async function chunkKey(run: string, index: number, request: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  // crypto.subtle needs a secure context; without it the import's id and the index still tell chunks apart.
  if (!subtle) return `tickets-${run}-${index + 1}`;
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(request));
  return `tickets-${run}-${index + 1}-${hex(digest)}`;
}

/** Types that are certainly not a text export. */
const BINARY_TYPE =
  /^(image|audio|video|font)\/|^application\/(pdf|zip|x-zip-compressed|gzip|x-gzip|x-7z-compressed|x-rar|vnd\.openxmlformats|vnd\.oasis|msword)/;

/** Whether the first bytes look like text: no NUL byte, no zip, gzip or PDF signature. */
async function looksLikeText(file: File): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 8192).arrayBuffer());
  if (head.includes(0)) return false;
  const starts = (...sig: number[]) => sig.every((b, i) => head[i] === b);
  return !(starts(0x50, 0x4b, 0x03, 0x04) || starts(0x1f, 0x8b) || starts(0x25, 0x50, 0x44, 0x46));
}

/** A file's problem before it is read, or undefined when it may be an export. */
async function checkFile(file: File): Promise<string | undefined> {
  const name = file.name || 'file';
  if (file.size > MAX_FILE_BYTES)
    return t('tooLarge', { name, size: formatBytes(file.size), max: formatBytes(MAX_FILE_BYTES) });
  if (file.size === 0) return t('empty', { name });
  if (BINARY_TYPE.test(file.type)) return t('notText', { name });
  try {
    if (!(await looksLikeText(file))) return t('notText', { name });
  } catch {
    return t('unreadable', { name });
  }
  return undefined;
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
const pause = (ms: number) => new Promise<void>((resolve) => window.setTimeout(resolve, ms));

/** Runs `then` once the page is drawn (after the console has moved focus to its heading). */
function whenPageReady(ctx: PageContext, then: () => void): void {
  const observer = new MutationObserver(() => {
    if (ctx.root.dataset.state !== 'ready') return;
    observer.disconnect();
    then();
  });
  observer.observe(ctx.root, { attributes: true, attributeFilter: ['data-state'] });
  ctx.signal.addEventListener('abort', () => observer.disconnect(), { once: true });
}

/** The card, or null for a role that may not add tickets. */
export function ticketImportCard(ctx: PageContext, contractId: string): HTMLElement | null {
  if (!ctx.session.roles.some((role) => INGEST_ROLES.includes(role))) return null;
  const path = `/v1/contracts/${encodeURIComponent(contractId)}/tickets`;
  const headingId = uid('ticket-import');

  const format = select(
    FORMATS.map((value) => ({ value, label: t(value) })),
    lastChoice?.format ?? 'jsonl',
    { id: 'ticket-format' },
  );
  const zoneList = h('datalist', { id: uid('zones') });
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  zoneList.append(...zones.map((zone) => h('option', { value: zone })));
  const zone = h('input', {
    type: 'text',
    id: 'ticket-zone',
    value: lastChoice?.zone ?? browserZone(),
    list: zoneList.id,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const zoneField = field(t('zone'), zone, { hint: t('zoneHint'), required: true });
  zoneField.append(zoneList);

  const fileInput = h('input', {
    type: 'file',
    id: 'ticket-file',
    class: 'file-input',
    'aria-describedby': 'ticket-file-hint',
  });
  const drop = h(
    'div',
    { class: 'drop-zone' },
    h('span', {}, t('drop'), ' '),
    fileInput,
    h('label', { for: fileInput.id, class: 'file-label' }, t('choose')),
  );
  const chosen = h('p', { class: 'chosen', hidden: true });
  const fileField = h(
    'div',
    { class: 'field ticket-file' },
    drop,
    h(
      'p',
      { class: 'hint', id: 'ticket-file-hint' },
      t('fileHint', { max: formatBytes(MAX_FILE_BYTES), chunk: formatBytes(CHUNK_BYTES) }),
    ),
  );
  const start = h(
    'button',
    { type: 'submit', class: 'button primary', id: 'ticket-import-start' },
    t('import'),
  );
  const stop = h(
    'button',
    { type: 'button', class: 'button secondary', id: 'ticket-import-stop', hidden: true },
    t('stop'),
  );
  const progress = new ProgressBar(t('progress'));
  progress.element.dataset.importProgress = '';
  const result = h('div', { class: 'import-result', id: 'ticket-import-result' });

  const form = h(
    'form',
    { class: 'ticket-import-form', novalidate: true },
    h('div', { class: 'ticket-import-fields' }, field(t('format'), format), zoneField),
    fileField,
    chosen,
    h('div', { class: 'actions' }, start, stop),
  );
  const element = h(
    'section',
    { class: 'card ticket-import', 'aria-labelledby': headingId, 'data-ticket-import': '' },
    h('h2', { id: headingId }, t('title')),
    h('p', { class: 'hint' }, t('intro')),
    form,
    progress.element,
    result,
  );

  const accepts: Record<ChunkFormat, string> = {
    jsonl: '.jsonl,.ndjson,.json,.txt,application/x-ndjson,application/json,text/plain',
    zendesk: '.json,.jsonl,.ndjson,application/json',
    jsm: '.json,.jsonl,.ndjson,application/json',
    servicenow: '.csv,text/csv',
  };
  const showFormat = () => {
    zoneField.hidden = format.value !== 'servicenow';
    fileInput.accept = accepts[format.value as ChunkFormat];
  };
  showFormat();
  on(format, 'change', showFormat);
  on(zone, 'input', () => fieldError(zone));

  let file: File | undefined;
  let running = false;
  let stopAsked = false;

  async function pick(picked: File): Promise<void> {
    if (running) return;
    fieldError(fileInput);
    file = undefined;
    chosen.hidden = true;
    const problem = await checkFile(picked);
    if (problem) {
      fieldError(fileInput, problem);
      return;
    }
    file = picked;
    chosen.hidden = false;
    chosen.textContent = t('chosen', { name: picked.name, size: formatBytes(picked.size) });
  }

  on(fileInput, 'change', () => {
    const picked = fileInput.files?.[0];
    if (picked) void pick(picked);
    fileInput.value = '';
  });
  on(drop, 'dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  on(drop, 'dragleave', () => drop.classList.remove('over'));
  on(drop, 'drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const picked = event.dataTransfer?.files?.[0];
    if (picked) void pick(picked);
  });
  on(stop, 'click', () => {
    stopAsked = true;
    stop.disabled = true;
    stop.textContent = t('stopping');
  });
  on(form, 'submit', (event) => {
    event.preventDefault();
    if (!running) void run();
  });

  /** One chunk to the API, with its key; a 409 (its first attempt still running) is tried again. */
  async function send(body: Record<string, unknown>, key: string): Promise<IngestAnswer> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await ctx.api.post<IngestAnswer>(path, body, {
          idempotencyKey: key,
          retries: 3,
          signal: ctx.signal,
        });
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 409 || attempt >= 6 || ctx.signal.aborted) throw err;
        await pause(Math.min(15_000, 1000 * 2 ** attempt));
      }
    }
  }

  async function run(): Promise<void> {
    fieldError(zone);
    result.replaceChildren();
    if (!file) {
      fieldError(fileInput, t('chooseFile'));
      fileInput.focus();
      return;
    }
    const chosenFormat = format.value as ChunkFormat;
    const sourceTimeZone = zone.value.trim();
    if (chosenFormat === 'servicenow' && !isZone(sourceTimeZone)) {
      fieldError(zone, sourceTimeZone ? t('zoneInvalid', { zone: sourceTimeZone }) : t('zoneMissing'));
      zone.focus();
      return;
    }
    lastChoice = { format: chosenFormat, zone: sourceTimeZone };
    const picked = file;
    const name = picked.name || 'file';
    running = true;
    stopAsked = false;
    start.disabled = true;
    start.setAttribute('aria-busy', 'true');
    stop.hidden = false;
    stop.disabled = false;
    stop.textContent = t('stop');
    try {
      progress.set(undefined, t('reading', { name }));
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(await picked.arrayBuffer());
      } catch (err) {
        progress.hide();
        fieldError(fileInput, err instanceof TypeError ? t('notUtf8', { name }) : t('unreadable', { name }));
        return;
      }
      progress.set(undefined, t('splitting'));
      await nextFrame();
      let chunks: TicketChunk[];
      try {
        chunks = chunkTickets(text, chosenFormat);
      } catch (err) {
        if (!(err instanceof ChunkError)) throw err;
        progress.hide();
        result.replaceChildren(
          h(
            'div',
            { class: 'notice error', role: 'alert', 'data-import-problem': err.problem.kind },
            h('p', { class: 'notice-title' }, t('cannotSplit')),
            h('p', {}, problemText(err.problem, name)),
            h('p', {}, t('nothingSent')),
          ),
        );
        return;
      }
      announce(t('started', { name, n: chunks.length }));
      const outcome = await importChunks(chunks, chosenFormat, sourceTimeZone, {
        name,
        size: picked.size,
      });
      if (!outcome) return;
      if (outcome.totals.created + outcome.totals.updated > 0) {
        // The page's figures are drawn from what is stored: draw it again, and this summary in it.
        kept.set(contractId, { ...outcome, refreshed: true });
        const query = ctx.query.toString();
        ctx.navigate(`/contracts/${encodeURIComponent(contractId)}${query ? `?${query}` : ''}`, {
          replace: true,
        });
        return;
      }
      show(outcome, true);
    } finally {
      running = false;
      start.disabled = false;
      start.removeAttribute('aria-busy');
      stop.hidden = true;
    }
  }

  /** Sends the chunks in order; undefined when the page was left. */
  async function importChunks(
    chunks: TicketChunk[],
    chosenFormat: ChunkFormat,
    sourceTimeZone: string,
    fileFacts: Outcome['file'],
  ): Promise<Outcome | undefined> {
    const n = chunks.length;
    const totalBytes = chunks.reduce((sum, c) => sum + c.bytes, 0);
    const importId = hex(crypto.getRandomValues(new Uint8Array(8)));
    const totals: Totals = {
      received: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      alerted: 0,
      skipped: [],
      skippedCount: 0,
    };
    const outcome: Outcome = { kind: 'done', file: fileFacts, chunks: n, sent: 0, totals, refreshed: false };
    let doneBytes = 0;
    for (const [index, chunk] of chunks.entries()) {
      if (stopAsked) {
        outcome.kind = 'stopped';
        break;
      }
      progress.set(
        doneBytes / totalBytes,
        t('sending', { i: index + 1, n, tickets: count(totals.received) }),
      );
      const body = {
        format: chosenFormat,
        content: chunk.content,
        ...(chosenFormat === 'servicenow' ? { sourceTimeZone } : {}),
      };
      let answer: IngestAnswer;
      try {
        const key = await chunkKey(
          importId,
          index,
          `${contractId}\n${chosenFormat}\n${sourceTimeZone}\n${chunk.content}`,
        );
        answer = await send(body, key);
      } catch (err) {
        if (ctx.signal.aborted) {
          // The page was left (or drawn again in another language): say what was done when it is back.
          if (outcome.sent > 0) kept.set(contractId, { ...outcome, kind: 'stopped' });
          return undefined;
        }
        outcome.kind = 'failed';
        outcome.error = err;
        outcome.failedChunk = {
          unit: chunk.unit,
          first: chunk.first,
          last: chunk.last,
          offset: chunk.offset,
        };
        break;
      }
      totals.received += answer.received;
      totals.created += answer.created;
      totals.updated += answer.updated;
      totals.unchanged += answer.unchanged;
      totals.alerted += answer.alerted;
      totals.skippedCount += answer.skipped.length;
      for (const skipped of answer.skipped) {
        if (totals.skipped.length >= SKIPPED_SHOWN) break;
        totals.skipped.push({ ...skipped, row: fileNumber(chunk, skipped.row) });
      }
      outcome.sent = index + 1;
      doneBytes += chunk.bytes;
      progress.set(doneBytes / totalBytes, t('sent', { i: index + 1, n, tickets: count(totals.received) }));
    }
    return outcome;
  }

  /** Draws an outcome, announces it, and moves focus to it. */
  function show(outcome: Outcome, moveFocus: boolean): void {
    const { totals, chunks: n, sent } = outcome;
    if (outcome.kind !== 'failed' || sent > 0) {
      progress.set(sent / n, t('ended', { k: sent, n, tickets: count(totals.received) }));
    } else progress.hide();
    const titleId = uid('import-outcome');
    const title =
      outcome.kind === 'done'
        ? t('done')
        : outcome.kind === 'stopped'
          ? t('stopped')
          : n === 1
            ? t('failedWhole')
            : t('failed', { k: sent + 1, n });
    const figures = facts([
      [t('received'), count(totals.received)],
      [t('created'), count(totals.created)],
      [t('updated'), count(totals.updated)],
      [t('unchanged'), count(totals.unchanged)],
      [t('skippedRows'), totals.skippedCount ? count(totals.skippedCount) : ''],
      [t('alerted'), totals.alerted ? count(totals.alerted) : ''],
    ]);
    figures.classList.add('import-figures');
    const section = h(
      'section',
      {
        class: `import-outcome outcome-${outcome.kind}`,
        'aria-labelledby': titleId,
        tabindex: '-1',
        'data-import-outcome': outcome.kind,
        'data-chunks': n,
        'data-sent': sent,
        'data-received': totals.received,
        'data-created': totals.created,
        'data-updated': totals.updated,
        'data-unchanged': totals.unchanged,
        'data-skipped': totals.skippedCount,
      },
      h('h3', { id: titleId }, title),
      h('p', { class: 'muted small' }, t('fileLine', { name: outcome.file.name, n })),
    );
    if (outcome.kind === 'failed') {
      const k = sent + 1;
      const err = outcome.error;
      const refused =
        err instanceof ApiError &&
        err.status >= 400 &&
        err.status < 500 &&
        ![408, 409, 429].includes(err.status);
      const chunk = outcome.failedChunk;
      // The API names a line, row or item of the chunk first: say where that is in the file.
      const named = err instanceof ApiError ? /^(line|row|item) (\d+)\b/.exec(err.message) : null;
      const located =
        n === 1
          ? ''
          : chunk && named && named[1] === chunk.unit
            ? t('located', {
                k,
                inChunk: where({ unit: chunk.unit, n: Number(named[2]) }),
                inFile: where({ unit: chunk.unit, n: Number(named[2]) + chunk.offset }),
              })
            : chunk
              ? t('chunkSpan', {
                  k,
                  from: where({ unit: chunk.unit, n: chunk.first }),
                  to: where({ unit: chunk.unit, n: chunk.last }),
                })
              : '';
      append(
        section,
        errorBox(err, t('answer')),
        located ? h('p', { 'data-located': '' }, located) : null,
        n === 1
          ? h('p', { 'data-imported': 0 }, refused ? t('refusedWhole') : t('unknownWhole'))
          : h(
              'p',
              { 'data-imported': sent },
              sent ? t('importedSome', { k: sent, tickets: count(totals.received) }) : t('importedNone'),
              ' ',
              refused ? t('refusedChunk', { k }) : t('unknownChunk', { k }),
            ),
        sent ? figures : null,
        h('p', {}, n === 1 ? t('againWhole') : t('again')),
      );
    } else {
      section.append(figures);
      if (totals.received > 0 && totals.unchanged === totals.received)
        section.append(h('p', { class: 'notice info', 'data-all-unchanged': '' }, t('allUnchanged')));
      if (outcome.refreshed) section.append(h('p', { class: 'notice success' }, t('refreshed')));
      if (outcome.kind === 'stopped') section.append(h('p', {}, t('stoppedText', { left: n - sent })));
    }
    if (totals.skipped.length) {
      const more = totals.skippedCount - totals.skipped.length;
      append(
        section,
        h('h4', {}, t('skippedTitle', { n: count(totals.skippedCount) })),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'table compact-table skipped-table' },
            h(
              'thead',
              {},
              h('tr', {}, ...[t('row'), t('incident'), t('reason')].map((c) => h('th', { scope: 'col' }, c))),
            ),
            h(
              'tbody',
              {},
              ...totals.skipped.map((s) =>
                h(
                  'tr',
                  {},
                  h('td', { class: 'num' }, String(s.row)),
                  h('td', {}, s.ticket || '?'),
                  h('td', {}, s.reason),
                ),
              ),
            ),
          ),
        ),
        more > 0 ? h('p', { class: 'muted small' }, t('moreSkipped', { n: count(more) })) : null,
      );
    }
    result.replaceChildren(section);
    announce(
      outcome.kind === 'failed'
        ? title
        : `${title}. ${t('received')}: ${count(totals.received)}, ${t('created')}: ${count(totals.created)}, ${t('updated')}: ${count(totals.updated)}, ${t('unchanged')}: ${count(totals.unchanged)}.`,
    );
    if (moveFocus) section.focus();
  }

  const previous = kept.get(contractId);
  if (previous) {
    kept.delete(contractId);
    show(previous, false);
    // The console focuses the page's heading once drawn; the user was at this card.
    whenPageReady(ctx, () => result.querySelector<HTMLElement>('.import-outcome')?.focus());
  }
  return element;
}
