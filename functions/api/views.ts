import type { z } from 'zod';
import type { AuditTrail as AuditTrailResult } from '../core/usecases/envelope-queries';
import { authOf, isAuthLocked, settingsOf, type EnvelopeState } from '../core/envelope';
import { maskPhone } from '../core/signing/signer-auth';
import type { StoredTenantSettings } from '../core/tenant-settings';
import type { AuditTrail, Envelope, EnvelopeSummary, TenantSettings } from './schemas';

/** What the API shows of an envelope: storage keys and internal hashes stay inside. */
export function envelopeView(s: EnvelopeState): z.infer<typeof Envelope> {
  return {
    id: s.id,
    title: s.title,
    message: s.message,
    status: s.status,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    owner: s.owner,
    currentStep: s.currentStep,
    ...(s.voidedReason ? { voidedReason: s.voidedReason } : {}),
    ...(s.declinedBy ? { declinedBy: s.declinedBy } : {}),
    ...(s.sentAt ? { sentAt: s.sentAt } : {}),
    ...(s.slaTerms ? { slaTerms: s.slaTerms } : {}),
    ...(s.template ? { template: s.template } : {}),
    ...(s.amends ? { amends: s.amends } : {}),
    ...(s.legalHold ? { legalHold: s.legalHold } : {}),
    settings: settingsOf(s),
    ...(s.expiresAt ? { expiresAt: s.expiresAt } : {}),
    ...(s.expiryWarnedAt ? { expiryWarnedAt: s.expiryWarnedAt } : {}),
    ...(s.expiredAt ? { expiredAt: s.expiredAt } : {}),
    ...(s.completedAt ? { completedAt: s.completedAt } : {}),
    ...(s.sealedDocuments
      ? {
          sealedDocuments: s.sealedDocuments.map((d) => ({
            id: d.id,
            name: d.name,
            sha256: d.sha256,
            size: d.size,
          })),
        }
      : {}),
    documents: s.documents.map((d) => ({
      id: d.id,
      name: d.name,
      sha256: d.sha256,
      size: d.size,
      pageCount: d.pages.length,
    })),
    steps: s.steps,
    recipients: s.recipients.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      role: r.role,
      ...(r.group ? { group: r.group } : {}),
      step: r.step,
      status: r.status,
      fields: r.fields,
      ...(r.invitedAt ? { invitedAt: r.invitedAt } : {}),
      ...(r.viewedAt ? { viewedAt: r.viewedAt } : {}),
      ...(r.reminders ? { reminders: r.reminders, remindedAt: r.remindedAt } : {}),
      ...(r.consent ? { consent: r.consent } : {}),
      ...(r.signedAt ? { signedAt: r.signedAt } : {}),
      ...(r.approvedAt ? { approvedAt: r.approvedAt } : {}),
      ...(r.supersededAt ? { supersededAt: r.supersededAt } : {}),
      ...(r.declinedAt ? { declinedAt: r.declinedAt, declineReason: r.declineReason } : {}),
      ...(r.reassignedFrom ? { reassignedFrom: r.reassignedFrom } : {}),
      ...(r.language ? { language: r.language } : {}),
      auth: (() => {
        const auth = authOf(r);
        return {
          method: auth.method,
          ...(auth.method === 'sms' ? { phone: maskPhone(auth.phone) } : {}),
          ...(auth.method !== 'email'
            ? { locked: isAuthLocked(r), failedAttempts: r.authState?.failures ?? 0 }
            : {}),
        };
      })(),
    })),
    version: s.version,
  };
}

export function summaryView(s: EnvelopeState): z.infer<typeof EnvelopeSummary> {
  return {
    id: s.id,
    title: s.title,
    status: s.status,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    owner: s.owner,
    currentStep: s.currentStep,
    recipientCount: s.recipients.length,
  };
}

export function auditView(t: AuditTrailResult): z.infer<typeof AuditTrail> {
  return {
    envelopeId: t.envelope.id,
    verified: t.verdict.verified,
    ...(t.verdict.brokenAt !== undefined ? { brokenAt: t.verdict.brokenAt, reason: t.verdict.reason } : {}),
    headHash: t.verdict.headHash,
    algorithm: 'sha256(prevHash || JCS(event without hash)); see docs/audit-trail.md',
    events: t.events,
  };
}

export function tenantSettingsView(t: StoredTenantSettings): z.infer<typeof TenantSettings> {
  return {
    version: t.version,
    envelopeDefaults: t.envelopeDefaults,
    recipientChanges: t.recipientChanges,
    ...(t.documentRetentionDays !== undefined ? { documentRetentionDays: t.documentRetentionDays } : {}),
    ...(t.templateApprovalRequired ? { templateApprovalRequired: true } : {}),
    ...(t.branding ? { branding: t.branding } : {}),
    ...(t.updatedAt ? { updatedAt: t.updatedAt } : {}),
    ...(t.updatedBy ? { updatedBy: t.updatedBy } : {}),
  };
}
