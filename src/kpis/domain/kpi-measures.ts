/**
 * From the repository's additive aggregates to every KPI's measure
 * (shared/spec/kpi-definitions.md). Pure: no I/O. Money arrives as exact decimal strings
 * summed by PostgreSQL and becomes a double once, here.
 */
import { KPI_KEYS, type KpiKey } from './kpi-catalogue';
import {
  churnFromRetention,
  count,
  mean,
  netPercentage,
  percentage,
  percentile,
  sum,
  type BreakdownMeasure,
  type KpiMeasure,
} from './kpi-value';

export interface PortfolioCounts {
  start_customers: number;
  kept_customers: number;
  lost_controllable: number;
  lost_uncontrollable: number;
  buyers: number;
  repeat_buyers: number;
  revenue: string;
  gross_margin: string;
  orders_in_period: number;
  active_customers: number;
  clv_historic_sum: string;
}

export interface ServiceCounts {
  resolved: number;
  resolved_first_contact: number;
  handle_seconds_sum: number;
  handle_seconds_n: number;
  resolved_within_sla: number;
  opened: number;
  opened_complaints: number;
  opened_first_response_within_sla: number;
  complaints_core_service_failure: number;
  complaints_service_encounter: number;
  complaints_pricing: number;
  complaints_inconvenience: number;
  complaints_failure_response: number;
  complaints_other: number;
  complaints_controllable_true: number;
  complaints_controllable_false: number;
  complaints_controllable_unknown: number;
}

export interface FirstResponseStats {
  p50: number | null;
  p90: number | null;
  n: number;
}

export interface SurveyCounts {
  responses: number;
  csat_n: number;
  csat_satisfied: number;
  nps_n: number;
  nps_promoters: number;
  nps_detractors: number;
  ces_sum: number;
  ces_n: number;
}

export interface TrainingSums {
  training_hours: string;
  training_rows: number;
}

/** Measures that later capabilities supply (predictive models, evaluations, retention). */
export type ExtraMeasures = Partial<Record<KpiKey, KpiMeasure>>;

export interface SubjectAggregates {
  portfolio?: PortfolioCounts;
  service?: ServiceCounts;
  firstResponse?: FirstResponseStats;
  surveys?: SurveyCounts;
  training?: TrainingSums;
  extra?: ExtraMeasures;
}

export const ZERO_PORTFOLIO: PortfolioCounts = {
  start_customers: 0,
  kept_customers: 0,
  lost_controllable: 0,
  lost_uncontrollable: 0,
  buyers: 0,
  repeat_buyers: 0,
  revenue: '0',
  gross_margin: '0',
  orders_in_period: 0,
  active_customers: 0,
  clv_historic_sum: '0',
};

export const ZERO_SERVICE: ServiceCounts = {
  resolved: 0,
  resolved_first_contact: 0,
  handle_seconds_sum: 0,
  handle_seconds_n: 0,
  resolved_within_sla: 0,
  opened: 0,
  opened_complaints: 0,
  opened_first_response_within_sla: 0,
  complaints_core_service_failure: 0,
  complaints_service_encounter: 0,
  complaints_pricing: 0,
  complaints_inconvenience: 0,
  complaints_failure_response: 0,
  complaints_other: 0,
  complaints_controllable_true: 0,
  complaints_controllable_false: 0,
  complaints_controllable_unknown: 0,
};

export const ZERO_SURVEYS: SurveyCounts = { responses: 0, csat_n: 0, csat_satisfied: 0, nps_n: 0, nps_promoters: 0, nps_detractors: 0, ces_sum: 0, ces_n: 0 };
export const ZERO_TRAINING: TrainingSums = { training_hours: '0', training_rows: 0 };

/** A KPI whose capability supplies no value (yet, or for this subject): null with an empty sample. */
export const UNAVAILABLE: KpiMeasure = Object.freeze({ value: null, numerator: null, denominator: null, sample_size: 0 });

export type KpiMeasures = Record<KpiKey, KpiMeasure | BreakdownMeasure>;

/** Every KPI key's measure for one subject. */
export function measuresFromAggregates(a: SubjectAggregates): KpiMeasures {
  const p = a.portfolio ?? ZERO_PORTFOLIO;
  const s = a.service ?? ZERO_SERVICE;
  const fr = a.firstResponse ?? { p50: null, p90: null, n: 0 };
  const sv = a.surveys ?? ZERO_SURVEYS;
  const tr = a.training ?? ZERO_TRAINING;
  const retention = percentage(p.kept_customers, p.start_customers);
  const computed: Partial<KpiMeasures> = {
    customer_retention_rate: retention,
    churn_rate: churnFromRetention(retention),
    repeat_purchase_rate: percentage(p.repeat_buyers, p.buyers),
    revenue: sum(Number(p.revenue), p.orders_in_period),
    gross_margin: sum(Number(p.gross_margin), p.orders_in_period),
    active_customers: count(p.active_customers),
    clv_historic_avg: mean(Number(p.clv_historic_sum), p.active_customers),
    tickets_resolved: count(s.resolved),
    first_contact_resolution: percentage(s.resolved_first_contact, s.resolved),
    avg_handle_seconds: mean(s.handle_seconds_sum, s.handle_seconds_n),
    first_response_minutes_p50: percentile(fr.p50, fr.n),
    first_response_minutes_p90: percentile(fr.p90, fr.n),
    complaint_rate: percentage(s.opened_complaints, s.opened),
    first_response_sla_rate: percentage(s.opened_first_response_within_sla, s.opened),
    resolution_sla_rate: percentage(s.resolved_within_sla, s.resolved),
    complaints_by_category: complaintsBreakdown(s),
    csat: percentage(sv.csat_satisfied, sv.csat_n),
    nps: netPercentage(sv.nps_promoters, sv.nps_detractors, sv.nps_n),
    ces_avg: mean(sv.ces_sum, sv.ces_n),
    survey_responses: count(sv.responses),
    training_hours: sum(Number(tr.training_hours), tr.training_rows),
    churn_controllable_share: percentage(p.lost_controllable, p.lost_controllable + p.lost_uncontrollable),
  };
  const out = {} as KpiMeasures;
  for (const key of KPI_KEYS) out[key] = a.extra?.[key] ?? computed[key] ?? UNAVAILABLE;
  return out;
}

/**
 * complaints_by_category: complaint tickets of Op per category and per controllable
 * true/false/unknown, every key present; the sample is the number of complaint tickets.
 */
function complaintsBreakdown(s: ServiceCounts): BreakdownMeasure {
  return {
    value: {
      by_category: {
        core_service_failure: s.complaints_core_service_failure,
        service_encounter: s.complaints_service_encounter,
        pricing: s.complaints_pricing,
        inconvenience: s.complaints_inconvenience,
        failure_response: s.complaints_failure_response,
        other: s.complaints_other,
      },
      by_controllable: {
        true: s.complaints_controllable_true,
        false: s.complaints_controllable_false,
        unknown: s.complaints_controllable_unknown,
      },
    },
    numerator: null,
    denominator: null,
    sample_size: s.opened_complaints,
  };
}
