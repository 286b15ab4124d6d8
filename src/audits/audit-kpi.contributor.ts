import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { ExtraMeasures } from '../kpis/domain/kpi-measures';
import { mean } from '../kpis/domain/kpi-value';
import { DrilldownService } from '../kpis/drilldown.service';
import { KpiEngineService } from '../kpis/kpi-engine.service';
import { subjectKey, type PeriodWindow, type SubjectKey } from '../kpis/kpi.repository';
import type { Period } from '../periods/domain/period';
import { AuditKpiRepository } from './audit-kpi.repository';

/**
 * Feeds mystery_shopper_score into the KPI engine (every agent, team and the organisation:
 * numerator Σ score, denominator and sample size the number of counted audits, value null
 * without audits), serves its drill-down, and registers the audit log as a data-version
 * table: every audit change appends to it, so cached KPI results never go stale.
 */
@Injectable()
export class AuditKpiContributor implements OnModuleInit {
  readonly name = 'mystery_shopper_score';

  constructor(
    private readonly repo: AuditKpiRepository,
    private readonly engine: KpiEngineService,
    private readonly drilldown: DrilldownService,
  ) {}

  onModuleInit(): void {
    this.engine.registerVersionTable('audit_log');
    this.engine.registerContributor(this);
    this.drilldown.registerSource('mystery_shopper_score', {
      rule: () =>
        'Final (non-voided) audits of the subject with visited_at in P (team: the audited agent’s current team, descendants included; ' +
        'a disputed audit counts until resolved; drafts never count); value = mean score (0–100), numerator Σ score, denominator the number of audits.',
      page: (q) => this.repo.page({ subject: q.subject, p0: q.instants.p0, p1: q.instants.p1, after: q.after, limit: q.limit }),
    });
  }

  async contribute(_period: Period, window: PeriodWindow): Promise<Map<SubjectKey, ExtraMeasures>> {
    const rows = await this.repo.aggregate(window, this.engine.settings().orgTimezone);
    const out = new Map<SubjectKey, ExtraMeasures>();
    for (const r of rows) out.set(subjectKey(r.subject_type, r.subject_id), { mystery_shopper_score: mean(r.score_sum, r.audits) });
    return out;
  }
}
