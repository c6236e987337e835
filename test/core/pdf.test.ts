import { describe, expect, it } from 'vitest';
import { UnprocessableError, UnsupportedMediaTypeError } from '../../functions/core/errors';
import { inspectPdf } from '../../functions/core/pdf';
import { makeEncryptedPdf, makePdf } from '../support/pdf';

describe('inspectPdf', () => {
  it('reports page sizes in points', async () => {
    const facts = await inspectPdf(
      await makePdf([
        [612, 792],
        [842, 595],
      ]),
      'a.pdf',
    );
    expect(facts.pages).toEqual([
      { width: 612, height: 792 },
      { width: 842, height: 595 },
    ]);
  });

  it('refuses bytes that are not a PDF', async () => {
    await expect(inspectPdf(Buffer.from('hello, world'), 'note.txt')).rejects.toThrow(
      UnsupportedMediaTypeError,
    );
    await expect(inspectPdf(Buffer.from('hello, world'), 'note.txt')).rejects.toThrow(
      /"note.txt" is not a PDF/,
    );
  });

  it('refuses a corrupt PDF wherever it was cut, as unprocessable and not as a crash', async () => {
    const pdf = await makePdf([
      [612, 792],
      [612, 792],
    ]);
    for (const fraction of [0.2, 0.33, 0.5, 0.66, 0.8, 0.95]) {
      const truncated = pdf.subarray(0, Math.floor(pdf.length * fraction));
      await expect(inspectPdf(truncated, 'cut.pdf'), `cut at ${fraction}`).rejects.toThrow(
        UnprocessableError,
      );
    }
  });

  it('refuses an encrypted PDF', async () => {
    await expect(inspectPdf(await makeEncryptedPdf(), 'locked.pdf')).rejects.toThrow(
      /"locked.pdf" is encrypted/,
    );
  });
});
