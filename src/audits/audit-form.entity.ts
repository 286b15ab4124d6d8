import { defineEntity, p } from '@mikro-orm/core';
import { IMMUTABLE_BODY } from '../database/immutable-trigger';

/**
 * A mystery-shopper audit form: only an identity. What it asks lives in its versions, which
 * never change; an edit adds a version (shared/spec/evaluations.md, "Forms are versioned").
 */
export const AuditFormSchema = defineEntity({
  name: 'AuditForm',
  tableName: 'audit_forms',
  properties: {
    id: p.integer().primary().autoincrement(),
    /** set on forms seeded by Yardstick itself (the seed is idempotent on it) */
    seedKey: p.text().nullable().unique('audit_forms_seed_key_unique').fieldName('seed_key'),
    createdAt: p.datetime().fieldName('created_at'),
    createdBy: p.text().nullable().fieldName('created_by'),
  },
  // insert-only: the database refuses to change or remove a row
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class AuditForm extends AuditFormSchema.class {}
AuditFormSchema.setClass(AuditForm);

/**
 * One version of a form: name, sections and criteria (src/audits/domain/audit-form.ts).
 * Audits keep the version they were scored with; rows are never updated or deleted.
 */
export const AuditFormVersionSchema = defineEntity({
  name: 'AuditFormVersion',
  tableName: 'audit_form_versions',
  properties: {
    id: p.integer().primary().autoincrement(),
    formId: () => p.manyToOne(AuditForm).mapToPk().fieldName('form_id'),
    version: p.integer(),
    name: p.text(),
    definition: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().fieldName('created_at'),
    createdBy: p.text().nullable().fieldName('created_by'),
  },
  uniques: [{ name: 'audit_form_versions_form_version_unique', properties: ['formId', 'version'] }],
  // insert-only: the database refuses to change or remove a row
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class AuditFormVersion extends AuditFormVersionSchema.class {}
AuditFormVersionSchema.setClass(AuditFormVersion);

/**
 * A retired form version: no new audit may use it. A version is retired when a newer one
 * supersedes it, or when the form is retired. Insert-only, like the versions themselves.
 */
export const AuditFormRetirementSchema = defineEntity({
  name: 'AuditFormRetirement',
  tableName: 'audit_form_retirements',
  properties: {
    formVersionId: () => p.manyToOne(AuditFormVersion).mapToPk().primary().fieldName('form_version_id'),
    retiredAt: p.datetime().fieldName('retired_at'),
    retiredBy: p.text().nullable().fieldName('retired_by'),
    reason: p.text(),
  },
  // insert-only: the database refuses to change or remove a row
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class AuditFormRetirement extends AuditFormRetirementSchema.class {}
AuditFormRetirementSchema.setClass(AuditFormRetirement);
