import { openContract } from '../usecases/contracts';
import type {
  AwaitStepPayload,
  EnvelopePayload,
  RecordEndPayload,
  SigningRouteTasks,
  StepPayload,
  StepWaitResult,
} from '../../../workflows/signing-route';
import { ERRORS } from '../../../workflows/signing-route';
import type { EnvelopeState, RecipientState, SealedDocument, SignatureRecord } from '../envelope';
import { hasActed, isFinal, isStepComplete, settingsOf } from '../envelope';
import { appendEvent, loadEnvelope, withRetry } from '../envelope-repository';
import { TaskTokenExpiredError } from '../errors';
import { sha256Hex } from '../hashing';
import { addCompletion } from '../completion/complete';
import { sealPdf } from '../pdf-seal/seal';
import { stampSignatures, type FieldStamp } from '../pdf-stamp/stamp';
import type { MailAttachment, Ports } from '../ports';
import {
  completion,
  ended,
  expiryWarning,
  expiryWarningToSender,
  partReassigned,
  reminder,
} from './messages';
import { inviteNewPerson, notice } from './reassign';
import { issueInvitation } from './invite';
import { initialsOf } from './signer-actions';
import { reinvite } from './recipient-changes';
import { retainUntil } from '../tenant-settings';
import { dueWork, expiryOf, isPending, waitSeconds } from './schedule';

/** An ending the route catches by name (Envelope.Voided, .Declined, .Expired). */
export class RouteEndedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const ENDING: Record<string, string> = {
  voided: ERRORS.Voided,
  declined: ERRORS.Declined,
  expired: ERRORS.Expired,
};

function stopIfEnded(state: EnvelopeState): void {
  const error = ENDING[state.status];
  if (error) throw new RouteEndedError(error, `envelope ${state.id} is ${state.status}`);
}

const keyOf = (p: EnvelopePayload) => ({ tenantId: p.tenantId, envelopeId: p.envelopeId });
const system = { kind: 'system' as const, id: 'signing-route' };

/**
 * The signing route's tasks. Each one is safe to run twice (Lambda retries, a restarted local
 * route): it reads the log first and does only what is not yet recorded.
 */
export function signingRouteTasks(ports: Ports): SigningRouteTasks {
  return {
    async StartStep(p: StepPayload) {
      const state = await loadEnvelope(ports.envelopes, keyOf(p));
      stopIfEnded(state);
      // A step that would start after the expiry does not start: the envelope expires.
      if (!isStepComplete(state, p.step) && dueWork(state, p.step, ports.clock.now().getTime()).expired) {
        await expire(ports, p);
      }
      // Carbon copies are never invited: they receive the completed documents only.
      const waiting = state.recipients.filter(
        (r) => r.step === p.step && r.status === 'created' && r.role !== 'carbon_copy',
      );
      for (const { id } of waiting) {
        // A void or decline while this step is being invited stops the remaining invitations;
        // a reassignment or a corrected address meanwhile is invited as it now stands.
        const before = await loadEnvelope(ports.envelopes, keyOf(p));
        stopIfEnded(before);
        const r = before.recipients.find((x) => x.id === id)!;
        if (r.status !== 'created') continue;
        const { messageId } = await issueInvitation(ports, before, r);
        const recorded = await withRetry(async () => {
          // A mail that went out is recorded, even if the envelope ended meanwhile.
          const current = await loadEnvelope(ports.envelopes, keyOf(p));
          return (
            await appendEvent(ports.envelopes, current, {
              type: 'recipient.invited',
              at: ports.clock.now().toISOString(),
              actor: system,
              data: { recipientId: r.id, step: p.step, email: r.email, messageId },
            })
          ).state;
        });
        await followAddressChange(ports, p, recorded, r);
      }
      return { invited: waiting.length, ...(await attend(ports, p)) };
    },

    /**
     * Stores the token, then looks at the step: a signature that landed while the previous
     * token was being replaced found no token to complete, so this completes it.
     */
    async AwaitStep(p: AwaitStepPayload) {
      await ports.waits.putWait({
        tenantId: p.tenantId,
        envelopeId: p.envelopeId,
        step: p.step,
        taskToken: p.taskToken,
        storedAt: ports.clock.now().toISOString(),
      });
      const state = await loadEnvelope(ports.envelopes, keyOf(p));
      try {
        const error = ENDING[state.status];
        if (error)
          await ports.workflow.taskFailure(p.taskToken, error, `envelope ${state.id} is ${state.status}`);
        else if (isStepComplete(state, p.step))
          await ports.workflow.taskSuccess(p.taskToken, { step: p.step });
      } catch (err) {
        if (!(err instanceof TaskTokenExpiredError)) throw err;
      }
      return { stored: true };
    },

    /** The wait timed out: does what is due now and says how long the next wait lasts. */
    async Remind(p: StepPayload) {
      return attend(ports, p);
    },

    async Seal(p: EnvelopePayload) {
      const state = await loadEnvelope(ports.envelopes, keyOf(p));
      if (state.status === 'completed') return { documents: state.sealedDocuments?.length ?? 0 };
      stopIfEnded(state);
      if (state.steps.some((s) => s.status !== 'completed')) {
        throw new Error(`envelope ${state.id} cannot be sealed: not every step is complete`);
      }
      const chain = await ports.seal.chain();
      const keepUntil = await retainUntil(ports, state.tenantId);
      // The certificate of completion names the last event of the log as read here (the audit
      // head); events appended later are chained after it.
      const events = await ports.envelopes.loadEvents(keyOf(p));
      const sealedAt = ports.clock.now();
      const sealed: SealedDocument[] = [];
      for (const doc of state.documents) {
        const original = await ports.documents.getDocument(doc.storageKey, doc.sha256);
        const stamps = await stampsFor(ports, state, doc.id);
        const stamped = stamps.length ? await stampSignatures(original, stamps, ports.fonts) : original;
        // Its pages and attached files go in before the seal, so the seal covers them.
        const { bytes: completed } = await addCompletion(stamped, state, events, {
          sealedAt,
          fonts: ports.fonts,
        });
        const bytes = await sealPdf(completed, {
          signer: ports.seal.signer,
          chain,
          reason: `Signed by every party in envelope ${state.id}`,
          name: 'Countersign',
          signedAt: sealedAt,
          fieldName: `CountersignSeal_${state.id}`,
          ...(ports.timestamper ? { timestamper: ports.timestamper } : {}),
        });
        const sha256 = sha256Hex(bytes);
        // Named by content: an overlapping retry of this task writes beside it, never over it.
        const storageKey = doc.storageKey.replace(/\.pdf$/, `.sealed-${sha256}.pdf`);
        await ports.documents.putDocument(storageKey, bytes, sha256, keepUntil);
        sealed.push({
          id: doc.id,
          name: doc.name.replace(/(\.pdf)?$/i, ' (signed).pdf'),
          storageKey,
          sha256,
          size: bytes.length,
        });
      }
      await withRetry(async () => {
        const current = await loadEnvelope(ports.envelopes, keyOf(p));
        if (current.status === 'completed') return;
        // A void that landed while sealing wins: nothing is completed after it.
        stopIfEnded(current);
        // An envelope on legal hold (placed before or during sealing) holds its sealed copies too.
        if (current.legalHold) {
          for (const doc of sealed) await ports.legalHolds.setLegalHold(doc.storageKey, true);
        }
        await appendEvent(ports.envelopes, current, {
          type: 'envelope.completed',
          at: ports.clock.now().toISOString(),
          actor: system,
          data: { documents: sealed },
        });
      });
      return { documents: sealed.length };
    },

    async NotifyCompletion(p: EnvelopePayload) {
      const state = await loadEnvelope(ports.envelopes, keyOf(p));
      if (state.status !== 'completed') return { sent: false };
      // A retry after the mail went out still opens the contract (openContract is idempotent).
      if (state.notified?.includes('completed')) {
        await openContract(ports, state);
        return { sent: false };
      }
      const to = parties(state, () => true, settingsOf(state).notifySender.completed);
      const docs = state.sealedDocuments ?? [];
      const total = docs.reduce((n, d) => n + d.size, 0);
      const attached = total <= ports.limits.maxAttachmentBytes;
      let attachments: MailAttachment[] = [];
      let message;
      if (attached) {
        attachments = await Promise.all(
          docs.map(async (d) => ({
            filename: d.name,
            contentType: 'application/pdf',
            content: await ports.documents.getDocument(d.storageKey, d.sha256),
          })),
        );
        message = completion(state, to, { attached: true });
      } else {
        const links = await Promise.all(
          docs.map(async (d) => ({
            name: d.name,
            url: (await ports.documents.documentUrl(d.storageKey, d.name, 7 * 86_400, d.sha256)).url,
          })),
        );
        message = completion(state, to, { attached: false, links });
      }
      // One message per party: nobody's address is shown to the others.
      for (const address of to) await ports.mail.send({ ...message, to: [address], attachments });
      await recordNotified(ports, p, { reason: 'completed', to, attached });
      await openContract(ports, state);
      return { sent: true, attached };
    },

    async RecordEnd(p: RecordEndPayload) {
      const state = await loadEnvelope(ports.envelopes, keyOf(p));
      if (!isFinal(state.status) || state.status === 'completed') return { recorded: false };
      const reason = state.status as 'declined' | 'voided' | 'expired';
      if (state.notified?.includes(reason)) return { recorded: false };
      // Declined: the sender and those who already signed or approved. Voided or expired: everyone
      // invited, and the sender (a void by an admin must reach the envelope's owner too). Carbon
      // copies, who would have received the completed documents, are told in every case.
      const cc = (r: EnvelopeState['recipients'][number]) => r.role === 'carbon_copy';
      const to =
        reason === 'declined'
          ? parties(state, (r) => hasActed(r) || cc(r), settingsOf(state).notifySender.declined)
          : parties(
              state,
              (r) => r.status !== 'created' || cc(r),
              reason === 'voided' || settingsOf(state).notifySender.expired,
            );
      const message = ended(state, to, reason);
      for (const address of to) await ports.mail.send({ ...message, to: [address] });
      await recordNotified(ports, p, { reason, to });
      return { recorded: true };
    },
  };
}

/**
 * What is due for a waiting step at the clock's time: the expiry (which ends the route), the
 * expiry warning, the step's reminders. Each is recorded, so a second run does not repeat it.
 * Returns the next wait. A step that is already complete is left alone: its AwaitStep completes at
 * once, and completion wins over an expiry that came after the last signature.
 */
async function attend(ports: Ports, p: StepPayload): Promise<StepWaitResult> {
  const now = ports.clock.now().getTime();
  let state = await loadEnvelope(ports.envelopes, keyOf(p));
  stopIfEnded(state);
  let reminded = 0;
  let warned = false;
  if (!isStepComplete(state, p.step)) {
    const due = dueWork(state, p.step, now);
    if (due.expired) await expire(ports, p);
    if (due.warn) warned = await warnOfExpiry(ports, p);
    for (const { id } of due.remind) {
      // A void or decline meanwhile stops the remaining reminders; whoever now has the part is reminded.
      const current = await loadEnvelope(ports.envelopes, keyOf(p));
      stopIfEnded(current);
      const r = current.recipients.find((x) => x.id === id)!;
      if (!isPending(r)) continue;
      const count = (r.reminders ?? 0) + 1;
      const { messageId } = await issueInvitation(ports, current, r, reminder);
      await withRetry(async () => {
        const latest = await loadEnvelope(ports.envelopes, keyOf(p));
        if ((latest.recipients.find((x) => x.id === r.id)?.reminders ?? 0) >= count) return;
        await appendEvent(ports.envelopes, latest, {
          type: 'recipient.reminded',
          at: ports.clock.now().toISOString(),
          actor: system,
          data: { recipientId: r.id, count, messageId },
        });
      });
      // A change of address meanwhile re-invited the part already: it was invited before it.
      reminded++;
    }
    state = await loadEnvelope(ports.envelopes, keyOf(p));
  }
  return {
    step: p.step,
    reminded,
    warned,
    waitSeconds: waitSeconds(state, p.step, ports.clock.now().getTime()),
  };
}

/**
 * The address changed (a reassignment or a correction) between the read that mailed the
 * invitation and its record: the change saw a part not yet invited and left the new person to the
 * route, so the route invites them now; the link just mailed stops working. A change recorded after
 * the invitation re-invites the part itself (see reassign.ts): exactly one of the two does.
 */
async function followAddressChange(
  ports: Ports,
  p: EnvelopePayload,
  recorded: EnvelopeState,
  mailed: RecipientState,
): Promise<void> {
  const r = recorded.recipients.find((x) => x.id === mailed.id);
  if (!r || r.email === mailed.email || recorded.status !== 'sent' || !isPending(r)) return;
  const handedOver = r.reassignedFrom?.at(-1);
  if (!handedOver || handedOver.email !== mailed.email) {
    await reinvite(ports, keyOf(p), r);
    return;
  }
  const change = {
    from: { name: handedOver.name, email: handedOver.email },
    to: { name: r.name, email: r.email },
    by: handedOver.by,
    reason: handedOver.reason,
  };
  await inviteNewPerson(ports, keyOf(p), r, change);
  // The previous person has the invitation that just went out: they are told it is no longer theirs.
  await notice(ports, partReassigned(recorded, change.from, change.to, change.by));
}

/** Records the expiry (unless the envelope ended otherwise first) and ends the route. */
async function expire(ports: Ports, p: StepPayload): Promise<never> {
  await withRetry(async () => {
    const current = await loadEnvelope(ports.envelopes, keyOf(p));
    stopIfEnded(current);
    await appendEvent(ports.envelopes, current, {
      type: 'envelope.expired',
      at: ports.clock.now().toISOString(),
      actor: system,
      data: { expiresAt: new Date(expiryOf(current) ?? ports.clock.now().getTime()).toISOString() },
    });
  });
  throw new RouteEndedError(ERRORS.Expired, `envelope ${p.envelopeId} expired`);
}

/** The warning before the expiry: to every recipient who has not acted, and the sender, once. */
async function warnOfExpiry(ports: Ports, p: StepPayload): Promise<boolean> {
  const state = await loadEnvelope(ports.envelopes, keyOf(p));
  if (state.expiryWarnedAt) return false;
  const expiresAt = new Date(expiryOf(state)!).toISOString();
  const waitingFor = state.recipients.filter(isPending);
  const to: string[] = [];
  // One message per person: nobody's address is shown to the others.
  for (const r of waitingFor) {
    if (to.includes(r.email.toLowerCase())) continue;
    await ports.mail.send(expiryWarning(state, r, expiresAt));
    to.push(r.email.toLowerCase());
  }
  const owner = state.owner.email?.toLowerCase();
  if (owner && !to.includes(owner)) {
    await ports.mail.send(expiryWarningToSender(state, owner, waitingFor, expiresAt));
    to.push(owner);
  }
  await withRetry(async () => {
    const current = await loadEnvelope(ports.envelopes, keyOf(p));
    if (current.expiryWarnedAt) return;
    await appendEvent(ports.envelopes, current, {
      type: 'envelope.expiry_warned',
      at: ports.clock.now().toISOString(),
      actor: system,
      data: { expiresAt, to },
    });
  });
  return true;
}

function parties(
  state: EnvelopeState,
  which: (r: EnvelopeState['recipients'][number]) => boolean,
  includeSender: boolean,
): string[] {
  const emails = state.recipients.filter(which).map((r) => r.email);
  if (includeSender && state.owner.email) emails.push(state.owner.email);
  return [...new Set(emails.map((e) => e.toLowerCase()))];
}

async function recordNotified(
  ports: Ports,
  p: EnvelopePayload,
  data: { reason: 'completed' | 'declined' | 'voided' | 'expired'; to: string[]; attached?: boolean },
): Promise<void> {
  await withRetry(async () => {
    const current = await loadEnvelope(ports.envelopes, keyOf(p));
    if (current.notified?.includes(data.reason)) return;
    await appendEvent(ports.envelopes, current, {
      type: 'envelope.parties_notified',
      at: ports.clock.now().toISOString(),
      actor: system,
      data,
    });
  });
}

/**
 * What each signer put in each of their fields on this document: their signature (with a
 * reference to the trail), their initials, the values they entered and the signing date. An
 * optional field left empty and an unchecked box draw nothing.
 */
async function stampsFor(ports: Ports, state: EnvelopeState, documentId: string): Promise<FieldStamp[]> {
  const stamps: FieldStamp[] = [];
  const read = (s: SignatureRecord) =>
    s.kind === 'drawn' ? ports.documents.getDocument(s.storageKey, s.pngSha256) : undefined;
  for (const r of state.recipients) {
    if (r.status !== 'signed' || !r.signature || !r.signedAt) continue;
    const fields = r.fields.filter((f) => f.documentId === documentId);
    if (fields.length === 0) continue;
    const image = await read(r.signature);
    const initials = r.initials ?? {
      kind: 'typed' as const,
      text: initialsOf(r.signature.kind === 'typed' ? r.signature.text : '') || initialsOf(r.name),
    };
    const initialsImage = fields.some((f) => f.type === 'initials') ? await read(initials) : undefined;
    const values = new Map((r.fieldValues ?? []).map((v) => [v.id, v.value]));
    for (const f of fields) {
      const placed = { page: f.page, rect: { x: f.x, y: f.y, width: f.width, height: f.height } };
      const value = values.get(f.id);
      switch (f.type) {
        case 'signature':
          stamps.push({
            ...placed,
            signerName: r.name,
            signedAt: r.signedAt,
            reference: `${state.id.slice(-10)}/${r.id}`,
            ...(image ? { image } : { typed: (r.signature as { text: string }).text }),
          });
          break;
        case 'initials':
          stamps.push({
            ...placed,
            kind: 'initials',
            ...(initialsImage ? { image: initialsImage } : { typed: (initials as { text: string }).text }),
          });
          break;
        case 'date_signed':
          stamps.push({ ...placed, kind: 'value', text: String(value ?? r.signedAt.slice(0, 10)) });
          break;
        case 'checkbox':
          if (value === true) stamps.push({ ...placed, kind: 'checkbox', checked: true });
          break;
        default:
          if (value !== undefined && value !== '')
            stamps.push({ ...placed, kind: 'value', text: String(value) });
      }
    }
  }
  return stamps;
}
