import { Injectable, Logger } from '@nestjs/common';
import { ProblemException } from '../common/problem-details';
import { ReportSectionsRepository, type SectionRow, type SectionSnapshot } from './report-sections.repository';

export type { SectionSnapshot } from './report-sections.repository';

/**
 * A capability that adds a section to the reports (e.g. retention: customers at risk, churn
 * reasons). `compute` returns the data of every subject it has something for, keyed
 * 'agent:<id>', 'team:<id>' or 'org:'; it runs once per snapshot, and what it returns is
 * frozen with the snapshot.
 */
export interface ReportSectionProvider {
  section: string;
  compute(snapshot: SectionSnapshot): Promise<Map<string, unknown>>;
}

export type SubjectKey = `agent:${string}` | `team:${string}` | 'org:';

const SECTION_RE = /^[a-z][a-z0-9_]{0,31}$/;

function parseKey(section: string, key: string): Pick<SectionRow, 'subject_type' | 'subject_id'> {
  const i = key.indexOf(':');
  const type = i < 0 ? '' : key.slice(0, i);
  const id = i < 0 ? '' : key.slice(i + 1);
  if (type === 'org' && id === '') return { subject_type: 'org', subject_id: '' };
  if ((type === 'agent' || type === 'team') && id !== '' && id.length <= 64) return { subject_type: type, subject_id: id };
  throw new Error(`report section ${section}: subject key ${JSON.stringify(key)} is not 'agent:<id>', 'team:<id>' or 'org:'`);
}

/**
 * Report sections computed once per published snapshot and stored (snapshot_sections), so
 * that re-rendering a snapshot later gives the same bytes even when late data has changed
 * what the section would show today (issue 6, item 1; issue 7, item 4).
 *
 * Capabilities `register` a provider when their module starts. `ensure(snapshotId)` computes
 * every registered section not yet stored for the snapshot: under a transaction-scoped
 * advisory lock keyed by (snapshot, section) it checks again, computes, and inserts every
 * subject's row with the organisation's row — inserted even when the provider has nothing
 * for the organisation (JSON null), so it records that the section was computed. Concurrent
 * callers (render jobs on several instances) wait for the first and then find the rows.
 * The monthly run calls `ensure` before it fans out the render jobs; the report data calls it
 * too, for snapshots rendered outside a run.
 */
@Injectable()
export class ReportSectionsService {
  private readonly logger = new Logger(ReportSectionsService.name);
  private readonly providers = new Map<string, ReportSectionProvider>();
  /** `${snapshotId}:${section}` known to be stored (rows never change) */
  private readonly stored = new Set<string>();
  private readonly inflight = new Map<number, Promise<void>>();

  constructor(private readonly repo: ReportSectionsRepository) {}

  register(provider: ReportSectionProvider): void {
    if (!SECTION_RE.test(provider.section)) throw new Error(`report section name ${JSON.stringify(provider.section)}: lower-case letters, digits and _ (at most 32)`);
    if (this.providers.has(provider.section)) throw new Error(`report section ${provider.section} is registered twice`);
    this.providers.set(provider.section, provider);
  }

  /** The registered sections, by name. */
  sections(): string[] {
    return [...this.providers.keys()].sort();
  }

  /** Computes and stores every registered section the snapshot does not have yet. 404 problem details when the snapshot does not exist. */
  async ensure(snapshotId: number): Promise<void> {
    if (this.sections().every((s) => this.stored.has(`${snapshotId}:${s}`))) return;
    let run = this.inflight.get(snapshotId);
    if (!run) {
      run = this.ensureNow(snapshotId).finally(() => this.inflight.delete(snapshotId));
      this.inflight.set(snapshotId, run);
    }
    return run;
  }

  private async ensureNow(snapshotId: number): Promise<void> {
    const snapshot = Number.isSafeInteger(snapshotId) && snapshotId > 0 ? await this.repo.snapshot(snapshotId) : null;
    if (!snapshot) throw new ProblemException(404, 'Not Found', `snapshot ${snapshotId} does not exist`);
    const have = await this.repo.storedSections(snapshotId);
    for (const section of this.sections()) {
      if (!have.has(section)) await this.computeOne(snapshot, this.providers.get(section)!);
      this.stored.add(`${snapshotId}:${section}`);
    }
  }

  private async computeOne(snapshot: SectionSnapshot, provider: ReportSectionProvider): Promise<void> {
    await this.repo.transaction(async (client) => {
      await this.repo.lock(client, snapshot.id, provider.section);
      // another connection or instance may have stored it while we waited for the lock
      if ((await this.repo.storedSections(snapshot.id, client)).has(provider.section)) return;
      const t0 = performance.now();
      const data = await provider.compute(snapshot);
      const rows: SectionRow[] = [];
      for (const [key, value] of data) rows.push({ ...parseKey(provider.section, key), data: value });
      if (!data.has('org:')) rows.push({ subject_type: 'org', subject_id: '', data: null });
      await this.repo.insert(client, snapshot.id, provider.section, rows);
      this.logger.log(`report section ${provider.section} of snapshot ${snapshot.id} (${snapshot.period}): ${rows.length} subjects in ${Math.round(performance.now() - t0)} ms`);
    });
  }

  /** The stored sections of one subject of a snapshot: section → data (absent: nothing for the subject). */
  async subjectSections(snapshotId: number, subjectType: SectionRow['subject_type'], subjectId: string): Promise<Map<string, unknown>> {
    return this.repo.subjectSections(snapshotId, subjectType, subjectId);
  }
}
