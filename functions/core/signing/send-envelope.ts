import { SIGNING_ROUTE_WORKFLOW, type SigningRouteInput } from '../../../workflows/signing-route';
import { requireManage, type Principal } from '../access';
import { settingsOf, type EnvelopeState } from '../envelope';
import { appendEvent, loadEnvelope, withRetry } from '../envelope-repository';
import { ConflictError, ValidationError } from '../errors';
import type { Ports } from '../ports';

/** One execution per envelope: its name makes a repeated start a no-op. */
export const executionName = (state: { tenantId: string; id: string }) =>
  `${state.tenantId}-${state.id}`.slice(0, 80);

export function routeInput(state: EnvelopeState): SigningRouteInput {
  return {
    tenantId: state.tenantId,
    envelopeId: state.id,
    stepCount: state.steps.length,
    executionName: executionName(state),
  };
}

/**
 * Sends a draft: records `envelope.sent`, then starts the signing route. The route's first task
 * invites step 1. A retry after a crash between the two finds the envelope sent by this very
 * operation and starts the route again, which the execution name makes harmless.
 */
export async function sendEnvelope(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
  opts: { operationId?: string } = {},
): Promise<EnvelopeState> {
  const key = { tenantId: principal.tenantId, envelopeId };
  const state = await withRetry(async () => {
    const current = await loadEnvelope(ports.envelopes, key);
    requireManage(principal, current, 'send this envelope');
    if (current.status !== 'draft') {
      if (opts.operationId && current.status === 'sent' && (await sentBy(ports, key)) === opts.operationId) {
        return current;
      }
      // A send whose route failed to start left the envelope sent with no route: a repeated send
      // starts it (a running route is not started twice, by its execution name) and still answers 409.
      if (current.status === 'sent') await ensureRoute(ports, current);
      throw new ConflictError(`envelope ${envelopeId} is ${current.status}; only a draft can be sent`);
    }
    if (!current.recipients.some((r) => r.role !== 'carbon_copy')) {
      throw new ValidationError('an envelope needs at least one signer or approver before it can be sent', [
        { path: 'recipients', message: 'no signer or approver' },
      ]);
    }
    const now = ports.clock.now();
    // The expiry counts from sending; the route's waits and Remind read it from the log.
    const expiresAt = new Date(now.getTime() + settingsOf(current).expiresInDays * 86_400_000);
    const { state: sent } = await appendEvent(ports.envelopes, current, {
      type: 'envelope.sent',
      at: now.toISOString(),
      actor: { kind: 'user', id: principal.sub, ...(principal.email ? { email: principal.email } : {}) },
      data: {
        stepCount: current.steps.length,
        expiresAt: expiresAt.toISOString(),
        ...(opts.operationId ? { operationId: opts.operationId } : {}),
      },
    });
    return sent;
  });
  await ports.workflow.start(SIGNING_ROUTE_WORKFLOW, routeInput(state));
  return state;
}

async function sentBy(
  ports: Ports,
  key: { tenantId: string; envelopeId: string },
): Promise<string | undefined> {
  const events = await ports.envelopes.loadEvents(key);
  const sent = events.find((e) => e.type === 'envelope.sent');
  return sent?.type === 'envelope.sent' ? sent.data.operationId : undefined;
}

async function ensureRoute(ports: Ports, state: EnvelopeState): Promise<void> {
  try {
    await ports.workflow.start(SIGNING_ROUTE_WORKFLOW, routeInput(state));
  } catch (err) {
    ports.log?.warn('the signing route was already running or could not be started again', err);
  }
}
