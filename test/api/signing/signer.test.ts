import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { PNG } from 'pngjs';
import {
  DISCLOSURE_SHA256,
  DISCLOSURE_TEXT,
  DISCLOSURE_VERSION,
  SIGNING_INTENT,
} from '../../../functions/core/disclosure';
import { DocumentLink, SigningSession } from '../../../functions/api/schemas';
import type { MailMessage } from '../../../functions/core/ports';
import { startTestService, type TestService } from '../../support/service';
import { renderPage } from '../../support/pdfsig';
import { letter, newTenant, sha256 } from '../helpers';
import {
  createRouted,
  darkPixels,
  download,
  eventsOfType,
  events,
  eventually,
  invitationToken,
  mailTo,
  readEnvelope,
  sendEnvelope,
  signAs,
  signaturePng,
  signer,
  waitForExecution,
  waitForStatus,
  waitForStep,
  type Party,
} from '../../support/signing';

let service: TestService;
/** Every message the service handed to its mail port, as sent. */
const mailed: MailMessage[] = [];

beforeAll(async () => {
  service = await startTestService({
    overrides: ({ mail }) => ({
      mail: {
        send: async (message) => {
          mailed.push(message);
          return mail.send(message);
        },
      },
    }),
  });
});

afterAll(async () => {
  await service?.close();
});

const SESSION = '/v1/signing/session';
const DOCUMENT = '/v1/signing/document';
const CONSENT = '/v1/signing/consent';
const WITHDRAW = '/v1/signing/consent/withdraw';
const SIGN = '/v1/signing/sign';
const DECLINE = '/v1/signing/decline';

const typed = (text = 'Ada Lovelace') => ({ type: 'typed' as const, text });

interface Setup {
  tenant: string;
  token: string;
  senderEmail: string;
  envelope: Record<string, any>;
  signers: Party[];
  /** Signing tokens of the step-1 signers, in order. */
  tokens: string[];
}

/** An envelope with signers in `steps`, sent, with step 1 invited and the route waiting on it. */
async function sentEnvelope(steps: number[], message?: string): Promise<Setup> {
  const tenant = newTenant('signer');
  const senderEmail = `sam.${tenant}@vendor.example`;
  const token = await service.token('sender', { tenant, sub: 'sam', email: senderEmail });
  const { envelope, signers } = await createRouted(service, token, tenant, steps, {
    ...(message !== undefined ? { message } : {}),
  });
  await sendEnvelope(service, token, envelope.id);
  await waitForStep(service, tenant, envelope.id, 1);
  const tokens: string[] = [];
  for (const s of signers.filter((s) => s.step === 1)) tokens.push(await invitationToken(service, s.email));
  return { tenant, token, senderEmail, envelope, signers, tokens };
}

async function consent(token: string) {
  const res = await signer(service, 'POST', CONSENT, token, { disclosureVersion: DISCLOSURE_VERSION });
  expect(res.status).toBe(200);
  return res;
}

const count = async (s: Setup) => (await events(service, s.tenant, s.envelope.id)).length;

describe('the signing session', () => {
  it('shows the sender, the message and the disclosure; the first open records who opened it', async () => {
    const s = await sentEnvelope([1], 'Please review the renewed terms by Friday.');
    const ua = 'Mozilla/5.0 (CountersignTest) SignerSuite/1.0';
    const res = await signer(service, 'GET', SESSION, s.tokens[0], undefined, { 'user-agent': ua });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      envelope: {
        id: s.envelope.id,
        title: s.envelope.title,
        message: 'Please review the renewed terms by Friday.',
        status: 'sent',
      },
      sender: { email: s.senderEmail },
      recipient: { id: s.signers[0]!.id, email: s.signers[0]!.email, step: 1, status: 'viewed' },
      documents: [{ id: 'doc1', sha256: s.envelope.documents[0].sha256, pageCount: 1 }],
      disclosure: { version: DISCLOSURE_VERSION, sha256: DISCLOSURE_SHA256, text: DISCLOSURE_TEXT },
      consent: { given: false },
      canSign: false,
      intent: SIGNING_INTENT,
    });
    expect(res.body.reason).toMatch(/consent/);

    const viewed = await eventsOfType(service, s.tenant, s.envelope.id, 'recipient.viewed');
    expect(viewed).toHaveLength(1);
    expect(viewed[0]!.data).toEqual({ recipientId: s.signers[0]!.id });
    expect(viewed[0]!.actor).toEqual({
      kind: 'recipient',
      id: s.signers[0]!.id,
      email: s.signers[0]!.email,
      ip: expect.stringMatching(/127\.0\.0\.1$/),
      userAgent: ua,
    });

    // Opening again records nothing more.
    expect((await signer(service, 'GET', SESSION, s.tokens[0])).status).toBe(200);
    expect(await eventsOfType(service, s.tenant, s.envelope.id, 'recipient.viewed')).toHaveLength(1);
  });

  it('the session answer matches its documented schema', async () => {
    const s = await sentEnvelope([1]);
    const res = await signer(service, 'GET', SESSION, s.tokens[0]);
    expect(res.status).toBe(200);
    expect(SigningSession.safeParse(res.body).error).toBeUndefined();
  });

  it('GET document: a URL of the exact bytes recorded; the version seen is recorded once', async () => {
    const s = await sentEnvelope([1]);
    const recorded = s.envelope.documents[0].sha256 as string;
    expect(recorded).toBe(sha256(await letter()));

    const res = await signer(service, 'GET', `${DOCUMENT}?document=doc1`, s.tokens[0]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ method: 'GET', document: { id: 'doc1', sha256: recorded } });
    expect(sha256(await download(res.body.url))).toBe(recorded);
    // The presigned URL carries no signing token.
    expect(res.body.url).not.toContain(s.tokens[0]);

    const again = await signer(service, 'GET', DOCUMENT, s.tokens[0]);
    expect(again.status).toBe(200);
    expect(again.body.document.id).toBe('doc1');

    const viewed = await eventsOfType(service, s.tenant, s.envelope.id, 'recipient.document_viewed');
    expect(viewed).toHaveLength(1);
    expect(viewed[0]!.data).toEqual({ recipientId: s.signers[0]!.id, documentId: 'doc1', sha256: recorded });
    expect(viewed[0]!.actor).toMatchObject({ kind: 'recipient', id: s.signers[0]!.id });

    const unknown = await signer(service, 'GET', `${DOCUMENT}?document=nope`, s.tokens[0]);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/no document "nope"/);
  });

  it('the document answer matches its documented schema (DocumentLink)', async () => {
    const s = await sentEnvelope([1]);
    const res = await signer(service, 'GET', DOCUMENT, s.tokens[0]);
    expect(res.status).toBe(200);
    expect(DocumentLink.safeParse(res.body).error).toBeUndefined();
  });
});

describe('consent and signing', () => {
  it('409 naming consent when signing before consent; nothing is recorded', async () => {
    const s = await sentEnvelope([1]);
    const before = await count(s);
    const res = await signer(service, 'POST', SIGN, s.tokens[0], { signature: typed(), agree: true });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(res.body.error.message).toMatch(/consent/);
    expect(await count(s)).toBe(before);
  });

  it('409 for consent to another disclosure version; the current one is accepted', async () => {
    const s = await sentEnvelope([1]);
    const before = await count(s);
    const wrong = await signer(service, 'POST', CONSENT, s.tokens[0], { disclosureVersion: '2001-01-1' });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.message).toContain(DISCLOSURE_VERSION);
    expect(await count(s)).toBe(before);

    const right = await consent(s.tokens[0]!);
    expect(right.body.consent.given).toBe(true);
    const consented = await eventsOfType(service, s.tenant, s.envelope.id, 'recipient.consented');
    expect(consented).toHaveLength(1);
    expect(consented[0]!.data).toEqual({
      recipientId: s.signers[0]!.id,
      disclosureVersion: DISCLOSURE_VERSION,
      disclosureSha256: DISCLOSURE_SHA256,
    });
  });

  it('signs after consent: the event holds the intent, the document hashes and the signature', async () => {
    const s = await sentEnvelope([1]);
    await consent(s.tokens[0]!);
    const docHash = s.envelope.documents[0].sha256 as string;
    const res = await signer(
      service,
      'POST',
      SIGN,
      s.tokens[0],
      { signature: typed('Ada Lovelace'), documents: [{ id: 'doc1', sha256: docHash }], agree: true },
      { 'user-agent': 'SignerSuite/2.0' },
    );
    expect(res.status).toBe(200);
    expect(res.body.recipient.status).toBe('signed');
    expect(res.body.canSign).toBe(false);

    const signed = await eventsOfType(service, s.tenant, s.envelope.id, 'recipient.signed');
    expect(signed).toHaveLength(1);
    expect(signed[0]!.data).toEqual({
      recipientId: s.signers[0]!.id,
      step: 1,
      signature: { kind: 'typed', text: 'Ada Lovelace' },
      documents: [{ id: 'doc1', sha256: docHash }],
      intent: SIGNING_INTENT,
      // The security procedure: this recipient has the e-mail link alone (the default).
      authMethod: 'email',
    });
    expect(signed[0]!.actor).toMatchObject({
      kind: 'recipient',
      id: s.signers[0]!.id,
      email: s.signers[0]!.email,
      ip: expect.stringMatching(/127\.0\.0\.1$/),
      userAgent: 'SignerSuite/2.0',
    });

    // Signing twice: refused, and no second event.
    const twice = await signer(service, 'POST', SIGN, s.tokens[0], { signature: typed(), agree: true });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toContain('already signed');
    expect(await eventsOfType(service, s.tenant, s.envelope.id, 'recipient.signed')).toHaveLength(1);
  });

  it('409 when a document hash is not the recorded one, and nothing is recorded', async () => {
    const s = await sentEnvelope([1]);
    await consent(s.tokens[0]!);
    const before = await count(s);
    const res = await signer(service, 'POST', SIGN, s.tokens[0], {
      signature: typed(),
      documents: [{ id: 'doc1', sha256: sha256('another version') }],
      agree: true,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/not the version you were shown/);
    expect(await count(s)).toBe(before);
    expect((await readEnvelope(service, s.token, s.envelope.id)).recipients[0].status).not.toBe('signed');
  });

  it('400 when agree is missing or not true', async () => {
    const s = await sentEnvelope([1]);
    await consent(s.tokens[0]!);
    const before = await count(s);
    for (const body of [
      { signature: typed() },
      { signature: typed(), agree: false },
      { signature: typed(), agree: 'yes' },
    ]) {
      const res = await signer(service, 'POST', SIGN, s.tokens[0], body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: any) => d.path)).toContain('body.agree');
    }
    expect(await count(s)).toBe(before);
  });
});

describe('drawn signatures', () => {
  it('415 for an image that is not a PNG', async () => {
    const s = await sentEnvelope([1]);
    await consent(s.tokens[0]!);
    const before = await count(s);
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
    const fakePng = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)]);
    for (const bytes of [jpeg, fakePng]) {
      const res = await signer(service, 'POST', SIGN, s.tokens[0], {
        signature: { type: 'drawn', pngBase64: bytes.toString('base64') },
        agree: true,
      });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('unsupported_media_type');
    }
    expect(await count(s)).toBe(before);
  });

  /** Bytes that start like a PNG, `size` long. */
  const pngLike = (size: number) => {
    const bytes = Buffer.alloc(size, 0x41);
    Buffer.from('89504e470d0a1a0a', 'hex').copy(bytes);
    return bytes;
  };

  async function signDrawn(token: string, bytes: Buffer) {
    return signer(service, 'POST', SIGN, token, {
      signature: { type: 'drawn', pngBase64: bytes.toString('base64') },
      agree: true,
    });
  }

  it('413 for a drawn signature just over the 500 KB limit', async () => {
    const s = await sentEnvelope([1]);
    await consent(s.tokens[0]!);
    const before = await count(s);
    const res = await signDrawn(s.tokens[0]!, pngLike(500 * 1024 + 1));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(await count(s)).toBe(before);
  });

  it('413 for a 600 KB drawn signature', async () => {
    const s = await sentEnvelope([1]);
    await consent(s.tokens[0]!);
    const before = await count(s);
    const res = await signDrawn(s.tokens[0]!, pngLike(600 * 1024));
    expect(res.body.error?.details ?? []).toEqual([]);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(await count(s)).toBe(before);
  });

  it('a small drawn PNG is accepted, stored by hash, and stamped into the sealed PDF', async () => {
    const s = await sentEnvelope([1]);
    const png = signaturePng(200, 60);
    const res = await signAs(service, s.tokens[0]!, { type: 'drawn', pngBase64: png.toString('base64') });
    expect(res.body.recipient.status).toBe('signed');
    const signed = await eventsOfType(service, s.tenant, s.envelope.id, 'recipient.signed');
    expect(signed[0]!.data.signature).toMatchObject({ kind: 'drawn', pngSha256: sha256(png) });

    const done = await waitForStatus(service, s.token, s.envelope.id, 'completed');
    const link = await service.api('GET', `/v1/envelopes/${s.envelope.id}/documents/doc1`, {
      token: s.token,
    });
    expect(link.status).toBe(200);
    const sealed = await download(link.body.url);
    expect(sha256(sealed)).toBe(done.sealedDocuments[0].sha256);

    // The image went into the appended update, at its own size.
    const original = await letter();
    const appended = Buffer.from(sealed.subarray(original.length)).toString('latin1');
    expect(appended).toMatch(/\/Subtype\s*\/Image/);
    expect(appended).toMatch(/\/Width 200\b/);
    expect(appended).toMatch(/\/Height 60\b/);

    // At 72 dpi a pixel is a point: the field's rectangle is blank before and inked after.
    const field = s.signers[0]!.field!;
    const before = PNG.sync.read(await renderPage(original, 1, 72));
    const after = PNG.sync.read(await renderPage(sealed, 1, 72));
    expect(darkPixels(before, field)).toBe(0);
    expect(darkPixels(after, field)).toBeGreaterThan(300);
  });
});

describe('who can act', () => {
  it('401 for a wrong, a missing and a malformed token', async () => {
    const s = await sentEnvelope([1]);
    const wrong = Buffer.alloc(32, 1).toString('base64url');
    for (const token of [wrong, undefined, 'short', 'not a token!', `${s.tokens[0]}=`, 'x'.repeat(200)]) {
      const res = await signer(service, 'GET', SESSION, token);
      expect(res.status, String(token)).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    const signing = await signer(service, 'POST', SIGN, wrong, { signature: typed(), agree: true });
    expect(signing.status).toBe(401);
    const missing = await signer(service, 'POST', CONSENT, undefined, {
      disclosureVersion: DISCLOSURE_VERSION,
    });
    expect(missing.status).toBe(401);
    expect(await eventsOfType(service, s.tenant, s.envelope.id, 'recipient.viewed')).toHaveLength(0);
  });

  it("another recipient's token acts as that recipient only", async () => {
    const s = await sentEnvelope([1, 1]);
    const [a, b] = s.signers as [Party, Party];
    const session = await signer(service, 'GET', SESSION, s.tokens[1]);
    expect(session.body.recipient).toMatchObject({ id: b.id, email: b.email });

    await signAs(service, s.tokens[1]!);
    const signed = await eventsOfType(service, s.tenant, s.envelope.id, 'recipient.signed');
    expect(signed.map((e) => [e.data.recipientId, e.actor.id])).toEqual([[b.id, b.id]]);
    const read = await readEnvelope(service, s.token, s.envelope.id);
    expect(read.recipients.find((r: any) => r.id === a.id).status).toBe('sent');
    expect(read.recipients.find((r: any) => r.id === b.id).status).toBe('signed');
    expect(read.currentStep).toBe(1);
    const first = await signer(service, 'GET', SESSION, s.tokens[0]);
    expect(first.body.recipient.id).toBe(a.id);
    expect(first.body.consent.given).toBe(false);
  });

  it('step 2 is invited only once step 1 is complete, and its token then works', async () => {
    const s = await sentEnvelope([1, 2]);
    const second = s.signers[1]!;
    expect(await mailTo(service, second.email)).toEqual([]);
    await signAs(service, s.tokens[0]!);

    const token = await invitationToken(service, second.email);
    await waitForStep(service, s.tenant, s.envelope.id, 2);
    expect(await mailTo(service, second.email)).toHaveLength(1);
    const session = await signer(service, 'GET', SESSION, token);
    expect(session.status).toBe(200);
    expect(session.body.recipient).toMatchObject({ id: second.id, step: 2, status: 'viewed' });
    expect(session.body.reason).toMatch(/consent/);
    await signAs(service, token);
    await waitForStatus(service, s.token, s.envelope.id, 'completed');
  });
});

describe('withdrawal, decline and void', () => {
  it('withdrawing consent before signing: status withdrawn, the sender is told, signing is refused', async () => {
    const s = await sentEnvelope([1]);
    const [a] = s.signers as [Party];
    await consent(s.tokens[0]!);
    const res = await signer(service, 'POST', WITHDRAW, s.tokens[0], {});
    expect(res.status).toBe(200);
    expect(res.body.recipient.status).toBe('withdrawn');
    expect(res.body.consent).toMatchObject({ given: false, withdrawnAt: expect.any(String) });
    expect(res.body.canSign).toBe(false);
    const withdrawn = await eventsOfType(service, s.tenant, s.envelope.id, 'recipient.consent_withdrawn');
    expect(withdrawn).toHaveLength(1);
    expect(withdrawn[0]!.data).toEqual({ recipientId: a.id });

    const notice = await eventually('the withdrawal notice', async () => {
      const mails = await mailTo(service, s.senderEmail, 'Consent withdrawn:');
      return mails.length ? mails : undefined;
    });
    expect(notice).toHaveLength(1);
    expect(notice[0]!.body.text).toContain(a.email);

    const before = await count(s);
    const signing = await signer(service, 'POST', SIGN, s.tokens[0], { signature: typed(), agree: true });
    expect(signing.status).toBe(409);
    const again = await signer(service, 'POST', CONSENT, s.tokens[0], {
      disclosureVersion: DISCLOSURE_VERSION,
    });
    expect(again.status).toBe(409);
    expect(await count(s)).toBe(before);
    expect((await readEnvelope(service, s.token, s.envelope.id)).recipients[0].status).toBe('withdrawn');
  });

  it('decline: the envelope is declined, the sender and earlier signers are told, every link is gone', async () => {
    const s = await sentEnvelope([1, 2, 2]);
    const [a, b, c] = s.signers as [Party, Party, Party];
    await signAs(service, s.tokens[0]!);
    const tokenB = await invitationToken(service, b.email);
    const tokenC = await invitationToken(service, c.email);
    await waitForStep(service, s.tenant, s.envelope.id, 2);

    const res = await signer(service, 'POST', DECLINE, tokenB, { reason: 'The liability cap is too low.' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'declined' });
    const read = await readEnvelope(service, s.token, s.envelope.id);
    expect(read).toMatchObject({ status: 'declined', declinedBy: b.id, currentStep: null });
    const declined = await eventsOfType(service, s.tenant, s.envelope.id, 'recipient.declined');
    expect(declined.map((e) => e.data)).toEqual([
      { recipientId: b.id, reason: 'The liability cap is too low.' },
    ]);

    const notified = await eventually('the route to record the decline', async () => {
      const found = await eventsOfType(service, s.tenant, s.envelope.id, 'envelope.parties_notified');
      return found.length ? found : undefined;
    });
    expect(notified).toHaveLength(1);
    expect(notified[0]!.data.reason).toBe('declined');
    expect([...notified[0]!.data.to].sort()).toEqual(
      [a.email, s.senderEmail].map((e) => e.toLowerCase()).sort(),
    );
    // What the service handed to SES: one message each to the sender and the earlier signer.
    const sent = mailed.filter((m) => m.subject.startsWith('Declined:') && m.text.includes(s.envelope.id));
    expect(sent.map((m) => m.to.join()).sort()).toEqual(
      [a.email, s.senderEmail].map((e) => e.toLowerCase()).sort(),
    );
    expect(sent.every((m) => m.text.includes('The liability cap is too low.'))).toBe(true);
    for (const address of [a.email, s.senderEmail]) {
      const delivered = await mailTo(service, address, 'Declined:');
      expect(delivered).toHaveLength(1);
      expect(delivered[0]!.body.text).toContain('The liability cap is too low.');
    }
    expect(await mailTo(service, b.email, 'Declined:')).toEqual([]);
    expect(await mailTo(service, c.email, 'Declined:')).toEqual([]);
    await waitForExecution(service, s.envelope.id, 'SUCCEEDED');

    for (const token of [s.tokens[0]!, tokenB, tokenC]) {
      const session = await signer(service, 'GET', SESSION, token);
      expect(session.status).toBe(410);
      expect(session.body.error.code).toBe('gone');
    }
  });

  it('a voided envelope cannot be signed (410), and its route ends with the parties told', async () => {
    const s = await sentEnvelope([1, 2]);
    const [a, b] = s.signers as [Party, Party];
    await consent(s.tokens[0]!);
    const voided = await service.api('POST', `/v1/envelopes/${s.envelope.id}/void`, {
      token: s.token,
      body: { reason: 'Wrong customer entity' },
    });
    expect(voided.status).toBe(200);

    const res = await signer(service, 'POST', SIGN, s.tokens[0], { signature: typed(), agree: true });
    expect(res.status).toBe(410);
    expect(res.body.error.message).toContain('voided');
    expect((await signer(service, 'GET', SESSION, s.tokens[0])).status).toBe(410);

    const ended = await waitForExecution(service, s.envelope.id, 'SUCCEEDED');
    expect(ended.states).toContain('RecordEnd');
    expect(ended.states.at(-1)).toBe('Ended');
    const notified = await eventsOfType(service, s.tenant, s.envelope.id, 'envelope.parties_notified');
    expect(notified).toHaveLength(1);
    expect(notified[0]!.data.reason).toBe('voided');
    // Everyone who was invited is told; the step-2 signer never was.
    expect(notified[0]!.data.to).toContain(a.email.toLowerCase());
    expect(notified[0]!.data.to).not.toContain(b.email.toLowerCase());
    expect(await mailTo(service, a.email, 'Voided:')).toHaveLength(1);
    expect(await mailTo(service, b.email)).toEqual([]);
    // After the void, only the route's own record of the ending was added: no signature.
    const types = (await events(service, s.tenant, s.envelope.id)).map((e) => e.type);
    expect(types.slice(types.indexOf('envelope.voided'))).toEqual([
      'envelope.voided',
      'envelope.parties_notified',
    ]);
  });
});
