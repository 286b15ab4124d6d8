import { expectedPurchases, type BgnbdParams } from '../../src/predictive/domain/bgnbd';
import { discountedClv, discountedPurchasesByRow, scoreClvBatch, WEEKS_PER_MONTH, type ClvModels } from '../../src/predictive/domain/clv';
import { expectedAverageValue } from '../../src/predictive/domain/gamma-gamma';
import { simulateCustomers } from './support/simulate';

const MODELS: ClvModels = {
  bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
  gg: { p: 6.25, q: 3.74, gamma: 15.44 },
};
const rel = (v: number, e: number): number => Math.abs(v - e) / Math.abs(e);

describe('discountedClv', () => {
  it('hand-computed one-month case in the homogeneous limit (E[Y(t)] = (1 − e^(−λpt))/p)', () => {
    // λ = 0.5/week, p = 0.1 for everyone: r, α → ∞ with r/α = 0.5; a, b → ∞ with a/(a+b) = 0.1.
    const bgnbd: BgnbdParams = { r: 0.5e9, alpha: 1e9, a: 0.1e9, b: 0.9e9 };
    const gg = { p: 2, q: 3, gamma: 10 }; // E[M | x = 0] = 2 · 10 / 2 = 10
    // E[Y(52/12)] = (1 − e^(−0.5 · 0.1 · 52/12)) / 0.1 = 10 (1 − e^(−0.21666…)) = 1.9483…
    const ey = 10 * (1 - Math.exp(-0.05 * (52 / 12)));
    const expected = ey * 10 * 0.25 * Math.pow(1.1, -1 / 12);
    const clv = discountedClv({ bgnbd, gg }, { x: 0, tx: 0, T: 8, mx: 0, marginRate: 0.25 }, { horizonMonths: 1, annualDiscountRate: 0.1 });
    expect(rel(clv, expected)).toBeLessThan(1e-7);
    expect(clv).toBeCloseTo(4.8315, 4); // 1.94797 · 10 · 0.25 · 0.992089
  });

  it('is E[Y(52/12)] · E[M] · m_c · (1 + d)^(−1/12) for one month with the CDNOW fits', () => {
    const c = { x: 2, tx: 30.43, T: 38.86, mx: 30, marginRate: 0.3 };
    const expected =
      expectedPurchases(MODELS.bgnbd, 52 / 12, c.x, c.tx, c.T) * expectedAverageValue(MODELS.gg, c.x, c.mx) * 0.3 * Math.pow(1.1, -1 / 12);
    expect(rel(discountedClv(MODELS, c, { horizonMonths: 1, annualDiscountRate: 0.1 }), expected)).toBeLessThan(1e-14);
  });

  it('discounts month k by (1 + d)^(−k/12) and telescopes to E[Y(H·52/12)] without discounting', () => {
    const c = { x: 4, tx: 20, T: 30, mx: 25, marginRate: 0.4 };
    const em = expectedAverageValue(MODELS.gg, c.x, c.mx);
    const ey = (t: number): number => expectedPurchases(MODELS.bgnbd, t, c.x, c.tx, c.T);
    let manual = 0;
    for (let k = 1; k <= 12; k++) manual += (ey(k * WEEKS_PER_MONTH) - ey((k - 1) * WEEKS_PER_MONTH)) * em * 0.4 * Math.pow(1.1, -k / 12);
    expect(rel(discountedClv(MODELS, c, { horizonMonths: 12, annualDiscountRate: 0.1 }), manual)).toBeLessThan(1e-13);
    const undiscounted = discountedClv(MODELS, c, { horizonMonths: 12, annualDiscountRate: 0 });
    expect(rel(undiscounted, ey(52) * em * 0.4)).toBeLessThan(1e-13);
  });

  it('grows with the horizon and falls with the discount rate', () => {
    const c = { x: 1, tx: 5, T: 30, mx: 40, marginRate: 0.2 };
    let prev = 0;
    for (const H of [0, 1, 2, 6, 12, 24, 60, 120]) {
      const v = discountedClv(MODELS, c, { horizonMonths: H, annualDiscountRate: 0.1 });
      if (H === 0) expect(v).toBe(0);
      else expect(v).toBeGreaterThan(prev);
      prev = v;
    }
    const low = discountedClv(MODELS, c, { horizonMonths: 24, annualDiscountRate: 0.05 });
    const high = discountedClv(MODELS, c, { horizonMonths: 24, annualDiscountRate: 0.2 });
    expect(high).toBeLessThan(low);
  });

  it('is 0 for a zero margin and rejects invalid options', () => {
    expect(discountedClv(MODELS, { x: 1, tx: 5, T: 30, mx: 40, marginRate: 0 }, { horizonMonths: 12, annualDiscountRate: 0.1 })).toBe(0);
    expect(() => discountedClv(MODELS, { x: 1, tx: 5, T: 30, mx: 40, marginRate: 0.2 }, { horizonMonths: 1.5, annualDiscountRate: 0.1 })).toThrow(
      /whole number/,
    );
    expect(() => discountedClv(MODELS, { x: 1, tx: 5, T: 30, mx: 40, marginRate: 0.2 }, { horizonMonths: 12, annualDiscountRate: -1 })).toThrow(
      /discount/,
    );
  });
});

describe('scoreClvBatch', () => {
  it('equals discountedClv customer by customer', () => {
    const sim = simulateCustomers(500, 99, {
      bgnbd: MODELS.bgnbd,
      gg: MODELS.gg,
      ageOf: (_i, rng) => Math.floor(rng.next() * 273) / 7,
      wholeDays: true,
    });
    const marginRate = Float64Array.from(sim.x, (_x, i) => 0.1 + (i % 5) * 0.05);
    const opts = { horizonMonths: 12, annualDiscountRate: 0.1 };
    const scored = scoreClvBatch(MODELS, { ...sim, marginRate }, opts);
    expect(scored.distinctRows).toBeLessThan(500);
    for (let i = 0; i < 500; i++) {
      const single = discountedClv(MODELS, { x: sim.x[i], tx: sim.tx[i], T: sim.T[i], mx: sim.mx[i], marginRate: marginRate[i] }, opts);
      expect(Math.abs(scored.clv[i] - single)).toBeLessThanOrEqual(1e-13 * single);
    }
    const byRow = discountedPurchasesByRow(MODELS.bgnbd, { x: [0, 3], tx: [0, 10], T: [0, 30] }, opts);
    expect(byRow[0]).toBeGreaterThan(0);
    const direct = discountedClv(MODELS, { x: 3, tx: 10, T: 30, mx: 50, marginRate: 0.2 }, opts);
    expect(rel(byRow[1] * expectedAverageValue(MODELS.gg, 3, 50) * 0.2, direct)).toBeLessThan(1e-13);
  });
});
