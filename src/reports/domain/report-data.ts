/**
 * What a report is made from: plain data read from one published snapshot (and the
 * evaluations that existed when it was created). ReportDataService loads it; the view-model
 * builders (./agent-report.view.ts, ./team-report.view.ts) turn it into what the PDF shows.
 * Everything here is frozen data, so the same snapshot always gives the same report.
 */
import type { GroupSummary, OthersSummary, ScoreResult } from '../../feedback/domain/feedback-results';
import type { KpiKey, Perspective } from '../../kpis/domain/kpi-catalogue';
import type { KpiValue } from '../../kpis/domain/kpi-value';
import type { Rag, ScorecardStatus } from '../../scorecards/domain/scoring';
import type { LocalInstant } from './report-format';

/** The published snapshot a report is rendered from. */
export interface SnapshotInfo {
  id: number;
  /** 'YYYY-MM' */
  period: string;
  version: number;
  /** when the snapshot was created, ISO 8601 UTC with milliseconds: the PDF's creation date */
  createdAt: string;
  /** the same instant on the organisation's wall clock */
  createdLocal: LocalInstant;
  reason: string | null;
  definitionsVersion: number;
  /** ORG_TIMEZONE the snapshot was computed in */
  orgTimezone: string;
  /** LOW_SAMPLE_MIN the snapshot was computed with (null for snapshots that did not record it) */
  lowSampleMin: number | null;
}

/** One template KPI of a frozen scorecard (src/scorecards/scorecards.service.ts, ScorecardKpiView). */
export interface FrozenScorecardKpi {
  key: KpiKey;
  label: string;
  perspective: Perspective;
  weight: number;
  value: number | null;
  floor: number;
  target: number;
  score: number | null;
  rag: Rag | null;
  low_sample: boolean;
}

/** A frozen scorecard as publishing stored it in snapshot_subjects.scorecard. */
export interface FrozenScorecard {
  template: { template_id: number; version_id: number; name: string; version: number };
  status: ScorecardStatus;
  composite_score: number | null;
  coverage: number;
  rank: number | null;
  team_size: number | null;
  perspectives: Partial<Record<Perspective, number | null>>;
  kpis: FrozenScorecardKpi[];
  agents?: { agent_id: string; name: string | null; composite_score: number | null; rank: number | null; status: ScorecardStatus }[];
}

/** A subject of the snapshot with every KPI value and its scorecard. */
export interface SubjectData {
  type: 'agent' | 'team' | 'org';
  /** '' for the organisation */
  id: string;
  name: string | null;
  /** an agent's current team; a team's parent team */
  teamId: string | null;
  kpis: Partial<Record<KpiKey, KpiValue>>;
  scorecard: FrozenScorecard | null;
}

/** A subject's scorecard in brief (rankings, distributions, sub-teams). */
export interface ScorecardSummary {
  id: string;
  name: string | null;
  /** an agent's current team; a team's parent */
  teamId: string | null;
  status: ScorecardStatus;
  composite: number | null;
  coverage: number;
  rank: number | null;
  teamSize: number | null;
  perspectives: Partial<Record<Perspective, number | null>>;
  /** the RAG of each template KPI, in template order */
  rags: (Rag | null)[];
}

/** A subject's numbers in one month of a trend. */
export interface TrendValues {
  composite: number | null;
  /** template KPI scores of that month's scorecard */
  scores: Partial<Record<KpiKey, number | null>>;
}

/**
 * Twelve months ending with the report's period, oldest first; for each month the latest
 * published version created no later than the report's snapshot. null: the month was never
 * published by then (or the subject had no scorecard that month) — a gap.
 */
export interface TrendSeries {
  periods: string[];
  values: (TrendValues | null)[];
}

/** A mystery-shopper audit of the period as it stood when the snapshot was created. */
export interface AuditData {
  id: number;
  /** local date of the visit, 'YYYY-MM-DD' */
  visitedOn: string;
  channel: string;
  form: string;
  formVersion: number;
  /** 0–100 */
  score: number;
  autoFailed: boolean;
  /** labels of the critical criteria that failed */
  failedCriteria: string[];
  /** an open dispute at the time of the snapshot: the audit still counts, marked disputed */
  disputed: boolean;
}

/** 360 feedback of the latest closed cycle: group-level results with anonymity applied. */
export interface FeedbackData {
  cycleName: string;
  closesOn: string;
  minRaters: number;
  groups: GroupSummary[];
  others: OthersSummary | null;
  overall: { self_mean: number | null; non_self_mean: number | null; gap: number | null };
  score: ScoreResult;
}

/**
 * Sections other capabilities computed once for the snapshot (snapshot_sections, e.g.
 * 'retention'): section name → the subject's frozen data. A section the subject has no row
 * for is absent.
 */
export type SnapshotSections = Readonly<Record<string, unknown>>;

export interface AgentReportData {
  snapshot: SnapshotInfo;
  agent: SubjectData & { scorecard: FrozenScorecard };
  /** the agent's team in the snapshot */
  team: SubjectData | null;
  trend: { agent: TrendSeries; team: TrendSeries | null };
  audits: AuditData[];
  /** audits of the period voided by the time of the snapshot (they do not count) */
  voidedAudits: number;
  feedback: FeedbackData | null;
  sections: SnapshotSections;
}

export interface TeamReportData {
  snapshot: SnapshotInfo;
  team: SubjectData & { scorecard: FrozenScorecard };
  parent: SubjectData | null;
  org: SubjectData | null;
  /** the team's direct members with a scorecard */
  members: ScorecardSummary[];
  /** every agent with a scorecard whose team is the team or one of its descendants */
  subtreeAgents: ScorecardSummary[];
  /** the direct child teams */
  subTeams: ScorecardSummary[];
  /** the team and every team below it, with its parent (the snapshot's team tree) */
  teamTree: { id: string; parentId: string | null }[];
  trend: { team: TrendSeries; org: TrendSeries | null };
  sections: SnapshotSections;
}
