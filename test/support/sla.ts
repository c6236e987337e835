import { readFileSync } from 'node:fs';
import { hubSignature, zendeskSignature } from '../../functions/core/sla/signatures';
import type { SlaStore } from '../../functions/core/sla/store';
import type { TicketTimeline } from '../../functions/core/sla/ticket';
import type { ApiResult, TestService } from './service';

/** The hand-computed cases of the SLA engine's contract, beside the repository. */
export const slaExamples = (): Record<string, any> =>
  JSON.parse(readFileSync(new URL('../../../shared/sla/examples.json', import.meta.url), 'utf8'));

/** One example ticket as input (without its expected values), optionally under another id. */
export function exampleTicket(id: string, as?: string): TicketTimeline {
  const found = (slaExamples().tickets as Record<string, any>[]).find((t) => t.id === id);
  if (!found) throw new Error(`no example ticket ${id}`);
  const { expected: _expected, as_of: _asOf, ...ticket } = found;
  return { ...(ticket as TicketTimeline), ...(as ? { id: as } : {}) };
}

export const jsonLines = (tickets: readonly unknown[]) => tickets.map((t) => JSON.stringify(t)).join('\n');

/** A new webhook secret for the contract (legal may set it). */
export async function webhookSecret(
  service: TestService,
  token: string,
  contractId: string,
): Promise<string> {
  const res = await service.api('POST', `/v1/contracts/${contractId}/webhook-secret`, { token });
  if (res.status !== 201)
    throw new Error(`webhook-secret answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.secret as string;
}

/** A Zendesk webhook request signed as Zendesk signs (timestamp + body), at `timestamp`. */
export function postZendesk(
  service: TestService,
  contractId: string,
  secret: string,
  payload: unknown,
  timestamp: string,
  headers: Record<string, string> = {},
): Promise<ApiResult> {
  const body = JSON.stringify(payload);
  return service.api('POST', `/v1/contracts/${contractId}/webhooks/zendesk`, {
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      'x-zendesk-webhook-signature': zendeskSignature(secret, body, timestamp),
      'x-zendesk-webhook-signature-timestamp': timestamp,
      ...headers,
    },
  });
}

/** A JSM or monitoring webhook request, signed with `X-Hub-Signature: sha256=<hex>`. */
export function postHubSigned(
  service: TestService,
  contractId: string,
  kind: 'jsm' | 'monitoring',
  secret: string,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return service.api('POST', `/v1/contracts/${contractId}/webhooks/${kind}`, {
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature': hubSignature(secret, body),
      ...headers,
    },
  });
}

/**
 * The SLA store with a switch that makes concurrent requests race: once `arm`ed for some tickets,
 * the first `readers` reads of each wait for one another, so every request reads the same stored
 * version before any writes. `conflicts` counts the writes the store refused (the losers merge
 * again and retry).
 */
export function racingSlaStore(store: SlaStore) {
  const gates = new Map<string, { remaining: number; release: (() => void)[] }>();
  const state = { conflicts: 0 };
  const getTicket: SlaStore['getTicket'] = async (tenantId, contractId, ticketId) => {
    const found = await store.getTicket(tenantId, contractId, ticketId);
    const gate = gates.get(ticketId);
    if (gate && gate.remaining > 0) {
      gate.remaining--;
      await new Promise<void>((resolve) => {
        gate.release.push(resolve);
        if (gate.remaining === 0) gate.release.forEach((r) => r());
        // Never hang a test on a gate that fewer readers reached.
        setTimeout(resolve, 5_000).unref();
      });
    }
    return found;
  };
  const putTickets: SlaStore['putTickets'] = async (...args) => {
    try {
      await store.putTickets(...args);
    } catch (err) {
      if ((err as Error).name === 'ConcurrencyError') state.conflicts++;
      throw err;
    }
  };
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'getTicket') return getTicket;
      if (prop === 'putTickets') return putTickets;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    store: wrapped,
    arm(ticketIds: readonly string[], readers = 2) {
      for (const id of ticketIds) gates.set(id, { remaining: readers, release: [] });
    },
    get conflicts() {
      return state.conflicts;
    },
  };
}
