import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { PNG } from 'pngjs';
import { startTestService, type TestService } from '../../support/service';
import { pdfsig, renderPage } from '../../support/pdfsig';
import { letter, newTenant, recomputeHash, sha256 } from '../helpers';
import {
  addressedTo,
  createRouted,
  darkPixels,
  download,
  eventsOfType,
  invitationToken,
  outbox,
  signAs,
  signer,
  waitForExecution,
  waitForStatus,
  waitForStep,
  type Party,
} from '../../support/signing';
import { DISCLOSURE_VERSION } from '../../../functions/core/disclosure';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service?.close();
});

/** The last /ByteRange of a signed PDF: [offset, length, offset, length]. */
function lastByteRange(pdf: Uint8Array): [number, number, number, number] {
  const text = Buffer.from(pdf).toString('latin1');
  const all = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  const last = all.at(-1);
  if (!last) throw new Error('no /ByteRange in the PDF');
  return [Number(last[1]), Number(last[2]), Number(last[3]), Number(last[4])];
}

describe('a two-step route to completion', () => {
  const names = ['José Müller-Ñúñez', '王小明', 'محمد العلي'];
  let tenant: string;
  let token: string;
  let senderEmail: string;
  let envelope: Record<string, any>;
  let signers: Party[];
  let done: Record<string, any>;
  let sealed: Uint8Array;

  beforeAll(async () => {
    tenant = newTenant('complete');
    senderEmail = `sam.${tenant}@vendor.example`;
    token = await service.token('sender', { tenant, sub: 'sam', email: senderEmail });
    ({ envelope, signers } = await createRouted(
      service,
      token,
      tenant,
      [
        { name: names[0], step: 1 },
        { name: names[1], step: 1 },
        { name: names[2], step: 2 },
      ],
      { title: `Support agreement ${tenant}` },
    ));
    const send = await service.api('POST', `/v1/envelopes/${envelope.id}/send`, { token });
    expect(send.status).toBe(200);
    await waitForStep(service, tenant, envelope.id, 1);
    for (const s of signers.slice(0, 2)) {
      await signAs(service, await invitationToken(service, s.email), { type: 'typed', text: s.name });
    }
    const last = signers[2]!;
    const lastToken = await invitationToken(service, last.email);
    await waitForStep(service, tenant, envelope.id, 2);
    await signAs(service, lastToken, { type: 'typed', text: last.name });
    done = await waitForStatus(service, token, envelope.id, 'completed', 30_000);
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    const link = await service.api('GET', `/v1/envelopes/${envelope.id}/documents/doc1`, { token });
    expect(link.status).toBe(200);
    sealed = await download(link.body.url);
  }, 60_000);

  it('completes with the sealed documents recorded', () => {
    expect(done).toMatchObject({ status: 'completed', currentStep: null, completedAt: expect.any(String) });
    expect(done.recipients.map((r: any) => [r.name, r.status])).toEqual(names.map((n) => [n, 'signed']));
    expect(done.steps.map((s: any) => s.status)).toEqual(['completed', 'completed']);
    expect(done.sealedDocuments).toEqual([
      { id: 'doc1', name: 'msa (signed).pdf', sha256: sha256(sealed), size: sealed.length },
    ]);
  });

  it('the documents route serves the sealed copy, and ?version=original the uploaded bytes', async () => {
    const current = await service.api('GET', `/v1/envelopes/${envelope.id}/documents/doc1`, { token });
    expect(current.body.document).toMatchObject({ id: 'doc1', sha256: done.sealedDocuments[0].sha256 });
    const original = await service.api(
      'GET',
      `/v1/envelopes/${envelope.id}/documents/doc1?version=original`,
      {
        token,
      },
    );
    expect(original.status).toBe(200);
    expect(original.body.document).toMatchObject({ id: 'doc1', sha256: envelope.documents[0].sha256 });
    const bytes = await download(original.body.url);
    expect(Buffer.from(bytes).equals(Buffer.from(await letter()))).toBe(true);
  });

  it('the uploaded bytes are a byte-exact prefix of the sealed file', async () => {
    const uploaded = await letter();
    expect(sealed.length).toBeGreaterThan(uploaded.length);
    expect(Buffer.from(sealed.subarray(0, uploaded.length)).equals(Buffer.from(uploaded))).toBe(true);
  });

  it('pdfsig finds one valid ETSI.CAdES.detached signature over the whole file', async () => {
    const { signatures, output } = await pdfsig(sealed);
    expect(signatures, output).toHaveLength(1);
    expect(signatures[0]).toMatchObject({
      validation: 'Signature is Valid.',
      signatureType: 'ETSI.CAdES.detached',
      totalDocumentSigned: true,
    });
  });

  it('one flipped byte inside the signed range breaks the seal', async () => {
    const [start, length] = lastByteRange(sealed);
    // A byte inside the first stream of the uploaded part: the file still parses.
    const text = Buffer.from(sealed).toString('latin1');
    const offset = text.indexOf('stream', start) + 'stream'.length + 8;
    expect(offset).toBeGreaterThan(start);
    expect(offset).toBeLessThan(start + length);
    const tampered = Buffer.from(sealed);
    tampered[offset] = tampered[offset]! ^ 0x20;
    const { signatures, output } = await pdfsig(tampered);
    expect(signatures, output).toHaveLength(1);
    expect(signatures[0]!.digestMismatch || !signatures[0]!.valid, output).toBe(true);
  });

  it('every party gets a "Completed:" mail with the sealed PDF attached', async () => {
    const mails = (await outbox(service)).filter((m) => m.subject === `Completed: ${envelope.title}`);
    expect(mails.length).toBeGreaterThanOrEqual(1);
    for (const email of [...signers.map((s) => s.email), senderEmail]) {
      const theirs = mails.filter((m) => addressedTo(m, email));
      expect(theirs, email).toHaveLength(1);
      const attachments = theirs[0]!.attachments ?? [];
      expect(attachments).toHaveLength(1);
      expect(attachments[0]!.filename).toBe('msa (signed).pdf');
      expect(sha256(Buffer.from(attachments[0]!.content, 'base64'))).toBe(done.sealedDocuments[0].sha256);
    }
    const notified = await eventsOfType(service, tenant, envelope.id, 'envelope.parties_notified');
    expect(notified).toHaveLength(1);
    expect(notified[0]!.data).toMatchObject({ reason: 'completed', attached: true });
    expect([...notified[0]!.data.to].sort()).toEqual(
      [...signers.map((s) => s.email), senderEmail].map((e) => e.toLowerCase()).sort(),
    );
  });

  it('the audit trail verifies and lists the events in the order they happened', async () => {
    const res = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });
    expect(res.status).toBe(200);
    expect(res.body.verified).toBe(true);
    const events = res.body.events as any[];
    const [a, b, c] = signers.map((s) => s.id);
    expect(events.map((e) => [e.type, e.data?.recipientId])).toEqual([
      ['envelope.created', undefined],
      ['envelope.sent', undefined],
      ['recipient.invited', a],
      ['recipient.invited', b],
      ['recipient.viewed', a],
      ['recipient.consented', a],
      ['recipient.signed', a],
      ['recipient.viewed', b],
      ['recipient.consented', b],
      ['recipient.signed', b],
      ['recipient.invited', c],
      ['recipient.viewed', c],
      ['recipient.consented', c],
      ['recipient.signed', c],
      ['envelope.completed', undefined],
      ['envelope.parties_notified', undefined],
    ]);
    events.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.prevHash).toBe(i === 0 ? '0'.repeat(64) : events[i - 1].hash);
      expect(recomputeHash(e)).toBe(e.hash);
    });
    expect(res.body.headHash).toBe(events.at(-1).hash);
    const times = events.map((e) => Date.parse(e.at));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });

  it('each signature field on the page is inked in the sealed PDF', async () => {
    const before = PNG.sync.read(await renderPage(await letter(), 1, 72));
    const after = PNG.sync.read(await renderPage(sealed, 1, 72));
    for (const s of signers) {
      expect(darkPixels(before, s.field!), s.name).toBe(0);
      expect(darkPixels(after, s.field!), s.name).toBeGreaterThan(100);
    }
  });
});

describe('two signers of one step signing at the same moment', () => {
  it('both signatures count and the step completes exactly once', async () => {
    const tenant = newTenant('race');
    const token = await service.token('sender', {
      tenant,
      sub: 'sam',
      email: `sam.${tenant}@vendor.example`,
    });
    const { envelope, signers } = await createRouted(service, token, tenant, [1, 1, 2]);
    await service.api('POST', `/v1/envelopes/${envelope.id}/send`, { token });
    await waitForStep(service, tenant, envelope.id, 1);
    const [a, b, c] = signers as [Party, Party, Party];
    const tokens = [await invitationToken(service, a.email), await invitationToken(service, b.email)];
    for (const t of tokens) {
      expect(
        (await signer(service, 'POST', '/v1/signing/consent', t, { disclosureVersion: DISCLOSURE_VERSION }))
          .status,
      ).toBe(200);
    }

    const results = await Promise.all(
      tokens.map((t, i) =>
        signer(service, 'POST', '/v1/signing/sign', t, {
          signature: { type: 'typed', text: `Signer ${i + 1}` },
          agree: true,
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const signed = await eventsOfType(service, tenant, envelope.id, 'recipient.signed');
    expect(signed.map((e) => e.data.recipientId).sort()).toEqual([a.id, b.id].sort());

    const tokenC = await invitationToken(service, c.email);
    await waitForStep(service, tenant, envelope.id, 2);
    await signAs(service, tokenC);
    await waitForStatus(service, token, envelope.id, 'completed', 30_000);
    const record = await waitForExecution(service, envelope.id, 'SUCCEEDED');

    const invitedC = (await eventsOfType(service, tenant, envelope.id, 'recipient.invited')).filter(
      (e) => e.data.recipientId === c.id,
    );
    expect(invitedC).toHaveLength(1);
    expect(await eventsOfType(service, tenant, envelope.id, 'envelope.completed')).toHaveLength(1);
    expect(record.states.filter((s) => s === 'StartStep')).toHaveLength(2);
    expect(record.states.filter((s) => s === 'Seal')).toHaveLength(1);
    expect(
      (await outbox(service)).filter((m) => addressedTo(m, c.email) && /\/sign#t=/.test(m.body.text ?? '')),
    ).toHaveLength(1);
  });
});
