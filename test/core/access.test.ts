import { describe, expect, it } from 'vitest';
import { canRead, requireManage, requireWriter, type Principal } from '../../functions/core/access';
import type { EnvelopeState } from '../../functions/core/envelope';
import { ForbiddenError } from '../../functions/core/errors';

const p = (roles: Principal['roles'], sub = 'u1', tenantId = 't1'): Principal => ({ tenantId, sub, roles });
const envelope = { tenantId: 't1', owner: { sub: 'u1' } } as EnvelopeState;

describe('access rules', () => {
  it('lets senders, support managers, legal and admins create; not auditors or role-less users', () => {
    for (const role of ['admin', 'sender', 'support-manager', 'legal'] as const)
      expect(() => requireWriter(p([role]), 'x')).not.toThrow();
    expect(() => requireWriter(p(['auditor']), 'create envelopes')).toThrow(ForbiddenError);
    expect(() => requireWriter(p([]), 'create envelopes')).toThrow(/\(none\)/);
  });

  it('lets a sender read and manage only their own envelopes, an admin all of the tenant', () => {
    expect(canRead(p(['sender']), envelope)).toBe(true);
    expect(canRead(p(['sender'], 'u2'), envelope)).toBe(false);
    expect(canRead(p(['auditor'], 'u9'), envelope)).toBe(true);
    expect(canRead(p(['admin'], 'u9', 't2'), envelope)).toBe(false);
    expect(() => requireManage(p(['sender'], 'u2'), envelope, 'void')).toThrow(/sender or an admin/);
    expect(() => requireManage(p(['admin'], 'u9'), envelope, 'void')).not.toThrow();
    expect(() => requireManage(p(['auditor']), envelope, 'void')).toThrow(ForbiddenError);
  });
});
