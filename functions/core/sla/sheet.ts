import type { PDFPage, RGB } from 'pdf-lib';
import {
  BAND,
  type Composer,
  INK,
  LINE,
  MUTED,
  RULE,
  TEXT,
  type Block,
  type Face,
  type Piece,
  type Row,
} from '../completion/pages';

/**
 * Text rows, fields and tables on the certificate pages' composer, for the SLA documents (the
 * SLA schedule and the monthly SLA report): each keeps its own sizes and spacing, and draws its
 * text the same way.
 */

/** A row of the pages with its own drawing, relative to its top-left corner. */
export interface SheetRow extends Row {
  pieces: Piece[];
  paint(page: PDFPage, left: number, top: number): void;
}

/** A table cell: text, or text with a colour and weight of its own, over `span` columns. */
export type Cell = string | { text: string; color?: RGB; bold?: boolean; span?: number };

/** Typography that the standard fonts' encoding lacks, in plain characters. */
const PLAIN: Record<string, string> = {
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2018': "'",
  '\u2019': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u2026': '...',
};
const plainText = (text: string) =>
  text.replace(/[\u2013\u2014\u2212\u2018\u2019\u201c\u201d\u2026]/g, (c) => PLAIN[c]!);
/** What the standard fonts draw as they are. */
const isLatin1 = (text: string) => /^[\x20-\x7e\xa0-\xff]*$/.test(text);

/** Rows drawn as one, so that a page never breaks between them. */
export function stack(rows: SheetRow[]): SheetRow {
  return {
    height: rows.reduce((h, r) => h + r.height, 0),
    cells: [],
    pieces: rows.flatMap((r) => r.pieces),
    paint: (page, left, top) => {
      let y = top;
      for (const row of rows) {
        row.paint(page, left, y);
        y -= row.height;
      }
    },
  };
}

export function gap(height: number): SheetRow {
  return { height, cells: [], pieces: [], paint: () => {} };
}

/** A line of a polyline or a rule, in page coordinates. */
export function segment(
  page: PDFPage,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  color: RGB,
  thickness = 0.5,
) {
  page.drawLine({ start: { x: x1, y: y1 }, end: { x: x2, y: y2 }, thickness, color });
}

/** A document's sizes and spacing. */
export interface SheetStyle {
  size: { section: number; heading: number; body: number; table: number; small: number };
  /** Space above and below a section title, and above and below a heading. */
  sectionSpace: [number, number];
  headingSpace: [number, number];
  /** The label column of fields: at most `max` points, else `share` of the width. */
  labelColumn: { max: number; share: number };
}

export class Sheet {
  constructor(
    readonly c: Composer,
    readonly width: number,
    /** The height of a page's content area. */
    readonly pageHeight: number,
    readonly style: SheetStyle,
    /** Whether script fonts were given: without them, all text is in the standard faces. */
    readonly scripts = true,
  ) {}

  /** The face for text that may come from the terms: a script font when there are fonts. */
  face(): Face {
    return this.scripts ? 'text' : 'plain';
  }

  /** Bold when the standard bold face can draw it, else the script font (which has no bold). */
  boldFace(text: string): Face {
    return !this.scripts || isLatin1(plainText(text)) ? 'bold' : 'text';
  }

  /** The standard faces get plain quotes and dashes. */
  async line(text: string, face: Face, size: number, color: RGB = TEXT): Promise<Piece> {
    return this.c.line(face === 'text' ? text : plainText(text), face, size, color);
  }

  async lines(text: string, face: Face, size: number, width: number, color: RGB = TEXT): Promise<Piece[]> {
    return this.c.lines((face === 'text' ? text : plainText(text)) || ' ', face, size, width, color);
  }

  /** Rows of text lines, each `LINE(size)` high, at `x`. */
  textRows(pieces: Piece[], size: number, x = 0): SheetRow[] {
    return pieces.map((piece) => ({
      height: LINE(size),
      cells: [],
      pieces: [piece],
      paint: (page, left, top) => this.c.draw(page, piece, left + x, top - LINE(size) * 0.74),
    }));
  }

  async paragraph(text: string, color: RGB = TEXT, size = this.style.size.body): Promise<SheetRow[]> {
    return [...this.textRows(await this.lines(text, this.face(), size, this.width, color), size), gap(4)];
  }

  /** A section title, ruled below. */
  async section(title: string): Promise<SheetRow[]> {
    const size = this.style.size.section;
    const rows = this.textRows(await this.lines(title, this.boldFace(title), size, this.width, INK), size);
    const last = rows.at(-1)!;
    const height = last.height + 5;
    rows[rows.length - 1] = {
      ...last,
      height,
      paint: (page, left, top) => {
        last.paint(page, left, top);
        segment(page, left, top - height + 2.5, left + this.width, top - height + 2.5, INK, 0.75);
      },
    };
    const [above, below] = this.style.sectionSpace;
    return [gap(above), ...rows, gap(below)];
  }

  async heading(text: string, color: RGB = INK): Promise<SheetRow[]> {
    const size = this.style.size.heading;
    const [above, below] = this.style.headingSpace;
    return [
      gap(above),
      ...this.textRows(await this.lines(text, this.boldFace(text), size, this.width, color), size),
      gap(below),
    ];
  }

  /** Labelled values, one under the other. */
  async fields(rows: { label: string; value: string; color?: RGB }[]): Promise<SheetRow[]> {
    const body = this.style.size.body;
    const labelWidth = Math.min(this.style.labelColumn.max, this.width * this.style.labelColumn.share);
    const out: SheetRow[] = [];
    for (const { label, value, color } of rows) {
      const labels = await this.lines(label, this.face(), body - 0.5, labelWidth - 8, MUTED);
      const values = await this.lines(value, this.face(), body, this.width - labelWidth, color ?? TEXT);
      for (let i = 0; i < Math.max(labels.length, values.length); i++) {
        const l = labels[i];
        const v = values[i];
        out.push({
          height: LINE(body),
          cells: [],
          pieces: [...(l ? [l] : []), ...(v ? [v] : [])],
          paint: (page, left, top) => {
            const baseline = top - LINE(body) * 0.74;
            if (l) this.c.draw(page, l, left, baseline);
            if (v) this.c.draw(page, v, left + labelWidth, baseline);
          },
        });
      }
    }
    return [...out, gap(4)];
  }

  /**
   * One table row: wrapped cells in borders, a cell over `span` columns; the header bold on a
   * band, `band` shades a body row.
   */
  async tableRow(cells: Cell[], edges: number[], header: boolean, band = false): Promise<SheetRow> {
    const size = header ? this.style.size.small : this.style.size.table;
    const line = LINE(size);
    const columns: { x: number; lines: Piece[] }[] = [];
    /** The column edges a cell starts at or ends at: the others are inside a spanning cell. */
    const borders = [0];
    let at = 0;
    for (const cell of cells) {
      const { text, color, bold, span } = typeof cell === 'string' ? { text: cell } : cell;
      const end = Math.min(edges.length - 1, at + (span ?? 1));
      const width = edges[end]! - edges[at]! - 2 * CELL_X;
      const face = header || bold ? this.boldFace(text) : this.face();
      columns.push({
        x: edges[at]! + CELL_X,
        lines: await this.lines(text, face, size, width, color ?? (header ? INK : TEXT)),
      });
      borders.push(edges[end]!);
      at = end;
    }
    const height = Math.max(1, ...columns.map((c) => c.lines.length)) * line + 2 * CELL_Y;
    return {
      height,
      cells: [],
      pieces: columns.flatMap((c) => c.lines),
      paint: (page, left, top) => {
        const right = left + edges.at(-1)!;
        if (header || band)
          page.drawRectangle({ x: left, y: top - height, width: right - left, height, color: BAND });
        for (const { x, lines } of columns)
          lines.forEach((piece, n) =>
            this.c.draw(page, piece, left + x, top - CELL_Y - n * line - line * 0.74),
          );
        segment(page, left, top, right, top, RULE);
        segment(page, left, top - height, right, top - height, RULE);
        for (const edge of borders) segment(page, left + edge, top, left + edge, top - height, RULE);
      },
    };
  }

  /**
   * A table as one block: its header repeated on each page it continues on, `lead` (a section
   * title, an introduction) kept on the page of its header and first row.
   */
  async table(
    columns: string[],
    widths: number[],
    rows: Cell[][],
    lead: SheetRow[],
    banded: (index: number) => boolean = () => false,
  ): Promise<Block<SheetRow>> {
    const total = widths.reduce((a, b) => a + b, 0);
    const edges = [0];
    for (const w of widths) edges.push(edges.at(-1)! + (w / total) * this.width);
    edges[edges.length - 1] = this.width;
    const header = await this.tableRow(columns, edges, true);
    const body: SheetRow[] = [];
    for (const [i, row] of rows.entries()) body.push(await this.tableRow(row, edges, false, banded(i)));
    const [first, ...rest] = body;
    const height = body.reduce((h, r) => h + r.height, header.height);
    return {
      rows: [stack([...lead, header, ...(first ? [first] : [])]), ...rest, gap(6)],
      continued: header,
      gapAfter: 0,
      // A short table moves to the next page whole; a long one starts where it is and goes on there.
      flow: height > this.pageHeight / 3,
    };
  }
}

const CELL_X = 4;
const CELL_Y = 2.5;
