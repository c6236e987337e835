import { describe, expect, it } from 'vitest';
import { MAX_BULK_ROWS as MAX_ROWS } from '../../functions/core/bulk-send/shared';
import { columnsOf, csvExample, lineOfPath, rowsFromCsv } from '../../web/console/bulk-rows';

/** The bulk send spreadsheet: the columns a template asks for, and a filled file turned into rows. */

const template = {
  roles: [
    { name: 'vendor', role: 'approver', step: 2 },
    { name: 'customer', role: 'signer', step: 1 },
  ],
  mergeFields: [
    { key: 'customer.name', required: true },
    { key: 'fee.monthly' },
    { key: 'note', required: false },
    { key: 'customer.name', required: false },
  ],
} as unknown as Parameters<typeof columnsOf>[0];

const header =
  'role:customer.name,role:customer.email,role:vendor.name,role:vendor.email,customer.name,fee.monthly,note,title';
const withLanguages =
  'role:customer.name,role:customer.email,role:customer.language,role:vendor.name,role:vendor.email,role:vendor.language,customer.name,fee.monthly,note,title';

describe('the bulk send spreadsheet', () => {
  it('has a name and e-mail column per role in routing order, a column per merge key (once), and the title', () => {
    expect(csvExample(template).split('\r\n')[0]).toBe(withLanguages);
    expect(columnsOf(template).merge).toEqual([
      { key: 'customer.name', column: 'customer.name', required: true },
      { key: 'fee.monthly', column: 'fee.monthly', required: true },
      { key: 'note', column: 'note', required: false },
    ]);
  });

  it('turns each line into a row: roles, nested merge data, the title when given; quotes and a BOM read right', () => {
    const text = `\uFEFF${header}\n"Ada Buyer","ada@acme.example","Vic Vendor","vic@vendor.example","Acme, Inc.","USD 1,000",,"Acme ""premium"""\n\n`;
    expect(rowsFromCsv(text, template)).toEqual({
      rows: [
        {
          title: 'Acme "premium"',
          roles: {
            customer: { name: 'Ada Buyer', email: 'ada@acme.example' },
            vendor: { name: 'Vic Vendor', email: 'vic@vendor.example' },
          },
          mergeData: { customer: { name: 'Acme, Inc.' }, fee: { monthly: 'USD 1,000' } },
        },
      ],
      problems: [],
    });
  });

  it('names what is wrong by spreadsheet line: a missing column, an empty name, a bad address, an empty required value', () => {
    expect(
      rowsFromCsv('role:customer.name,role:customer.email\nAda,ada@acme.example', template).problems,
    ).toEqual([
      {
        line: 1,
        message: 'missing columns: role:vendor.name, role:vendor.email, customer.name, fee.monthly',
      },
    ]);
    const text = `${header}\nAda,ada@acme.example,Vic,vic@vendor.example,Acme,USD 1,,\n,nope,Vic,vic@vendor.example,,USD 2,,`;
    expect(rowsFromCsv(text, template).problems).toEqual([
      { line: 3, message: 'role:customer.name is empty' },
      { line: 3, message: 'role:customer.email is not an e-mail address' },
      { line: 3, message: 'customer.name is empty' },
    ]);
  });

  it("takes a role's language when given (en, es), and names any other", () => {
    const text = `${withLanguages}\nAda,ada@acme.example,ES,Vic,vic@vendor.example,,Acme,USD 1,,\nBo,bo@acme.example,fr,Vic,vic@vendor.example,,Acme,USD 1,,`;
    const parsed = rowsFromCsv(text, template);
    expect(parsed.rows[0]!.roles).toEqual({
      customer: { name: 'Ada', email: 'ada@acme.example', language: 'es' },
      vendor: { name: 'Vic', email: 'vic@vendor.example' },
    });
    expect(parsed.problems).toEqual([
      { line: 3, message: 'role:customer.language is "fr": en, es or empty' },
    ]);
  });

  it('refuses a file without rows, and one over the limit', () => {
    expect(rowsFromCsv(`${header}\n`, template).problems).toEqual([
      { line: 2, message: 'no rows: one line per envelope' },
    ]);
    const line = 'Ada,ada@acme.example,Vic,vic@vendor.example,Acme,USD 1,,';
    const big = [header, ...Array.from({ length: MAX_ROWS + 1 }, () => line)].join('\n');
    const parsed = rowsFromCsv(big, template);
    expect(parsed.problems).toEqual([
      { line: MAX_ROWS + 2, message: `at most ${MAX_ROWS} rows in one bulk send: split the file` },
    ]);
  });

  it("finds the line of the API's paths", () => {
    expect(lineOfPath('body.rows[0].roles.customer.email')).toBe(2);
    expect(lineOfPath('body.rows[41].mergeData.fee')).toBe(43);
    expect(lineOfPath('body.title')).toBeUndefined();
  });
});
