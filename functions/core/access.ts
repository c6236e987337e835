import { ForbiddenError } from './errors';
import type { EnvelopeState } from './envelope';

/** Roles are Cognito groups; the names are the group names. */
export const ROLES = ['admin', 'sender', 'legal', 'support-manager', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  tenantId: string;
  sub: string;
  email?: string;
  roles: Role[];
}

/** Who may create and act on envelopes: admins on all of the tenant's, the others on their own. */
const WRITERS: readonly Role[] = ['admin', 'sender', 'support-manager', 'legal'];
/** Who may read every envelope of the tenant, not only their own. */
const TENANT_READERS: readonly Role[] = ['admin', 'legal', 'auditor'];

const has = (p: Principal, roles: readonly Role[]) => p.roles.some((r) => roles.includes(r));

export function requireWriter(p: Principal, action: string): void {
  if (!has(p, WRITERS)) {
    throw new ForbiddenError(`role ${describe(p)} may not ${action}; needs one of: ${WRITERS.join(', ')}`);
  }
}

export function requireAdmin(p: Principal, action: string): void {
  if (!p.roles.includes('admin')) {
    throw new ForbiddenError(`role ${describe(p)} may not ${action}; only an admin may`);
  }
}

/** Legal holds: the tenant's admins and legal. */
export function requireLegal(p: Principal, action: string): void {
  if (!p.roles.includes('admin') && !p.roles.includes('legal')) {
    throw new ForbiddenError(`role ${describe(p)} may not ${action}; only admin or legal may`);
  }
}

export function requireAnyRole(p: Principal, action: string): void {
  if (p.roles.length === 0) throw new ForbiddenError(`a user without a role may not ${action}`);
}

/** True when the principal may read every envelope of its tenant. */
export function readsWholeTenant(p: Principal): boolean {
  return has(p, TENANT_READERS);
}

export function canRead(p: Principal, envelope: EnvelopeState): boolean {
  return envelope.tenantId === p.tenantId && (readsWholeTenant(p) || envelope.owner.sub === p.sub);
}

export function requireManage(p: Principal, envelope: EnvelopeState, action: string): void {
  requireWriter(p, action);
  if (!p.roles.includes('admin') && envelope.owner.sub !== p.sub) {
    throw new ForbiddenError(`only the envelope's sender or an admin may ${action}`);
  }
}

function describe(p: Principal): string {
  return p.roles.length ? p.roles.join(', ') : '(none)';
}
