/**
 * The value object every KPI carries (shared/spec/kpi-definitions.md, "Explaining every
 * number", "Trends" and the fine print "Numerators, denominators, sample sizes"), and the
 * builders that make one from the counts and sums the repositories compute.
 *
 * Values are never rounded here ("Values are returned unrounded"); a KPI whose denominator
 * is empty is null, never 0, while sums and counts are 0 when there is nothing to add.
 * Money reaches this file already summed exactly by PostgreSQL and converted to a double
 * once; nothing here adds money.
 */
import { COMPLAINT_CATEGORIES, isComplaintCategory, type ComplaintCategory } from './kpi-catalogue';

/** A KPI's own number with what explains it, before trends are attached. */
export interface KpiMeasure {
  value: number | null;
  /** Percentage: the count (NPS: promoters − detractors); mean: the sum; else null. */
  numerator: number | null;
  /** Percentage or mean: the count; else null. */
  denominator: number | null;
  /** Number of records behind the value. */
  sample_size: number;
}

/** Controllability of a complaint (`complaint_controllable`), null being 'unknown'. */
export type ControllableKey = 'true' | 'false' | 'unknown';

/** `complaints_by_category`: every key always present (kpi-definitions.md, "Empty sets, money, time"). */
export interface ComplaintsBreakdown {
  by_category: Record<ComplaintCategory, number>;
  by_controllable: Record<ControllableKey, number>;
}

/** The measure of `complaints_by_category`: no numerator or denominator; sample = complaint tickets. */
export interface BreakdownMeasure {
  value: ComplaintsBreakdown;
  numerator: null;
  denominator: null;
  sample_size: number;
}

/**
 * A KPI as the API returns it (shared/spec/api.md, `kpis: {key: {...}}`). `previous` and
 * `year_ago` are the values of the previous period and of the same calendar month twelve
 * months back; the deltas are value − earlier value, null where either side is null.
 * Numerator, denominator and sample size describe `value`, not the trend values.
 */
export interface KpiValue<V extends number | null | ComplaintsBreakdown = number | null | ComplaintsBreakdown> {
  value: V;
  numerator: number | null;
  denominator: number | null;
  sample_size: number;
  low_sample: boolean;
  previous: number | null;
  year_ago: number | null;
  delta_previous: number | null;
  delta_year_ago: number | null;
}

// ---------------------------------------------------------------------------------------
// Builders

/**
 * A percentage: value = 100 × numerator / denominator, null when the denominator is 0
 * (the numerator must then be 0 too). Numerator and denominator are the counts and the
 * sample size is the denominator. The numerator may be negative only for a net score
 * (use `netPercentage`).
 */
export function percentage(numerator: number, denominator: number): KpiMeasure {
  assertCount(denominator, 'denominator');
  assertFinite(numerator, 'numerator');
  if (denominator === 0 && numerator !== 0) {
    throw new RangeError(`A percentage with denominator 0 must have numerator 0, got ${numerator}`);
  }
  return {
    value: denominator === 0 ? null : (100 * numerator) / denominator,
    numerator,
    denominator,
    sample_size: denominator,
  };
}

/**
 * A net score such as `nps`: 100 × (positive − negative) / total, −100…100, null when
 * total is 0. Numerator = positive − negative ("nps: promoters − detractors / responses").
 */
export function netPercentage(positive: number, negative: number, total: number): KpiMeasure {
  assertCount(positive, 'positive');
  assertCount(negative, 'negative');
  assertCount(total, 'total');
  if (positive + negative > total) {
    throw new RangeError(`positive (${positive}) + negative (${negative}) exceed the total (${total})`);
  }
  return percentage(positive - negative, total);
}

/**
 * A mean: value = sum / count, null when count is 0. Numerator and denominator are the
 * sum and the count; the sample size is the count. A null sum (SQL SUM over nothing) is
 * accepted only with count 0.
 */
export function mean(sum: number | null, count: number): KpiMeasure {
  assertCount(count, 'count');
  if (sum === null) {
    if (count !== 0) throw new RangeError(`A mean over ${count} values needs a sum, got null`);
    return { value: null, numerator: 0, denominator: 0, sample_size: 0 };
  }
  assertFinite(sum, 'sum');
  if (count === 0 && sum !== 0) throw new RangeError(`A mean over no values must have sum 0, got ${sum}`);
  return { value: count === 0 ? null : sum / count, numerator: sum, denominator: count, sample_size: count };
}

/**
 * A sum (`revenue`, `gross_margin`, `training_hours`): 0, not null, when there is nothing
 * to add — a null total (SQL SUM over nothing) becomes 0. The sample size is the number of
 * records summed (orders, training rows).
 */
export function sum(total: number | null, sampleSize: number): KpiMeasure {
  assertCount(sampleSize, 'sample size');
  const value = total ?? 0;
  assertFinite(value, 'total');
  return { value, numerator: null, denominator: null, sample_size: sampleSize };
}

/** A plain count (`active_customers`, `tickets_resolved`, …): its own sample size. */
export function count(n: number): KpiMeasure {
  assertCount(n, 'count');
  return { value: n, numerator: null, denominator: null, sample_size: n };
}

/**
 * A percentile (`first_response_minutes_p50/p90`): value computed by PostgreSQL's
 * `percentile_cont` over n values; null exactly when n is 0. No numerator or denominator.
 */
export function percentile(value: number | null, n: number): KpiMeasure {
  assertCount(n, 'sample size');
  if ((value === null) !== (n === 0)) {
    throw new RangeError(`A percentile is null exactly when it has no values; got ${value} over ${n} values`);
  }
  if (value !== null) assertFinite(value, 'percentile');
  return { value, numerator: null, denominator: null, sample_size: n };
}

/** One group of complaint tickets: its category, its controllability and how many. */
export interface ComplaintGroup {
  category: ComplaintCategory;
  controllable: boolean | null;
  count: number;
}

/**
 * `complaints_by_category` from complaint tickets of Op, one group per (category,
 * controllable) or one per ticket with count 1. Every category and controllability key is
 * present, 0 when empty; the sample size is the number of complaint tickets.
 */
export function breakdown(groups: Iterable<ComplaintGroup>): BreakdownMeasure {
  const byCategory = Object.fromEntries(COMPLAINT_CATEGORIES.map((c) => [c, 0])) as Record<ComplaintCategory, number>;
  const byControllable: Record<ControllableKey, number> = { true: 0, false: 0, unknown: 0 };
  let total = 0;
  for (const g of groups) {
    if (!isComplaintCategory(g.category)) {
      throw new RangeError(`Unknown complaint category ${JSON.stringify(g.category)}`);
    }
    assertCount(g.count, 'complaint count');
    byCategory[g.category] += g.count;
    byControllable[controllableKey(g.controllable)] += g.count;
    total += g.count;
  }
  return {
    value: { by_category: byCategory, by_controllable: byControllable },
    numerator: null,
    denominator: null,
    sample_size: total,
  };
}

function controllableKey(controllable: boolean | null): ControllableKey {
  return controllable === null ? 'unknown' : controllable ? 'true' : 'false';
}

/**
 * `churn_rate` from `customer_retention_rate` (kpi-definitions.md: "100 − retention, null
 * when it is null"; fine print: "churn_rate: customers lost / S"). Numerator = lost = S −
 * kept, same denominator. The value is computed as 100 × lost / S so that it equals
 * 100 × numerator / denominator like every percentage; it equals 100 − retention up to the
 * last bit of a double.
 */
export function churnFromRetention(retention: KpiMeasure): KpiMeasure {
  const { numerator: kept, denominator: start } = retention;
  if (kept === null || start === null) {
    throw new RangeError('churnFromRetention needs the retention counts (numerator and denominator)');
  }
  assertCount(kept, 'customers kept');
  if (kept > start) throw new RangeError(`customers kept (${kept}) exceed customers at start (${start})`);
  return percentage(start - kept, start);
}

// ---------------------------------------------------------------------------------------
// Trends and low sample

/** Whether a measure is the `complaints_by_category` breakdown. */
export function isBreakdownMeasure(m: KpiMeasure | BreakdownMeasure): m is BreakdownMeasure {
  return typeof m.value === 'object' && m.value !== null;
}

/** The number a measure contributes as another period's `previous` / `year_ago`: null for a breakdown. */
export function trendValue(m: KpiMeasure | BreakdownMeasure): number | null {
  return isBreakdownMeasure(m) ? null : m.value;
}

/**
 * Low sample ("Explaining every number"): the sample is below LOW_SAMPLE_MIN. Applied
 * uniformly to every KPI by its `sample_size` — the tickets, responses, customers, orders,
 * training rows or complaint tickets behind the value — so a sum over three orders or a
 * count of three customers is flagged just like a rate over three tickets.
 */
export function isLowSample(sampleSize: number, lowSampleMin: number): boolean {
  assertCount(lowSampleMin, 'LOW_SAMPLE_MIN');
  return sampleSize < lowSampleMin;
}

/** value − earlier, null where either side is null ("Trends"). */
export function delta(value: number | null, earlier: number | null): number | null {
  return value === null || earlier === null ? null : value - earlier;
}

/**
 * Attaches the trend ("Trends": the previous period's value, the same month a year earlier,
 * and value − earlier value, null where either side is null) and the low-sample flag.
 * For the `complaints_by_category` breakdown the trend fields are all null whatever is
 * passed: a breakdown has no single number to compare.
 */
export function withTrend(
  current: BreakdownMeasure,
  previous: number | null,
  yearAgo: number | null,
  lowSampleMin: number,
): KpiValue<ComplaintsBreakdown>;
export function withTrend(
  current: KpiMeasure,
  previous: number | null,
  yearAgo: number | null,
  lowSampleMin: number,
): KpiValue<number | null>;
export function withTrend(
  current: KpiMeasure | BreakdownMeasure,
  previous: number | null,
  yearAgo: number | null,
  lowSampleMin: number,
): KpiValue;
export function withTrend(
  current: KpiMeasure | BreakdownMeasure,
  previous: number | null,
  yearAgo: number | null,
  lowSampleMin: number,
): KpiValue {
  const base = {
    numerator: current.numerator,
    denominator: current.denominator,
    sample_size: current.sample_size,
    low_sample: isLowSample(current.sample_size, lowSampleMin),
  };
  if (isBreakdownMeasure(current)) {
    return { value: current.value, ...base, previous: null, year_ago: null, delta_previous: null, delta_year_ago: null };
  }
  if (previous !== null) assertFinite(previous, 'previous');
  if (yearAgo !== null) assertFinite(yearAgo, 'year_ago');
  return {
    value: current.value,
    ...base,
    previous,
    year_ago: yearAgo,
    delta_previous: delta(current.value, previous),
    delta_year_ago: delta(current.value, yearAgo),
  };
}

// ---------------------------------------------------------------------------------------

function assertFinite(n: number, what: string): void {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new RangeError(`${what} must be a finite number, got ${n}`);
}

function assertCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${n}`);
}
