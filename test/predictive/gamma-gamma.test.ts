import fc from 'fast-check';
import {
  expectedAverageValue,
  fitGammaGamma,
  ggLogLikelihood,
  ggLogLikelihoodGradient,
  type GammaGammaParams,
  type GammaGammaRow,
} from '../../src/predictive/domain/gamma-gamma';
import { logGamma } from '../../src/predictive/domain/special-functions';
import { simulateCustomers } from './support/simulate';

const PUBLISHED: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };
const rel = (v: number, e: number): number => Math.abs(v - e) / Math.abs(e);

/** ln f(m_x | p, q, γ; x) exactly as Fader & Hardie write it. */
function naive({ p, q, gamma }: GammaGammaParams, x: number, m: number): number {
  return (
    logGamma(p * x + q) -
    logGamma(p * x) -
    logGamma(q) +
    q * Math.log(gamma) +
    (p * x - 1) * Math.log(m) +
    p * x * Math.log(x) -
    (p * x + q) * Math.log(gamma + m * x)
  );
}

describe('Gamma-Gamma likelihood', () => {
  const rows: GammaGammaRow[] = [
    { x: 1, mx: 12.5 },
    { x: 2, mx: 30.1, count: 4 },
    { x: 7, mx: 18 },
    { x: 3, mx: 95.3, count: 2 },
    { x: 0, mx: 0 }, // ignored: no repeat purchase
    { x: 2, mx: 0 }, // ignored: m_x = 0
  ];

  it('equals the published density summed over customers with x > 0 and m_x > 0', () => {
    for (const par of [PUBLISHED, { p: 0.7, q: 1.2, gamma: 300 }, { p: 40, q: 25, gamma: 2 }]) {
      const e = rows.filter((r) => r.x > 0 && r.mx > 0).reduce((s, r) => s + (r.count ?? 1) * naive(par, r.x, r.mx), 0);
      expect(rel(ggLogLikelihood(par, rows), e)).toBeLessThan(1e-12);
    }
  });

  it('has an analytic gradient matching central differences', () => {
    fc.assert(
      fc.property(
        fc.record({
          p: fc.double({ min: 0.1, max: 50, noNaN: true }),
          q: fc.double({ min: 0.1, max: 50, noNaN: true }),
          gamma: fc.double({ min: 0.1, max: 500, noNaN: true }),
        }),
        (par) => {
          const { gradient } = ggLogLikelihoodGradient(par, rows);
          for (const k of ['p', 'q', 'gamma'] as const) {
            const h = 1e-6 * par[k];
            const fd = (ggLogLikelihood({ ...par, [k]: par[k] + h }, rows) - ggLogLikelihood({ ...par, [k]: par[k] - h }, rows)) / (2 * h);
            expect(Math.abs(gradient[k] - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
          }
        },
      ),
      { seed: 3, numRuns: 60 },
    );
  });

  it('rejects invalid rows', () => {
    expect(() => ggLogLikelihood(PUBLISHED, [{ x: 1, mx: -2 }])).toThrow(/mx/);
    expect(() => ggLogLikelihood(PUBLISHED, [{ x: Number.NaN, mx: 2 }])).toThrow(/x must be finite/);
  });
});

describe('fitGammaGamma', () => {
  it('recovers the parameters of simulated spend within four standard errors', () => {
    const truth = { p: 4, q: 3, gamma: 20 };
    const sim = simulateCustomers(20_000, 17, {
      bgnbd: { r: 0.5, alpha: 8, a: 0.8, b: 2.5 },
      gg: truth,
      ageOf: (_i, rng) => 20 + 52 * rng.next(),
    });
    const fit = fitGammaGamma({ x: sim.x, mx: sim.mx });
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(sim.x.filter((x) => x > 0).length);
    for (const k of ['p', 'q', 'gamma'] as const) {
      expect(Math.abs(fit[k] - truth[k])).toBeLessThan(4 * fit.standardErrors![k]);
      expect(rel(fit[k], truth[k])).toBeLessThan(0.15);
    }
  });

  it('flags a boundary maximum on degenerate data and keeps E[M] finite', () => {
    // Two customers: the between-customer spread is unidentified (q, γ → ∞).
    const tiny = fitGammaGamma([
      { x: 1, mx: 10 },
      { x: 2, mx: 30 },
    ]);
    expect(tiny.converged).toBe(false);
    expect(tiny.boundary.length).toBeGreaterThan(0);
    expect(tiny.message).toMatch(/boundary/);
    const em = expectedAverageValue(tiny, 2, 20);
    expect(Number.isFinite(em)).toBe(true);
    expect(em).toBeGreaterThan(10);
    expect(em).toBeLessThan(30);

    // Everybody spends exactly the same: the likelihood is unbounded (a point mass);
    // predictions still give that amount.
    const same = fitGammaGamma(Array.from({ length: 40 }, (_, i) => ({ x: 1 + (i % 4), mx: 20 })));
    expect(same.converged).toBe(false);
    expect(rel(expectedAverageValue(same, 2, 20), 20)).toBeLessThan(1e-6);
    expect(rel(expectedAverageValue(same, 0, 0), 20)).toBeLessThan(1e-6);
  });

  it('rejects a data set without repeat customers', () => {
    expect(() => fitGammaGamma([{ x: 0, mx: 0 }])).toThrow(/no customers/);
  });
});

describe('expectedAverageValue', () => {
  it('is p(γ + x m_x)/(p x + q − 1), and p γ/(q − 1) for x = 0', () => {
    // 6.25 · (15.44 + 2 · 30) / (6.25 · 2 + 3.74 − 1) = 471.5 / 15.24
    expect(expectedAverageValue(PUBLISHED, 2, 30)).toBeCloseTo(471.5 / 15.24, 12);
    // 6.25 · 15.44 / 2.74 = 96.5 / 2.74
    expect(expectedAverageValue(PUBLISHED, 0, 0)).toBeCloseTo(96.5 / 2.74, 12);
    expect(expectedAverageValue(PUBLISHED, 0, 123)).toBeCloseTo(96.5 / 2.74, 12);
  });

  it('shrinks the customer’s own mean towards the population mean', () => {
    const pop = expectedAverageValue(PUBLISHED, 0, 0);
    for (const m of [5, 200]) {
      let prev = pop;
      for (const x of [1, 3, 10, 100]) {
        const v = expectedAverageValue(PUBLISHED, x, m);
        expect(Math.abs(v - m)).toBeLessThan(Math.abs(prev - m));
        prev = v;
      }
    }
  });

  it('is infinite when the spend distribution has no mean (q ≤ 1 at x = 0)', () => {
    expect(expectedAverageValue({ p: 2, q: 0.9, gamma: 10 }, 0, 0)).toBe(Infinity);
  });
});
