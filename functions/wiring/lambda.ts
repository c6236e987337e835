import { makeAuthorizer, makeVerifier } from '../api/authorizer';
import { makeApiHandler, makeOpenApiHandler, type ApiHandler } from '../api/http';
import { ROUTES } from '../api/routes';
import type { Ports } from '../core/ports';
import { signingRouteTasks } from '../core/signing/route-tasks';
import { runScheduledJob } from '../core/usecases/scheduled-jobs';
import type { ScheduledInvocation } from '../adapters/scheduler/eventbridge-scheduler';
import type { TaskStateName } from '../../workflows/signing-route';
import { readAuthConfig, readServiceConfig } from './config';
import { buildPorts } from './ports';

let ports: Ports | undefined;

/** The Lambda entry for a route; configuration is read at cold start. */
export function lambdaHandler(name: string): ApiHandler {
  if (name === 'getOpenApi') return makeOpenApiHandler();
  const route = ROUTES[name];
  if (!route) throw new Error(`unknown route ${name}`);
  const config = readServiceConfig(process.env);
  return makeApiHandler(route, () => (ports ??= buildPorts(config)));
}

export function lambdaAuthorizer() {
  const config = readAuthConfig(process.env);
  return makeAuthorizer(makeVerifier({ ...config, jwksUri: `${config.issuer}/.well-known/jwks.json` }));
}

/**
 * The Lambda entry for one task of the signing route. Step Functions' `lambda:invoke` hands the
 * Payload as the event, and the result becomes the task's `Payload`. An ending error keeps its
 * name (Envelope.Voided, ...), which the definition catches.
 */
export function routeTaskHandler(task: TaskStateName): (payload: never) => Promise<unknown> {
  const config = readServiceConfig(process.env);
  return async (payload) => {
    ports ??= buildPorts(config);
    const tasks = signingRouteTasks(ports) as unknown as Record<string, (p: unknown) => Promise<unknown>>;
    return tasks[task]!(payload);
  };
}

/**
 * The target of every EventBridge Scheduler schedule: `{ id, job, input }` as the schedule's input.
 * An error makes the scheduler retry (jobs are idempotent).
 */
export function scheduledJobHandler(): (event: ScheduledInvocation) => Promise<unknown> {
  const config = readServiceConfig(process.env);
  return async (event) => {
    ports ??= buildPorts(config);
    return runScheduledJob(ports, { id: event.id, job: event.job, input: event.input });
  };
}
