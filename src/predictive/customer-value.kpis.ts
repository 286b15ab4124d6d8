import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { ExtraMeasures } from '../kpis/domain/kpi-measures';
import { mean, type KpiMeasure } from '../kpis/domain/kpi-value';
import type { DrilldownRecordRow, DrilldownRows } from '../kpis/drilldown.repository';
import { DrilldownService, type DrilldownSource, type DrilldownSourceQuery } from '../kpis/drilldown.service';
import { KpiEngineService, type KpiContributor } from '../kpis/kpi-engine.service';
import type { KpiSettings, PeriodWindow, SubjectKey } from '../kpis/kpi.repository';
import type { Period } from '../periods/domain/period';
import { CustomerValueRepository } from './customer-value.repository';
import { CustomerValueService, isFitted, MIN_REPEAT_CUSTOMERS, totalsBySubject } from './customer-value.service';

/**
 * `clv_predicted_avg` and `at_risk_customers` (shared/spec/kpi-definitions.md) for every
 * agent, team and the organisation, fitted as of e = s1, the last day of the period:
 *
 * - clv_predicted_avg: the mean predictive CLV over the subject's customers active on s1 and
 *   owned by it on s1 (a team: owners whose current team is the team or a descendant; the
 *   organisation: every active customer) that have a model value — customers without a
 *   completed order ≤ e, or whose completed amounts sum to 0, are left out; numerator Σ CLV,
 *   denominator their number.
 * - at_risk_customers: the number of those active customers whose P(alive) < RISK_P_ALIVE;
 *   customers without orders have no P(alive) and are never at risk, x = 0 gives 1. A count:
 *   no numerator or denominator; sample_size = the active customers with a P(alive).
 *
 * When the models cannot be fitted as of e (fewer than 50 repeat customers) both stay null
 * (the engine's UNAVAILABLE) for every subject; GET /api/v1/models/customer-value?as_of=e and
 * the drill-down say why.
 */
@Injectable()
export class CustomerValueKpis implements KpiContributor, OnModuleInit {
  readonly name = 'predictive-customer-value';

  constructor(
    private readonly engine: KpiEngineService,
    private readonly drilldown: DrilldownService,
    private readonly values: CustomerValueService,
    private readonly repo: CustomerValueRepository,
  ) {}

  onModuleInit(): void {
    this.engine.registerContributor(this);
    this.drilldown.registerSource('clv_predicted_avg', this.source('clv_predicted_avg'));
    this.drilldown.registerSource('at_risk_customers', this.source('at_risk_customers'));
  }

  async contribute(_period: Period, window: PeriodWindow, dataVersion: number): Promise<Map<SubjectKey, ExtraMeasures>> {
    const out = new Map<SubjectKey, ExtraMeasures>();
    const { scored } = await this.values.activeCustomerScores(window.s1, dataVersion);
    if (!scored) return out; // not fitted: every subject keeps null values
    const totals = totalsBySubject(scored.org, scored.cols, scored.scores, this.values.riskPAlive);
    for (const [key, t] of totals) {
      const atRisk: KpiMeasure = { value: t.atRisk, numerator: null, denominator: null, sample_size: t.withPAlive };
      out.set(key as SubjectKey, { clv_predicted_avg: mean(t.clvSum, t.clvCount), at_risk_customers: atRisk });
    }
    return out;
  }

  /** The records behind either KPI: the subject's active customers with a model value / a P(alive). */
  private source(key: 'clv_predicted_avg' | 'at_risk_customers'): DrilldownSource {
    const clv = key === 'clv_predicted_avg';
    return {
      rule: (s: KpiSettings) => ruleOf(key, s, this.values),
      page: async (q: DrilldownSourceQuery): Promise<DrilldownRows & { note?: string }> => {
        const e = q.window.s1;
        const model = await this.values.model(e);
        if (!isFitted(model)) {
          return { total: 0, records: [], more: false, note: `${key} is null for ${q.period}: ${model.reason}.` };
        }
        const page = await this.repo.drilldownCustomers({
          subject: q.subject,
          asOf: e,
          defaultMarginRate: q.settings.defaultMarginRate,
          inactivityDays: q.settings.inactivityDays,
          modelValue: clv ? { p: model.gg.p, q: model.gg.q } : null,
          after: q.after,
          limit: q.limit + 1, // one more than asked: tells whether another page follows
        });
        const rows = page.rows.slice(0, q.limit);
        const records: DrilldownRecordRow[] = rows.map((r) => {
          const v = this.values.valueOf(model, r.customerId, r);
          return {
            id: r.customerId,
            in_numerator: clv ? null : (v.pAlive as number) < this.values.riskPAlive,
            fields: {
              owner_s1: r.owner,
              owner_s1_team_id: r.ownerTeam,
              first_purchase_on: r.firstDay,
              last_purchase_on: r.lastDay,
              x: v.x,
              t_x: v.tx,
              T: v.T,
              m_x: v.mx,
              margin_rate: v.marginRate,
              p_alive: v.pAlive,
              expected_avg_value: v.expectedAvgValue,
              clv: v.clv,
            },
          };
        });
        return { total: page.total, records, more: page.rows.length > q.limit };
      },
    };
  }
}

function ruleOf(key: 'clv_predicted_avg' | 'at_risk_customers', s: KpiSettings, values: CustomerValueService): string {
  const o = values.clvOptions();
  const who =
    `Customers active on s1 (inactivity: ${s.inactivityDays === 0 ? 'disabled' : `${s.inactivityDays} days`}) and owned by the subject on s1 ` +
    '(team: the owner’s current team is the team or a descendant; organisation: every customer) with a completed order dated ≤ s1';
  const models =
    'BG/NBD and Gamma-Gamma are fitted over the whole organisation as of s1; with fewer than ' +
    `${MIN_REPEAT_CUSTOMERS} repeat customers they are not fitted, the value is null and GET /api/v1/models/customer-value?as_of=<s1> gives the reason.`;
  if (key === 'clv_predicted_avg') {
    return (
      `${who} and a model value (completed amounts summing to more than 0, a finite expected spend); value = mean clv ` +
      `(predictive CLV over ${o.horizonMonths} months, discounted at ${o.annualDiscountRate} a year, × margin_rate = Σ effective gross margin / Σ amount, ` +
      `default margin ${s.defaultMarginRate}). ${models}`
    );
  }
  return `${who} (each has a P(alive); x = 0 gives 1); in_numerator = p_alive < ${values.riskPAlive}; value = count(in_numerator). ${models}`;
}
