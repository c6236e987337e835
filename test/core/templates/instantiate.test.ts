import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { NodeFontSource } from '../../../functions/adapters/fonts/node-font-source';
import { ValidationError } from '../../../functions/core/errors';
import {
  instantiateTemplate,
  mergeValue,
  resolveMergeData,
} from '../../../functions/core/templates/instantiate';
import type { MergeField, TemplateVersion } from '../../../functions/core/templates/template';
import { makePdf } from '../../support/pdf';
import { pageText } from '../../support/pdfsig';
import { exampleTerms } from '../../support/templates';

const bundledFonts = new NodeFontSource();
const box = { page: 1, x: 72, y: 100, width: 300, height: 18 };
const merge = (key: string, required = true): MergeField => ({ key, required, ...box });

describe('merge data', () => {
  it('finds text, numbers and booleans at dotted keys', () => {
    const data = { customer: { name: 'Acme', seats: 40, vip: true }, empty: null };
    expect(mergeValue(data, 'customer.name')).toBe('Acme');
    expect(mergeValue(data, 'customer.seats')).toBe('40');
    expect(mergeValue(data, 'customer.vip')).toBe('Yes');
    expect(mergeValue(data, 'customer.missing')).toBeUndefined();
    expect(mergeValue(data, 'empty')).toBeUndefined();
    expect(mergeValue(data, 'customer')).toBeUndefined();
  });

  it('names every missing, unusable or too long value', () => {
    const fields = [merge('customer.name'), merge('fee.monthly'), merge('notes', false), merge('po')];
    try {
      resolveMergeData(fields, { customer: { name: ['x'] }, po: 'x'.repeat(501) });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).details).toEqual([
        { path: 'body.mergeData.customer.name', message: 'must be text, a number or true/false' },
        { path: 'body.mergeData.fee.monthly', message: 'required by the template' },
        { path: 'body.mergeData.po', message: 'must be at most 500 characters' },
      ]);
    }
    const ok = resolveMergeData(fields, {
      customer: { name: '  Acme \n Corp ' },
      fee: { monthly: 12 },
      po: 'PO-1',
    });
    expect([...ok.entries()]).toEqual([
      ['customer.name', 'Acme Corp'],
      ['fee.monthly', '12'],
      ['po', 'PO-1'],
    ]);
  });
});

function version(overrides: Partial<TemplateVersion>): TemplateVersion {
  return {
    version: 1,
    status: 'approved',
    createdAt: '2026-01-01T00:00:00Z',
    createdBy: 'u',
    name: 'T',
    description: '',
    document: { name: 't.pdf', sha256: '0'.repeat(64), size: 1, pages: [], storageKey: 'k' },
    roles: [{ name: 'customer', role: 'signer', step: 1 }],
    fields: [
      {
        name: 'sig',
        type: 'signature',
        role: 'customer',
        required: true,
        page: 1,
        x: 72,
        y: 600,
        width: 200,
        height: 50,
      },
      {
        name: 'po',
        type: 'text',
        role: 'customer',
        required: false,
        page: 3,
        x: 72,
        y: 600,
        width: 200,
        height: 20,
      },
    ],
    mergeFields: [merge('customer.name')],
    message: '',
    settings: {},
    ...overrides,
  };
}

describe('instantiateTemplate', () => {
  it('fills the merge fields and, without terms, keeps pages and fields as they are', async () => {
    const pdf = await makePdf([
      [612, 792],
      [612, 792],
      [612, 792],
    ]);
    const made = await instantiateTemplate(
      pdf,
      version({}),
      new Map([['customer.name', 'Ünïcode Acme 株式会社']]),
      bundledFonts,
    );
    expect(made.schedulePages).toBeUndefined();
    expect(made.fields.map((f) => f.page)).toEqual([1, 3]);
    expect((await PDFDocument.load(made.pdf)).getPageCount()).toBe(3);
    expect(await pageText(made.pdf, 1)).toContain('Ünïcode Acme 株式会社');
  });

  it('inserts the SLA schedule after the marked page and moves later fields down', async () => {
    const pdf = await makePdf([
      [612, 792],
      [612, 792],
      [612, 792],
    ]);
    const made = await instantiateTemplate(
      pdf,
      version({ slaTerms: exampleTerms() as TemplateVersion['slaTerms'], scheduleAfterPage: 2 }),
      new Map([['customer.name', 'Acme']]),
      bundledFonts,
    );
    const count = made.schedulePages!.count;
    expect(made.schedulePages!.first).toBe(3);
    expect(made.fields.map((f) => f.page)).toEqual([1, 3 + count]);
    expect((await PDFDocument.load(made.pdf)).getPageCount()).toBe(3 + count);
    expect(await pageText(made.pdf, 3)).toContain('SLA schedule');
    expect(await pageText(made.pdf, 3 + count)).toContain('page 3');
  });

  it('appends the schedule when no page is marked', async () => {
    const pdf = await makePdf([[612, 792]]);
    const made = await instantiateTemplate(
      pdf,
      version({ slaTerms: exampleTerms() as TemplateVersion['slaTerms'], fields: [] }),
      new Map([['customer.name', 'Acme']]),
      bundledFonts,
    );
    expect(made.schedulePages!.first).toBe(2);
  });
});
