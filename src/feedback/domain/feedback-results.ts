/**
 * Results of one subject in one 360 cycle, and `feedback_360_score`
 * (shared/spec/evaluations.md "360-degree feedback"; shared/spec/kpi-definitions.md).
 * Pure: plain objects in, plain objects out.
 *
 * Inputs are *aggregates* only — per rater group and competency the sum of the ratings, how
 * many ratings and how many raters — plus the comments without any rater reference: this
 * module never sees who said what, so it cannot leak it. Anonymity folding is
 * ./anonymity.ts; everything shown here is a function of the shown cells only.
 *
 * Definitions:
 * - a cell (group × competency) mean is the mean of all 1–5 ratings of the group's raters on
 *   the competency's questions ("cannot rate" is no rating); its count is the number of
 *   raters with at least one rating there;
 * - a shown group's mean is the mean of its ratings in its *shown* cells (a suppressed cell
 *   is left out, so nothing can be recovered by subtracting shown cells from the total);
 * - non_self_mean (per competency and overall) is the mean of the shown means of the groups
 *   other than self (manager, shown anonymous groups, and `others` when shown); gap =
 *   self_mean − non_self_mean, null when either is null;
 * - feedback_360_score = the overall non_self_mean: the mean over the rater groups other
 *   than self whose results are shown (the anonymity threshold passed; `manager` is shown
 *   as it is; `others` counts as one group when it reaches the threshold) of the group's
 *   mean rating. Numerator Σ group means, denominator the number of groups, sample size the
 *   raters behind them.
 */
import {
  OTHERS,
  RATER_GROUPS,
  RESULT_GROUPS,
  assertMinRaters,
  cellVisible,
  foldGroups,
  isAnonymousGroup,
  type FoldPlan,
  type GroupStatus,
  type RaterGroup,
  type ResultGroup,
} from './anonymity';

export interface CellTally {
  /** Σ of the 1–5 ratings */
  sum: number;
  /** number of ratings */
  ratings: number;
  /** raters with at least one rating in the cell */
  raters: number;
}

export interface GroupData {
  /** raters assigned */
  assigned: number;
  /** raters who submitted a response */
  responded: number;
  /** raters with at least one rating */
  answered: number;
  /** by competency id */
  cells: Readonly<Record<number, CellTally>>;
}

export interface CompetencyRef {
  id: number;
  name: string;
}

/** A comment, already stripped of its rater. */
export interface CommentData {
  group: RaterGroup;
  /** null: the response's general comment */
  competencyId: number | null;
  text: string;
}

export interface SubjectFeedbackData {
  /** in the cycle's order */
  competencies: readonly CompetencyRef[];
  groups: Partial<Record<RaterGroup, GroupData>>;
  comments?: readonly CommentData[];
}

export interface GroupSummary {
  group: RaterGroup;
  status: GroupStatus;
  /** where its ratings and comments appear: itself, `others`, or null (nowhere) */
  shown_as: ResultGroup | null;
  assigned: number;
  responded: number;
  /** raters with at least one rating (the number the threshold counts) */
  count: number;
  /** only when shown */
  mean: number | null;
}

export interface OthersSummary {
  members: RaterGroup[];
  status: 'shown' | 'hidden';
  count: number;
  mean: number | null;
}

export interface CellResult {
  group: ResultGroup;
  /** raters with a rating in the competency; null when suppressed */
  count: number | null;
  mean: number | null;
  /** an anonymous group's cell with fewer than FEEDBACK_MIN_RATERS raters */
  suppressed: boolean;
}

export interface CompetencyResult {
  competency_id: number;
  name: string;
  /** one cell per shown result group, in display order */
  groups: CellResult[];
  self_mean: number | null;
  non_self_mean: number | null;
  gap: number | null;
}

export interface CommentResult {
  group: ResultGroup;
  competency_id: number | null;
  text: string;
}

export interface ScoreGroup {
  group: ResultGroup;
  count: number;
  mean: number;
}

export interface ScoreResult {
  value: number | null;
  numerator: number;
  denominator: number;
  sample_size: number;
  /** the groups counted, ordered by name (code-point order, as PostgreSQL's collate "C") */
  groups: ScoreGroup[];
}

export interface SubjectResults {
  min_raters: number;
  /** the rater groups with at least one assigned rater, in display order */
  groups: GroupSummary[];
  others: OthersSummary | null;
  competencies: CompetencyResult[];
  overall: { self_mean: number | null; non_self_mean: number | null; gap: number | null };
  /** shown comments without rater identity, in a fixed order: group, competency (general first), text */
  comments: CommentResult[];
  feedback_360_score: ScoreResult;
}

const ZERO_CELL: CellTally = { sum: 0, ratings: 0, raters: 0 };

/** Code-point order (= UTF-8 byte order = PostgreSQL collate "C"). */
export function codePointCompare(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

function assertCell(c: CellTally): void {
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!whole(c.ratings) || !whole(c.raters) || c.raters > c.ratings || (c.ratings === 0) !== (c.raters === 0)) {
    throw new RangeError(`invalid cell: ${c.ratings} ratings by ${c.raters} raters`);
  }
  if (!Number.isFinite(c.sum) || c.sum < c.ratings || c.sum > 5 * c.ratings) throw new RangeError(`invalid cell: sum ${c.sum} of ${c.ratings} ratings of 1–5`);
}

function addCells(a: CellTally, b: CellTally): CellTally {
  return { sum: a.sum + b.sum, ratings: a.ratings + b.ratings, raters: a.raters + b.raters };
}

/** The mean of numbers (null when there are none), added in the order given. */
function meanOf(values: readonly number[]): number | null {
  if (!values.length) return null;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** Everything a subject's results page shows, with anonymity applied. */
export function buildResults(data: SubjectFeedbackData, minRaters: number): SubjectResults {
  assertMinRaters(minRaters);
  const tallies: Partial<Record<RaterGroup, { responded: number; answered: number }>> = {};
  for (const g of RATER_GROUPS) {
    const d = data.groups[g];
    if (!d) continue;
    for (const c of Object.values(d.cells)) assertCell(c);
    tallies[g] = { responded: d.responded, answered: d.answered };
  }
  const plan: FoldPlan = foldGroups(tallies, minRaters);

  // the result groups that are shown, with their cells (others = the folded members pooled)
  const shown = new Map<ResultGroup, { count: number; cells: (id: number) => CellTally }>();
  for (const g of RATER_GROUPS) {
    const d = data.groups[g];
    if (d && plan.groups[g].status === 'shown') shown.set(g, { count: d.answered, cells: (id) => d.cells[id] ?? ZERO_CELL });
  }
  if (plan.others?.shown) {
    const members = plan.others.members.map((g) => data.groups[g]!);
    shown.set(OTHERS, {
      count: plan.others.answered,
      cells: (id) => members.reduce((acc, d) => addCells(acc, d.cells[id] ?? ZERO_CELL), ZERO_CELL),
    });
  }

  // cells: visible or suppressed; a shown group's mean pools its visible cells only
  const cellOf = new Map<ResultGroup, Map<number, CellResult>>();
  const groupMean = new Map<ResultGroup, number | null>();
  for (const [g, s] of shown) {
    const row = new Map<number, CellResult>();
    let sum = 0;
    let ratings = 0;
    for (const comp of data.competencies) {
      const t = s.cells(comp.id);
      const visible = cellVisible(g, t.raters, minRaters);
      if (isAnonymousGroup(g)) {
        // below the threshold (nobody rated included): neither the mean nor the count
        row.set(comp.id, { group: g, count: visible ? t.raters : null, mean: visible ? t.sum / t.ratings : null, suppressed: !visible });
      } else {
        row.set(comp.id, { group: g, count: t.raters, mean: visible ? t.sum / t.ratings : null, suppressed: false });
      }
      if (visible) {
        sum += t.sum;
        ratings += t.ratings;
      }
    }
    cellOf.set(g, row);
    groupMean.set(g, ratings ? sum / ratings : null);
  }

  const order = (g: ResultGroup) => RESULT_GROUPS.indexOf(g);
  const shownGroups = [...shown.keys()].sort((a, b) => order(a) - order(b));
  const nonSelf = shownGroups.filter((g) => g !== 'self');

  const competencies: CompetencyResult[] = data.competencies.map((comp) => {
    const cells = shownGroups.map((g) => cellOf.get(g)!.get(comp.id)!);
    const selfMean = cellOf.get('self')?.get(comp.id)?.mean ?? null;
    const nonSelfMean = meanOf(nonSelf.map((g) => cellOf.get(g)!.get(comp.id)!.mean).filter((m): m is number => m !== null));
    return { competency_id: comp.id, name: comp.name, groups: cells, self_mean: selfMean, non_self_mean: nonSelfMean, gap: diff(selfMean, nonSelfMean) };
  });

  const score = scoreFrom(nonSelf.flatMap((g) => {
    const m = groupMean.get(g) ?? null;
    return m === null ? [] : [{ group: g, count: shown.get(g)!.count, mean: m }];
  }));
  const selfMean = groupMean.get('self') ?? null;

  const groups: GroupSummary[] = RATER_GROUPS.flatMap((g) => {
    const d = data.groups[g];
    if (!d || d.assigned === 0) return [];
    const decision = plan.groups[g];
    return [
      {
        group: g,
        status: decision.status,
        shown_as: decision.shownAs,
        assigned: d.assigned,
        responded: d.responded,
        count: d.answered,
        mean: decision.status === 'shown' ? (groupMean.get(g) ?? null) : null,
      },
    ];
  });
  const others: OthersSummary | null = plan.others
    ? {
        members: plan.others.members,
        status: plan.others.shown ? 'shown' : 'hidden',
        count: plan.others.answered,
        mean: plan.others.shown ? (groupMean.get(OTHERS) ?? null) : null,
      }
    : null;

  const position = new Map(data.competencies.map((c, i) => [c.id, i]));
  const comments: CommentResult[] = (data.comments ?? [])
    .flatMap((c) => {
      const as = plan.groups[c.group]?.shownAs ?? null;
      if (as === null || !c.text.trim()) return [];
      const competencyId = c.competencyId !== null && position.has(c.competencyId) ? c.competencyId : null;
      return [{ group: as, competency_id: competencyId, text: c.text }];
    })
    .sort(
      (a, b) =>
        order(a.group) - order(b.group) ||
        (a.competency_id === null ? -1 : position.get(a.competency_id)!) - (b.competency_id === null ? -1 : position.get(b.competency_id)!) ||
        codePointCompare(a.text, b.text),
    );

  return {
    min_raters: minRaters,
    groups,
    others,
    competencies,
    overall: { self_mean: selfMean, non_self_mean: score.value, gap: diff(selfMean, score.value) },
    comments,
    feedback_360_score: score,
  };
}

/** feedback_360_score from the counted groups: their means added in group-name order. */
export function scoreFrom(groups: readonly ScoreGroup[]): ScoreResult {
  const counted = [...groups].sort((a, b) => codePointCompare(a.group, b.group));
  let numerator = 0;
  let sample = 0;
  for (const g of counted) {
    numerator += g.mean;
    sample += g.count;
  }
  return {
    value: counted.length ? numerator / counted.length : null,
    numerator,
    denominator: counted.length,
    sample_size: sample,
    groups: counted,
  };
}

export interface AgentScore {
  agentId: string;
  value: number | null;
  sampleSize: number;
}

export interface TeamScore {
  value: number | null;
  numerator: number;
  denominator: number;
  sample_size: number;
  /** the agents counted (a score), ordered by agent id in code-point order */
  agents: AgentScore[];
}

/**
 * A team's (or the organisation's) feedback_360_score: the mean of its agents' scores —
 * agents without one (no closed cycle, or no group shown) are left out. Built from the
 * agents' already-anonymous scores only, so a team value never pools raters whose group was
 * hidden for their agent. Numerator Σ agent scores (added in agent-id order), denominator
 * the agents counted, sample size Σ their raters.
 */
export function meanOfAgentScores(scores: readonly AgentScore[]): TeamScore {
  const counted = scores.filter((s) => s.value !== null).sort((a, b) => codePointCompare(a.agentId, b.agentId));
  let numerator = 0;
  let sample = 0;
  for (const s of counted) {
    numerator += s.value!;
    sample += s.sampleSize;
  }
  return { value: counted.length ? numerator / counted.length : null, numerator, denominator: counted.length, sample_size: sample, agents: counted };
}
