/* eslint-disable @typescript-eslint/no-explicit-any -- the demo reads the API's JSON answers loosely, as any client would */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import canonicalize from 'canonicalize';
import { LocalIssuer } from '../local/issuer';
import { startLocalService, type LocalService } from '../local/service';
import { demoContract } from './demo-contract';

/**
 * `npm run demo`: a maintenance contract played through the public API as its users would,
 * against the service at COUNTERSIGN_URL, or against one started here when none answers.
 */
const BASE = (process.env.COUNTERSIGN_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const HOME = resolve(process.env.COUNTERSIGN_HOME ?? '.local');
const OUT = join(HOME, 'demo');

const say = (line = '') => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v1/openapi.json`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function call(url: string, init: RequestInit & { expect?: number } = {}): Promise<any> {
  const res = await fetch(url, init);
  const text = await res.text();
  const body = text ? JSON.parse(text) : undefined;
  if (res.status !== (init.expect ?? 200)) {
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${body?.error?.message ?? text}`);
  }
  return body;
}

/** The invitation link for one address, read from the local outbox as the recipient would read their mail. */
async function invitationToken(email: string, after: number): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const store = await call(`${BASE}/local/mail`);
    const mail = (store.emails as any[]).find(
      (m, index) =>
        index >= after &&
        JSON.stringify(m.destination).includes(email) &&
        /\/sign#t=/.test(m.body?.text ?? ''),
    );
    if (mail) return /\/sign#t=([A-Za-z0-9_-]+)/.exec(mail.body.text)![1]!;
    await sleep(100);
  }
  throw new Error(`no invitation reached ${email}`);
}

function verifyTrail(events: any[]): { verified: boolean; head: string } {
  let prev = '0'.repeat(64);
  for (const [i, event] of events.entries()) {
    const { hash, ...rest } = event;
    if (event.seq !== i + 1 || event.prevHash !== prev) return { verified: false, head: prev };
    const expected = createHash('sha256')
      .update(prev + canonicalize(rest))
      .digest('hex');
    if (expected !== hash) return { verified: false, head: prev };
    prev = hash;
  }
  return { verified: true, head: prev };
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let own: LocalService | undefined;
  let base = BASE;
  if (await answers(BASE)) {
    say(`Using the service at ${BASE}.`);
  } else {
    const port = Number(new URL(BASE).port || 3000);
    say(`No service answers at ${BASE}; starting one in the local mode (state in ${HOME}).`);
    own = await startLocalService({ home: HOME, port, timeScale: 1 / 5760 });
    base = own.url;
  }
  try {
    await run(base);
  } finally {
    await own?.close();
  }
}

async function run(base: string): Promise<void> {
  if (base !== BASE) process.env.COUNTERSIGN_URL = base;
  const issuer = await LocalIssuer.open(HOME);
  const token = await issuer.mint({
    roles: ['sender'],
    tenant: 'demo',
    sub: 'demo-sender',
    email: 'support.manager@customer.example',
  });
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const signers = [
    { name: 'Ana Ruiz', email: 'ana.ruiz@customer.example', step: 1, role: 'Customer, IT administrator' },
    { name: 'Søren Kjær', email: 'soren.kjaer@customer.example', step: 1, role: 'Customer, procurement' },
    { name: '王小明 (Wang Xiaoming)', email: 'wang.xiaoming@vendor.example', step: 2, role: 'Vendor, legal' },
  ];
  // The contract itself is drawn with a standard PDF font, so its labels name roles; the stamps carry the names.
  const { pdf, boxes } = await demoContract(signers.map((s) => s.role));

  say();
  say('1. The support manager creates the envelope: one PDF, two routing steps.');
  const mailBefore = ((await call(`${base}/local/mail`)).emails as unknown[]).length;
  const envelope = await call(`${base}/v1/envelopes`, {
    method: 'POST',
    expect: 201,
    headers: { ...auth, 'idempotency-key': `demo-${Date.now()}` },
    body: JSON.stringify({
      title: 'Support Maintenance Agreement 2027',
      message: 'Please review and sign the renewed support agreement.',
      documents: [
        {
          id: 'msa',
          name: 'support-maintenance-agreement.pdf',
          contentBase64: Buffer.from(pdf).toString('base64'),
        },
      ],
      recipients: signers.map((s, i) => ({
        id: `signer${i + 1}`,
        name: s.name,
        email: s.email,
        step: s.step,
        fields: [{ type: 'signature', ...boxes[i] }],
      })),
    }),
  });
  say(`   Envelope ${envelope.id}: "${envelope.title}", status ${envelope.status}.`);
  say(
    `   Step 1 (in parallel): ${signers
      .filter((s) => s.step === 1)
      .map((s) => s.name)
      .join(' and ')}. Step 2: ${signers[2]!.name}.`,
  );

  say('2. It is sent; the signing route invites step 1.');
  await call(`${base}/v1/envelopes/${envelope.id}/send`, { method: 'POST', headers: auth });

  for (const [i, s] of signers.entries()) {
    const step = s.step;
    say(`${3 + i}. ${s.name} (step ${step}) opens the invitation e-mail and signs.`);
    const t = await invitationToken(s.email, mailBefore);
    const headers = { 'x-signing-token': t, 'content-type': 'application/json' };
    const session = await call(`${base}/v1/signing/session`, { headers });
    say(
      `   Sees "${session.envelope.title}" from ${session.sender.email}, ${session.documents.length} document(s).`,
    );
    const doc = await call(`${base}/v1/signing/document`, { headers });
    const shown = Buffer.from(await (await fetch(doc.url)).arrayBuffer());
    const shownHash = createHash('sha256').update(shown).digest('hex');
    say(`   Downloads the document to read it: ${shown.length} bytes, SHA-256 ${shownHash.slice(0, 16)}…`);
    await call(`${base}/v1/signing/consent`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ disclosureVersion: session.disclosure.version }),
    });
    say(`   Agrees to the electronic records disclosure (version ${session.disclosure.version}).`);
    const signed = await call(`${base}/v1/signing/sign`, {
      method: 'POST',
      headers: { ...headers, 'user-agent': 'countersign-demo' },
      body: JSON.stringify({
        signature: { type: 'typed', text: s.name.replace(/ \(.*\)$/, '') },
        documents: [{ id: doc.document.id, sha256: shownHash }],
        agree: true,
      }),
    });
    say(`   Signs with a typed signature: now ${signed.recipient.status}.`);
  }

  say(`${3 + signers.length}. The route stamps the signatures, seals the PDF and mails every party.`);
  let done: any;
  for (let i = 0; i < 600 && !done; i++) {
    const current = await call(`${base}/v1/envelopes/${envelope.id}`, { headers: auth });
    if (current.status === 'completed') done = current;
    else await sleep(100);
  }
  if (!done) throw new Error('the envelope did not complete within a minute');
  const sealed = done.sealedDocuments[0];
  const link = await call(`${base}/v1/envelopes/${envelope.id}/documents/${sealed.id}`, { headers: auth });
  const bytes = Buffer.from(await (await fetch(link.url)).arrayBuffer());
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `${envelope.id}-signed.pdf`);
  writeFileSync(file, bytes);
  const sealedHash = createHash('sha256').update(bytes).digest('hex');
  const prefix = Buffer.compare(bytes.subarray(0, pdf.length), Buffer.from(pdf)) === 0;
  say(`   Completed at ${done.completedAt}. Sealed PDF: ${file}`);
  say(
    `   ${bytes.length} bytes, SHA-256 ${sealedHash.slice(0, 16)}… (${sealedHash === sealed.sha256 ? 'matches' : 'DOES NOT match'} the envelope's record).`,
  );
  say(
    `   The uploaded PDF is ${prefix ? '' : 'NOT '}a byte-exact prefix of the sealed file: stamps and seal are incremental updates.`,
  );

  const mails = ((await call(`${base}/local/mail`)).emails as any[]).slice(mailBefore);
  const completion = mails.filter((m) => /^Completed:/.test(m.subject));
  say(
    `   Completion mail: ${completion.length} message(s), ${completion.reduce((n, m) => n + (m.attachments?.length ?? 0), 0)} attachment(s).`,
  );

  say(`${4 + signers.length}. The audit trail, checked here independently of the service.`);
  const trail = await call(`${base}/v1/envelopes/${envelope.id}/audit`, { headers: auth });
  const mine = verifyTrail(trail.events);
  for (const e of trail.events) {
    const who =
      e.actor.kind === 'recipient'
        ? e.actor.email
        : e.actor.kind === 'user'
          ? (e.actor.email ?? e.actor.id)
          : 'system';
    say(`   #${String(e.seq).padStart(2)} ${e.at}  ${e.type.padEnd(26)} ${who}`);
  }
  say(
    `   Service says verified=${trail.verified}; recomputed here: ${mine.verified ? 'verified' : 'BROKEN'}, head ${mine.head.slice(0, 16)}…`,
  );
  if (!trail.verified || !mine.verified || sealedHash !== sealed.sha256 || !prefix) {
    throw new Error('the demo found an inconsistency (see above)');
  }
  say();
  say(`Done. Check the seal yourself: pdfsig "${file}"`);
}

main().catch((err: unknown) => {
  console.error(`demo: ${(err as Error).message}`);
  process.exit(1);
});
