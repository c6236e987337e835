import { seal, type UnhashedEvent } from './audit-chain';
import { foldEnvelope, type EnvelopeEvent, type EnvelopeState } from './envelope';
import { ConcurrencyError, NotFoundError } from './errors';
import type { EnvelopeKey, EnvelopeStore } from './ports';

/**
 * Reads an envelope as snapshot + the events after it, and repairs the snapshot when a
 * crash left it behind the log. The log is the truth; the snapshot only serves lists.
 */
export async function loadEnvelope(store: EnvelopeStore, key: EnvelopeKey): Promise<EnvelopeState> {
  const snapshot = await store.loadSnapshot(key);
  const newer = await store.loadEvents(key, snapshot?.version ?? 0);
  if (!snapshot && newer.length === 0) throw new NotFoundError(`envelope ${key.envelopeId} not found`);
  if (newer.length === 0) return snapshot!;
  const state = foldEnvelope(newer, snapshot);
  await store.saveSnapshot(state);
  return state;
}

type NewEvent = Omit<UnhashedEvent<EnvelopeEvent>, 'seq' | 'prevHash' | 'envelopeId' | 'tenantId'>;

/**
 * Appends one event after the state it was decided on. Two writers that decided on the same
 * state race for the same sequence number; the store lets exactly one win and the loser gets
 * a ConcurrencyError, which `withRetry` turns into a fresh decision.
 */
export async function appendEvent(
  store: EnvelopeStore,
  state: EnvelopeState,
  event: NewEvent,
): Promise<{ event: EnvelopeEvent; state: EnvelopeState }> {
  const sealed = seal({
    ...event,
    envelopeId: state.id,
    tenantId: state.tenantId,
    seq: state.version + 1,
    prevHash: state.headHash,
  } as UnhashedEvent<EnvelopeEvent>);
  await store.append(sealed);
  const next = foldEnvelope([sealed], state);
  await store.saveSnapshot(next);
  return { event: sealed, state: next };
}

/** Re-runs a load-decide-append step when it lost a race; the retry sees the winner's event. */
export async function withRetry<T>(attempt: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || i >= attempts) throw err;
    }
  }
}
