/**
 * The sections frozen with a snapshot (snapshot_sections), turned into the reports' extra
 * sections, in a fixed order whatever order they were stored in. Pure.
 */
import { RETENTION_SECTION } from '../../retention/domain/retention-section';
import type { SnapshotSections } from './report-data';
import type { ExtraSectionView } from './report-view';
import { agentRetentionSections, teamRetentionSections } from './retention-section.view';

export function agentSectionViews(sections: SnapshotSections | undefined): ExtraSectionView[] {
  return [...agentRetentionSections(sections?.[RETENTION_SECTION])];
}

export function teamSectionViews(sections: SnapshotSections | undefined): ExtraSectionView[] {
  return [...teamRetentionSections(sections?.[RETENTION_SECTION])];
}
