import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { ExtraMeasures } from '../kpis/domain/kpi-measures';
import { percentage } from '../kpis/domain/kpi-value';
import { DrilldownService } from '../kpis/drilldown.service';
import { KpiEngineService, type KpiContributor } from '../kpis/kpi-engine.service';
import { subjectKey, type PeriodWindow, type SubjectKey } from '../kpis/kpi.repository';
import type { Period } from '../periods/domain/period';
import { RetentionKpiRepository } from './retention-kpi.repository';

/**
 * Feeds win_back_rate (shared/spec/retention.md, "KPIs") into the KPI engine for every agent,
 * team and the organisation, and serves the drill-downs of win_back_rate and
 * churn_controllable_share.
 *
 * churn_controllable_share itself is the engine's (KpiRepository.portfolio): it reads the
 * reasons recorded on win-back tasks closed as lost, which take precedence over the inferred
 * ones, and the engine counts win_back_task_events in its data version.
 */
@Injectable()
export class RetentionKpiContributor implements KpiContributor, OnModuleInit {
  readonly name = 'retention';

  constructor(
    private readonly repo: RetentionKpiRepository,
    private readonly engine: KpiEngineService,
    private readonly drilldown: DrilldownService,
  ) {}

  onModuleInit(): void {
    this.engine.registerContributor(this);
    this.drilldown.registerSource('win_back_rate', {
      rule: () =>
        'Win-back tasks of the subject (team: the task agent’s current team, descendants included) whose confirmation window (opened_on, window_ends_on] ' +
        'ended in P (window_ends_on from P’s first day to s1) and that the daily confirmation pass settled; in_numerator = confirmed ' +
        '(a completed order dated in the window, whatever outcome the agent recorded); value = 100 × confirmed / listed. Record ids are task ids.',
      page: (q) => this.repo.winBackPage({ subject: q.subject, window: q.window, settings: q.settings, after: q.after, limit: q.limit }),
    });
    this.drilldown.registerSource('churn_controllable_share', {
      rule: () =>
        'Customers of S (active on s0, counted for the owner on s0) not active on s1 whose reason is known: the one recorded on their latest win-back task ' +
        'closed as lost before p1 (reason_source recorded), else complaint_controllable of their last complaint ticket opened before p1 (reason_source inferred); ' +
        'in_numerator = controllable; value = 100 × controllable / listed.',
      page: (q) => this.repo.churnPage({ subject: q.subject, window: q.window, settings: q.settings, after: q.after, limit: q.limit }),
    });
  }

  async contribute(_period: Period, window: PeriodWindow): Promise<Map<SubjectKey, ExtraMeasures>> {
    const out = new Map<SubjectKey, ExtraMeasures>();
    for (const r of await this.repo.winBackRate(window)) out.set(subjectKey(r.subject_type, r.subject_id), { win_back_rate: percentage(r.numerator, r.denominator) });
    return out;
  }
}
