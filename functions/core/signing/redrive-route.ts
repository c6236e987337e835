import { requireManage, type Principal } from '../access';
import { loadEnvelope } from '../envelope-repository';
import { ConflictError } from '../errors';
import type { Ports } from '../ports';
import { SIGNING_ROUTE_WORKFLOW } from '../../../workflows/signing-route';
import { executionName, routeInput } from './send-envelope';

export interface RedriveResult {
  envelopeId: string;
  /** `redriven`: the failed route resumed; `started`: a sent envelope's route had never started. */
  route: 'redriven' | 'started';
}

/**
 * Resumes an envelope's signing route after it failed (a mail service or KMS outage that outlasted
 * the retries). Every task reads the envelope's log first and does only what is not yet recorded,
 * so nobody is invited, reminded or told twice.
 */
export async function redriveRoute(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
): Promise<RedriveResult> {
  const state = await loadEnvelope(ports.envelopes, { tenantId: principal.tenantId, envelopeId });
  requireManage(principal, state, 'redrive the signing route');
  if (state.status === 'draft') {
    throw new ConflictError(`envelope ${envelopeId} is a draft: it has no signing route yet; send it`);
  }
  const outcome = await ports.workflow.redrive(SIGNING_ROUTE_WORKFLOW, executionName(state));
  if (outcome === 'redriven') return { envelopeId, route: 'redriven' };
  if (outcome === 'not_found' && state.status === 'sent') {
    await ports.workflow.start(SIGNING_ROUTE_WORKFLOW, routeInput(state));
    return { envelopeId, route: 'started' };
  }
  throw new ConflictError(
    outcome === 'not_found'
      ? `envelope ${envelopeId} is ${state.status} and has no signing route to resume`
      : `the signing route of envelope ${envelopeId} is running or ran to its end: there is nothing to redrive`,
  );
}
