import { defineEntity, p } from '@mikro-orm/core';
import { IMMUTABLE_BODY } from '../database/immutable-trigger';

/**
 * The evaluation audit log: one row per change of a form, an audit, a dispute or a
 * calibration — who, when, what, the state before and after. Insert-only (a trigger refuses
 * updates and deletes); its growing id is part of the KPI data version, so any change that
 * can move mystery_shopper_score invalidates cached KPI results.
 */
export const AuditLogSchema = defineEntity({
  name: 'AuditLogEntry',
  tableName: 'audit_log',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    entityType: p.string().length(32).fieldName('entity_type'),
    entityId: p.integer().fieldName('entity_id'),
    /** the audit an entry concerns (audit and dispute entries), for an audit's whole history */
    auditId: p.integer().nullable().index('audit_log_audit_id_index').fieldName('audit_id'),
    action: p.string().length(32),
    actorUserId: p.integer().nullable().fieldName('actor_user_id'),
    actor: p.text().nullable(),
    at: p.datetime(),
    before: p.json<Record<string, unknown>>().nullable(),
    after: p.json<Record<string, unknown>>().nullable(),
  },
  indexes: [{ name: 'audit_log_entity_index', properties: ['entityType', 'entityId'] }],
  // insert-only: the database refuses to change or remove a row
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class AuditLogEntry extends AuditLogSchema.class {}
AuditLogSchema.setClass(AuditLogEntry);
