import { dayNumber, groupDistinctRows, summarizeCustomer } from '../../src/predictive/domain/customer-summary';

describe('summarizeCustomer', () => {
  it('counts distinct purchase days, merges same-day orders and excludes the first day from m_x', () => {
    const s = summarizeCustomer(
      [
        { date: '2026-01-10', amount: 30 },
        { date: '2026-01-03', amount: 10 },
        { date: '2026-01-03', amount: 5 }, // same day as the first: one purchase of 15
        { date: '2026-01-10', amount: 20 }, // same day: one repeat purchase of 50
        { date: '2026-01-24', amount: 70 },
        { date: '2026-02-01', amount: 999 }, // after e: ignored
      ],
      '2026-01-31',
    )!;
    expect(s.x).toBe(2);
    expect(s.tx).toBe(21 / 7);
    expect(s.T).toBe(28 / 7);
    expect(s.mx).toBe((50 + 70) / 2);
    expect(s.totalAmount).toBe(15 + 50 + 70);
    expect(s.firstDate).toBe('2026-01-03');
    expect(s.lastDate).toBe('2026-01-24');
  });

  it('gives x = 0, t_x = 0, m_x = 0 for a single purchase day and T = 0 for a first purchase on e', () => {
    expect(summarizeCustomer([{ date: '2026-03-31', amount: 12 }, { date: '2026-03-31', amount: 3 }], '2026-03-31')).toEqual({
      x: 0,
      tx: 0,
      T: 0,
      mx: 0,
      totalAmount: 15,
      firstDate: '2026-03-31',
      lastDate: '2026-03-31',
    });
  });

  it('is null without an order dated ≤ e, and counts zero-amount orders as purchases', () => {
    expect(summarizeCustomer([{ date: '2026-04-01', amount: 5 }], '2026-03-31')).toBeNull();
    expect(summarizeCustomer([], '2026-03-31')).toBeNull();
    const s = summarizeCustomer([{ date: '2026-03-01', amount: 5 }, { date: '2026-03-02', amount: 0 }], '2026-03-31')!;
    expect(s.x).toBe(1);
    expect(s.mx).toBe(0);
  });

  it('counts days across month ends, leap days and DST-free calendar dates', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('2024-03-01') - dayNumber('2024-02-28')).toBe(2);
    expect(dayNumber('1997-09-30') - dayNumber('1997-01-01')).toBe(272);
    expect(() => dayNumber('2023-02-29')).toThrow(RangeError);
    expect(() => dayNumber('2023-2-1')).toThrow(RangeError);
  });
});

describe('groupDistinctRows', () => {
  it('groups equal (x, t_x, T) and keeps each customer’s row', () => {
    const x = [0, 2, 0, 2, 2, 1];
    const tx = [0, 3, 0, 3, 4, 1 / 7];
    const T = [5, 9, 5, 9, 9, 1];
    const g = groupDistinctRows(x, tx, T);
    expect(Array.from(g.rows.x)).toEqual([0, 2, 2, 1]);
    expect(Array.from(g.rows.tx)).toEqual([0, 3, 4, 1 / 7]);
    expect(Array.from(g.rows.T)).toEqual([5, 9, 9, 1]);
    expect(Array.from(g.rows.count)).toEqual([2, 2, 1, 1]);
    expect(Array.from(g.rowOf)).toEqual([0, 1, 0, 1, 2, 3]);
    const w = groupDistinctRows(x, tx, T, [1, 2, 3, 4, 5, 6]);
    expect(Array.from(w.rows.count)).toEqual([4, 6, 5, 6]);
  });

  it('handles many customers with colliding hashes correctly', () => {
    const n = 50_000;
    const x = new Float64Array(n);
    const tx = new Float64Array(n);
    const T = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = i % 7;
      tx[i] = (i % 13) / 7;
      T[i] = (i % 13) / 7 + (i % 11);
    }
    const g = groupDistinctRows(x, tx, T);
    const keys = new Set<string>();
    for (let i = 0; i < n; i++) keys.add(`${x[i]}|${tx[i]}|${T[i]}`);
    expect(g.rows.x.length).toBe(keys.size);
    for (let i = 0; i < n; i += 997) {
      const r = g.rowOf[i];
      expect([g.rows.x[r], g.rows.tx[r], g.rows.T[r]]).toEqual([x[i], tx[i], T[i]]);
    }
    expect(g.rows.count.reduce((s, c) => s + c, 0)).toBe(n);
  });
});
