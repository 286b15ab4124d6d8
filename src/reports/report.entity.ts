import { defineEntity, p } from '@mikro-orm/core';
import { IMMUTABLE_BODY } from '../database/immutable-trigger';

/**
 * A rendered PDF scorecard: one per (snapshot, subject). The file lives under REPORTS_DIR at
 * `path` (`YYYY-MM/agents/<agent_id>-v<version>.pdf`, `YYYY-MM/teams/<team_id>-v<version>.pdf`);
 * its sha256 proves the bytes served are the bytes recorded. Insert-only: a forced rerun
 * publishes a new snapshot version and adds new rows; old reports stay.
 */
export const ReportSchema = defineEntity({
  name: 'Report',
  tableName: 'reports',
  properties: {
    id: p.integer().primary().autoincrement(),
    period: p.string().length(7),
    snapshotId: p.integer().fieldName('snapshot_id'),
    snapshotVersion: p.integer().fieldName('snapshot_version'),
    /** 'agent' | 'team' */
    subjectType: p.string().length(8).fieldName('subject_type'),
    subjectId: p.string().length(64).collation('C').fieldName('subject_id'),
    subjectName: p.text().nullable().fieldName('subject_name'),
    /** The agent's team in the snapshot, or the team itself: what the scope rule checks. */
    teamId: p.string().length(64).collation('C').nullable().fieldName('team_id'),
    /** Relative to REPORTS_DIR. */
    path: p.text(),
    sha256: p.string().length(64),
    bytes: p.integer(),
    runId: p.integer().nullable().fieldName('run_id'),
    createdAt: p.datetime().fieldName('created_at'),
  },
  uniques: [{ name: 'reports_snapshot_subject_unique', properties: ['snapshotId', 'subjectType', 'subjectId'] }],
  indexes: [{ name: 'reports_period_subject_index', properties: ['period', 'subjectType', 'subjectId'] }],
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class Report extends ReportSchema.class {}
ReportSchema.setClass(Report);

/** Every download of a report: who, when (audit trail; insert-only). */
export const ReportDownloadSchema = defineEntity({
  name: 'ReportDownload',
  tableName: 'report_downloads',
  properties: {
    id: p.integer().primary().autoincrement(),
    reportId: p.integer().fieldName('report_id'),
    userId: p.integer().nullable().fieldName('user_id'),
    userEmail: p.text().nullable().fieldName('user_email'),
    role: p.string().length(16).nullable(),
    downloadedAt: p.datetime().fieldName('downloaded_at'),
  },
  indexes: [{ name: 'report_downloads_report_index', properties: ['reportId'] }],
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class ReportDownload extends ReportDownloadSchema.class {}
ReportDownloadSchema.setClass(ReportDownload);
