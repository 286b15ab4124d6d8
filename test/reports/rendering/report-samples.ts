/**
 * A small hand-made snapshot for the pure report tests: agent 王小明 (A7) of team 华东一组
 * (T-E1, parent T-EAST "East 华东"), period 2026-10, snapshot version 2, a five-KPI template.
 *
 * Template "Golden" v3 (floor → target, weight):
 *   customer_retention_rate  customer          w 2  80 → 95    value 90       score 100·10/15 = 66.67 → red (< 80)
 *   csat                     customer          w 1  60 → 90    value 87.5     score 100·27.5/30 = 91.67 → amber
 *   first_contact_resolution internal_process  w 2  50 → 80    value 82.25    score 107.5 → green
 *   complaint_rate           internal_process  w 1  10 → 2     value null     no score
 *   training_hours           learning_growth   w 1   0 → 8     value 2.5      score 31.25 → red
 *   composite = (2·66.67 + 91.67 + 2·107.5 + 31.25) / 6 = 78.47…; coverage 6/7 = 86%
 *
 * Retention section (frozen with the snapshot), as of 2026-10-31:
 *   agent: 40 customers; high key 1, major 2, small 3 (6); medium major 1, ordinary 4, small 2 (7);
 *          low 27 (6 + 7 + 27 = 40); not worth pursuing high 1, low 2; win-back 3 opened, 1 of 2 confirmed.
 *   team:  120 customers; high 2/3/1/4 (10), medium 1/2/6/5 (14), low 96; not worth 2/1/5;
 *          win-back 9 opened, 3 of 5 confirmed; lost 7: core service failure 2 controllable,
 *          service encounter 1 controllable, pricing 2 uncontrollable + 1 unknown, unknown 1 unknown
 *          (3 controllable, 2 uncontrollable, 2 unknown).
 */
import { KPI_KEYS, type KpiKey } from '../../../src/kpis/domain/kpi-catalogue';
import type { KpiValue } from '../../../src/kpis/domain/kpi-value';
import { zeroLost, type RetentionSectionData } from '../../../src/retention/domain/retention-section';
import type { AgentReportData, FrozenScorecard, ScorecardSummary, SnapshotInfo, SubjectData, TeamReportData, TrendSeries } from '../../../src/reports/domain/report-data';

export const SNAPSHOT: SnapshotInfo = {
  id: 42,
  period: '2026-10',
  version: 2,
  createdAt: '2026-11-01T06:00:05.250Z',
  createdLocal: { date: '2026-11-01', time: '14:00', zone: 'Asia/Shanghai' },
  reason: 'late October orders',
  definitionsVersion: 1,
  orgTimezone: 'Asia/Shanghai',
  lowSampleMin: 10,
};

function kv(value: number | null, o: Partial<KpiValue<number | null>> = {}): KpiValue<number | null> {
  const previous = o.previous ?? null;
  const yearAgo = o.year_ago ?? null;
  return {
    value,
    numerator: o.numerator ?? null,
    denominator: o.denominator ?? null,
    sample_size: o.sample_size ?? 20,
    low_sample: o.low_sample ?? false,
    previous,
    year_ago: yearAgo,
    delta_previous: value === null || previous === null ? null : value - previous,
    delta_year_ago: value === null || yearAgo === null ? null : value - yearAgo,
  };
}

/** Every KPI of the agent (hand-picked values; rounding cases noted). */
export function agentKpis(): Record<KpiKey, KpiValue> {
  const k: Partial<Record<KpiKey, KpiValue>> = {
    customer_retention_rate: kv(90, { numerator: 18, denominator: 20, previous: 85, year_ago: 92.5 }), // Δ +5.0 pp, -2.5 pp
    churn_rate: kv(10, { numerator: 2, denominator: 20, previous: 15 }),
    repeat_purchase_rate: kv(100 / 3, { numerator: 1, denominator: 3, sample_size: 3, low_sample: true }), // 33.3% low
    revenue: kv(12345.675, { sample_size: 14 }), // 12,345.68 (half up on the decimal form)
    gross_margin: kv(3703.7, { sample_size: 14 }),
    active_customers: kv(18, { sample_size: 18 }),
    clv_historic_avg: kv(67.5, { numerator: 1215, denominator: 18, sample_size: 18 }),
    clv_predicted_avg: kv(null, { numerator: 0, denominator: 0, sample_size: 0, low_sample: true }),
    at_risk_customers: kv(2, { sample_size: 2, low_sample: true }),
    tickets_resolved: kv(40, { sample_size: 40, previous: 36 }),
    first_contact_resolution: kv(82.25, { numerator: 329, denominator: 400, sample_size: 400, previous: 80 }), // 82.3% (half up), +2.3 pp
    avg_handle_seconds: kv(450.5, { numerator: 18020, denominator: 40, sample_size: 40, previous: 480 }), // 451 s, -30 s (−29.5 rounds away from zero)
    first_response_minutes_p50: kv(82.5, { sample_size: 41 }),
    first_response_minutes_p90: kv(112.5, { sample_size: 41 }),
    complaint_rate: kv(null, { numerator: 0, denominator: 0, sample_size: 0, low_sample: true }),
    first_response_sla_rate: kv(50, { numerator: 20, denominator: 40, sample_size: 40 }),
    resolution_sla_rate: kv(75, { numerator: 30, denominator: 40, sample_size: 40 }),
    csat: kv(87.5, { numerator: 14, denominator: 16, sample_size: 16, previous: 87.5 }), // ±0.0 pp
    nps: kv(-12.5, { numerator: -2, denominator: 16, sample_size: 16, year_ago: 0 }), // -13 (half away from zero)
    ces_avg: kv(2.125, { numerator: 17, denominator: 8, sample_size: 8, low_sample: true }), // 2.13
    survey_responses: kv(16, { sample_size: 16 }),
    mystery_shopper_score: kv(84.25, { numerator: 168.5, denominator: 2, sample_size: 2, low_sample: true }),
    feedback_360_score: kv(4.125, { numerator: 8.25, denominator: 2, sample_size: 7, low_sample: true }), // 4.13
    training_hours: kv(2.5, { sample_size: 2, low_sample: true }),
    win_back_rate: kv(null, { numerator: 0, denominator: 0, sample_size: 0, low_sample: true }),
    churn_controllable_share: kv(50, { numerator: 1, denominator: 2, sample_size: 2, low_sample: true }),
  };
  k.complaints_by_category = {
    value: {
      by_category: { core_service_failure: 2, service_encounter: 1, pricing: 0, inconvenience: 0, failure_response: 0, other: 0 },
      by_controllable: { true: 2, false: 0, unknown: 1 },
    },
    numerator: null,
    denominator: null,
    sample_size: 3,
    low_sample: true,
    previous: null,
    year_ago: null,
    delta_previous: null,
    delta_year_ago: null,
  };
  for (const key of KPI_KEYS) if (!k[key]) throw new Error(`sample misses ${key}`);
  return k as Record<KpiKey, KpiValue>;
}

const TEMPLATE = { template_id: 3, version_id: 9, name: 'Golden', version: 3 };

export function agentScorecard(over: Partial<FrozenScorecard> = {}): FrozenScorecard {
  const kpis: FrozenScorecard['kpis'] = [
    { key: 'customer_retention_rate', label: 'Customer retention', perspective: 'customer', weight: 2, value: 90, floor: 80, target: 95, score: 200 / 3, rag: 'red', low_sample: false },
    { key: 'csat', label: 'CSAT', perspective: 'customer', weight: 1, value: 87.5, floor: 60, target: 90, score: 275 / 3, rag: 'amber', low_sample: false },
    { key: 'first_contact_resolution', label: 'First-contact resolution', perspective: 'internal_process', weight: 2, value: 82.25, floor: 50, target: 80, score: 107.5, rag: 'green', low_sample: false },
    { key: 'complaint_rate', label: 'Complaint rate', perspective: 'internal_process', weight: 1, value: null, floor: 10, target: 2, score: null, rag: null, low_sample: true },
    { key: 'training_hours', label: 'Training hours', perspective: 'learning_growth', weight: 1, value: 2.5, floor: 0, target: 8, score: 31.25, rag: 'red', low_sample: true },
  ];
  const composite = (2 * (200 / 3) + 275 / 3 + 2 * 107.5 + 31.25) / 6;
  return {
    template: TEMPLATE,
    status: 'ok',
    composite_score: composite,
    coverage: 6 / 7,
    rank: 2,
    team_size: 3,
    perspectives: { customer: (2 * (200 / 3) + 275 / 3) / 3, internal_process: 107.5, learning_growth: 31.25 },
    kpis,
    ...over,
  };
}

function teamScorecard(): FrozenScorecard {
  return {
    ...agentScorecard(),
    composite_score: 88.125,
    coverage: 1,
    rank: null,
    team_size: null,
    perspectives: { customer: 95, internal_process: 101.25, learning_growth: 40 },
    agents: [],
  };
}

const PERIODS = ['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];

function trend(composites: (number | null)[]): TrendSeries {
  return {
    periods: PERIODS,
    values: composites.map((c, i) =>
      c === null ? null : { composite: c, scores: { customer_retention_rate: 50 + i * 2, first_contact_resolution: 90 + (i % 3) * 5, csat: i % 2 ? 80 : null, training_hours: 20 + i } },
    ),
  };
}

export function agentSubject(over: Partial<SubjectData> = {}): AgentReportData['agent'] {
  return { type: 'agent', id: 'A7', name: '王小明', teamId: 'T-E1', kpis: agentKpis(), scorecard: agentScorecard(), ...over } as AgentReportData['agent'];
}

export function agentData(over: Partial<AgentReportData> = {}): AgentReportData {
  return {
    snapshot: SNAPSHOT,
    agent: agentSubject(),
    team: { type: 'team', id: 'T-E1', name: '华东一组', teamId: 'T-EAST', kpis: agentKpis(), scorecard: teamScorecard() },
    trend: {
      agent: trend([null, null, 61.2, 64, 70.5, null, 72, 75, 74.5, 76, 77, 78.47]),
      team: trend([80, 81, 82, 83, 84, 85, 86, 87, 86, 87, 88, 88.125]),
    },
    audits: [
      { id: 11, visitedOn: '2026-10-03', channel: 'phone', form: 'Phone & chat service', formVersion: 1, score: 92.5, autoFailed: false, failedCriteria: [], disputed: false },
      { id: 12, visitedOn: '2026-10-17', channel: 'chat', form: 'Phone & chat service', formVersion: 1, score: 0, autoFailed: true, failedCriteria: ['Verifies the customer’s identity'], disputed: true },
    ],
    voidedAudits: 1,
    feedback: {
      cycleName: 'H2 2026 360',
      closesOn: '2026-09-30',
      minRaters: 3,
      groups: [
        { group: 'self', status: 'shown', shown_as: 'self', assigned: 1, responded: 1, count: 1, mean: 4.5 },
        { group: 'manager', status: 'shown', shown_as: 'manager', assigned: 1, responded: 1, count: 1, mean: 4 },
        { group: 'peer', status: 'shown', shown_as: 'peer', assigned: 4, responded: 4, count: 4, mean: 4.25 },
        { group: 'direct_report', status: 'folded', shown_as: 'others', assigned: 2, responded: 2, count: 2, mean: null },
        { group: 'customer', status: 'folded', shown_as: 'others', assigned: 2, responded: 1, count: 1, mean: null },
      ],
      others: { members: ['direct_report', 'customer'], status: 'shown', count: 3, mean: 3.875 },
      overall: { self_mean: 4.5, non_self_mean: 4.041666666666667, gap: 0.45833333333333304 },
      score: { value: 4.041666666666667, numerator: 12.125, denominator: 3, sample_size: 8, groups: [] },
    },
    sections: { retention: agentRetention() },
    ...over,
  };
}

function summary(id: string, name: string | null, teamId: string, composite: number | null, over: Partial<ScorecardSummary> = {}): ScorecardSummary {
  return {
    id,
    name,
    teamId,
    status: 'ok',
    composite,
    coverage: 1,
    rank: null,
    teamSize: null,
    perspectives: { customer: composite, internal_process: composite === null ? null : composite + 10, learning_growth: 50 },
    rags: ['green', 'amber', 'red', null, 'green'],
    ...over,
  };
}

export function teamData(over: Partial<TeamReportData> = {}): TeamReportData {
  const members = [
    summary('A7', '王小明', 'T-E1', 78.47, { rank: 2, teamSize: 3 }),
    summary('A8', 'Ana Silva', 'T-E1', 101.5, { rank: 1, teamSize: 3, rags: ['green', 'green', 'green', 'green', 'amber'] }),
    summary('A9', 'Li Wei 李伟', 'T-E1', 40, { status: 'insufficient_data', coverage: 0.4, teamSize: 3, rags: [null, null, 'red', null, null] }),
  ];
  return {
    snapshot: SNAPSHOT,
    team: { type: 'team', id: 'T-E1', name: '华东一组', teamId: 'T-EAST', kpis: agentKpis(), scorecard: teamScorecard() },
    parent: { type: 'team', id: 'T-EAST', name: 'East 华东', teamId: null, kpis: {}, scorecard: null },
    org: { type: 'org', id: '', name: null, teamId: null, kpis: {}, scorecard: { ...teamScorecard(), composite_score: 90, perspectives: { customer: 91, internal_process: 99, learning_growth: 60 } } },
    members,
    subtreeAgents: [...members, summary('A10', 'José Müller', 'T-E1A', 119.99), summary('A11', '欧阳子涵', 'T-E1A', 120)],
    subTeams: [summary('T-E1A', '华东一组 A', 'T-E1', 119.995)],
    teamTree: [
      { id: 'T-E1', parentId: 'T-EAST' },
      { id: 'T-E1A', parentId: 'T-E1' },
    ],
    trend: { team: trend([80, 81, 82, 83, 84, 85, 86, 87, 86, 87, 88, 88.125]), org: trend([90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90]) },
    sections: { retention: teamRetention() },
    ...over,
  };
}

export function agentRetention(over: Partial<RetentionSectionData> = {}): RetentionSectionData {
  return {
    as_of: '2026-10-31',
    period: '2026-10',
    no_tiers_reason: null,
    risk: {
      customers: 40,
      at_risk: { high: { key: 1, major: 2, ordinary: 0, small: 3, none: 0 }, medium: { key: 0, major: 1, ordinary: 4, small: 2, none: 0 } },
      low: 27,
      not_worth_pursuing: { high: 1, medium: 0, low: 2 },
    },
    win_back: { opened: 3, window_ended: 2, confirmed: 1 },
    lost: null,
    ...over,
  };
}

export function teamRetention(over: Partial<RetentionSectionData> = {}): RetentionSectionData {
  const lost = zeroLost();
  lost.customers = 7;
  lost.by_reason.core_service_failure.controllable = 2;
  lost.by_reason.service_encounter.controllable = 1;
  lost.by_reason.pricing.uncontrollable = 2;
  lost.by_reason.pricing.unknown = 1;
  lost.by_reason.unknown.unknown = 1;
  return {
    as_of: '2026-10-31',
    period: '2026-10',
    no_tiers_reason: null,
    risk: {
      customers: 120,
      at_risk: { high: { key: 2, major: 3, ordinary: 1, small: 4, none: 0 }, medium: { key: 1, major: 2, ordinary: 6, small: 5, none: 0 } },
      low: 96,
      not_worth_pursuing: { high: 2, medium: 1, low: 5 },
    },
    win_back: { opened: 9, window_ended: 5, confirmed: 3 },
    lost,
    ...over,
  };
}
