import { defineEntity, p } from '@mikro-orm/core';
import { IMMUTABLE_BODY } from '../database/immutable-trigger';

/**
 * A report section computed once for a published snapshot (ReportSectionsService): the data
 * one capability adds to the reports of a subject — e.g. the customers at risk as of the
 * period's last day, which would change with late data if they were computed at every
 * render. Every subject of a section is inserted in one transaction, always with the
 * organisation's row (subject_type 'org', subject_id ''), so that row records that the section
 * was computed. Insert-only: re-rendering a snapshot reads the same rows, so the same bytes.
 */
export const SnapshotSectionSchema = defineEntity({
  name: 'SnapshotSection',
  tableName: 'snapshot_sections',
  properties: {
    snapshotId: p.integer().primary().fieldName('snapshot_id'),
    /** the section's name, e.g. 'retention' */
    section: p.text().primary(),
    /** 'agent' | 'team' | 'org' */
    subjectType: p.string().length(8).primary().fieldName('subject_type'),
    /** '' for the organisation */
    subjectId: p.string().length(64).collation('C').primary().fieldName('subject_id'),
    /** what the section shows for the subject (the provider's JSON; JSON null: nothing) */
    data: p.json<unknown>(),
  },
  // insert-only: the database refuses to change or remove a row
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class SnapshotSection extends SnapshotSectionSchema.class {}
SnapshotSectionSchema.setClass(SnapshotSection);
