import { describe, expect, it } from 'vitest';
import type { SigningField } from '../../web/signing/types';
import {
  checkField,
  fieldOfPath,
  fieldValues,
  initialsOf,
  parseNumber,
  readingOrder,
} from '../../web/signing/validation';

/**
 * The signing page's own checks of the values a signer enters: the rules the server applies
 * (functions/core/field-values.ts, shared with signing/signer-actions.ts), so that a refusal is
 * said next to the field before anything is sent. The server stays the authority.
 */

const field = (over: Partial<SigningField>): SigningField => ({
  id: 'f1',
  documentId: 'd1',
  type: 'text',
  required: false,
  page: 1,
  x: 0,
  y: 0,
  width: 100,
  height: 20,
  ...over,
});

describe('checkField', () => {
  it('a required field needs a value; a required checkbox must be checked; optional ones may stay empty', () => {
    expect(checkField(field({ required: true }), '   ')).toEqual({ key: 'check.required' });
    expect(checkField(field({ required: true, type: 'checkbox' }), false)).toEqual({
      key: 'check.requiredBox',
    });
    expect(checkField(field({ type: 'checkbox' }), false)).toBeNull();
    expect(checkField(field({}), '')).toBeNull();
  });

  it('text: length in characters (not UTF-16 units), bounds, and the whole-value pattern', () => {
    const f = field({ validation: { min: 2, max: 5, pattern: '[A-Z]+' } });
    expect(checkField(f, 'A')).toEqual({ key: 'check.tooShort', min: 2, length: 1 });
    expect(checkField(f, 'ABCDEF')).toEqual({ key: 'check.tooLong', max: 5, length: 6 });
    expect(checkField(f, 'ABc')).toEqual({ key: 'check.pattern' });
    expect(checkField(f, ' ABC ')).toBeNull();
    expect(checkField(field({ validation: { max: 2 } }), '😀😀')).toBeNull();
    expect(checkField(field({}), 'x'.repeat(1001))).toEqual({
      key: 'check.tooLong',
      max: 1000,
      length: 1001,
    });
    // A pattern that does not compile constrains nothing, as on the server.
    expect(checkField(field({ validation: { pattern: '(' } }), 'anything')).toBeNull();
  });

  it('number: a decimal point or comma, within bounds; "1,000" is refused rather than guessed', () => {
    const f = field({ type: 'number', validation: { min: 1, max: 500 } });
    expect(checkField(f, '12')).toBeNull();
    expect(checkField(f, '0')).toEqual({ key: 'check.numberMin', min: 1 });
    expect(checkField(f, '900')).toEqual({ key: 'check.numberMax', max: 500 });
    expect(checkField(f, 'twelve')).toEqual({ key: 'check.number' });
    expect(parseNumber('12,5')).toBe(12.5);
    expect(parseNumber('-3.25')).toBe(-3.25);
    expect(parseNumber('1,000')).toBeUndefined();
    expect(parseNumber('1.2.3')).toBeUndefined();
  });

  it('date: a real YYYY-MM-DD within bounds; dropdown: one of the options', () => {
    const d = field({ type: 'date', validation: { min: '2026-01-01', max: '2026-12-31' } });
    expect(checkField(d, '2026-02-30')).toEqual({ key: 'check.date' });
    expect(checkField(d, '2025-12-31')).toEqual({ key: 'check.dateMin', min: '2026-01-01' });
    expect(checkField(d, '2027-01-01')).toEqual({ key: 'check.dateMax', max: '2026-12-31' });
    expect(checkField(d, '2026-06-15')).toBeNull();
    const dd = field({ type: 'dropdown', validation: { options: ['Gold', 'Silver'] } });
    expect(checkField(dd, 'Bronze')).toEqual({ key: 'check.option' });
    expect(checkField(dd, 'Gold')).toBeNull();
  });
});

describe('the request', () => {
  it('sends trimmed text, numbers as numbers, checkboxes always, and nothing for empty or adopted fields', () => {
    const fields = [
      field({ id: 'a' }),
      field({ id: 'b', type: 'number' }),
      field({ id: 'c', type: 'checkbox' }),
      field({ id: 'd' }),
      field({ id: 'e', type: 'signature' }),
      field({ id: 'f', type: 'date_signed' }),
    ];
    expect(fieldValues(fields, { a: '  Acme ', b: '12,5', d: '   ', e: 'x' })).toEqual({
      a: 'Acme',
      b: 12.5,
      c: false,
    });
  });

  it('reads the server detail paths, makes initials as the server does, and orders fields for reading', () => {
    expect(fieldOfPath('body.fields.r1-company')).toBe('r1-company');
    expect(fieldOfPath('body.signature.text')).toBeUndefined();
    expect(initialsOf('Ada María de la Buyer')).toBe('AMB');
    expect(initialsOf('  ada buyer ')).toBe('AB');
    const order = readingOrder(
      [
        field({ id: 'p2', page: 2, y: 10 }),
        field({ id: 'right', x: 300, y: 102 }),
        field({ id: 'left', x: 10, y: 100 }),
        field({ id: 'top', y: 20 }),
        field({ id: 'other-doc', documentId: 'd0', page: 3 }),
      ],
      ['d0', 'd1'],
    );
    expect(order.map((f) => f.id)).toEqual(['other-doc', 'top', 'left', 'right', 'p2']);
  });
});
