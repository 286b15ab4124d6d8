import { defineEntity, p } from '@mikro-orm/core';
import { AUDIT_CHANNELS } from './domain/audit-form';
import { AuditFormVersion } from './audit-form.entity';

export const AUDIT_STATUSES = ['draft', 'final', 'voided'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

/**
 * One mystery-shopper audit of an agent (shared/spec/evaluations.md, "Submission"). The
 * auditor edits it while it is a draft; once final it changes only through a dispute (re-score
 * or void) or a void by hr/a manager. Every change is written to audit_log with before and
 * after. `score` is computed by src/audits/domain/audit-scoring.ts from `answers`.
 */
export const AuditSchema = defineEntity({
  name: 'Audit',
  tableName: 'audits',
  properties: {
    id: p.integer().primary().autoincrement(),
    agentId: p.string().length(64).collation('C').index('audits_agent_id_index').fieldName('agent_id'),
    auditorUserId: p.integer().index('audits_auditor_user_id_index').fieldName('auditor_user_id'),
    auditorEmail: p.text().fieldName('auditor_email'),
    formVersionId: () => p.manyToOne(AuditFormVersion).mapToPk().index('audits_form_version_id_index').fieldName('form_version_id'),
    channel: p.enum(AUDIT_CHANNELS),
    visitedAt: p.datetime().fieldName('visited_at'),
    /** the recording, chat transcript or visit the audit is about (free text) */
    interactionRef: p.text().nullable().fieldName('interaction_ref'),
    /** the auditor's overall remarks */
    summary: p.text().nullable(),
    /** [{criterion_id, value, note}] in form order */
    answers: p.json<Record<string, unknown>[]>(),
    /** 0–100, null when every criterion is N/A (never for a final audit) */
    score: p.double().nullable(),
    autoFailed: p.boolean().fieldName('auto_failed'),
    /** the critical criteria that failed (auto-fail), in form order */
    failedCriteria: p.json<string[]>().fieldName('failed_criteria'),
    status: p.enum(AUDIT_STATUSES),
    /** 1 on creation, +1 on every change */
    revision: p.integer(),
    createdAt: p.datetime().fieldName('created_at'),
    updatedAt: p.datetime().fieldName('updated_at'),
    finalizedAt: p.datetime().nullable().fieldName('finalized_at'),
    voidedAt: p.datetime().nullable().fieldName('voided_at'),
    voidedBy: p.text().nullable().fieldName('voided_by'),
    voidReason: p.text().nullable().fieldName('void_reason'),
  },
  // the KPI reads final audits by visit time
  indexes: [{ name: 'audits_status_visited_at_index', properties: ['status', 'visitedAt'] }],
});
export class Audit extends AuditSchema.class {}
AuditSchema.setClass(Audit);
