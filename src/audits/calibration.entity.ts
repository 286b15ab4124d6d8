import { defineEntity, p } from '@mikro-orm/core';
import { AUDIT_CHANNELS } from './domain/audit-form';
import { AuditFormVersion } from './audit-form.entity';

/**
 * A calibration session: several auditors score the same recorded interaction with one form
 * version (shared/spec/evaluations.md, "Calibration"). Its scorings never count in KPIs.
 */
export const CalibrationSessionSchema = defineEntity({
  name: 'CalibrationSession',
  tableName: 'calibration_sessions',
  properties: {
    id: p.integer().primary().autoincrement(),
    title: p.text(),
    formVersionId: () => p.manyToOne(AuditFormVersion).mapToPk().fieldName('form_version_id'),
    channel: p.enum(AUDIT_CHANNELS),
    /** the recording or transcript every auditor scores */
    interactionRef: p.text().fieldName('interaction_ref'),
    /** the agent in the recording, when known (informative) */
    agentId: p.string().length(64).collation('C').nullable().fieldName('agent_id'),
    createdAt: p.datetime().fieldName('created_at'),
    createdBy: p.text().nullable().fieldName('created_by'),
    closedAt: p.datetime().nullable().fieldName('closed_at'),
    closedBy: p.text().nullable().fieldName('closed_by'),
  },
});
export class CalibrationSession extends CalibrationSessionSchema.class {}
CalibrationSessionSchema.setClass(CalibrationSession);

/** One auditor's scoring in a calibration session (one per auditor; editable until the session closes). */
export const CalibrationScoreSchema = defineEntity({
  name: 'CalibrationScore',
  tableName: 'calibration_scores',
  properties: {
    id: p.integer().primary().autoincrement(),
    sessionId: () => p.manyToOne(CalibrationSession).mapToPk().fieldName('session_id'),
    auditorUserId: p.integer().fieldName('auditor_user_id'),
    auditorEmail: p.text().fieldName('auditor_email'),
    answers: p.json<Record<string, unknown>[]>(),
    score: p.double().nullable(),
    autoFailed: p.boolean().fieldName('auto_failed'),
    createdAt: p.datetime().fieldName('created_at'),
    updatedAt: p.datetime().fieldName('updated_at'),
  },
  uniques: [{ name: 'calibration_scores_session_auditor_unique', properties: ['sessionId', 'auditorUserId'] }],
});
export class CalibrationScore extends CalibrationScoreSchema.class {}
CalibrationScoreSchema.setClass(CalibrationScore);
