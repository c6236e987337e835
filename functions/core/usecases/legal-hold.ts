import { requireLegal, type Principal } from '../access';
import { storedObjects, type EnvelopeState } from '../envelope';
import { appendEvent, loadEnvelope, withRetry } from '../envelope-repository';
import { ConflictError } from '../errors';
import type { Ports } from '../ports';

/**
 * Legal hold: while it is on, none of the envelope's stored objects can be deleted or overwritten,
 * whatever their retention date (S3 Object Lock). The holds are set on the objects first and the
 * event recorded after, so a retry after a crash finishes the change (setting a hold is idempotent).
 */
export async function placeLegalHold(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
  input: { reason: string },
): Promise<EnvelopeState> {
  return changeLegalHold(ports, principal, envelopeId, input.reason, true);
}

export async function releaseLegalHold(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
  input: { reason: string },
): Promise<EnvelopeState> {
  return changeLegalHold(ports, principal, envelopeId, input.reason, false);
}

async function changeLegalHold(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
  reason: string,
  on: boolean,
): Promise<EnvelopeState> {
  requireLegal(principal, on ? 'place a legal hold' : 'release a legal hold');
  const key = { tenantId: principal.tenantId, envelopeId };
  return withRetry(async () => {
    const state = await loadEnvelope(ports.envelopes, key);
    if (on && state.legalHold) {
      throw new ConflictError(
        `envelope ${envelopeId} has been on legal hold since ${state.legalHold.since} ("${state.legalHold.reason}")`,
      );
    }
    if (!on && !state.legalHold) throw new ConflictError(`envelope ${envelopeId} is not on legal hold`);
    const objects = storedObjects(state);
    for (const object of objects) await ports.legalHolds.setLegalHold(object, on);
    const { state: next } = await appendEvent(ports.envelopes, state, {
      type: on ? 'envelope.legal_hold_placed' : 'envelope.legal_hold_released',
      at: ports.clock.now().toISOString(),
      actor: { kind: 'user', id: principal.sub, ...(principal.email ? { email: principal.email } : {}) },
      data: { reason, objects: objects.length },
    });
    return next;
  });
}
