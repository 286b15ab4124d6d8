import fc from 'fast-check';
import {
  aliveExpectationConstants,
  bgnbdLogLikelihood,
  bgnbdLogLikelihoodGradient,
  expectedPurchases,
  expectedPurchasesIfAlive,
  fitBgnbd,
  pAlive,
  pAliveBatch,
  type BgnbdParams,
  type BgnbdRow,
} from '../../src/predictive/domain/bgnbd';
import { groupDistinctRows } from '../../src/predictive/domain/customer-summary';
import { logGamma } from '../../src/predictive/domain/special-functions';
import { Rng, simulateCustomers } from './support/simulate';

const CDNOW: BgnbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const rel = (v: number, e: number): number => Math.abs(v - e) / Math.abs(e);

/** Equation 6 term by term, in plain (not log) space: fine for small x. */
function naiveLikelihood({ r, alpha, a, b }: BgnbdParams, x: number, tx: number, T: number): number {
  const A1 = Math.exp(logGamma(r + x) - logGamma(r)) * Math.pow(alpha, r);
  const A2 = Math.exp(logGamma(a + b) + logGamma(b + x) - logGamma(b) - logGamma(a + b + x));
  const A3 = Math.pow(1 / (alpha + T), r + x);
  const A4 = x > 0 ? (a / (b + x - 1)) * Math.pow(1 / (alpha + tx), r + x) : 0;
  return A1 * A2 * (A3 + A4);
}

/**
 * E[Y(t) | x, t_x, T] by direct two-dimensional integration of the model over λ and p
 * (trapezoid rule in u = ln λ and v = logit p, spectrally accurate for these smooth,
 * analytic, fast decaying integrands), independent of equation 10, 2F1 and the p-integral of the code:
 *   E = ∫∫ prior · (1−p)^x λ^x e^(−λT) · (1 − e^(−λpt))/p  /  ∫∫ prior · L(λ, p | x, t_x, T).
 */
function integrateExpectation({ r, alpha, a, b }: BgnbdParams, t: number, x: number, tx: number, T: number): number {
  // The integrands are analytic in the strips |Im u| < π/2, |Im v| < π, so a step of 0.15
  // leaves a trapezoid error far below 1e-12; the ranges cut tails below ~1e-16.
  const h = 0.15;
  const uMin = Math.log(1e-16) / (r + x) - 2;
  const uMax = Math.log((40 + 2 * (r + x)) / (alpha + (x > 0 ? tx : T)));
  const vMin = Math.log(1e-16) / a - 2;
  const vMax = -Math.log(1e-16) / b + 2;
  let num = 0;
  let den = 0;
  for (let u = uMin; u <= uMax; u += h) {
    const lambda = Math.exp(u);
    const prior = r * u - alpha * lambda; // ln(λ^r e^(−αλ)) (dλ = λ du)
    for (let v = vMin; v <= vMax; v += h) {
      const lnP = -Math.log1p(Math.exp(-v));
      const ln1mP = -Math.log1p(Math.exp(v));
      const p = Math.exp(lnP);
      const base = prior + a * lnP + b * ln1mP + x * u; // ln(prior_p · p(1−p)) + x ln λ
      const alive = Math.exp(base + x * ln1mP - lambda * T);
      const dead = x > 0 ? Math.exp(base + lnP + (x - 1) * ln1mP - lambda * tx) : 0;
      den += alive + dead;
      num += (alive * -Math.expm1(-lambda * p * t)) / p;
    }
  }
  return num / den;
}

describe('BG/NBD likelihood (paper equation 6)', () => {
  const rows: BgnbdRow[] = [
    { x: 0, tx: 0, T: 38.86 },
    { x: 2, tx: 30.43, T: 38.86, count: 3 },
    { x: 1, tx: 1.71, T: 20, count: 2 },
    { x: 7, tx: 35, T: 38.86 },
    { x: 1, tx: 0, T: 0.5 },
    { x: 3, tx: 12, T: 12 },
  ];

  it('equals Σ count · ln L of the equation written out term by term', () => {
    for (const p of [CDNOW, { r: 2.5, alpha: 0.7, a: 3.1, b: 0.4 }, { r: 0.05, alpha: 40, a: 0.2, b: 9 }]) {
      const naive = rows.reduce((s, row) => s + (row.count ?? 1) * Math.log(naiveLikelihood(p, row.x, row.tx, row.T)), 0);
      expect(rel(bgnbdLogLikelihood(p, rows), naive)).toBeLessThan(1e-13);
    }
  });

  it('is the same on weighted distinct rows as on one row per customer', () => {
    const expanded = rows.flatMap((row) => Array.from({ length: row.count ?? 1 }, () => ({ x: row.x, tx: row.tx, T: row.T })));
    expect(rel(bgnbdLogLikelihood(CDNOW, rows), bgnbdLogLikelihood(CDNOW, expanded))).toBeLessThan(1e-14);
  });

  it('has an analytic gradient matching central differences', () => {
    fc.assert(
      fc.property(
        fc.record({
          r: fc.double({ min: 0.05, max: 20, noNaN: true }),
          alpha: fc.double({ min: 0.1, max: 100, noNaN: true }),
          a: fc.double({ min: 0.05, max: 20, noNaN: true }),
          b: fc.double({ min: 0.05, max: 20, noNaN: true }),
        }),
        (p) => {
          const { gradient } = bgnbdLogLikelihoodGradient(p, rows);
          for (const k of ['r', 'alpha', 'a', 'b'] as const) {
            const h = 1e-6 * p[k];
            const up = bgnbdLogLikelihood({ ...p, [k]: p[k] + h }, rows);
            const down = bgnbdLogLikelihood({ ...p, [k]: p[k] - h }, rows);
            const fd = (up - down) / (2 * h);
            expect(Math.abs(gradient[k] - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
          }
        },
      ),
      { seed: 7, numRuns: 60 },
    );
  });

  it('stays finite and accurate when r and α run far out together', () => {
    // r, α → ∞ with r/α fixed is a homogeneous Poisson rate λ = r/α: the likelihood tends to
    // the Poisson one, Σ [x ln λ − λT + ln(...)]; no cancellation of huge terms.
    const lambda = 0.5;
    const [a, b] = [0.8, 2.4];
    const lnB = (u: number, v: number): number => logGamma(u) + logGamma(v) - logGamma(u + v);
    const limit = rows.reduce((s, { x, tx, T, count = 1 }) => {
      const alive = Math.exp(-lambda * T);
      const dead = x > 0 ? (a / (b + x - 1)) * Math.exp(-lambda * tx) : 0;
      return s + count * (x * Math.log(lambda) + lnB(a, b + x) - lnB(a, b) + Math.log(alive + dead));
    }, 0);
    const far = bgnbdLogLikelihood({ r: 1e12 * lambda, alpha: 1e12, a, b }, rows);
    expect(Math.abs(far - limit)).toBeLessThan(1e-9 * Math.abs(limit));
  });

  it('rejects rows that are not RFM summaries', () => {
    expect(() => bgnbdLogLikelihood(CDNOW, [{ x: 1.5, tx: 1, T: 2 }])).toThrow(/non-negative integer/);
    expect(() => bgnbdLogLikelihood(CDNOW, [{ x: 1, tx: 3, T: 2 }])).toThrow(/0 ≤ t_x ≤ T/);
    expect(() => bgnbdLogLikelihood(CDNOW, [{ x: 0, tx: 1, T: 2 }])).toThrow(/t_x must be 0/);
    expect(() => bgnbdLogLikelihood(CDNOW, [{ x: 1, tx: 1, T: 2, count: -1 }])).toThrow(/count/);
  });
});

describe('P(alive)', () => {
  it('is 1 for x = 0 whatever the age', () => {
    expect(pAlive(CDNOW, 0, 0, 0)).toBe(1);
    expect(pAlive(CDNOW, 0, 0, 500)).toBe(1);
  });

  it('is 1 / (1 + a/(b+x−1)) when the last purchase is at T', () => {
    for (const x of [1, 2, 10]) {
      expect(rel(pAlive(CDNOW, x, 20, 20), 1 / (1 + CDNOW.a / (CDNOW.b + x - 1)))).toBeLessThan(1e-15);
    }
  });

  it('follows the spec formula, falls with inactivity and stays in (0, 1] far out', () => {
    const { r, alpha, a, b } = CDNOW;
    const spec = 1 / (1 + (a / (b + 2 - 1)) * Math.pow((alpha + 38.86) / (alpha + 30.43), r + 2));
    expect(rel(pAlive(CDNOW, 2, 30.43, 38.86), spec)).toBeLessThan(1e-15);
    expect(pAlive(CDNOW, 5, 10, 30)).toBeLessThan(pAlive(CDNOW, 5, 20, 30));
    const tiny = pAlive(CDNOW, 300, 1, 1000); // odds ~ e^(1000+): no overflow
    expect(tiny).toBeGreaterThanOrEqual(0);
    expect(tiny).toBeLessThan(1e-300);
    expect(Array.from(pAliveBatch(CDNOW, [{ x: 0, tx: 0, T: 3 }, { x: 2, tx: 30.43, T: 38.86 }]))).toEqual([
      1,
      pAlive(CDNOW, 2, 30.43, 38.86),
    ]);
  });
});

describe('E[Y(t) | x, t_x, T] (paper equation 10)', () => {
  it('matches a direct numerical integration of the model over λ and p', () => {
    const cases: Array<[BgnbdParams, number, number, number, number]> = [
      [CDNOW, 39, 2, 30.43, 38.86],
      [CDNOW, 52, 0, 0, 10],
      [CDNOW, 13, 6, 20, 21],
      [{ r: 1.5, alpha: 12, a: 2.5, b: 6 }, 52, 3, 8, 40],
    ];
    for (const [p, t, x, tx, T] of cases) {
      expect(rel(expectedPurchases(p, t, x, tx, T), integrateExpectation(p, t, x, tx, T))).toBeLessThan(1e-11);
    }
  });

  it('matches a seeded Monte-Carlo simulation of customers without repeat purchases', () => {
    // Customers of age T = 10 with x = 0 (a discrete, exactly conditionable event): simulate
    // the population, keep those with no repeat purchase by T, count purchases in (T, T + t].
    const rng = new Rng(2026);
    const { r, alpha, a, b } = CDNOW;
    const T = 10;
    const t = 26;
    let kept = 0;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < 100_000; i++) {
      const lambda = rng.gamma(r, alpha);
      const p = rng.beta(a, b);
      let time = rng.exponential(lambda);
      if (time <= T) continue; // a repeat purchase in the calibration period: x > 0
      kept++;
      let y = 0;
      while (time <= T + t) {
        y++;
        if (rng.next() < p) break;
        time += rng.exponential(lambda);
      }
      sum += y;
      sumSq += y * y;
    }
    const mean = sum / kept;
    const se = Math.sqrt((sumSq / kept - mean * mean) / kept);
    const model = expectedPurchases(CDNOW, t, 0, 0, T);
    expect(Math.abs(mean - model)).toBeLessThan(4 * se);
    expect(se / model).toBeLessThan(0.04);
  });

  it('agrees between the series form and the quadrature form over awkward parameters', () => {
    const params: BgnbdParams[] = [
      CDNOW,
      { r: 0.243, alpha: 4.414, a: 1, b: 2.426 }, // a = 1: removable singularity of eq. 10
      { r: 0.3, alpha: 2, a: 0.4, b: 0.6 }, // a + b = 1: eq. 10's 2F1 has c = 0 at x = 0
      { r: 0.3, alpha: 2, a: 0.2, b: 0.3 }, // a + b < 1
      { r: 5, alpha: 50, a: 3, b: 10 },
      { r: 2, alpha: 0.05, a: 0.5, b: 1 },
    ];
    for (const p of params) {
      for (const [x, T] of [
        [0, 0],
        [0, 20],
        [3, 10],
        [12, 30],
      ]) {
        for (const t of [1, 13, 52]) {
          const k = aliveExpectationConstants(p, x, T);
          const quad = expectedPurchasesIfAlive(k, t, 'quadrature');
          const z = t / (p.alpha + T + t);
          // beyond z = 0.98 the series would need thousands of terms; 'auto' integrates there
          const series = expectedPurchasesIfAlive(k, t, z <= 0.98 ? 'series' : 'auto');
          expect(rel(series, quad)).toBeLessThan(1e-11);
        }
      }
    }
  });

  it('is continuous in a across a = 1 and increasing in t, starting at 0', () => {
    const at = (a: number): number => expectedPurchases({ ...CDNOW, a }, 26, 3, 10, 20);
    expect(rel(at(1 - 1e-9), at(1))).toBeLessThan(1e-8);
    expect(rel(at(1 + 1e-9), at(1))).toBeLessThan(1e-8);
    expect(expectedPurchases(CDNOW, 0, 3, 10, 20)).toBe(0);
    let prev = 0;
    for (let t = 1; t <= 200; t += 7) {
      const v = expectedPurchases(CDNOW, t, 3, 10, 20);
      expect(v).toBeGreaterThan(prev);
      prev = v;
    }
  });

  it('stays finite and sensible where the fit may run (z → 1, huge or tiny parameters)', () => {
    const cases: Array<[BgnbdParams, number]> = [
      [{ r: 0.2, alpha: 1e-6, a: 0.5, b: 1 }, 0], // z = 1 − 2e-8 for T = 0
      [{ r: 0.01, alpha: 0.5, a: 500, b: 1500 }, 10], // heavy cancellation in the series form
      [{ r: 5e8, alpha: 1e9, a: 2, b: 5 }, 20], // homogeneous λ = 0.5
      [{ r: 200, alpha: 4, a: 0.05, b: 0.05 }, 30],
      [{ r: 1e-9, alpha: 1e5, a: 1, b: 3 }, 5],
    ];
    for (const [p, T] of cases) {
      for (const t of [52 / 12, 52, 520]) {
        const v = expectedPurchases(p, t, 0, 0, T);
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
      }
    }
    // homogeneous Poisson limit with p = a/(a+b) concentrated: close to the deterministic rate
    const homog = expectedPurchases({ r: 5e8, alpha: 1e9, a: 2e8, b: 8e8 }, 52, 0, 0, 20);
    const p = 0.2;
    expect(rel(homog, (1 - Math.exp(-0.5 * p * 52)) / p)).toBeLessThan(1e-6);
  });
});

describe('fitBgnbd', () => {
  it('recovers the parameters of 20,000 simulated customers within four standard errors', () => {
    const truth = { r: 0.5, alpha: 8, a: 0.8, b: 2.5 };
    const sim = simulateCustomers(20_000, 11, { bgnbd: truth, ageOf: (_i, rng) => 20 + 52 * rng.next() });
    const fit = fitBgnbd({ x: sim.x, tx: sim.tx, T: sim.T });
    expect(fit.converged).toBe(true);
    expect(fit.standardErrors).not.toBeNull();
    for (const k of ['r', 'alpha', 'a', 'b'] as const) {
      expect(Math.abs(fit[k] - truth[k])).toBeLessThan(4 * fit.standardErrors![k]);
      expect(rel(fit[k], truth[k])).toBeLessThan(0.25);
    }
    // and the ones that matter most are tight
    expect(rel(fit.r / fit.alpha, truth.r / truth.alpha)).toBeLessThan(0.05);
  });

  it('gives the same fit on grouped rows as on one row per customer', () => {
    const sim = simulateCustomers(3000, 5, {
      bgnbd: CDNOW,
      ageOf: (_i, rng) => Math.floor(rng.next() * 90) / 7 + 26,
      wholeDays: true,
    });
    const grouped = groupDistinctRows(sim.x, sim.tx, sim.T);
    expect(grouped.rows.x.length).toBeLessThan(3000);
    const a = fitBgnbd(grouped.rows);
    const b = fitBgnbd({ x: sim.x, tx: sim.tx, T: sim.T });
    expect(rel(a.logLikelihood, b.logLikelihood)).toBeLessThan(1e-12);
    for (const k of ['r', 'alpha', 'a', 'b'] as const) expect(rel(a[k], b[k])).toBeLessThan(1e-5);
  });

  it('flags a likelihood maximum on the boundary and keeps predictions finite', () => {
    // Nobody ever repeats: the likelihood rises towards r → 0 (no purchasing at all).
    const none = fitBgnbd(Array.from({ length: 200 }, (_, i) => ({ x: 0, tx: 0, T: 5 + (i % 40) })));
    expect(none.converged).toBe(false);
    expect(none.boundary).toContain('r');
    expect(none.message).toMatch(/boundary/);
    expect(none.standardErrors).toBeNull();
    expect(expectedPurchases(none, 52, 0, 0, 10)).toBeLessThan(1e-3);

    // Everyone purchased right up to T: nobody dropped out (p → 0) and λ is the same for all.
    const alive = fitBgnbd(Array.from({ length: 200 }, (_, i) => ({ x: 1 + (i % 5), tx: 10 + (i % 30), T: 10 + (i % 30) })));
    expect(alive.converged).toBe(false);
    expect(alive.boundary.length).toBeGreaterThan(0);
    for (const [x, tx, T] of [
      [0, 0, 10],
      [3, 5, 10],
      [4, 20, 20],
    ]) {
      const v = expectedPurchases(alive, 52, x, tx, T);
      expect(Number.isFinite(v)).toBe(true);
      expect(pAlive(alive, x, tx, T)).toBeGreaterThan(0.99);
      // the pooled purchase rate Σx/ΣT ≈ 0.125 a week, for 52 weeks, nobody dying
      expect(v).toBeGreaterThan(5);
      expect(v).toBeLessThan(8);
    }

    // Two customers: anything goes, but the answer is finite and flagged.
    const tiny = fitBgnbd([
      { x: 1, tx: 2, T: 3 },
      { x: 0, tx: 0, T: 4 },
    ]);
    expect(tiny.converged).toBe(false);
    expect([tiny.r, tiny.alpha, tiny.a, tiny.b, tiny.logLikelihood].every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(expectedPurchases(tiny, 52, 1, 2, 3))).toBe(true);
  });

  it('reports non-convergence when stopped early', () => {
    const sim = simulateCustomers(100, 3, { bgnbd: CDNOW, ageOf: () => 39 });
    // two BFGS iterations (before and after the Nelder–Mead fallback) and an unreachable tolerance
    const fit = fitBgnbd({ x: sim.x, tx: sim.tx, T: sim.T }, { maxIterations: 2, gradientTolerance: 1e-18 });
    expect(fit.converged).toBe(false);
    expect(fit.message).toMatch(/no convergence within 2 iterations|line search failed/);
    expect([fit.r, fit.alpha, fit.a, fit.b].every(Number.isFinite)).toBe(true);
  });

  it('rejects an empty data set', () => {
    expect(() => fitBgnbd([])).toThrow(/no customers/);
  });
});
