import { expect } from 'vitest';
import type { FixedClock } from '../../functions/adapters/system';
import type { TestService } from './service';
import {
  eventually,
  invitationToken,
  sendEnvelope,
  signer,
  uniqueEmail,
  waitForStatus,
  waitForStep,
} from './signing';
import { templateBody } from './templates';
import { tenantWith } from './tenants';

const CUSTOMER_VALUES = {
  po_number: 'PO-12345',
  seats: 25,
  go_live: '2025-02-01',
  accept_dpa: true,
  support_tier: 'Premium',
};

export interface Signed {
  t: Awaited<ReturnType<typeof tenantWith>>;
  contractId: string;
  templateId: string;
  owner: string;
  customer: string;
}

/**
 * A template with contract terms, an envelope from it signed and approved (with the clock at
 * `signedAt`): the contract it opens.
 */
export async function signedContract(
  service: TestService,
  clock: FixedClock,
  signedAt: Date,
  label: string,
  options: {
    contract?: Record<string, unknown>;
    mergeData?: Record<string, unknown>;
    amends?: { t: Signed['t']; templateId: string; version: number; contractId: string };
    slaTerms?: Record<string, unknown>;
  } = {},
): Promise<Signed> {
  clock.set(signedAt);
  const t = options.amends?.t ?? (await tenantWith(service, label));
  const owner = uniqueEmail(`${label}-owner`);
  let templateId = options.amends?.templateId;
  if (!templateId) {
    const tpl = await service.api('POST', '/v1/templates', {
      token: t.sender,
      body: await templateBody({
        contract: {
          termMonths: 12,
          renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 60, reminderDays: 30 },
          owners: [owner],
          ...options.contract,
        },
        ...(options.slaTerms ? { slaTerms: options.slaTerms } : {}),
      }),
    });
    expect(tpl.status, JSON.stringify(tpl.body)).toBe(201);
    templateId = tpl.body.id as string;
  }
  const customer = uniqueEmail(`${label}-customer`);
  const vendor = uniqueEmail(`${label}-vendor`);
  const created = await service.api('POST', '/v1/envelopes', {
    token: t.sender,
    body: {
      title: `Support agreement ${label}`,
      template: { id: templateId, ...(options.amends ? { version: options.amends.version } : {}) },
      roles: {
        customer: { name: 'Ada Buyer', email: customer },
        vendor: { name: 'Victor Vendor', email: vendor },
        procurement: { name: 'Pat Procurement', email: uniqueEmail(`${label}-cc`) },
      },
      mergeData: {
        customer: { name: 'Acme Corporation' },
        fee: { monthly: 'USD 10,000.00' },
        effective_from: '2025-01-01',
        ...options.mergeData,
      },
      ...(options.amends ? { amends: options.amends.contractId } : {}),
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  await sendEnvelope(service, t.sender, id);
  await waitForStep(service, t.tenant, id, 1);
  const adaLink = await invitationToken(service, customer);
  const session = await signer(service, 'GET', '/v1/signing/session', adaLink);
  await signer(service, 'POST', '/v1/signing/consent', adaLink, {
    disclosureVersion: session.body.disclosure.version,
  });
  const fields = Object.fromEntries(
    Object.entries(CUSTOMER_VALUES).map(([name, v]) => [`customer-${name}`, v]),
  );
  const signed = await signer(service, 'POST', '/v1/signing/sign', adaLink, {
    signature: { type: 'typed', text: 'Ada Buyer' },
    fields,
    agree: true,
  });
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  await waitForStep(service, t.tenant, id, 2);
  const victorLink = await invitationToken(service, vendor);
  await signer(service, 'POST', '/v1/signing/consent', victorLink, {
    disclosureVersion: session.body.disclosure.version,
  });
  const approved = await signer(service, 'POST', '/v1/signing/approve', victorLink, { agree: true });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  await waitForStatus(service, t.sender, id, 'completed', 60_000);
  const contractId = options.amends?.contractId ?? id;
  await eventually(
    `contract ${contractId}`,
    async () => {
      const c = await service.api('GET', `/v1/contracts/${contractId}`, { token: t.auditor });
      if (c.status !== 200) return undefined;
      if (options.amends && c.body.amendments.length === 0) return undefined;
      return c;
    },
    30_000,
  );
  return { t, contractId, templateId, owner, customer };
}
