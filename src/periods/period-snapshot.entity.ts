import { defineEntity, p } from '@mikro-orm/core';
import { IMMUTABLE_BODY } from '../database/immutable-trigger';

/**
 * A published period: version 1 on first publish, n+1 on every recompute (with a reason).
 * Rows are never updated or deleted (a trigger refuses it), so a published scorecard never
 * changes silently.
 */
export const PeriodSnapshotSchema = defineEntity({
  name: 'PeriodSnapshot',
  tableName: 'period_snapshots',
  properties: {
    id: p.integer().primary().autoincrement(),
    period: p.string().length(7),
    version: p.integer(),
    definitionsVersion: p.integer().fieldName('definitions_version'),
    templateVersionId: p.integer().fieldName('template_version_id'),
    reason: p.text().nullable(),
    dataVersion: p.bigint('number').fieldName('data_version'),
    settings: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().fieldName('created_at'),
    createdBy: p.text().nullable().fieldName('created_by'),
  },
  uniques: [{ name: 'period_snapshots_period_version_unique', properties: ['period', 'version'] }],
  // insert-only: the database refuses to change or remove a row
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class PeriodSnapshot extends PeriodSnapshotSchema.class {}
PeriodSnapshotSchema.setClass(PeriodSnapshot);

/** One subject's frozen KPI values and scorecard within a snapshot. */
export const SnapshotSubjectSchema = defineEntity({
  name: 'SnapshotSubject',
  tableName: 'snapshot_subjects',
  properties: {
    snapshotId: p.integer().primary().fieldName('snapshot_id'),
    subjectType: p.string().length(8).primary().fieldName('subject_type'),
    /** '' for the organisation */
    subjectId: p.string().length(64).collation('C').primary().fieldName('subject_id'),
    name: p.text().nullable(),
    teamId: p.string().length(64).collation('C').nullable().fieldName('team_id'),
    kpis: p.json<Record<string, unknown>>(),
    scorecard: p.json<Record<string, unknown>>().nullable(),
  },
  // insert-only: the database refuses to change or remove a row
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class SnapshotSubject extends SnapshotSubjectSchema.class {}
SnapshotSubjectSchema.setClass(SnapshotSubject);
