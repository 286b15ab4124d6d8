import fc from 'fast-check';
import { COMPLAINT_CATEGORIES, type ComplaintCategory } from '../../../src/kpis/domain/kpi-catalogue';
import {
  breakdown,
  churnFromRetention,
  count,
  delta,
  isBreakdownMeasure,
  isLowSample,
  mean,
  netPercentage,
  percentage,
  percentile,
  sum,
  trendValue,
  withTrend,
  type ComplaintGroup,
} from '../../../src/kpis/domain/kpi-value';

const LOW_SAMPLE_MIN = 10;

describe('percentage', () => {
  it('is 100 × numerator / denominator with the counts and sample = denominator', () => {
    // csat: 3 of 4 answers are 4 or 5 → 100 × 3 / 4 = 75
    expect(percentage(3, 4)).toEqual({ value: 75, numerator: 3, denominator: 4, sample_size: 4 });
    // 1 of 3 → 100 / 3 = 33.33…
    expect(percentage(1, 3).value).toBe(100 / 3);
    expect(percentage(5, 5).value).toBe(100);
    expect(percentage(0, 7).value).toBe(0);
  });

  it('is null, never 0, when the denominator is empty — the counts stay 0', () => {
    expect(percentage(0, 0)).toEqual({ value: null, numerator: 0, denominator: 0, sample_size: 0 });
  });

  it('rejects impossible inputs', () => {
    expect(() => percentage(2, 0)).toThrow('denominator 0 must have numerator 0');
    expect(() => percentage(1, -1)).toThrow(RangeError);
    expect(() => percentage(1, 2.5)).toThrow('denominator must be a whole number');
    expect(() => percentage(Number.NaN, 2)).toThrow('numerator must be a finite number');
    expect(() => percentage(1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('netPercentage (nps)', () => {
  it('is 100 × (promoters − detractors) / responses, numerator = promoters − detractors', () => {
    // 5 promoters, 2 detractors, 3 passives → 100 × (5 − 2) / 10 = 30
    expect(netPercentage(5, 2, 10)).toEqual({ value: 30, numerator: 3, denominator: 10, sample_size: 10 });
    // 1 promoter, 4 detractors of 6 → 100 × −3 / 6 = −50
    expect(netPercentage(1, 4, 6)).toEqual({ value: -50, numerator: -3, denominator: 6, sample_size: 6 });
  });

  it('spans −100 … 100 and is null without answers', () => {
    expect(netPercentage(0, 8, 8).value).toBe(-100);
    expect(netPercentage(8, 0, 8).value).toBe(100);
    expect(netPercentage(0, 0, 0).value).toBeNull();
  });

  it('rejects more promoters and detractors than answers', () => {
    expect(() => netPercentage(6, 5, 10)).toThrow('exceed the total');
    expect(() => netPercentage(-1, 0, 3)).toThrow(RangeError);
  });
});

describe('mean', () => {
  it('is sum / count with numerator = sum and denominator = sample = count', () => {
    // ces answers 2, 3, 7 → 12 / 3 = 4
    expect(mean(12, 3)).toEqual({ value: 4, numerator: 12, denominator: 3, sample_size: 3 });
    // clv_historic_avg: margins 0 (no orders), 30.5, 60 → 90.5 / 3
    expect(mean(90.5, 3).value).toBe(90.5 / 3);
  });

  it('is null over nothing; a SQL null sum is accepted then', () => {
    expect(mean(0, 0)).toEqual({ value: null, numerator: 0, denominator: 0, sample_size: 0 });
    expect(mean(null, 0)).toEqual({ value: null, numerator: 0, denominator: 0, sample_size: 0 });
  });

  it('rejects inconsistent inputs', () => {
    expect(() => mean(null, 2)).toThrow('needs a sum');
    expect(() => mean(5, 0)).toThrow('must have sum 0');
    expect(() => mean(5, -1)).toThrow(RangeError);
    expect(() => mean(Number.NaN, 1)).toThrow(RangeError);
  });
});

describe('sum and count', () => {
  it('a sum is 0, not null, when there is nothing to add; sample = records summed', () => {
    expect(sum(null, 0)).toEqual({ value: 0, numerator: null, denominator: null, sample_size: 0 });
    expect(sum(0, 0).value).toBe(0);
    // revenue of 7 orders
    expect(sum(1234.5, 7)).toEqual({ value: 1234.5, numerator: null, denominator: null, sample_size: 7 });
  });

  it('a count is its own sample size', () => {
    expect(count(0)).toEqual({ value: 0, numerator: null, denominator: null, sample_size: 0 });
    expect(count(12)).toEqual({ value: 12, numerator: null, denominator: null, sample_size: 12 });
  });

  it('rejects bad inputs', () => {
    expect(() => sum(1, -1)).toThrow(RangeError);
    expect(() => sum(Number.POSITIVE_INFINITY, 1)).toThrow(RangeError);
    expect(() => count(1.5)).toThrow(RangeError);
    expect(() => count(-1)).toThrow(RangeError);
  });
});

describe('percentile', () => {
  it('carries the value and the number of values, no numerator or denominator', () => {
    expect(percentile(12.5, 4)).toEqual({ value: 12.5, numerator: null, denominator: null, sample_size: 4 });
    expect(percentile(null, 0)).toEqual({ value: null, numerator: null, denominator: null, sample_size: 0 });
  });

  it('is null exactly when there are no values', () => {
    expect(() => percentile(null, 3)).toThrow('null exactly when it has no values');
    expect(() => percentile(3, 0)).toThrow('null exactly when it has no values');
  });
});

describe('breakdown (complaints_by_category)', () => {
  it('always has every category and controllability key', () => {
    expect(breakdown([])).toEqual({
      value: {
        by_category: { core_service_failure: 0, service_encounter: 0, pricing: 0, inconvenience: 0, failure_response: 0, other: 0 },
        by_controllable: { true: 0, false: 0, unknown: 0 },
      },
      numerator: null,
      denominator: null,
      sample_size: 0,
    });
  });

  it('adds grouped counts; sample = complaint tickets', () => {
    const m = breakdown([
      { category: 'pricing', controllable: false, count: 3 },
      { category: 'pricing', controllable: true, count: 1 },
      { category: 'service_encounter', controllable: true, count: 2 },
      { category: 'other', controllable: null, count: 1 },
    ]);
    expect(m.value.by_category).toEqual({
      core_service_failure: 0,
      service_encounter: 2,
      pricing: 4, // 3 + 1
      inconvenience: 0,
      failure_response: 0,
      other: 1,
    });
    expect(m.value.by_controllable).toEqual({ true: 3, false: 3, unknown: 1 }); // 1 + 2, 3, 1
    expect(m.sample_size).toBe(7);
  });

  it('rejects unknown categories and bad counts', () => {
    expect(() => breakdown([{ category: 'Pricing' as ComplaintCategory, controllable: null, count: 1 }])).toThrow(
      'Unknown complaint category "Pricing"',
    );
    expect(() => breakdown([{ category: 'pricing', controllable: null, count: -1 }])).toThrow(RangeError);
  });
});

describe('churnFromRetention', () => {
  it('churn = customers lost / S, the same denominator', () => {
    // S = 50, kept 45 → retention 90; lost 5 → churn 100 × 5 / 50 = 10
    const retention = percentage(45, 50);
    expect(retention.value).toBe(90);
    expect(churnFromRetention(retention)).toEqual({ value: 10, numerator: 5, denominator: 50, sample_size: 50 });
  });

  it('is null when retention is null (S empty)', () => {
    expect(churnFromRetention(percentage(0, 0))).toEqual({ value: null, numerator: 0, denominator: 0, sample_size: 0 });
  });

  it('needs the retention counts', () => {
    expect(() => churnFromRetention(count(3))).toThrow('needs the retention counts');
    expect(() => churnFromRetention({ value: 120, numerator: 6, denominator: 5, sample_size: 5 })).toThrow('exceed');
  });
});

describe('withTrend', () => {
  it('adds previous, year-ago and the deltas value − earlier', () => {
    // retention 90 now, 85 last month, no value a year ago → Δprev = 90 − 85 = 5, Δyear = null
    expect(withTrend(percentage(45, 50), 85, null, LOW_SAMPLE_MIN)).toEqual({
      value: 90,
      numerator: 45,
      denominator: 50,
      sample_size: 50,
      low_sample: false,
      previous: 85,
      year_ago: null,
      delta_previous: 5,
      delta_year_ago: null,
    });
    // nps −20 now, 10 a year ago → −30
    expect(withTrend(netPercentage(1, 3, 10), null, 10, LOW_SAMPLE_MIN).delta_year_ago).toBe(-30);
  });

  it('deltas are null when the current value is null', () => {
    const v = withTrend(percentage(0, 0), 80, 70, LOW_SAMPLE_MIN);
    expect(v).toMatchObject({ value: null, previous: 80, year_ago: 70, delta_previous: null, delta_year_ago: null });
  });

  it('low_sample when sample_size < LOW_SAMPLE_MIN (boundary: equal is not low)', () => {
    expect(withTrend(percentage(5, 9), null, null, 10).low_sample).toBe(true);
    expect(withTrend(percentage(5, 10), null, null, 10).low_sample).toBe(false);
    expect(withTrend(percentage(0, 0), null, null, 10).low_sample).toBe(true);
    expect(withTrend(percentage(0, 0), null, null, 0).low_sample).toBe(false); // LOW_SAMPLE_MIN = 0 flags nothing
  });

  it('applies low_sample uniformly by sample size, to sums and counts too', () => {
    expect(withTrend(sum(5000, 3), null, null, 10).low_sample).toBe(true); // revenue of 3 orders
    expect(withTrend(count(4), null, null, 10).low_sample).toBe(true); // 4 active customers
    expect(withTrend(count(40), null, null, 10).low_sample).toBe(false);
    expect(withTrend(percentile(7, 9), null, null, 10).low_sample).toBe(true);
  });

  it('a breakdown has no trend, whatever is passed', () => {
    const b = breakdown([{ category: 'pricing', controllable: true, count: 2 }]);
    const v = withTrend(b, 3, 4, 10);
    expect(v).toEqual({
      value: b.value,
      numerator: null,
      denominator: null,
      sample_size: 2,
      low_sample: true,
      previous: null,
      year_ago: null,
      delta_previous: null,
      delta_year_ago: null,
    });
    expect(isBreakdownMeasure(b)).toBe(true);
    expect(isBreakdownMeasure(count(2))).toBe(false);
    expect(trendValue(b)).toBeNull();
    expect(trendValue(percentage(1, 4))).toBe(25);
  });

  it('rejects a bad LOW_SAMPLE_MIN or trend value', () => {
    expect(() => withTrend(count(1), null, null, -1)).toThrow('LOW_SAMPLE_MIN');
    expect(() => withTrend(count(1), Number.NaN, null, 10)).toThrow('previous');
    expect(() => withTrend(count(1), null, Number.POSITIVE_INFINITY, 10)).toThrow('year_ago');
  });

  it('helpers', () => {
    expect(delta(3, null)).toBeNull();
    expect(delta(null, 3)).toBeNull();
    expect(delta(2.5, 3)).toBe(-0.5);
    expect(isLowSample(9, 10)).toBe(true);
    expect(isLowSample(10, 10)).toBe(false);
  });
});

describe('invariants', () => {
  const counts = fc.integer({ min: 1, max: 1_000_000_000 }).chain((den) => fc.tuple(fc.integer({ min: 0, max: den }), fc.constant(den)));

  it('a percentage of counts num ≤ den lies within [0, 100], and 100 exactly when num = den', () => {
    fc.assert(
      fc.property(counts, ([num, den]) => {
        const { value } = percentage(num, den);
        expect(value).not.toBeNull();
        expect(value!).toBeGreaterThanOrEqual(0);
        expect(value!).toBeLessThanOrEqual(100);
        if (num === den) expect(value).toBe(100);
      }),
    );
  });

  it('a net percentage (nps) lies within [−100, 100]', () => {
    const answers = fc
      .integer({ min: 1, max: 1_000_000 })
      .chain((n) => fc.integer({ min: 0, max: n }).chain((p) => fc.tuple(fc.constant(p), fc.integer({ min: 0, max: n - p }), fc.constant(n))));
    fc.assert(
      fc.property(answers, ([promoters, detractors, n]) => {
        const { value, numerator } = netPercentage(promoters, detractors, n);
        expect(numerator).toBe(promoters - detractors);
        expect(value!).toBeGreaterThanOrEqual(-100);
        expect(value!).toBeLessThanOrEqual(100);
      }),
    );
  });

  it('churn + retention = 100 (to the last bits), churn numerator + retention numerator = S', () => {
    fc.assert(
      fc.property(counts, ([kept, start]) => {
        const retention = percentage(kept, start);
        const churn = churnFromRetention(retention);
        expect(churn.numerator! + retention.numerator!).toBe(start);
        expect(churn.denominator).toBe(start);
        expect(Math.abs(churn.value! + retention.value! - 100)).toBeLessThan(1e-12);
      }),
    );
  });

  it('delta = value − previous and value − year_ago, null where either side is null', () => {
    const maybe = fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null });
    fc.assert(
      fc.property(maybe, maybe, maybe, fc.nat({ max: 1000 }), fc.nat({ max: 100 }), (value, previous, yearAgo, n, min) => {
        const measure = value === null ? percentile(null, 0) : percentile(value, n + 1);
        const v = withTrend(measure, previous, yearAgo, min);
        expect(v.delta_previous).toBe(value === null || previous === null ? null : value - previous);
        expect(v.delta_year_ago).toBe(value === null || yearAgo === null ? null : value - yearAgo);
        expect(v.low_sample).toBe(measure.sample_size < min);
      }),
    );
  });

  it('a mean lies between the smallest and largest value averaged', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 200 }), (ces) => {
        const { value } = mean(ces.reduce((a, b) => a + b, 0), ces.length);
        expect(value!).toBeGreaterThanOrEqual(Math.min(...ces));
        expect(value!).toBeLessThanOrEqual(Math.max(...ces));
      }),
    );
  });

  it('a breakdown counts each complaint once in each dimension', () => {
    const group: fc.Arbitrary<ComplaintGroup> = fc.record({
      category: fc.constantFrom(...COMPLAINT_CATEGORIES),
      controllable: fc.constantFrom(true, false, null),
      count: fc.nat({ max: 50 }),
    });
    fc.assert(
      fc.property(fc.array(group, { maxLength: 30 }), (groups) => {
        const m = breakdown(groups);
        const total = groups.reduce((a, g) => a + g.count, 0);
        const add = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
        expect(m.sample_size).toBe(total);
        expect(add(m.value.by_category)).toBe(total);
        expect(add(m.value.by_controllable)).toBe(total);
        expect(Object.keys(m.value.by_category)).toEqual([...COMPLAINT_CATEGORIES]);
      }),
    );
  });
});
