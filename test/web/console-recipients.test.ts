import { describe, expect, it } from 'vitest';
import { browserTests, DESKTOP, expectAccessible, goTo, ready, signInWithToken } from '../support/browser';
import { startTestService, type TestService } from '../support/service';
import {
  createRouted,
  eventsOfType,
  inboxReaches,
  invitationToken,
  readEnvelope,
  sendEnvelope,
  uniqueEmail,
} from '../support/signing';

/**
 * Changing a recipient from the envelope's page in the console, in headless Chromium against the
 * local service: correcting a mistyped address, handing the part to someone else with a reason,
 * and the organisation's refusal of reassignments shown in the dialog.
 */

let service: TestService;

const { openPage, shot } = browserTests({
  shots: 'countersign-console-recipients-screens',
  context: DESKTOP,
  timeout: 15_000,
  fromTop: true,
  start: async () => (service = await startTestService()),
});

async function sentEnvelope(allowReassign: boolean) {
  const tenant = `recip-web-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  if (allowReassign) {
    const admin = await service.token('admin', { tenant, sub: 'admin-1' });
    const res = await service.api('PUT', '/v1/tenant/settings', {
      token: admin,
      body: { recipientChanges: { senderMayReassign: true } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const token = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
  const typo = uniqueEmail('ada.typo');
  const routed = await createRouted(service, token, tenant, [{ step: 1, name: 'Ada Buyer', email: typo }]);
  const id = routed.envelope.id as string;
  await sendEnvelope(service, token, id);
  await invitationToken(service, typo);
  const { page, problems } = await openPage();
  await signInWithToken(page, service.url, token);
  await ready(page, '/envelopes');
  await goTo(page, `/envelopes/${id}`, '/envelopes/:id');
  return { tenant, token, id, typo, rid: routed.signers[0]!.id, page, problems };
}

describe("a recipient's address or person, changed from the console", () => {
  it('corrects a mistyped address, then hands the part to someone else with a reason', async () => {
    const s = await sentEnvelope(true);
    const { page } = s;
    await page.click(`#change-${s.rid}`);
    await page.waitForSelector('#change-dialog[open]');
    await expectAccessible(page, 'change recipient');
    const fixed = uniqueEmail('ada');
    await page.fill('#change-email', fixed);
    await shot(page, '01-correct-address');
    await page.click('#change-save');
    await page.waitForSelector('#change-dialog', { state: 'detached' });
    await page.waitForSelector(`[data-recipient="${s.rid}"]:has-text("${fixed.toLowerCase()}")`);
    expect(await inboxReaches(service, fixed, 1)).toEqual(['Please sign']);

    const rui = uniqueEmail('rui');
    await page.click(`#change-${s.rid}`);
    await page.waitForSelector('#change-dialog[open]');
    await page.selectOption('#change-kind', 'reassign');
    expect(await page.inputValue('#change-email')).toBe('');
    // The reason is required for a reassignment.
    await page.fill('#change-name', 'Rui Costa');
    await page.fill('#change-email', rui);
    await page.click('#change-save');
    await page.waitForSelector('#change-reason[aria-invalid="true"]');
    await page.fill('#change-reason', 'Ada is on leave');
    await shot(page, '02-reassign');
    await page.click('#change-save');
    await page.waitForSelector('#change-dialog', { state: 'detached' });
    await page.waitForSelector(`[data-recipient="${s.rid}"]:has-text("Rui Costa")`);
    expect(await inboxReaches(service, rui, 1)).toEqual(['Please sign']);
    expect(await inboxReaches(service, fixed, 2)).toEqual(['Please sign', 'Reassigned']);
    const envelope = await readEnvelope(service, s.token, s.id);
    expect(envelope.recipients[0]).toMatchObject({ name: 'Rui Costa', email: rui.toLowerCase() });
    const [event] = await eventsOfType(service, s.tenant, s.id, 'recipient.reassigned');
    expect(event!.data).toMatchObject({ reason: 'Ada is on leave', by: 'sender' });
    expect(s.problems).toEqual([]);
  });

  it("shows the organisation's refusal of reassignments in the dialog; nothing changes", async () => {
    const s = await sentEnvelope(false);
    const { page } = s;
    await page.click(`#change-${s.rid}`);
    await page.waitForSelector('#change-dialog[open]');
    await page.selectOption('#change-kind', 'reassign');
    await page.fill('#change-name', 'Rui Costa');
    await page.fill('#change-email', uniqueEmail('rui'));
    await page.fill('#change-reason', 'Ada is on leave');
    await page.click('#change-save');
    await page.waitForSelector('#change-dialog .notice.error');
    expect(await page.textContent('#change-dialog')).toContain('does not allow reassigning recipients');
    await shot(page, '03-reassign-refused');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#change-dialog', { state: 'detached' });
    expect((await readEnvelope(service, s.token, s.id)).recipients[0].email).toBe(s.typo.toLowerCase());
  });
});
