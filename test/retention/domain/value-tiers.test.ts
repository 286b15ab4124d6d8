import fc from 'fast-check';
import { notWorthPursuing, rankLimit, tierCutoffs, tierOf } from '../../../src/retention/domain/value-tiers';

const SHARES = { keyPct: 5, majorPct: 15, ordinaryPct: 30 };
const tiers = (clvs: number[], n = clvs.length, shares = SHARES) => {
  const c = tierCutoffs(Float64Array.from(clvs), n, shares);
  return clvs.map((v) => tierOf(v, c));
};

describe('value tiers (retention.md)', () => {
  it('100 distinct customers: 5 key, 15 major, 30 ordinary, 50 small, by CLV', () => {
    const clvs = Array.from({ length: 100 }, (_v, i) => 1000 - i); // rank i + 1
    const t = tiers(clvs);
    expect(t.filter((x) => x === 'key')).toHaveLength(5);
    expect(t.filter((x) => x === 'major')).toHaveLength(15);
    expect(t.filter((x) => x === 'ordinary')).toHaveLength(30);
    expect(t.filter((x) => x === 'small')).toHaveLength(50);
    expect([t[4], t[5], t[19], t[20], t[49], t[50]]).toEqual(['key', 'major', 'major', 'ordinary', 'ordinary', 'small']);
  });

  it('a tier holds only customers whose whole position is inside its share: N = 30 → one key customer', () => {
    expect(rankLimit(30, 5)).toBe(1);
    expect(rankLimit(19, 5)).toBe(0);
    expect(rankLimit(20, 5)).toBe(1);
    expect(rankLimit(1000, 0.1)).toBe(1);
    expect(rankLimit(10, 70)).toBe(7);
    const t = tiers(Array.from({ length: 30 }, (_v, i) => 100 - i));
    expect(t.slice(0, 3)).toEqual(['key', 'major', 'major']); // L_key 1, L_major ⌊6⌋ = 6
    expect(tiers(Array.from({ length: 19 }, (_v, i) => 100 - i))[0]).toBe('major'); // no key tier below 20 customers
  });

  it('ties at a boundary take the higher tier as a whole; the limits below stay', () => {
    // N = 20: L_key 1, L_major 4, L_ordinary 10. Ranks: 1, 1 (tie), 3, 4, 4, 4 (tie across 4–6), …
    const clvs = [90, 90, 80, 70, 70, 70, 60, 50, 40, 30, 30, 20, 19, 18, 17, 16, 15, 14, 13, 12];
    expect(tiers(clvs)).toEqual([
      'key', 'key', // the tie at rank 1 straddles the key boundary: both key
      'major', 'major', 'major', 'major', // rank 3, and the tie at rank 4 (positions 4–6) all major
      'ordinary', 'ordinary', 'ordinary', 'ordinary', 'ordinary', // ranks 7–10, and 30 ties at rank 10
      'small', 'small', 'small', 'small', 'small', 'small', 'small', 'small', 'small',
    ]);
  });

  it('customers without a CLV count in N, rank below everyone, and are small', () => {
    const c = tierCutoffs(Float64Array.from([10, 9]), 40, SHARES); // 40 active, 2 with a CLV: L_key 2
    expect(c).toMatchObject({ activeCustomers: 40, valued: 2, limits: { key: 2, major: 8, ordinary: 20 } });
    expect(tierOf(10, c)).toBe('key');
    expect(tierOf(9, c)).toBe('key');
    expect(tierOf(null, c)).toBe('small');
    expect(tierOf(Number.NaN, c)).toBe('small');
  });

  it('the cut-offs equal the competition-rank rule for any data, ties included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 200 }), fc.nat(50), (ints, extra) => {
        const clvs = ints.map((i) => i * 1.5);
        const n = clvs.length + extra;
        const c = tierCutoffs(Float64Array.from(clvs), n, SHARES);
        for (const v of clvs) {
          const rank = 1 + clvs.filter((o) => o > v).length;
          const expected = rank <= Math.floor(n * 0.05) ? 'key' : rank <= Math.floor(n * 0.2) ? 'major' : rank <= Math.floor(n * 0.5) ? 'ordinary' : 'small';
          expect(tierOf(v, c)).toBe(expected);
        }
      }),
    );
  });

  it('not_worth_pursuing: small and ≥ NOT_WORTH_COMPLAINTS complaints in the last 365 days', () => {
    expect(notWorthPursuing('small', 6, 6)).toBe(true);
    expect(notWorthPursuing('small', 5, 6)).toBe(false);
    expect(notWorthPursuing('ordinary', 9, 6)).toBe(false);
  });
});
