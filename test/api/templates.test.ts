import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service';
import { tenantWith as tenantOf } from '../support/tenants';
import { makePdf, toBase64 } from '../support/pdf';
import { exampleTerms, templateBody } from '../support/templates';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => service.close());

const tenantWith = (label: string) => tenantOf(service, label);

async function create(token: string, body?: Record<string, unknown>) {
  const res = await service.api('POST', '/v1/templates', { token, body: body ?? (await templateBody()) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Record<string, any>;
}

/** The next version's body: the current one changed by `change`, made from `baseVersion`. */
function edit(current: Record<string, any>, baseVersion: number, change: Record<string, unknown>) {
  const { roles, fields, mergeFields, message, slaTerms, scheduleAfterPage, name, description, contract } =
    current;
  return {
    contract,
    name,
    description,
    roles,
    fields,
    mergeFields,
    message,
    slaTerms,
    scheduleAfterPage,
    baseVersion,
    ...change,
  };
}

describe('templates', () => {
  it('are created with every field type, read back whole, listed, and their PDF can be fetched', async () => {
    const t = await tenantWith('create');
    const created = await create(t.sender);
    expect(created).toMatchObject({
      version: 1,
      latestVersion: 1,
      approvedVersion: 1,
      status: 'approved',
      name: 'Support maintenance agreement',
      document: { name: 'support-agreement.pdf', pageCount: 2 },
      settings: { expiresInDays: 30 },
      scheduleAfterPage: 1,
      createdBy: 'sender-1',
    });
    expect(created.fields.map((f: any) => f.type).sort()).toEqual(
      ['checkbox', 'date', 'date_signed', 'dropdown', 'initials', 'number', 'signature', 'text'].sort(),
    );
    expect(created.slaTerms).toEqual(exampleTerms());
    expect(created.mergeFields.find((m: any) => m.key === 'effective_from').required).toBe(false);

    const got = await service.api('GET', `/v1/templates/${created.id}`, { token: t.auditor });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created);

    const list = await service.api('GET', '/v1/templates', { token: t.auditor });
    expect(list.body.items).toEqual([
      expect.objectContaining({
        templateId: created.id,
        latestVersion: 1,
        archived: false,
        hasSlaTerms: true,
      }),
    ]);
    const other = await tenantWith('elsewhere');
    expect((await service.api('GET', '/v1/templates', { token: other.admin })).body.items).toEqual([]);
    expect((await service.api('GET', `/v1/templates/${created.id}`, { token: other.admin })).status).toBe(
      404,
    );

    const link = await service.api('GET', `/v1/templates/${created.id}/document`, { token: t.sender });
    expect(link.status).toBe(200);
    const pdf = new Uint8Array(await (await fetch(link.body.url)).arrayBuffer());
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    expect(link.body.document.sha256).toBe(created.document.sha256);
  });

  it('refuse what cannot work, name the path, and store nothing', async () => {
    const t = await tenantWith('bad');
    const body = await templateBody();
    const cases: [string, Record<string, unknown>, string][] = [
      ['unknown role', { fields: [{ ...body.fields[0], role: 'nobody' }] }, 'body.fields[0].role'],
      ['field off the pages', { fields: [{ ...body.fields[0], page: 3 }] }, 'body.fields[0].page'],
      [
        'dropdown without options',
        { fields: [{ ...body.fields[7], validation: {} }] },
        'body.fields[0].validation.options',
      ],
      [
        'pattern that does not compile',
        { fields: [{ ...body.fields[3], validation: { pattern: '([' } }] },
        'body.fields[0].validation.pattern',
      ],
      ['a field for an approver', { fields: [{ ...body.fields[0], role: 'vendor' }] }, 'body.fields[0].role'],
      ['duplicate field names', { fields: [body.fields[0], body.fields[0]] }, 'body.fields[1].name'],
      ['a box past the page edge', { fields: [{ ...body.fields[0], x: 500, width: 200 }] }, 'body.fields[0]'],
      [
        'a role without a routing step',
        { roles: [{ name: 'customer', role: 'signer' }, ...body.roles.slice(1)] },
        'body.roles[0].step',
      ],
      [
        'a step with only a carbon copy',
        { roles: [...body.roles, { name: 'legal_cc', role: 'carbon_copy', step: 3 }] },
        'body.roles',
      ],
      [
        'a target for an unknown severity',
        { slaTerms: { ...exampleTerms(), targets: [{ ...exampleTerms().targets[0], severity: 'S9' }] } },
        'body.slaTerms.targets[0].severity',
      ],
      [
        'a time zone that is not IANA',
        {
          slaTerms: {
            ...exampleTerms(),
            reporting: { ...exampleTerms().reporting, time_zone: 'Eastern Time' },
          },
        },
        'body.slaTerms.reporting.time_zone',
      ],
      [
        'a merge key that is not a path',
        { mergeFields: [{ ...body.mergeFields[0], key: 'customer name' }] },
        'body.mergeFields[0].key',
      ],
      ['schedule after a page the PDF lacks', { scheduleAfterPage: 5 }, 'body.scheduleAfterPage'],
      ['a contract without SLA terms', { slaTerms: undefined }, 'body.contract'],
      [
        'notice longer than the term',
        {
          contract: {
            termMonths: 1,
            renewal: { mode: 'auto', renewalMonths: 1, noticeDays: 20, reminderDays: 10 },
          },
        },
        'body.contract.renewal.noticeDays',
      ],
      [
        'a contract zone that is not IANA',
        { contract: { ...body.contract, timeZone: 'Mars/Olympus' } },
        'body.contract.timeZone',
      ],
    ];
    for (const [label, change, path] of cases) {
      const res = await service.api('POST', '/v1/templates', {
        token: t.sender,
        body: { ...body, ...change },
      });
      expect(res.status, `${label}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(
        res.body.error.details.map((d: any) => d.path),
        `${label}: ${JSON.stringify(res.body)}`,
      ).toContain(path);
    }
    const notPdf = await service.api('POST', '/v1/templates', {
      token: t.sender,
      body: {
        ...body,
        document: { name: 'x.pdf', contentBase64: toBase64(new TextEncoder().encode('hello')) },
      },
    });
    expect(notPdf.status).toBe(415);
    expect((await service.api('GET', '/v1/templates', { token: t.sender })).body.items).toEqual([]);
    const auditor = await service.api('POST', '/v1/templates', { token: t.auditor, body });
    expect(auditor.status).toBe(403);
  });

  it('every change is a new immutable version; old versions stay readable and the diff says what changed', async () => {
    const t = await tenantWith('versions');
    const v1 = await create(t.sender);
    const terms = exampleTerms();
    terms.targets[0].target_minutes += 30;
    const fields = v1.fields.filter((f: any) => f.name !== 'seats');
    fields.push({
      name: 'site',
      type: 'text',
      role: 'customer',
      page: 2,
      x: 300,
      y: 450,
      width: 200,
      height: 20,
      required: false,
    });
    const pdf = await makePdf(
      [
        [612, 792],
        [612, 792],
        [612, 792],
      ],
      'Support maintenance agreement v2',
    );
    const put = await service.api('PUT', `/v1/templates/${v1.id}`, {
      token: t.sender,
      body: edit(v1, 1, {
        fields,
        slaTerms: terms,
        roles: [...v1.roles, { name: 'finance', role: 'approver', step: 3 }],
        document: { name: 'support-agreement-v2.pdf', contentBase64: toBase64(pdf) },
      }),
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ version: 2, latestVersion: 2, document: { pageCount: 3 } });

    const old = await service.api('GET', `/v1/templates/${v1.id}?version=1`, { token: t.sender });
    expect(old.body).toMatchObject({
      version: 1,
      latestVersion: 2,
      document: v1.document,
      fields: v1.fields,
    });
    expect((await service.api('GET', `/v1/templates/${v1.id}?version=3`, { token: t.sender })).status).toBe(
      404,
    );

    const diff = await service.api('GET', `/v1/templates/${v1.id}/diff?from=1&to=2`, { token: t.sender });
    expect(diff.status).toBe(200);
    expect(diff.body.fields.added.map((f: any) => f.name)).toEqual(['site']);
    expect(diff.body.fields.removed.map((f: any) => f.name)).toEqual(['seats']);
    expect(diff.body.roles.added).toEqual([{ name: 'finance', role: 'approver', step: 3 }]);
    expect(diff.body.document).toMatchObject({ from: v1.document.sha256, to: put.body.document.sha256 });
    expect(diff.body.slaTerms).toEqual([
      {
        path: 'targets[0].target_minutes',
        from: v1.slaTerms.targets[0].target_minutes,
        to: terms.targets[0].target_minutes,
      },
    ]);
    expect(diff.body.contract).toEqual([]);
    const same = await service.api('GET', `/v1/templates/${v1.id}/diff?from=2&to=2`, { token: t.sender });
    expect(same.body).toMatchObject({ roles: { added: [], removed: [], changed: [] }, slaTerms: [] });

    // A version without a new PDF keeps the last one.
    const v3 = await service.api('PUT', `/v1/templates/${v1.id}`, {
      token: t.sender,
      body: edit(put.body, 2, { message: 'New wording', contract: { ...v1.contract, termMonths: 24 } }),
    });
    expect(v3.status, JSON.stringify(v3.body)).toBe(200);
    expect(v3.body.document).toEqual(put.body.document);
    const contractDiff = await service.api('GET', `/v1/templates/${v1.id}/diff?from=2&to=3`, {
      token: t.sender,
    });
    expect(contractDiff.body.contract).toEqual([{ path: 'termMonths', from: 12, to: 24 }]);
  });

  it('concurrent edits from the same version: exactly one wins, the other is told to reread (409)', async () => {
    const t = await tenantWith('race');
    const v1 = await create(t.sender);
    const results = await Promise.all(
      ['First wording', 'Second wording', 'Third wording'].map((message) =>
        service.api('PUT', `/v1/templates/${v1.id}`, { token: t.sender, body: edit(v1, 1, { message }) }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409]);
    const winner = results.find((r) => r.status === 200)!;
    const now = await service.api('GET', `/v1/templates/${v1.id}`, { token: t.sender });
    expect(now.body).toMatchObject({ version: 2, latestVersion: 2, message: winner.body.message });
    const stale = results.find((r) => r.status === 409)!;
    expect(stale.body.error.message).toMatch(/version 2|changed at the same moment/);
    const history = await service.api('GET', `/v1/templates/${v1.id}/history`, { token: t.auditor });
    expect(history.body.verified).toBe(true);
    expect(history.body.events.map((e: any) => e.type)).toEqual([
      'template.version_created',
      'template.version_created',
    ]);
  });

  it('when legal requires approval, a new version waits for someone other than its author in legal', async () => {
    const t = await tenantWith('approval');
    const settings = await service.api('PUT', '/v1/tenant/settings', {
      token: t.admin,
      body: { templateApprovalRequired: true, version: 0 },
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    const v1 = await create(t.legal);
    expect(v1).toMatchObject({ status: 'pending_approval' });
    expect(v1.approvedVersion).toBeUndefined();

    const own = await service.api('POST', `/v1/templates/${v1.id}/versions/1/approve`, { token: t.legal });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toMatch(/another member of legal/);
    const sender = await service.api('POST', `/v1/templates/${v1.id}/versions/1/approve`, {
      token: t.sender,
    });
    expect(sender.status).toBe(403);
    expect(
      (await service.api('POST', `/v1/templates/${v1.id}/versions/2/approve`, { token: t.legal2 })).status,
    ).toBe(404);

    // Two approvers at once: one approval is recorded, the other is told.
    const both = await Promise.all([
      service.api('POST', `/v1/templates/${v1.id}/versions/1/approve`, { token: t.legal2 }),
      service.api('POST', `/v1/templates/${v1.id}/versions/1/approve`, { token: t.admin }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const approved = both.find((r) => r.status === 200)!.body;
    expect(approved).toMatchObject({ status: 'approved', approvedVersion: 1 });
    expect(['legal-2', 'admin-1']).toContain(approved.approvedBy);

    const v2 = await service.api('PUT', `/v1/templates/${v1.id}`, {
      token: t.sender,
      body: edit(v1, 1, { message: 'Revised' }),
    });
    expect(v2.body).toMatchObject({ version: 2, status: 'pending_approval', approvedVersion: 1 });

    const history = await service.api('GET', `/v1/templates/${v1.id}/history`, { token: t.auditor });
    expect(history.body.verified).toBe(true);
    const approval = history.body.events.find((e: any) => e.type === 'template.version_approved');
    expect(approval).toMatchObject({ data: { version: 1 }, actor: { id: approved.approvedBy } });
    expect(approval.at).toBe(approved.approvedAt);
  });

  it('archived templates take no new versions, leave the list, and stay readable', async () => {
    const t = await tenantWith('archive');
    const v1 = await create(t.sender);
    const archived = await service.api('POST', `/v1/templates/${v1.id}/archive`, {
      token: t.sender,
      body: { reason: 'replaced by the 2026 agreement' },
    });
    expect(archived.status).toBe(200);
    expect(archived.body.archivedAt).toBeDefined();
    expect(
      (await service.api('POST', `/v1/templates/${v1.id}/archive`, { token: t.sender, body: {} })).status,
    ).toBe(409);
    const put = await service.api('PUT', `/v1/templates/${v1.id}`, {
      token: t.sender,
      body: edit(v1, 1, {}),
    });
    expect(put.status).toBe(410);
    expect((await service.api('GET', '/v1/templates', { token: t.sender })).body.items).toEqual([]);
    const all = await service.api('GET', '/v1/templates?includeArchived=true', { token: t.sender });
    expect(all.body.items).toEqual([expect.objectContaining({ templateId: v1.id, archived: true })]);
    expect((await service.api('GET', `/v1/templates/${v1.id}`, { token: t.sender })).status).toBe(200);
  });

  it('a create retried with the same Idempotency-Key makes one template', async () => {
    const t = await tenantWith('retry');
    const body = await templateBody();
    const [a, b] = await Promise.all([
      service.api('POST', '/v1/templates', {
        token: t.sender,
        body,
        headers: { 'idempotency-key': 'tpl-1' },
      }),
      service.api('POST', '/v1/templates', {
        token: t.sender,
        body,
        headers: { 'idempotency-key': 'tpl-1' },
      }),
    ]);
    const ok = [a, b].filter((r) => r.status === 201);
    // The second either waited for the first's answer or was told it is still in progress.
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of [a, b]) if (r.status !== 201) expect(r.status).toBe(409);
    const again = await service.api('POST', '/v1/templates', {
      token: t.sender,
      body,
      headers: { 'idempotency-key': 'tpl-1' },
    });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(ok[0]!.body.id);
    expect((await service.api('GET', '/v1/templates', { token: t.sender })).body.items).toHaveLength(1);
  });
});
