import type { z } from 'zod';
import { verifyChain } from '../core/audit-chain';
import {
  latestApproved,
  type TemplateEvent,
  type TemplateState,
  type TemplateSummary,
  type TemplateVersion,
} from '../core/templates/template';
import type { Template, TemplateHistory, TemplateList } from './template-schemas';

/** A template as the API shows it: one version whole, with where the template stands. */
export function templateView(t: TemplateState, v: TemplateVersion): z.infer<typeof Template> {
  const approved = latestApproved(t);
  return {
    id: t.id,
    version: v.version,
    latestVersion: t.versions.length,
    ...(approved ? { approvedVersion: approved.version } : {}),
    status: v.status,
    ...(t.archivedAt ? { archivedAt: t.archivedAt } : {}),
    name: v.name,
    description: v.description,
    document: {
      name: v.document.name,
      sha256: v.document.sha256,
      size: v.document.size,
      pageCount: v.document.pages.length,
    },
    roles: v.roles,
    fields: v.fields,
    mergeFields: v.mergeFields,
    message: v.message,
    settings: v.settings,
    ...(v.slaTerms ? { slaTerms: v.slaTerms } : {}),
    ...(v.scheduleAfterPage !== undefined ? { scheduleAfterPage: v.scheduleAfterPage } : {}),
    ...(v.contract ? { contract: v.contract } : {}),
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    ...(v.approvedAt ? { approvedAt: v.approvedAt, approvedBy: v.approvedBy! } : {}),
  };
}

export function templateListView(page: {
  items: TemplateSummary[];
  nextCursor?: string;
}): z.infer<typeof TemplateList> {
  return {
    items: page.items.map(({ seq: _seq, ...item }) => item),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

export function templateHistoryView(
  t: TemplateState,
  events: TemplateEvent[],
): z.infer<typeof TemplateHistory> {
  const verdict = verifyChain(events);
  return {
    templateId: t.id,
    verified: verdict.verified,
    headHash: verdict.headHash,
    events: events as unknown as Record<string, unknown>[],
  };
}
