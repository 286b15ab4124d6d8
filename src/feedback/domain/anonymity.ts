/**
 * Anonymity folding of 360-degree feedback (shared/spec/evaluations.md, "360-degree
 * feedback"). Pure: plain objects in, plain objects out; no Nest, ORM or I/O.
 *
 * The rule:
 * - `self` and `manager` are shown as they are (they are not anonymous);
 * - an anonymous group (`peer`, `direct_report`, `customer`) is shown only when at least
 *   FEEDBACK_MIN_RATERS of its raters answered;
 * - the anonymous groups below that threshold are folded together into one `others` group,
 *   which is shown when *it* reaches the threshold; otherwise they are hidden;
 * - a group's comments follow its average: shown with it, folded with it, hidden with it.
 *
 * "Answered" means: the rater submitted a response with at least one 1–5 rating. A rater
 * who answered "cannot rate" everywhere has responded (completion) but adds no rating, so
 * he does not count towards the threshold — otherwise two such raters and one real one
 * would "pass" a threshold of three while the mean is one person's.
 *
 * Within a shown anonymous group (or `others`) each competency cell carries its own
 * threshold: the cell's mean is shown only when at least FEEDBACK_MIN_RATERS raters of the
 * group rated a question of that competency, so "cannot rate" cannot shrink a cell to one
 * person's answers.
 */

/** The rater groups of a cycle's assignments, in display order. */
export const RATER_GROUPS = ['self', 'manager', 'peer', 'direct_report', 'customer'] as const;
export type RaterGroup = (typeof RATER_GROUPS)[number];

/** The groups whose raters are anonymous (the threshold applies). */
export const ANONYMOUS_GROUPS: readonly RaterGroup[] = ['peer', 'direct_report', 'customer'];

/** The folded group of anonymous raters from groups below the threshold. */
export const OTHERS = 'others' as const;

/** A group as results show it: a rater group, or the folded `others`. */
export type ResultGroup = RaterGroup | typeof OTHERS;
export const RESULT_GROUPS: readonly ResultGroup[] = [...RATER_GROUPS, OTHERS];

export function isRaterGroup(x: unknown): x is RaterGroup {
  return typeof x === 'string' && (RATER_GROUPS as readonly string[]).includes(x);
}

/** Whether a (result) group's raters are anonymous: peer, direct_report, customer and others. */
export function isAnonymousGroup(g: ResultGroup): boolean {
  return g === OTHERS || ANONYMOUS_GROUPS.includes(g);
}

/**
 * - shown: the group's own results are shown;
 * - folded: below the threshold, its raters are part of the shown `others` group;
 * - hidden: below the threshold and `others` does not reach it either: nothing is shown;
 * - no_responses: nobody of the group responded.
 */
export type GroupStatus = 'shown' | 'folded' | 'hidden' | 'no_responses';

export interface GroupTally {
  /** raters who submitted a response */
  responded: number;
  /** raters whose response has at least one 1–5 rating (≤ responded) */
  answered: number;
}

export interface GroupDecision {
  status: GroupStatus;
  /** where the group's ratings and comments appear: itself, `others`, or nowhere */
  shownAs: ResultGroup | null;
}

export interface OthersDecision {
  /** the anonymous groups folded together, in display order */
  members: RaterGroup[];
  /** Σ answered of the members */
  answered: number;
  shown: boolean;
}

export interface FoldPlan {
  minRaters: number;
  groups: Record<RaterGroup, GroupDecision>;
  /** null when no group is below the threshold (nothing to fold) */
  others: OthersDecision | null;
}

/** FEEDBACK_MIN_RATERS must be a whole number ≥ 1. */
export function assertMinRaters(minRaters: number): void {
  if (!Number.isSafeInteger(minRaters) || minRaters < 1) throw new RangeError(`FEEDBACK_MIN_RATERS must be a whole number ≥ 1, got ${minRaters}`);
}

function assertTally(g: RaterGroup, t: GroupTally): void {
  const ok = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!ok(t.responded) || !ok(t.answered) || t.answered > t.responded) {
    throw new RangeError(`invalid tally for group ${g}: responded ${t.responded}, answered ${t.answered}`);
  }
}

/** Decides, per rater group, whether its results are shown, folded into `others` or hidden. */
export function foldGroups(tallies: Partial<Record<RaterGroup, GroupTally>>, minRaters: number): FoldPlan {
  assertMinRaters(minRaters);
  const groups = {} as Record<RaterGroup, GroupDecision>;
  const candidates: RaterGroup[] = [];
  for (const g of RATER_GROUPS) {
    const t = tallies[g] ?? { responded: 0, answered: 0 };
    assertTally(g, t);
    if (t.responded === 0) groups[g] = { status: 'no_responses', shownAs: null };
    else if (!ANONYMOUS_GROUPS.includes(g) || t.answered >= minRaters) groups[g] = { status: 'shown', shownAs: g };
    else candidates.push(g);
  }
  if (!candidates.length) return { minRaters, groups, others: null };
  const answered = candidates.reduce((s, g) => s + (tallies[g]?.answered ?? 0), 0);
  const shown = answered >= minRaters;
  for (const g of candidates) groups[g] = shown ? { status: 'folded', shownAs: OTHERS } : { status: 'hidden', shownAs: null };
  return { minRaters, groups, others: { members: candidates, answered, shown } };
}

/**
 * Whether one competency cell of a shown result group may be shown: `self` and `manager`
 * whenever someone rated; anonymous groups (and `others`) only with ≥ FEEDBACK_MIN_RATERS
 * raters who rated a question of the competency.
 */
export function cellVisible(group: ResultGroup, raters: number, minRaters: number): boolean {
  assertMinRaters(minRaters);
  if (raters <= 0) return false;
  return isAnonymousGroup(group) ? raters >= minRaters : true;
}
