/**
 * Calibration of auditors (shared/spec/evaluations.md, "Calibration"): several auditors
 * score the same recorded interaction with the same form version; the spread of their
 * answers shows where a form is ambiguous, and each auditor's deviation from the group shows
 * leniency or severity. Pure: no Nest, ORM or I/O.
 *
 * Per criterion (over the session's scorings):
 * - yes_no: `agreement_rate` = share of scorers who gave the most common answer, with yes,
 *   no and N/A as the categories (disagreeing on applicability is a disagreement);
 *   `pairwise_agreement` = share of scorer pairs that gave the same answer. Both null with
 *   fewer than 2 scorers.
 * - scale: `mean` and `sd`, the population standard deviation √(Σ (v − mean)² / n) of the
 *   1–5 values (N/A left out); sd is null with fewer than 2 values.
 * - both: `mean_points` = 100 × the mean points s of the non-N/A answers (yes = 1, no = 0,
 *   scale (v − 1) / 4), on the audit score's 0–100 scale.
 *
 * Per auditor: for each criterion with at least 2 non-N/A answers that the auditor answered
 * (not N/A), the deviation = 100 × s(auditor) − mean of 100 × s over those answers (the
 * auditor included). `mean_deviation` is the signed mean over those criteria (positive:
 * more lenient than the group, negative: stricter), `mean_absolute_deviation` the mean of
 * the absolute values; `score_deviation` = the auditor's audit score − the mean score of
 * the session's scorings that have a score (null with fewer than 2 such scores).
 */
import { criteriaOf, type CriterionType, type FormDefinition } from './audit-form';
import { NA, scoreAudit, type Answer, type AnswerValue } from './audit-scoring';

export interface CalibrationScoring {
  /** who scored (an auditor's e-mail or id) */
  auditor: string;
  answers: readonly Answer[];
}

export interface CriterionSpread {
  criterion_id: string;
  section_id: string;
  label: string;
  type: CriterionType;
  critical: boolean;
  /** scorings in the session */
  scorers: number;
  /** non-N/A answers */
  answered: number;
  na: number;
  /** yes_no: {yes, no, na}; scale: {'1'…'5', na} */
  counts: Record<string, number>;
  /** yes_no only: share of scorers giving the most common answer (yes / no / N/A) */
  agreement_rate: number | null;
  /** yes_no only: share of scorer pairs giving the same answer */
  pairwise_agreement: number | null;
  /** scale only: mean 1–5 value of the non-N/A answers */
  mean: number | null;
  /** scale only: population standard deviation of the 1–5 values (null with < 2 values) */
  sd: number | null;
  /** 100 × mean points of the non-N/A answers */
  mean_points: number | null;
}

export interface AuditorDeviation {
  auditor: string;
  /** the auditor's audit score of the interaction (null when all N/A) */
  score: number | null;
  auto_failed: boolean;
  /** score − mean session score (null when the auditor has no score or fewer than 2 scorings have one) */
  score_deviation: number | null;
  /** criteria compared (≥ 2 non-N/A answers, the auditor's among them) */
  criteria_compared: number;
  /** signed mean deviation of the auditor's points from the group mean, 0–100 points; null when nothing compared */
  mean_deviation: number | null;
  mean_absolute_deviation: number | null;
}

export interface CalibrationReport {
  scorers: number;
  score: { mean: number | null; sd: number | null; min: number | null; max: number | null };
  criteria: CriterionSpread[];
  auditors: AuditorDeviation[];
}

/** Mean of a list (null when empty). */
export function meanOf(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Population standard deviation √(Σ (x − mean)² / n); null with fewer than 2 values. */
export function populationSd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = meanOf(xs)!;
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / xs.length);
}

/** Share of the items in the most common category; null with fewer than 2 items. */
export function modalAgreement(categories: readonly string[]): number | null {
  if (categories.length < 2) return null;
  const counts = new Map<string, number>();
  for (const c of categories) counts.set(c, (counts.get(c) ?? 0) + 1);
  return Math.max(...counts.values()) / categories.length;
}

/** Share of unordered pairs of items in the same category: Σ n_c (n_c − 1) / (n (n − 1)); null with < 2 items. */
export function pairwiseAgreement(categories: readonly string[]): number | null {
  const n = categories.length;
  if (n < 2) return null;
  const counts = new Map<string, number>();
  for (const c of categories) counts.set(c, (counts.get(c) ?? 0) + 1);
  let same = 0;
  for (const k of counts.values()) same += k * (k - 1);
  return same / (n * (n - 1));
}

const key = (v: AnswerValue) => String(v);

/**
 * The calibration report of one session: every scoring is a complete, valid set of answers
 * to `def` (scoreAudit throws otherwise). Auditors are listed in the order given.
 */
export function calibrationReport(def: FormDefinition, scorings: readonly CalibrationScoring[]): CalibrationReport {
  const scored = scorings.map((s) => ({ auditor: s.auditor, result: scoreAudit(def, s.answers), answers: new Map(s.answers.map((a) => [a.criterion_id, a.value])) }));
  const n = scored.length;
  const devs = scored.map(() => [] as number[]);
  const criteria: CriterionSpread[] = criteriaOf(def).map((c) => {
    const values = scored.map((s) => s.answers.get(c.id)!);
    const pointsBy = scored.map((s) => s.result.criteria.find((r) => r.criterion_id === c.id)!.points);
    const pts = pointsBy.filter((p): p is number => p !== null).map((p) => 100 * p);
    const na = values.filter((v) => v === NA).length;
    const counts: Record<string, number> = c.type === 'yes_no' ? { yes: 0, no: 0, na: 0 } : { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0, na: 0 };
    for (const v of values) counts[key(v)] += 1;
    const nums = values.filter((v): v is 1 | 2 | 3 | 4 | 5 => typeof v === 'number');
    const groupMean = meanOf(pts);
    if (pts.length >= 2) {
      pointsBy.forEach((p, i) => {
        if (p !== null) devs[i].push(100 * p - groupMean!);
      });
    }
    return {
      criterion_id: c.id,
      section_id: c.section_id,
      label: c.label,
      type: c.type,
      critical: c.critical,
      scorers: n,
      answered: n - na,
      na,
      counts,
      agreement_rate: c.type === 'yes_no' ? modalAgreement(values.map(key)) : null,
      pairwise_agreement: c.type === 'yes_no' ? pairwiseAgreement(values.map(key)) : null,
      mean: c.type === 'scale' ? meanOf(nums) : null,
      sd: c.type === 'scale' ? populationSd(nums) : null,
      mean_points: groupMean,
    };
  });
  const scores = scored.map((s) => s.result.score).filter((x): x is number => x !== null);
  const scoreMean = meanOf(scores);
  const auditors: AuditorDeviation[] = scored.map((s, i) => ({
    auditor: s.auditor,
    score: s.result.score,
    auto_failed: s.result.auto_failed,
    score_deviation: s.result.score !== null && scores.length >= 2 ? s.result.score - scoreMean! : null,
    criteria_compared: devs[i].length,
    mean_deviation: meanOf(devs[i]),
    mean_absolute_deviation: meanOf(devs[i].map(Math.abs)),
  }));
  return {
    scorers: n,
    score: { mean: scoreMean, sd: populationSd(scores), min: scores.length ? Math.min(...scores) : null, max: scores.length ? Math.max(...scores) : null },
    criteria,
    auditors,
  };
}

export interface AuditorSummary {
  auditor: string;
  /** sessions the auditor scored */
  sessions: number;
  criteria_compared: number;
  /** signed mean deviation over every compared criterion of every session (0–100 points) */
  mean_deviation: number | null;
  mean_absolute_deviation: number | null;
  /** mean of the sessions' score deviations (where defined) */
  mean_score_deviation: number | null;
}

/**
 * Per auditor across sessions: every compared criterion of every session weighs the same
 * (the session means are re-weighted by their criteria_compared); score deviations are
 * averaged over the sessions where they are defined. Sorted by auditor.
 */
export function summariseAuditors(reports: readonly CalibrationReport[]): AuditorSummary[] {
  const acc = new Map<string, { sessions: number; n: number; sum: number; abs: number; scoreDevs: number[] }>();
  for (const r of reports) {
    for (const a of r.auditors) {
      const x = acc.get(a.auditor) ?? { sessions: 0, n: 0, sum: 0, abs: 0, scoreDevs: [] };
      x.sessions += 1;
      if (a.criteria_compared > 0) {
        x.n += a.criteria_compared;
        x.sum += a.mean_deviation! * a.criteria_compared;
        x.abs += a.mean_absolute_deviation! * a.criteria_compared;
      }
      if (a.score_deviation !== null) x.scoreDevs.push(a.score_deviation);
      acc.set(a.auditor, x);
    }
  }
  return [...acc.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([auditor, x]) => ({
      auditor,
      sessions: x.sessions,
      criteria_compared: x.n,
      mean_deviation: x.n ? x.sum / x.n : null,
      mean_absolute_deviation: x.n ? x.abs / x.n : null,
      mean_score_deviation: meanOf(x.scoreDevs),
    }));
}
