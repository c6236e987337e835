import { requireManage, type Principal } from '../access';
import { isFinal, type EnvelopeState } from '../envelope';
import { appendEvent, loadEnvelope, withRetry } from '../envelope-repository';
import { ConflictError } from '../errors';
import type { Ports } from '../ports';
import { releaseWait } from '../signing/signer-actions';
import { ERRORS } from '../../../workflows/signing-route';

/**
 * Voids an envelope that has not ended. With an `operationId` (a keyed request), a retry
 * after a crash that already wrote the void gets the voided envelope back, not a conflict.
 */
export async function voidEnvelope(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
  reason: string,
  operationId?: string,
): Promise<EnvelopeState> {
  const key = { tenantId: principal.tenantId, envelopeId };
  const voided = await withRetry(async () => {
    const state = await loadEnvelope(ports.envelopes, key);
    requireManage(principal, state, 'void this envelope');
    if (isFinal(state.status)) {
      if (operationId && state.status === 'voided' && (await voidedBy(ports, key)) === operationId)
        return state;
      throw new ConflictError(`envelope ${envelopeId} is already ${state.status} and cannot be voided`);
    }
    if (state.status === 'sent' && state.steps.every((s) => s.status === 'completed')) {
      throw new ConflictError(
        `every party has signed envelope ${envelopeId}; it is being sealed and can no longer be voided`,
      );
    }
    const { state: next } = await appendEvent(ports.envelopes, state, {
      type: 'envelope.voided',
      at: ports.clock.now().toISOString(),
      actor: { kind: 'user', id: principal.sub, ...(principal.email ? { email: principal.email } : {}) },
      data: { reason, ...(operationId ? { operationId } : {}) },
    });
    return next;
  });
  // A route waiting on a step ends through the failure it catches, and tells the recipients.
  await releaseWait(ports, voided, null, ERRORS.Voided);
  return voided;
}

async function voidedBy(
  ports: Ports,
  key: { tenantId: string; envelopeId: string },
): Promise<string | undefined> {
  const events = await ports.envelopes.loadEvents(key);
  const voided = events.find((e) => e.type === 'envelope.voided');
  return voided?.type === 'envelope.voided' ? voided.data.operationId : undefined;
}
