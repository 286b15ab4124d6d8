import { defineEntity, p } from '@mikro-orm/core';
import { IMMUTABLE_BODY } from '../database/immutable-trigger';

/** A named scorecard template; exactly one is the default that live scorecards use. */
export const ScorecardTemplateSchema = defineEntity({
  name: 'ScorecardTemplate',
  tableName: 'scorecard_templates',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.text().unique(),
    isDefault: p.boolean().default(false).fieldName('is_default'),
    createdAt: p.datetime().fieldName('created_at'),
  },
});
export class ScorecardTemplate extends ScorecardTemplateSchema.class {}
ScorecardTemplateSchema.setClass(ScorecardTemplate);

/**
 * An immutable version of a template's definition (KPIs, weights, floors, targets, …).
 * Editing a template adds a version; snapshots point at the version they were scored with.
 */
export const ScorecardTemplateVersionSchema = defineEntity({
  name: 'ScorecardTemplateVersion',
  tableName: 'scorecard_template_versions',
  properties: {
    id: p.integer().primary().autoincrement(),
    templateId: p.integer().fieldName('template_id'),
    version: p.integer(),
    definition: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().fieldName('created_at'),
    createdBy: p.text().nullable().fieldName('created_by'),
  },
  uniques: [{ name: 'scorecard_template_versions_template_version_unique', properties: ['templateId', 'version'] }],
  // insert-only: the database refuses to change or remove a row
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class ScorecardTemplateVersion extends ScorecardTemplateVersionSchema.class {}
ScorecardTemplateVersionSchema.setClass(ScorecardTemplateVersion);
