import { requireManage, type Principal } from '../access';
import { isFinal, type EnvelopeState } from '../envelope';
import { appendEvent, loadEnvelope, withRetry } from '../envelope-repository';
import { ConflictError } from '../errors';
import type { Ports } from '../ports';

export async function voidEnvelope(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
  reason: string,
): Promise<EnvelopeState> {
  return withRetry(async () => {
    const state = await loadEnvelope(ports.envelopes, { tenantId: principal.tenantId, envelopeId });
    requireManage(principal, state, 'void this envelope');
    if (isFinal(state.status)) {
      throw new ConflictError(`envelope ${envelopeId} is already ${state.status} and cannot be voided`);
    }
    const { state: next } = await appendEvent(ports.envelopes, state, {
      type: 'envelope.voided',
      at: ports.clock.now().toISOString(),
      actor: { kind: 'user', id: principal.sub, ...(principal.email ? { email: principal.email } : {}) },
      data: { reason },
    });
    return next;
  });
}
