import type { TestService } from './service';

/** A fresh tenant of its own, with a token per role (two for legal, for the four-eyes rules). */
export async function tenantWith(service: TestService, label: string) {
  const tenant = `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  return {
    tenant,
    admin: await service.token('admin', { tenant, sub: 'admin-1', email: 'admin@acme.test' }),
    sender: await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' }),
    legal: await service.token('legal', { tenant, sub: 'legal-1', email: 'legal@acme.test' }),
    legal2: await service.token('legal', { tenant, sub: 'legal-2', email: 'counsel@acme.test' }),
    auditor: await service.token('auditor', { tenant, sub: 'auditor-1' }),
  };
}
