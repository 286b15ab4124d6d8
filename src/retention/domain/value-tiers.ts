/**
 * Value tiers of shared/spec/retention.md ("Value tiers"): by predictive CLV rank among the
 * organisation's active customers on d — `key` the top TIER_KEY_PCT %, `major` the next
 * TIER_MAJOR_PCT %, `ordinary` the next TIER_ORDINARY_PCT %, `small` the rest — and the
 * `not_worth_pursuing` mark. Pure code.
 *
 * How ranks and shares meet (the rules this file settles):
 * - N = every customer active on d (customers without a model value included: they are part
 *   of "the organisation's active customers" even though they have no CLV to rank).
 * - A customer's rank is 1 + the number of active customers with a strictly greater CLV
 *   (competition ranking: equal CLVs share a rank, the next rank skips — 1, 2, 2, 4).
 * - Cumulative limits: L_key = ⌊N × key% / 100⌋, L_major = ⌊N × (key% + major%) / 100⌋,
 *   L_ordinary = ⌊N × (key% + major% + ordinary%) / 100⌋. A customer is `key` when its rank
 *   ≤ L_key, else `major` when ≤ L_major, else `ordinary` when ≤ L_ordinary, else `small`.
 *   A customer is in a tier only when its whole position lies inside the tier's share: with
 *   N = 30 and 5 %, L_key = ⌊1.5⌋ = 1 — one key customer, not two.
 * - Ties at a boundary: customers with equal CLV share the best rank of their group, so a tie
 *   that straddles a boundary takes the higher tier as a whole (that tier then holds more than
 *   its share; the cumulative limits of the tiers below stay where they are, so the next tier
 *   shrinks accordingly). Equivalently: with the valued CLVs sorted descending v_1 ≥ v_2 ≥ …,
 *   a customer is `key` iff CLV ≥ v_{L_key} — the cut-offs below.
 * - A customer without a model value (no completed order ≤ d, amounts summing to 0, or no
 *   finite expected spend, or no fitted model) has no CLV: it ranks below every valued
 *   customer and is `small`.
 */

export const TIERS = ['key', 'major', 'ordinary', 'small'] as const;
export type Tier = (typeof TIERS)[number];

export interface TierShares {
  keyPct: number;
  majorPct: number;
  ordinaryPct: number;
}

/** The CLV a customer needs for each tier (−∞: every valued customer; +∞: nobody). */
export interface TierCutoffs {
  /** N: the active customers the shares are taken of */
  activeCustomers: number;
  /** active customers with a CLV */
  valued: number;
  /** rank limits L_key, L_major, L_ordinary (cumulative) */
  limits: { key: number; major: number; ordinary: number };
  key: number;
  major: number;
  ordinary: number;
}

/** ⌊N × pct / 100⌋, robust to binary fractions such as 0.1 % (a relative nudge, never a whole customer). */
export function rankLimit(n: number, pct: number): number {
  const x = (n * pct) / 100;
  return Math.floor(x + Math.max(1e-9, Math.abs(x) * 1e-12));
}

/**
 * The cut-offs from the valued CLVs (any order; not modified) and N. `clvs` holds only
 * finite values; N ≥ clvs.length.
 */
export function tierCutoffs(clvs: Float64Array, activeCustomers: number, shares: TierShares): TierCutoffs {
  if (activeCustomers < clvs.length) throw new RangeError('tierCutoffs: more valued customers than active customers');
  const sorted = Float64Array.from(clvs).sort(); // ascending; the k-th largest is sorted[V − k]
  const v = sorted.length;
  for (let i = 0; i < v; i++) if (!Number.isFinite(sorted[i])) throw new RangeError('tierCutoffs: CLVs must be finite');
  const limits = {
    key: rankLimit(activeCustomers, shares.keyPct),
    major: rankLimit(activeCustomers, shares.keyPct + shares.majorPct),
    ordinary: rankLimit(activeCustomers, shares.keyPct + shares.majorPct + shares.ordinaryPct),
  };
  // a customer has rank ≤ L iff at most L − 1 valued customers have a greater CLV iff its CLV ≥ the L-th largest
  const cut = (l: number): number => (l <= 0 ? Number.POSITIVE_INFINITY : l > v ? Number.NEGATIVE_INFINITY : sorted[v - l]);
  return { activeCustomers, valued: v, limits, key: cut(limits.key), major: cut(limits.major), ordinary: cut(limits.ordinary) };
}

/** The tier of a CLV (NaN or null: no model value → small). */
export function tierOf(clv: number | null, c: TierCutoffs): Tier {
  if (clv === null || !Number.isFinite(clv)) return 'small';
  if (clv >= c.key) return 'key';
  if (clv >= c.major) return 'major';
  if (clv >= c.ordinary) return 'ordinary';
  return 'small';
}

/**
 * `not_worth_pursuing`: complaint tickets in the last 365 days, (d − 365, d], number ≥
 * NOT_WORTH_COMPLAINTS while the tier is `small`.
 */
export function notWorthPursuing(tier: Tier, complaintsLastYear: number, notWorthComplaints: number): boolean {
  return tier === 'small' && complaintsLastYear >= notWorthComplaints;
}

export const TIER_INDEX: Readonly<Record<Tier, number>> = Object.freeze({ key: 0, major: 1, ordinary: 2, small: 3 });

export const isTier = (s: unknown): s is Tier => typeof s === 'string' && (TIERS as readonly string[]).includes(s);
