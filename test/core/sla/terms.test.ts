import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSlaTerms } from '../../../functions/core/sla/terms';
import { ValidationError } from '../../../functions/core/errors';

const shared = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../../shared/sla/${name}`, import.meta.url), 'utf8'));
const example = () => shared('example-terms.json') as Record<string, any>;

function problems(terms: unknown): { path: string; message: string }[] {
  try {
    checkSlaTerms(terms);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).details;
  }
  throw new Error('the terms were accepted');
}

describe('SLA terms', () => {
  it('the schema in the code is the SLA engine contract, unchanged', () => {
    const ours = JSON.parse(
      readFileSync(new URL('../../../functions/core/sla/terms.schema.json', import.meta.url), 'utf8'),
    );
    expect(ours).toEqual(shared('terms.schema.json'));
  });

  it('accepts the example terms as they are', () => {
    expect(checkSlaTerms(example())).toMatchObject({ schema_version: '1.0' });
  });

  it('names the path of a missing, a mistyped and an unknown property', () => {
    const terms = example();
    delete terms.currency;
    terms.monthly_fee_minor = 'a lot';
    terms.surprise = true;
    const found = problems(terms);
    expect(found).toEqual(
      expect.arrayContaining([
        { path: 'body.slaTerms.currency', message: 'required' },
        expect.objectContaining({ path: 'body.slaTerms.monthly_fee_minor' }),
        { path: 'body.slaTerms.surprise', message: 'not a property of the SLA terms' },
      ]),
    );
  });

  it('names array positions as indexes', () => {
    const terms = example();
    const [first] = terms.targets as Record<string, unknown>[];
    terms.targets = [first, { ...first, target_minutes: -5 }];
    expect(problems(terms).map((p) => p.path)).toContain('body.slaTerms.targets[1].target_minutes');
  });

  it('checks date formats rather than ignoring them', () => {
    const terms = example();
    terms.effective_from = 'next Tuesday';
    expect(problems(terms)).toContainEqual(
      expect.objectContaining({
        path: 'body.slaTerms.effective_from',
        message: expect.stringMatching(/date/),
      }),
    );
  });

  it('refuses something that is not an object', () => {
    expect(problems([1, 2])[0]!.path).toBe('body.slaTerms');
  });
});
