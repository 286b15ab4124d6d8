/**
 * Balanced-scorecard scoring, exactly the rules of shared/spec/kpi-definitions.md,
 * "Balanced scorecard" and the fine print on Scorecards:
 *
 * - KPI score: clamp(100 × (actual − floor) / (target − floor), 0, cap); null when actual is null.
 * - RAG: green when score ≥ 100, amber when score ≥ amber_at, else red (of the clamped score).
 * - Perspective score: Σ w·score / Σ w over the perspective's KPIs with a score.
 * - Composite score: Σ w·score / Σ w over all KPIs with a score.
 * - Coverage: Σ w of KPIs with a score / Σ w of all KPIs; below 0.5 the scorecard is
 *   "insufficient data" and is not ranked.
 * - Rank: within the agent's team by composite score, highest first; equal scores share a
 *   rank and the next rank skips (1, 2, 2, 4).
 */
import { PERSPECTIVES, type KpiKey, type Perspective } from '../../kpis/domain/kpi-catalogue';
import {
  assertValidTemplate,
  DEFAULT_AMBER_AT,
  DEFAULT_CAP,
  resolveTemplateKpi,
  type ScorecardTemplateDef,
  type TemplateKpi,
} from './scorecard-template';

export type Rag = 'green' | 'amber' | 'red';
export type ScorecardStatus = 'ok' | 'insufficient_data';

/** Coverage below which a scorecard is `insufficient_data` and not ranked. */
export const MIN_COVERAGE = 0.5;

/**
 * KPI score: clamp(100 × (actual − floor) / (target − floor), 0, cap); null when actual is
 * null. Works both ways: with floor > target (lower is better) a smaller actual scores
 * higher. floor = target is a template error and throws here.
 */
export function scoreKpi(actual: number | null, k: Pick<TemplateKpi, 'floor' | 'target' | 'cap'>): number | null {
  if (actual === null) return null;
  if (!Number.isFinite(actual)) throw new RangeError(`KPI actual must be a finite number or null, got ${actual}`);
  if (k.floor === k.target) throw new RangeError(`floor equals target (${k.target}); the score is undefined`);
  const cap = k.cap ?? DEFAULT_CAP;
  const raw = (100 * (actual - k.floor)) / (k.target - k.floor);
  // Math.max(+0, -0) is +0, so an actual at the floor scores +0 either way round.
  return Math.min(Math.max(raw, 0), cap);
}

/** RAG of a (clamped) score: green ≥ 100, amber ≥ amber_at (default 80), else red; null for no score. */
export function rag(score: number | null, amberAt: number = DEFAULT_AMBER_AT): Rag | null {
  if (score === null) return null;
  if (score >= 100) return 'green';
  return score >= amberAt ? 'amber' : 'red';
}

export interface ScoredKpi {
  key: KpiKey;
  perspective: Perspective;
  weight: number;
  value: number | null;
  target: number;
  floor: number;
  score: number | null;
  rag: Rag | null;
}

export interface ScorecardScore {
  /** One per template KPI, in template order. */
  kpis: ScoredKpi[];
  /** Only the template's perspectives (in PERSPECTIVES order); null where none of its KPIs has a score. */
  perspectives: Partial<Record<Perspective, number | null>>;
  /** null when no KPI has a score. */
  composite_score: number | null;
  /** Σ w of KPIs with a score / Σ w of all KPIs, within [0, 1]. */
  coverage: number;
  /** `insufficient_data` when coverage < 0.5 (coverage exactly 0.5 is `ok`). */
  status: ScorecardStatus;
}

/**
 * Scores a scorecard from the subject's KPI values for the period. A KPI missing from
 * `values` counts as null (no score). Throws an InvalidTemplateError for an invalid
 * template (templates are validated when saved).
 */
export function scoreScorecard(
  def: ScorecardTemplateDef,
  values: Partial<Record<KpiKey, number | null>>,
): ScorecardScore {
  assertValidTemplate(def);
  const kpis = def.kpis.map((k) => scoreTemplateKpi(k, values[k.key] ?? null));
  const scored = kpis.filter((k): k is ScoredKpi & { score: number } => k.score !== null);
  const coverage = weightCoverage(kpis);
  return {
    kpis,
    perspectives: perspectiveScores(kpis),
    composite_score: weightedMean(scored),
    coverage,
    status: coverage < MIN_COVERAGE ? 'insufficient_data' : 'ok',
  };
}

function scoreTemplateKpi(k: TemplateKpi, value: number | null): ScoredKpi {
  const resolved = resolveTemplateKpi(k);
  const score = scoreKpi(value, resolved);
  return {
    key: k.key,
    perspective: k.perspective,
    weight: k.weight,
    value,
    target: k.target,
    floor: k.floor,
    score,
    rag: rag(score, resolved.amber_at),
  };
}

/** Perspective score: Σ w·score / Σ w over the perspective's scored KPIs, for the template's perspectives only. */
function perspectiveScores(kpis: readonly ScoredKpi[]): Partial<Record<Perspective, number | null>> {
  const result: Partial<Record<Perspective, number | null>> = {};
  for (const perspective of PERSPECTIVES) {
    const mine = kpis.filter((k) => k.perspective === perspective);
    if (mine.length === 0) continue;
    result[perspective] = weightedMean(mine.filter((k): k is ScoredKpi & { score: number } => k.score !== null));
  }
  return result;
}

/**
 * Σ w·score / Σ w, null for no items. The result is clamped to [min score, max score] of
 * the items: mathematically a no-op, it keeps floating-point rounding from pushing a mean of
 * equal scores (all 120, say) a last bit above them.
 */
function weightedMean(items: readonly { weight: number; score: number }[]): number | null {
  if (items.length === 0) return null;
  let weights = 0;
  let weighted = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const { weight, score } of items) {
    weights += weight;
    weighted += weight * score;
    lo = Math.min(lo, score);
    hi = Math.max(hi, score);
  }
  return Math.min(Math.max(weighted / weights, lo), hi);
}

/**
 * Coverage: Σ w of scored KPIs / Σ w of all. Both sums run in template order in one pass,
 * so the scored sum never exceeds the total even after rounding and coverage stays ≤ 1.
 */
function weightCoverage(kpis: readonly ScoredKpi[]): number {
  let all = 0;
  let scored = 0;
  for (const k of kpis) {
    all += k.weight;
    if (k.score !== null) scored += k.weight;
  }
  return scored / all;
}

// ---------------------------------------------------------------------------------------
// Ranking

export interface RankEntry {
  subjectId: string;
  teamId: string;
  composite: number | null;
  status: ScorecardStatus;
}

export interface TeamRank {
  /** 1-based competition rank within the team; null when not ranked (insufficient data). */
  rank: number | null;
  /** The team's entries, ranked or not: every direct member with a scorecard. */
  team_size: number;
}

/**
 * Ranks agents within their teams (fine print on Scorecards: "Rank is among the direct
 * members of the agent's current team that have a ranked scorecard"; `team_size` counts the
 * team's direct members with a scorecard). Give one entry per agent with a scorecard,
 * `teamId` its current team.
 *
 * Highest composite first; equal composites share a rank and the next rank skips
 * (competition ranking 1, 2, 2, 4). Entries with status `insufficient_data` (or, defensively,
 * no composite) get rank null. Ties are exact equality of the composite doubles, not
 * rounded: composites computed from the same scores and weights tie, while two composites
 * that are equal only on paper (0.1 + 0.2 vs 0.3) may not.
 */
export function rankWithinTeams(entries: Iterable<RankEntry>): Map<string, TeamRank> {
  const teams = new Map<string, RankEntry[]>();
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.subjectId)) throw new RangeError(`Subject ${e.subjectId} is listed twice for ranking`);
    if (e.composite !== null && Number.isNaN(e.composite)) throw new RangeError(`Subject ${e.subjectId} has a NaN composite`);
    seen.add(e.subjectId);
    const team = teams.get(e.teamId);
    if (team) team.push(e);
    else teams.set(e.teamId, [e]);
  }
  const result = new Map<string, TeamRank>();
  for (const members of teams.values()) {
    const ranks = competitionRanks(members.filter(isRankable));
    for (const m of members) result.set(m.subjectId, { rank: ranks.get(m.subjectId) ?? null, team_size: members.length });
  }
  return result;
}

function isRankable(e: RankEntry): e is RankEntry & { composite: number } {
  return e.status === 'ok' && e.composite !== null;
}

/** subjectId → 1 + the number of entries with a strictly higher composite. */
function competitionRanks(entries: readonly (RankEntry & { composite: number })[]): Map<string, number> {
  const sorted = [...entries].sort((a, b) => b.composite - a.composite);
  const ranks = new Map<string, number>();
  let rank = 0;
  sorted.forEach((e, i) => {
    if (i === 0 || sorted[i - 1].composite !== e.composite) rank = i + 1;
    ranks.set(e.subjectId, rank);
  });
  return ranks;
}
