import { canRead, readsWholeTenant, requireAnyRole, type Principal } from '../access';
import { verifyChain, type ChainVerdict } from '../audit-chain';
import type { EnvelopeEvent, EnvelopeState, EnvelopeStatus } from '../envelope';
import { loadEnvelope } from '../envelope-repository';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Page, Ports, PresignedRequest } from '../ports';

async function readable(ports: Ports, principal: Principal, envelopeId: string): Promise<EnvelopeState> {
  requireAnyRole(principal, 'read envelopes');
  const state = await loadEnvelope(ports.envelopes, { tenantId: principal.tenantId, envelopeId });
  if (!canRead(principal, state)) throw new ForbiddenError('you may read only the envelopes you sent');
  return state;
}

export function getEnvelope(ports: Ports, principal: Principal, envelopeId: string): Promise<EnvelopeState> {
  return readable(ports, principal, envelopeId);
}

export async function listEnvelopes(
  ports: Ports,
  principal: Principal,
  query: { status?: EnvelopeStatus; limit: number; cursor?: string },
): Promise<Page<EnvelopeState>> {
  requireAnyRole(principal, 'list envelopes');
  return ports.envelopes.list({
    tenantId: principal.tenantId,
    ...(readsWholeTenant(principal) ? {} : { ownerSub: principal.sub }),
    ...query,
  });
}

export interface AuditTrail {
  envelope: EnvelopeState;
  events: EnvelopeEvent[];
  verdict: ChainVerdict;
}

export async function getAuditTrail(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
): Promise<AuditTrail> {
  const envelope = await readable(ports, principal, envelopeId);
  const events = await ports.envelopes.loadEvents({ tenantId: principal.tenantId, envelopeId });
  return { envelope, events, verdict: checkAgainstState(verifyChain(events), envelope, events) };
}

/**
 * A chain that verifies can still be short: events cut off its end leave a valid prefix.
 * The envelope's recorded version and head hash say where the chain must end.
 */
function checkAgainstState(
  verdict: ChainVerdict,
  envelope: EnvelopeState,
  events: EnvelopeEvent[],
): ChainVerdict {
  if (!verdict.verified) return verdict;
  // Events may have landed after the envelope was read: the chain must reach at least its version,
  // through the very event the envelope recorded as its head.
  if (verdict.length >= envelope.version && events[envelope.version - 1]?.hash === envelope.headHash)
    return verdict;
  return {
    ...verdict,
    verified: false,
    brokenAt: Math.min(verdict.length, envelope.version) + 1,
    reason: `the trail has ${verdict.length} event(s), but the envelope records ${envelope.version} ending in hash ${envelope.headHash}`,
  };
}

export async function getDocumentUrl(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
  documentId: string,
  version: 'current' | 'original' = 'current',
): Promise<PresignedRequest & { document: { id: string; name: string; sha256: string; size: number } }> {
  const envelope = await readable(ports, principal, envelopeId);
  // Once completed, the current version of a document is its sealed copy.
  const docs =
    version === 'current' && envelope.sealedDocuments ? envelope.sealedDocuments : envelope.documents;
  const doc = docs.find((d) => d.id === documentId);
  if (!doc) throw new NotFoundError(`envelope ${envelopeId} has no document "${documentId}"`);
  const url = await ports.documents.documentUrl(
    doc.storageKey,
    doc.name,
    ports.limits.downloadUrlSeconds,
    doc.sha256,
  );
  return { ...url, document: { id: doc.id, name: doc.name, sha256: doc.sha256, size: doc.size } };
}
