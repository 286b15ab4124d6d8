import { defineEntity, p } from '@mikro-orm/core';
import { Audit } from './audit.entity';

export const DISPUTE_STATUSES = ['open', 'upheld', 'rejected'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
export const DISPUTE_ACTIONS = ['void', 'rescore'] as const;
export type DisputeAction = (typeof DISPUTE_ACTIONS)[number];

/**
 * An agent's dispute of a final audit (shared/spec/evaluations.md, "Disputes"): once per
 * audit (unique audit_id), with a reason; resolved by a manager or hr as upheld (the audit is
 * voided or re-scored, the old score kept here and in the audit log) or rejected.
 */
export const AuditDisputeSchema = defineEntity({
  name: 'AuditDispute',
  tableName: 'audit_disputes',
  properties: {
    id: p.integer().primary().autoincrement(),
    auditId: () => p.manyToOne(Audit).mapToPk().unique('audit_disputes_audit_id_unique').fieldName('audit_id'),
    agentId: p.string().length(64).collation('C').index('audit_disputes_agent_id_index').fieldName('agent_id'),
    reason: p.text(),
    status: p.enum(DISPUTE_STATUSES),
    resolutionAction: p.enum(DISPUTE_ACTIONS).nullable().fieldName('resolution_action'),
    resolutionNote: p.text().nullable().fieldName('resolution_note'),
    /** the audit's score when the dispute was resolved, and after (null after a void) */
    scoreBefore: p.double().nullable().fieldName('score_before'),
    scoreAfter: p.double().nullable().fieldName('score_after'),
    createdAt: p.datetime().fieldName('created_at'),
    createdByUserId: p.integer().nullable().fieldName('created_by_user_id'),
    createdBy: p.text().nullable().fieldName('created_by'),
    resolvedAt: p.datetime().nullable().fieldName('resolved_at'),
    resolvedBy: p.text().nullable().fieldName('resolved_by'),
  },
});
export class AuditDispute extends AuditDisputeSchema.class {}
AuditDisputeSchema.setClass(AuditDispute);
