import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { localDate, systemClock, type Clock } from '../common/clock';
import { ProblemException } from '../common/problem-details';
import { DEFINITIONS_VERSION } from '../kpis/domain/kpi-catalogue';
import { KpiEngineService } from '../kpis/kpi-engine.service';
import { KpiQueryService } from '../kpis/kpi-query.service';
import { ScorecardsService } from '../scorecards/scorecards.service';
import { TemplatesService } from '../scorecards/templates.service';
import { comparePeriods, periodOfDate, type Period } from './domain/period';
import { SnapshotsRepository, type SnapshotHeader } from './snapshots.repository';

export const CLOCK = Symbol('CLOCK');

/**
 * Publishing: freezes every subject's KPIs (with trends) and scorecards of a period as a
 * versioned snapshot. The first publish is version 1; publishing again (late data, an
 * upheld dispute) needs a reason and makes version n+1. Earlier versions stay readable.
 */
@Injectable()
export class PeriodsService {
  constructor(
    private readonly engine: KpiEngineService,
    private readonly kpis: KpiQueryService,
    private readonly scorecards: ScorecardsService,
    private readonly templates: TemplatesService,
    private readonly snapshots: SnapshotsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /** Only months that have ended (in ORG_TIMEZONE) can be published. */
  assertClosed(period: Period): void {
    const current = periodOfDate(localDate(this.clock.now(), this.config.orgTimezone));
    if (comparePeriods(period, current) >= 0) {
      throw new ProblemException(422, 'Unprocessable Content', `period ${period} has not ended yet (current month: ${current})`, {
        errors: [{ field: 'period', value: period, reason: 'only a month that has ended can be published' }],
      });
    }
  }

  async publish(period: Period, opts: { reason?: string | null; by: string | null }): Promise<SnapshotHeader> {
    this.assertClosed(period);
    const existing = await this.snapshots.latest(period);
    const reason = opts.reason?.trim() || null;
    if (existing && !reason) {
      throw new ProblemException(409, 'Conflict', `period ${period} is published (version ${existing.version}); publishing again makes version ${existing.version + 1} and needs a reason`);
    }
    const live = await this.kpis.live(period);
    const template = await this.templates.current();
    // the guard below makes sure no other publish slipped in, so this is the version inserted
    const version = (existing?.version ?? 0) + 1;
    const cards = this.scorecards.build(live, template, { status: 'published', version });
    const rows = [...live.subjects.entries()].map(([key, { subject, kpis }]) => ({
      subject_type: subject.type,
      subject_id: subject.id ?? '',
      name: subject.name,
      team_id: subject.type === 'agent' ? subject.teamId : subject.type === 'team' ? subject.teamId : null,
      kpis: kpis as unknown as Record<string, unknown>,
      scorecard: (cards.get(key) ?? null) as unknown as Record<string, unknown> | null,
    }));
    const header = await this.snapshots.insert(
      {
        period,
        definitions_version: DEFINITIONS_VERSION,
        template_version_id: template.version_id,
        reason: existing ? reason : (reason ?? 'first publication'),
        data_version: live.dataVersion,
        created_by: opts.by,
        settings: { ...this.engine.settings(), lowSampleMin: this.config.lowSampleMin },
      },
      rows,
      async (latest) => {
        if ((latest?.id ?? null) !== (existing?.id ?? null)) {
          throw new ProblemException(409, 'Conflict', `period ${period} was published meanwhile (version ${latest?.version}); retry`);
        }
      },
    );
    return header;
  }

  versions(period: Period): Promise<SnapshotHeader[]> {
    return this.snapshots.versions(period);
  }
}
