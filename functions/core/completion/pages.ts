import fontkit from '@pdf-lib/fontkit';
import {
  degrees,
  drawText,
  rgb,
  StandardFonts,
  type PDFDocument,
  type PDFFont,
  type PDFName,
  type PDFPage,
  type RGB,
} from 'pdf-lib';
import subsetFont from 'subset-font';
import type { RecipientRole } from '../envelope';
import { IncrementalPdf } from '../pdf-seal/incremental';
import type { FontKey, FontSource } from '../pdf-stamp/fonts';
import { FontBook, planLine, type Run } from '../pdf-stamp/text';
import { authLabel, type CompletionCertificate } from './certificate';

/**
 * The certificate of completion as pages appended after a document's last page, in an
 * incremental update. Letter-sized when the document's last page is US Letter, else A4, with
 * margins that print on either. Every value (names, titles, addresses, user agents) is drawn in
 * the font of its script, subset to the characters used (as the signature stamps are); fixed
 * labels use the standard Helvetica faces and hashes Courier, which cost no embedded bytes.
 */

export interface CertificateFile {
  name: string;
  description: string;
}

export interface CertificatePagesOptions {
  /** The files attached beside the pages, listed on the certificate. */
  files?: CertificateFile[];
}

const LETTER: [number, number] = [612, 792];
export const A4: [number, number] = [595.28, 841.89];
const MARGIN_X = 56;
const MARGIN_TOP = 50;
const MARGIN_BOTTOM = 46;
const HEADER = 46;
const FOOTER = 24;

export const INK = rgb(0.06, 0.13, 0.38);
export const TEXT = rgb(0.1, 0.1, 0.1);
export const MUTED = rgb(0.4, 0.4, 0.4);
export const RULE = rgb(0.78, 0.78, 0.78);
export const BAND = rgb(0.94, 0.95, 0.97);

/** `text`: a value in the font of its script; the others are standard PDF fonts (fixed text, hex). */
export type Face = 'text' | 'plain' | 'bold' | 'mono';

export interface Piece {
  face: Face;
  size: number;
  color: RGB;
  /** Standard-font text, or the runs of a `text` line. */
  text: string;
  runs?: Run[];
  /** Each run's advance at size 1. */
  advances?: number[];
  width: number;
}

export interface Placed {
  x: number;
  piece: Piece;
  /** Right-aligned to x + width. */
  alignRight?: number;
}

export interface Row {
  height: number;
  cells: Placed[];
  /** A hairline across the content width under the row, or a shaded band behind it. */
  ruleBelow?: boolean;
  band?: boolean;
}

/** Rows kept on one page when they fit on one; `continued` starts the rest on a later page. */
export interface Block<R extends Row = Row> {
  rows: R[];
  continued?: R;
  gapAfter: number;
  /** The rows flow on where a page ends rather than move to a new page together (a long table). */
  flow?: boolean;
}

/** "2026-03-02 09:00:05 UTC" */
export function utc(iso: string, withZone = true): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`invalid time: ${iso}`);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}${withZone ? ' UTC' : ''}`;
}

const ROLE_LABELS: Record<RecipientRole, string> = {
  signer: 'Signer',
  approver: 'Approver',
  carbon_copy: 'Receives a copy',
};

/** Standard fonts encode WinAnsi only: fixed text and hex never need more, anything else is replaced. */
const winAnsi = (text: string) => text.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');

/** Break opportunities: after spaces and common separators, and between CJK characters. */
function tokens(text: string): string[] {
  return text
    .match(
      /[\u2e80-\u9fff\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef/;,]*[/;,]?\s*/gu,
    )!
    .filter(Boolean);
}

export class Composer {
  readonly std: Record<Exclude<Face, 'text'>, PDFFont>;
  private readonly chars = new Map<FontKey, Set<string>>();
  private readonly embedded = new Map<FontKey, PDFFont>();
  private readonly fontNames = new WeakMap<PDFPage, Map<PDFFont, PDFName>>();

  private constructor(
    private readonly doc: PDFDocument,
    private readonly book: FontBook,
    std: Record<Exclude<Face, 'text'>, PDFFont>,
  ) {
    this.std = std;
  }

  static async create(doc: PDFDocument, fonts: FontSource): Promise<Composer> {
    doc.registerFontkit(fontkit);
    const [plain, bold, mono] = await Promise.all([
      doc.embedFont(StandardFonts.Helvetica),
      doc.embedFont(StandardFonts.HelveticaBold),
      doc.embedFont(StandardFonts.Courier),
    ]);
    return new Composer(doc, new FontBook(fonts), { plain, bold, mono });
  }

  private readonly widths = new Map<string, number>();
  private space1 = 0;

  private readonly planned = new Map<string, Promise<{ runs: Run[]; advances: number[] }>>();

  /** The runs of one line and the advance of each, for a size of 1 (shaped once per text). */
  private runsOf(text: string): Promise<{ runs: Run[]; advances: number[] }> {
    let found = this.planned.get(text);
    if (!found) {
      found = (async () => {
        const runs = await planLine(text, this.book);
        const advances: number[] = [];
        for (const run of runs) {
          const font = await this.book.font(run.key);
          advances.push(font.layout(run.text).advanceWidth / font.unitsPerEm);
        }
        return { runs, advances };
      })();
      this.planned.set(text, found);
    }
    return found;
  }

  private async piece(text: string, face: Face, size: number, color: RGB): Promise<Piece> {
    if (face !== 'text') {
      const clean = winAnsi(text);
      return { face, size, color, text: clean, width: this.std[face].widthOfTextAtSize(clean, size) };
    }
    const { runs, advances } = await this.runsOf(text);
    const width = advances.reduce((w, a) => w + a, 0) * size;
    return { face, size, color, text, runs, advances, width };
  }

  /**
   * The width of a word (and the spaces after it) at size 1, cached: wrapping measures words,
   * not every candidate line (shaping a line is what costs).
   */
  private async wordWidth(token: string, face: Face): Promise<number> {
    if (face !== 'text') return this.std[face].widthOfTextAtSize(winAnsi(token), 1);
    const cached = this.widths.get(token);
    if (cached !== undefined) return cached;
    if (!this.space1) {
      const latin = await this.book.font('latin');
      this.space1 = latin.glyphForCodePoint(0x20).advanceWidth / latin.unitsPerEm;
    }
    const word = token.trimEnd();
    const { advances } = word ? await this.runsOf(word) : { advances: [] };
    const width = advances.reduce((w, a) => w + a, 0) + (token.length - word.length) * this.space1;
    this.widths.set(token, width);
    return width;
  }

  /** The text wrapped to `width`: whole words where they fit, split where a word alone does not. */
  async lines(text: string, face: Face, size: number, width: number, color: RGB = TEXT): Promise<Piece[]> {
    const clean = text.replace(/\s+/g, ' ').trim();
    const words = tokens(clean);
    let total = 0;
    for (const word of words) total += await this.wordWidth(word, face);
    if (total * size <= width || clean.length <= 1) return [await this.piece(clean, face, size, color)];

    const limit = width / size;
    const lines: string[] = [];
    let line = '';
    let used = 0;
    const add = async (part: string) => {
      const w = await this.wordWidth(part, face);
      const fits = used + (await this.wordWidth(part.trimEnd(), face)) <= limit;
      if (!fits && line) {
        lines.push(line);
        line = '';
        used = 0;
      }
      line += part;
      used += w;
      return fits || used === w;
    };
    for (const word of words) {
      if ((await this.wordWidth(word.trimEnd(), face)) <= limit) {
        await add(word);
        continue;
      }
      // A word wider than the column (an address, a user agent): split after its punctuation
      // where that is enough, else between characters.
      for (const part of word.match(/[^@./_-]+[@./_-]*\s*|[@./_-]+\s*/g) ?? []) {
        if ((await this.wordWidth(part.trimEnd(), face)) <= limit) await add(part);
        else for (const ch of part) await add(ch);
      }
    }
    if (line) lines.push(line);
    return Promise.all(lines.map((l) => this.piece(l.trim(), face, size, color)));
  }

  async line(text: string, face: Face, size: number, color: RGB = TEXT): Promise<Piece> {
    return this.piece(text.replace(/\s+/g, ' ').trim(), face, size, color);
  }

  /** Notes the characters each script font draws, for the subsets. */
  use(piece: Piece): void {
    for (const run of piece.runs ?? []) {
      const set = this.chars.get(run.key) ?? new Set<string>();
      for (const ch of run.text) set.add(ch);
      this.chars.set(run.key, set);
    }
  }

  /** Embeds one subset per script font, of every character the pages draw with it. */
  async embed(): Promise<void> {
    for (const [key, chars] of this.chars) {
      // harfbuzz subsetting first (keeps the shaping tables Arabic needs); pdf-lib's own
      // subsetting alone garbles the Noto fonts.
      const bytes = await this.book.load(key);
      const font = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const subset = await subsetFont(font, [...chars].join(''), { targetFormat: 'truetype' });
      this.embedded.set(key, await this.doc.embedFont(subset, { subset: true }));
    }
  }

  /**
   * Shows text with `font` at (x, y). Each font is named once in the page's resources (pdf-lib's
   * drawText adds a resource name per call, which made every page dictionary kilobytes long).
   */
  private show(page: PDFPage, font: PDFFont, text: string, x: number, y: number, piece: Piece): void {
    let names = this.fontNames.get(page);
    if (!names) {
      names = new Map();
      this.fontNames.set(page, names);
    }
    let name = names.get(font);
    if (!name) {
      name = page.node.newFontDictionary(font.name, font.ref);
      names.set(font, name);
    }
    const zero = degrees(0);
    page.pushOperators(
      ...drawText(font.encodeText(text), {
        x,
        y,
        size: piece.size,
        font: name,
        color: piece.color,
        rotate: zero,
        xSkew: zero,
        ySkew: zero,
      }),
    );
  }

  draw(page: PDFPage, piece: Piece, x: number, baseline: number): void {
    if (piece.face !== 'text') {
      if (piece.text) this.show(page, this.std[piece.face], piece.text, x, baseline, piece);
      return;
    }
    let at = x;
    for (const [i, run] of (piece.runs ?? []).entries()) {
      const font = this.embedded.get(run.key);
      if (!font) throw new Error(`font ${run.key} was not embedded`);
      this.show(page, font, run.text, at, baseline, piece);
      at += piece.advances![i]! * piece.size;
    }
  }
}

/** The page size for the certificate: US Letter after a Letter page, A4 otherwise. */
function pageSizeAfter(doc: PDFDocument): [number, number] {
  const last = doc.getPages().at(-1);
  if (!last) return A4;
  const { width, height } = last.getSize();
  const near = (a: number, b: number) => Math.abs(a - b) <= 8;
  const letter = (near(width, 612) && near(height, 792)) || (near(width, 792) && near(height, 612));
  return letter ? LETTER : A4;
}

const S = { title: 16, section: 10.5, name: 10, body: 8.5, small: 7.5 };
export const LINE = (size: number) => Math.round(size * 1.38 * 10) / 10;

/** Lays out the certificate into blocks of rows for a content area `width` points wide. */
async function compose(
  c: Composer,
  cert: CompletionCertificate,
  width: number,
  options: CertificatePagesOptions,
): Promise<Block[]> {
  const { record } = cert;
  const blocks: Block[] = [];
  const labelWidth = 118;

  const section = async (title: string): Promise<Row> => ({
    height: LINE(S.section) + 6,
    cells: [{ x: 0, piece: await c.line(title, 'bold', S.section, INK) }],
    ruleBelow: true,
  });

  /** Label and wrapped value; the label is on the first line. */
  const keyValue = async (
    label: string,
    value: string,
    face: Face = 'text',
    at = { x: 0, labelWidth, width },
    size = S.body,
  ): Promise<Row[]> => {
    const lines = await c.lines(
      value || '-',
      face,
      face === 'mono' ? size - 0.5 : size,
      at.width - at.labelWidth,
    );
    const labelPiece = await c.line(label, 'plain', size - 0.5, MUTED);
    return lines.map((piece, i) => ({
      height: LINE(size),
      cells: [...(i === 0 ? [{ x: at.x, piece: labelPiece }] : []), { x: at.x + at.labelWidth, piece }],
    }));
  };

  // The envelope.
  const intro = await c.lines(
    'Every signer and approver of this envelope has acted. This certificate and the files attached to this PDF are covered by the service seal together with the documents. All times are UTC.',
    'text',
    S.body,
    width,
    MUTED,
  );
  blocks.push({
    rows: [
      ...intro.map((piece) => ({ height: LINE(S.body), cells: [{ x: 0, piece }] })),
      { height: 8, cells: [] },
      await section('Envelope'),
      { height: 4, cells: [] },
      ...(await keyValue('Title', record.title)),
      ...(await keyValue('Envelope ID', record.envelopeId)),
      ...(await keyValue('Sender', cert.sender.email ?? cert.sender.sub)),
      ...(await keyValue('Created', utc(cert.createdAt))),
      ...(await keyValue('Sent', cert.sentAt ? utc(cert.sentAt) : '-')),
      ...(await keyValue('Completed and sealed', utc(cert.completedAt))),
    ],
    gapAfter: 14,
  });

  // The documents.
  for (const [i, d] of record.documents.entries()) {
    const pages = await c.line(
      `${d.pages} ${d.pages === 1 ? 'page' : 'pages'}`,
      'plain',
      S.body - 0.5,
      MUTED,
    );
    const number = await c.line(`${i + 1}.`, 'plain', S.body + 0.5, TEXT);
    const indent = number.width + 4;
    const name = await c.lines(d.name, 'text', S.body + 0.5, width - pages.width - 12 - indent);
    blocks.push({
      rows: [
        ...(i === 0
          ? [await section(`Documents (${record.documents.length})`), { height: 4, cells: [] }]
          : []),
        ...name.map((piece, n) => ({
          height: LINE(S.body + 0.5),
          cells: [
            { x: indent, piece },
            ...(n === 0
              ? [
                  { x: 0, piece: number },
                  { x: 0, alignRight: width, piece: pages },
                ]
              : []),
          ],
        })),
        ...(await keyValue('SHA-256 of the original', d.sha256, 'mono', {
          x: 12,
          labelWidth: labelWidth - 12,
          width: width - 12,
        })),
      ],
      gapAfter: 6,
    });
  }
  blocks.at(-1)!.gapAfter = 14;

  // The recipients: details on the left, their history on the right, line by line.
  const gutter = 16;
  const left = { x: 0, width: Math.round(width * 0.46) };
  const right = { x: left.width + gutter, width: width - left.width - gutter };
  const leftLabel = 74;
  const timeWidth = 82;
  for (const [i, r] of record.recipients.entries()) {
    const detail = cert.details[i]!;
    const role = await c.line(
      `${ROLE_LABELS[r.role]}${r.role === 'carbon_copy' ? '' : ` \u00b7 step ${r.step}`} \u00b7 ID ${r.id}`,
      'plain',
      S.body - 0.5,
      MUTED,
    );
    // The number apart from the name: a name in a right-to-left script would carry it to its right.
    const number = await c.line(`${i + 1}.`, 'plain', S.name, INK);
    const indent = 4 + number.width + 4;
    const name = await c.lines(r.name, 'text', S.name, width - role.width - 12 - indent, INK);
    const email = await c.lines(r.email, 'text', S.body, width, MUTED);

    const leftRows: Placed[][] = [];
    /** A label and its value; a list of values starts each on a new line. */
    const addLeft = async (label: string, value: string | string[]) => {
      const lines: Piece[] = [];
      for (const part of typeof value === 'string' ? [value] : value) {
        lines.push(...(await c.lines(part || '-', 'text', S.small + 0.5, left.width - leftLabel)));
      }
      const labelPiece = await c.line(label, 'plain', S.small, MUTED);
      lines.forEach((piece, n) =>
        leftRows.push([
          ...(n === 0 ? [{ x: left.x, piece: labelPiece }] : []),
          { x: left.x + leftLabel, piece },
        ]),
      );
    };
    const acted = r.signedAt ?? r.approvedAt;
    await addLeft('Outcome', acted ? `${detail.outcome} ${utc(acted)}` : detail.outcome);
    if (r.group) await addLeft('Signing group', `${r.group.name} (${r.group.id})`);
    await addLeft('Authentication', r.role === 'carbon_copy' ? 'not invited' : authLabel(r.authMethod));
    await addLeft('Consent', r.consent ? [utc(r.consent.at), `disclosure ${r.consent.version}`] : '-');
    await addLeft(acted ? 'IP address' : 'Last IP address', detail.ip ?? '-');
    await addLeft('User agent', detail.userAgent ?? '-');
    for (const p of detail.previousHolders) {
      await addLeft(
        p.by === 'sender' ? 'Reassigned from' : 'Delegated by',
        `${p.name} <${p.email}>, ${utc(p.at)}: ${p.reason}`,
      );
    }

    const rightRows: Placed[][] = [
      [
        { x: right.x, piece: await c.line('Time (UTC)', 'plain', S.small, MUTED) },
        { x: right.x + timeWidth, piece: await c.line('Event', 'plain', S.small, MUTED) },
      ],
    ];
    for (const h of detail.history) {
      const time = await c.line(utc(h.at, false), 'plain', S.small, TEXT);
      // The address of a request is shown where it is not the one given on the left.
      const what = await c.lines(
        h.ip && h.ip !== detail.ip ? `${h.what}, from ${h.ip}` : h.what,
        'text',
        S.small + 0.5,
        right.width - timeWidth,
      );
      what.forEach((piece, n) =>
        rightRows.push([
          ...(n === 0 ? [{ x: right.x, piece: time }] : []),
          { x: right.x + timeWidth, piece },
        ]),
      );
    }
    if (detail.history.length === 0) {
      rightRows.push([
        { x: right.x + timeWidth, piece: await c.line('no events', 'text', S.small + 0.5, MUTED) },
      ]);
    }

    const body: Row[] = [];
    for (let n = 0; n < Math.max(leftRows.length, rightRows.length); n++) {
      body.push({ height: LINE(S.small + 0.5), cells: [...(leftRows[n] ?? []), ...(rightRows[n] ?? [])] });
    }
    body.at(-1)!.ruleBelow = true;
    const header: Row[] = [
      ...name.map((piece, n) => ({
        height: LINE(S.name),
        band: true,
        cells: [
          { x: indent, piece },
          ...(n === 0
            ? [
                { x: 4, piece: number },
                { x: 0, alignRight: width - 4, piece: role },
              ]
            : []),
        ],
      })),
      ...email.map((piece) => ({ height: LINE(S.body), band: true, cells: [{ x: indent, piece }] })),
      { height: 4, cells: [] },
    ];
    blocks.push({
      rows: [
        ...(i === 0
          ? [await section(`Recipients (${record.recipients.length})`), { height: 6, cells: [] }]
          : []),
        ...header,
        ...body,
      ],
      continued: {
        height: LINE(S.name),
        band: true,
        cells: [
          { x: 4, piece: number },
          { x: indent, piece: name[0]! },
          { x: 0, alignRight: width - 4, piece: await c.line('(continued)', 'plain', S.body - 0.5, MUTED) },
        ],
      },
      gapAfter: 8,
    });
  }
  blocks.at(-1)!.gapAfter = 14;

  // The audit trail and the attached files.
  const anchor = await c.lines(
    `The envelope's events form a SHA-256 hash chain (GET /v1/envelopes/${record.envelopeId}/audit; the format is in docs/audit-trail.md). This sealed document covers the trail up to event ${record.auditHead.seq}: recomputed from the start, the chain must give this hash for that event.`,
    'text',
    S.body,
    width,
    MUTED,
  );
  const files = options.files ?? [];
  const fileRows: Row[] = [];
  for (const [n, f] of files.entries()) {
    fileRows.push(...(await keyValue(n === 0 ? 'Attached files' : '', `${f.name}: ${f.description}`)));
  }
  blocks.push({
    rows: [
      await section('Audit trail'),
      { height: 4, cells: [] },
      ...(await keyValue('Last event before sealing', `#${record.auditHead.seq}`)),
      ...(await keyValue('Its SHA-256 hash', record.auditHead.hash, 'mono')),
      { height: 4, cells: [] },
      ...anchor.map((piece) => ({ height: LINE(S.body), cells: [{ x: 0, piece }] })),
      ...(fileRows.length ? [{ height: 6, cells: [] }, ...fileRows] : []),
    ],
    gapAfter: 0,
  });
  return blocks;
}

interface PlacedRow<R extends Row = Row> {
  row: R;
  top: number;
}

/** Places the blocks on pages: a block moves to a new page rather than split, unless it is taller than a page or flows. */
export function paginate<R extends Row>(blocks: Block<R>[], top: number, bottom: number): PlacedRow<R>[][] {
  const pages: PlacedRow<R>[][] = [[]];
  let y = top;
  const newPage = () => {
    pages.push([]);
    y = top;
  };
  const place = (row: R) => {
    pages.at(-1)!.push({ row, top: y });
    y -= row.height;
  };
  for (const block of blocks) {
    const height = block.rows.reduce((h, r) => h + r.height, 0);
    if (!block.flow && y - height < bottom && y !== top && height <= top - bottom) newPage();
    for (const [i, row] of block.rows.entries()) {
      if (y - row.height < bottom) {
        newPage();
        if (block.continued && i > 0) place(block.continued);
      }
      place(row);
    }
    y -= block.gapAfter;
  }
  return pages;
}

/**
 * Draws the certificate on new pages at the end of `doc` (an IncrementalPdf's document).
 * Returns the number of pages added.
 */
export async function drawCertificatePages(
  doc: PDFDocument,
  cert: CompletionCertificate,
  fonts: FontSource,
  options: CertificatePagesOptions = {},
): Promise<number> {
  const [pageWidth, pageHeight] = pageSizeAfter(doc);
  const width = pageWidth - 2 * MARGIN_X;
  const c = await Composer.create(doc, fonts);
  const blocks = await compose(c, cert, width, options);
  const top = pageHeight - MARGIN_TOP - HEADER;
  const bottom = MARGIN_BOTTOM + FOOTER;
  const laid = paginate(blocks, top, bottom);

  const { record } = cert;
  const heading = await c.line('Certificate of Completion', 'bold', S.title, INK);
  const brand = await c.line('Countersign', 'bold', S.body + 0.5, INK);
  const sub = await c.line(`Envelope ${record.envelopeId}`, 'plain', S.body - 0.5, MUTED);
  const sealed = await c.line(`Sealed ${utc(record.sealedAt)}`, 'plain', S.body - 0.5, MUTED);
  const foot = await c.line(
    `Audit head #${record.auditHead.seq} ${record.auditHead.hash.slice(0, 16)}...`,
    'plain',
    S.small - 0.5,
    MUTED,
  );
  for (const rows of laid) for (const { row } of rows) for (const cell of row.cells) c.use(cell.piece);
  await c.embed();

  for (const [n, rows] of laid.entries()) {
    const page = doc.addPage([pageWidth, pageHeight]);
    const left = MARGIN_X;
    const right = pageWidth - MARGIN_X;
    const headTop = pageHeight - MARGIN_TOP;
    c.draw(page, heading, left, headTop - S.title);
    c.draw(page, brand, right - brand.width, headTop - S.title + 2);
    c.draw(page, sub, left, headTop - S.title - 14);
    c.draw(page, sealed, right - sealed.width, headTop - S.title - 14);
    page.drawLine({
      start: { x: left, y: headTop - HEADER + 12 },
      end: { x: right, y: headTop - HEADER + 12 },
      thickness: 1,
      color: INK,
    });

    for (const { row, top: rowTop } of rows) {
      if (row.band) {
        page.drawRectangle({
          x: left,
          y: rowTop - row.height,
          width: right - left,
          height: row.height,
          color: BAND,
        });
      }
      const baseline = rowTop - row.height * 0.74;
      for (const cell of row.cells) {
        const x = cell.alignRight !== undefined ? left + cell.alignRight - cell.piece.width : left + cell.x;
        c.draw(page, cell.piece, x, baseline);
      }
      if (row.ruleBelow) {
        const y = rowTop - row.height - 1.5;
        page.drawLine({ start: { x: left, y }, end: { x: right, y }, thickness: 0.5, color: RULE });
      }
    }

    const footY = MARGIN_BOTTOM;
    page.drawLine({
      start: { x: left, y: footY + 12 },
      end: { x: right, y: footY + 12 },
      thickness: 0.5,
      color: RULE,
    });
    c.draw(page, foot, left, footY);
    const number = await c.line(`Certificate page ${n + 1} of ${laid.length}`, 'plain', S.small - 0.5, MUTED);
    c.draw(page, number, right - number.width, footY);
  }
  return laid.length;
}

/** The PDF with the certificate pages appended in one incremental update. */
export async function appendCertificatePages(
  pdf: Uint8Array,
  cert: CompletionCertificate,
  fonts: FontSource,
  options: CertificatePagesOptions = {},
): Promise<Uint8Array> {
  const incremental = await IncrementalPdf.open(pdf);
  await drawCertificatePages(incremental.doc, cert, fonts, options);
  return incremental.save();
}
