import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { makeEncryptedPdf, makePdf, toBase64 } from '../support/pdf';
import { startTestService, type TestService } from '../support/service';
import { envelopeBody, footprint, letter, newTenant, NOTHING, sha256 } from './helpers';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service?.close();
});

async function senderOf(tenant: string) {
  return service.token('sender', { tenant, sub: `sender-${tenant}`, email: 'Sam.Sender@vendor.example' });
}

/** Sends a create request as a sender of a fresh tenant and returns the answer and what was written. */
async function attempt(body: unknown, options: { rawBody?: string; headers?: Record<string, string> } = {}) {
  const tenant = newTenant('create');
  const token = await senderOf(tenant);
  const res = await service.api('POST', '/v1/envelopes', {
    token,
    ...(options.rawBody !== undefined ? { rawBody: options.rawBody } : { body }),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const list = await service.api('GET', '/v1/envelopes', { token });
  return { res, list, written: await footprint(service, tenant) };
}

function expectNothingWritten(outcome: Awaited<ReturnType<typeof attempt>>) {
  expect(outcome.list.status).toBe(200);
  expect(outcome.list.body.items).toEqual([]);
  expect(outcome.written).toEqual(NOTHING);
}

const paths = (body: any): string[] => (body.error.details ?? []).map((d: { path: string }) => d.path);

describe('POST /v1/envelopes creates a draft envelope', () => {
  it('answers 201 with the envelope, its document hash, recipients, fields and routing steps', async () => {
    const tenant = newTenant('create');
    const token = await senderOf(tenant);
    const pdf = await letter();
    const res = await service.api('POST', '/v1/envelopes', { token, body: await envelopeBody({ pdf }) });

    expect(res.status).toBe(201);
    const envelope = res.body;
    expect(envelope.id).toMatch(/^[a-z0-9]{26}$/);
    expect(envelope).toMatchObject({
      title: 'Maintenance agreement 2025',
      message: 'Please sign',
      status: 'draft',
      currentStep: null,
      version: 1,
      owner: { sub: `sender-${tenant}`, email: 'Sam.Sender@vendor.example' },
      documents: [{ id: 'doc1', name: 'msa.pdf', sha256: sha256(pdf), size: pdf.length, pageCount: 1 }],
      steps: [{ step: 1, status: 'pending', recipientIds: ['r1'] }],
      recipients: [
        {
          id: 'r1',
          name: 'Ada Buyer',
          email: 'ada@customer.example',
          role: 'signer',
          step: 1,
          status: 'created',
          fields: [
            {
              id: 'r1-f1',
              type: 'signature',
              documentId: 'doc1',
              page: 1,
              x: 72,
              y: 600,
              width: 200,
              height: 50,
            },
          ],
        },
      ],
    });
    // Storage keys stay inside.
    expect(JSON.stringify(envelope)).not.toContain('storageKey');
    expect(JSON.stringify(envelope)).not.toContain('tenants/');

    const read = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(envelope);
    expect(await footprint(service, tenant)).toEqual({
      events: 1,
      snapshots: 1,
      idempotencyClaims: 0,
      documents: 1,
    });
  });

  it('accepts several documents and mixed routing (two signers in parallel, then one)', async () => {
    const tenant = newTenant('create');
    const token = await senderOf(tenant);
    const msa = await makePdf([
      [612, 792],
      [595, 842],
    ]);
    const sla = await makePdf([[842, 595]], 'SLA schedule');
    const res = await service.api('POST', '/v1/envelopes', {
      token,
      body: await envelopeBody({
        documents: [
          { id: 'msa', name: 'msa.pdf', contentBase64: toBase64(msa) },
          { id: 'sla', name: 'sla.pdf', contentBase64: toBase64(sla) },
        ],
        recipients: [
          {
            name: 'Ada Buyer',
            email: 'ADA@Customer.Example',
            step: 1,
            fields: [{ type: 'signature', documentId: 'msa', page: 2, x: 0, y: 0, width: 595, height: 842 }],
          },
          {
            id: 'legal',
            name: 'Lee Legal',
            email: 'lee@customer.example',
            step: 1,
            fields: [
              { type: 'signature', documentId: 'sla', page: 1, x: 700, y: 500, width: 100, height: 40 },
            ],
          },
          { name: 'Vic Vendor', email: 'vic@vendor.example', step: 2 },
        ],
      }),
    });
    expect(res.status).toBe(201);
    expect(res.body.documents).toEqual([
      { id: 'msa', name: 'msa.pdf', sha256: sha256(msa), size: msa.length, pageCount: 2 },
      { id: 'sla', name: 'sla.pdf', sha256: sha256(sla), size: sla.length, pageCount: 1 },
    ]);
    expect(res.body.steps).toEqual([
      { step: 1, status: 'pending', recipientIds: ['r1', 'legal'] },
      { step: 2, status: 'pending', recipientIds: ['r3'] },
    ]);
    expect(res.body.recipients.map((r: any) => [r.id, r.email, r.fields.length])).toEqual([
      ['r1', 'ada@customer.example', 1],
      ['legal', 'lee@customer.example', 1],
      ['r3', 'vic@vendor.example', 0],
    ]);
    expect(res.body.recipients[1].fields[0]).toMatchObject({ id: 'legal-f1', documentId: 'sla' });
    expect(await footprint(service, tenant)).toMatchObject({ events: 1, documents: 2 });
  });
});

describe('POST /v1/envelopes refuses bad input and writes nothing', () => {
  it('400 for a missing field, naming it', async () => {
    const body = await envelopeBody();
    delete body.title;
    const outcome = await attempt(body);
    expect(outcome.res.status).toBe(400);
    expect(outcome.res.body.error.code).toBe('validation_failed');
    expect(paths(outcome.res.body)).toContain('body.title');
    expect(outcome.res.body.error.message).toContain('body.title');
    expectNothingWritten(outcome);
  });

  it('400 for malformed fields, naming each path', async () => {
    const body = await envelopeBody({
      recipients: [
        {
          name: 'Ada',
          email: 'not-an-email',
          step: 1,
          fields: [{ type: 'stamp', page: 0, x: -1, y: 10, width: 10, height: 10 }],
        },
      ],
    });
    const outcome = await attempt(body);
    expect(outcome.res.status).toBe(400);
    expect(paths(outcome.res.body)).toEqual(
      expect.arrayContaining([
        'body.recipients[0].email',
        'body.recipients[0].fields[0].type',
        'body.recipients[0].fields[0].page',
        'body.recipients[0].fields[0].x',
      ]),
    );
    expectNothingWritten(outcome);
  });

  it('400 for an envelope without documents or recipients', async () => {
    const outcome = await attempt(await envelopeBody({ documents: [], recipients: [] }));
    expect(outcome.res.status).toBe(400);
    expect(paths(outcome.res.body)).toEqual(expect.arrayContaining(['body.documents', 'body.recipients']));
    expectNothingWritten(outcome);
  });

  it('400 for an unknown property', async () => {
    const outcome = await attempt({ ...(await envelopeBody()), sendNow: true });
    expect(outcome.res.status).toBe(400);
    expect(outcome.res.body.error.message).toContain('sendNow');
    expectNothingWritten(outcome);
  });

  it('400 for a recipient without a routing step', async () => {
    const outcome = await attempt(
      await envelopeBody({ recipients: [{ name: 'Ada', email: 'ada@customer.example' }] }),
    );
    expect(outcome.res.status).toBe(400);
    expect(paths(outcome.res.body)).toEqual(['body.recipients[0].step']);
    expectNothingWritten(outcome);
  });

  it('400 for routing steps with a gap', async () => {
    const outcome = await attempt(
      await envelopeBody({
        recipients: [
          { name: 'Ada', email: 'ada@customer.example', step: 1 },
          { name: 'Vic', email: 'vic@vendor.example', step: 3 },
        ],
      }),
    );
    expect(outcome.res.status).toBe(400);
    expect(outcome.res.body.error.message).toContain('step 2 has no recipient');
    expect(outcome.res.body.error.details).toEqual([
      { path: 'body.recipients', message: 'steps used: 1, 3' },
    ]);
    expectNothingWritten(outcome);
  });

  it('400 for routing that does not start at step 1', async () => {
    const outcome = await attempt(
      await envelopeBody({ recipients: [{ name: 'Ada', email: 'ada@customer.example', step: 2 }] }),
    );
    expect(outcome.res.status).toBe(400);
    expect(outcome.res.body.error.message).toContain('step 1 has no recipient');
    expectNothingWritten(outcome);
  });

  it('400 for duplicate recipient ids', async () => {
    const outcome = await attempt(
      await envelopeBody({
        recipients: [
          { id: 'x', name: 'Ada', email: 'ada@customer.example', step: 1 },
          { id: 'x', name: 'Vic', email: 'vic@vendor.example', step: 1 },
        ],
      }),
    );
    expect(outcome.res.status).toBe(400);
    expect(paths(outcome.res.body)).toEqual(['body.recipients[1].id']);
    expectNothingWritten(outcome);
  });

  it('400 for a signature field that lies outside its page, naming the field', async () => {
    const outcome = await attempt(
      await envelopeBody({
        recipients: [
          {
            name: 'Ada',
            email: 'ada@customer.example',
            step: 1,
            fields: [
              { type: 'signature', page: 1, x: 72, y: 600, width: 200, height: 50 },
              { type: 'signature', page: 1, x: 500, y: 700, width: 200, height: 50 },
            ],
          },
        ],
      }),
    );
    expect(outcome.res.status).toBe(400);
    expect(outcome.res.body.error.details).toHaveLength(1);
    expect(outcome.res.body.error.details[0].path).toBe('body.recipients[0].fields[1]');
    expect(outcome.res.body.error.details[0].message).toContain('outside page 1 (612x792 points)');
    expectNothingWritten(outcome);
  });

  it('400 for a field on a page that does not exist', async () => {
    const outcome = await attempt(
      await envelopeBody({
        recipients: [
          {
            name: 'Ada',
            email: 'ada@customer.example',
            step: 1,
            fields: [{ type: 'signature', page: 3, x: 10, y: 10, width: 10, height: 10 }],
          },
        ],
      }),
    );
    expect(outcome.res.status).toBe(400);
    expect(outcome.res.body.error.details).toEqual([
      {
        path: 'body.recipients[0].fields[0].page',
        message: 'page 3 does not exist; "msa.pdf" has 1 page(s)',
      },
    ]);
    expectNothingWritten(outcome);
  });

  it('400 for a field without documentId when there are several documents', async () => {
    const pdf = toBase64(await letter());
    const outcome = await attempt(
      await envelopeBody({
        documents: [
          { name: 'a.pdf', contentBase64: pdf },
          { name: 'b.pdf', contentBase64: pdf },
        ],
      }),
    );
    expect(outcome.res.status).toBe(400);
    expect(paths(outcome.res.body)).toEqual(['body.recipients[0].fields[0].documentId']);
    expectNothingWritten(outcome);
  });

  it('400 for a document that is not valid base64', async () => {
    const outcome = await attempt(
      await envelopeBody({ documents: [{ name: 'x.pdf', contentBase64: '%%%not base64' }] }),
    );
    expect(outcome.res.status).toBe(400);
    expect(paths(outcome.res.body)).toEqual(['body.documents[0].contentBase64']);
    expectNothingWritten(outcome);
  });

  it('415 for a document that is not a PDF', async () => {
    const text = Buffer.from('This is a Word document, honestly.\n'.repeat(20));
    const outcome = await attempt(
      await envelopeBody({ documents: [{ name: 'terms.docx', contentBase64: toBase64(text) }] }),
    );
    expect(outcome.res.status).toBe(415);
    expect(outcome.res.body.error.code).toBe('unsupported_media_type');
    expect(outcome.res.body.error.message).toContain('"terms.docx" is not a PDF');
    expectNothingWritten(outcome);
  });

  it('422 for an encrypted PDF', async () => {
    const outcome = await attempt(await envelopeBody({ pdf: await makeEncryptedPdf() }));
    expect(outcome.res.status).toBe(422);
    expect(outcome.res.body.error.message).toContain('"msa.pdf" is encrypted');
    expectNothingWritten(outcome);
  });

  it('422 for a corrupt (truncated) PDF', async () => {
    const pdf = await letter();
    const outcome = await attempt(await envelopeBody({ pdf: pdf.subarray(0, Math.floor(pdf.length / 2)) }));
    expect(outcome.res.status).toBe(422);
    expect(outcome.res.body.error.message).toContain('"msa.pdf" is a corrupt PDF');
    expectNothingWritten(outcome);
  });

  it('413 for an inline document over 3 MB decoded, while one just under is accepted', async () => {
    const pdf = await letter();
    // Bytes after %%EOF are ignored by PDF readers: the padded file is still a valid PDF.
    const padded = (total: number) =>
      Buffer.concat([pdf, Buffer.from('\n%'), Buffer.alloc(total - pdf.length - 2, 0x41)]);

    const over = await attempt(await envelopeBody({ pdf: padded(3 * 1024 * 1024 + 1) }));
    expect(over.res.status).toBe(413);
    expect(over.res.body.error.message).toContain('POST /v1/uploads');
    expectNothingWritten(over);

    const under = await attempt(await envelopeBody({ pdf: padded(3 * 1024 * 1024) }));
    expect(under.res.status).toBe(201);
    expect(under.res.body.documents[0].size).toBe(3 * 1024 * 1024);
  });

  it('413 for a body over the 6 MB handler limit', async () => {
    const body = await envelopeBody();
    body.message = 'x'.repeat(6 * 1024 * 1024);
    const outcome = await attempt(body);
    expect(outcome.res.status).toBe(413);
    expect(outcome.res.body.error.code).toBe('payload_too_large');
    expectNothingWritten(outcome);
  });

  it('413 for a body over the 10 MB gateway limit', async () => {
    const body = await envelopeBody();
    body.message = 'x'.repeat(10 * 1024 * 1024 + 1);
    const outcome = await attempt(body);
    expect(outcome.res.status).toBe(413);
    expect(outcome.res.body.message).toBe('Request Too Long');
    expectNothingWritten(outcome);
  });

  it('415 for a body that is not JSON', async () => {
    const outcome = await attempt(undefined, {
      rawBody: 'title=MSA',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(outcome.res.status).toBe(415);
    expect(outcome.res.body.error.message).toContain('application/json');
    expectNothingWritten(outcome);
  });

  it('accepts application/json with a charset parameter', async () => {
    const tenant = newTenant('create');
    const res = await service.api('POST', '/v1/envelopes', {
      token: await senderOf(tenant),
      rawBody: JSON.stringify(await envelopeBody()),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.status).toBe(201);
  });

  it('400 for invalid JSON', async () => {
    const outcome = await attempt(undefined, {
      rawBody: '{"title": "MSA",',
      headers: { 'content-type': 'application/json' },
    });
    expect(outcome.res.status).toBe(400);
    expect(outcome.res.body.error.message).toContain('not valid JSON');
    expect(outcome.res.body.error.details).toEqual([{ path: 'body', message: 'invalid JSON' }]);
    expectNothingWritten(outcome);
  });

  it('400 for an empty body', async () => {
    const outcome = await attempt(undefined, {
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(outcome.res.status).toBe(400);
    expect(outcome.res.body.error.details).toEqual([{ path: 'body', message: 'missing' }]);
    expectNothingWritten(outcome);
  });
});

describe('GET /v1/envelopes/{id}', () => {
  it('404 for an unknown envelope, naming it', async () => {
    const token = await senderOf(newTenant('get'));
    const res = await service.api('GET', '/v1/envelopes/01jzzzzzzzzzzzzzzzzzzzzzzz', { token });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      code: 'not_found',
      message: 'envelope 01jzzzzzzzzzzzzzzzzzzzzzzz not found',
    });
  });

  it('a malformed percent-encoded id is a client error, not a server error', async () => {
    const token = await senderOf(newTenant('get'));
    const res = await service.api('GET', '/v1/envelopes/%E0%A4%A', { token });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('400 for an id that cannot be an envelope id', async () => {
    const token = await senderOf(newTenant('get'));
    const res = await service.api('GET', `/v1/envelopes/${'x'.repeat(65)}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.path)).toEqual(['path.id']);
  });
});

describe('SLA terms on an envelope', () => {
  const terms = () =>
    JSON.parse(readFileSync(new URL('../../../shared/sla/example-terms.json', import.meta.url), 'utf8'));

  it('are validated, recorded in the created event and shown with the envelope', async () => {
    const body = await envelopeBody();
    const outcome = await attempt({ ...body, slaTerms: terms() });
    expect(outcome.res.status, JSON.stringify(outcome.res.body)).toBe(201);
    expect(outcome.res.body.slaTerms).toEqual(terms());
  });

  it('400 naming each path of terms that do not match the schema; nothing written', async () => {
    const bad = terms();
    delete bad.currency;
    bad.targets[0].target_minutes = 0;
    const outcome = await attempt({ ...(await envelopeBody()), slaTerms: bad });
    expect(outcome.res.status).toBe(400);
    expect(paths(outcome.res.body)).toEqual(
      expect.arrayContaining(['body.slaTerms.currency', 'body.slaTerms.targets[0].target_minutes']),
    );
    expectNothingWritten(outcome);
  });
});
