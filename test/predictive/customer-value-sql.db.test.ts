/**
 * The SQL purchase summary against the pure one (src/predictive/domain/customer-summary.ts) on
 * a real PostgreSQL, with the cases the rules name: same-day orders (one purchase, amounts
 * summed), local dates in ORG_TIMEZONE across midnight, refunded and cancelled orders, orders
 * after e, a first purchase on e (T = 0), zero amounts (a purchase all the same; margin rate
 * undefined when the amounts sum to 0), recorded and default margins — and the same grouped
 * rows whether one backend or two (an exported snapshot, split by customer id) do the work.
 */
import { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { PG_POOL } from '../../src/database/database.module';
import { ImportsService } from '../../src/imports/imports.service';
import { CustomerValueRepository, radixOrder, type CalibrationData } from '../../src/predictive/customer-value.repository';
import { groupDistinctRows, summarizeCustomer, type CompletedOrder } from '../../src/predictive/domain/customer-summary';
import { createTestApp, type TestApp } from '../support/test-app';

const TZ = 'Asia/Shanghai';
const E = '2026-01-31';

interface RawOrder {
  id: string;
  customer: string;
  at: string;
  amount: string;
  margin?: string;
  status?: 'completed' | 'refunded' | 'cancelled';
}

/** Local date of an ISO timestamp in TZ (a local time without offset is already local). */
function localDate(at: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(at)) return at;
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(at)) return at.slice(0, 10);
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(at));
}

const EDGE: RawOrder[] = [
  // C1: two orders on its first day, two on a later day, one more; one after e; margins partly recorded
  { id: 'o1', customer: 'C1', at: '2026-01-03T10:00:00', amount: '10.00', margin: '4.00' },
  { id: 'o2', customer: 'C1', at: '2026-01-03T20:00:00', amount: '5.00' },
  { id: 'o3', customer: 'C1', at: '2026-01-10T09:00:00+08:00', amount: '30.00', margin: '-2.50' },
  { id: 'o4', customer: 'C1', at: '2026-01-10T12:00:00+08:00', amount: '20.00' },
  { id: 'o5', customer: 'C1', at: '2026-01-24', amount: '70.00' },
  { id: 'o6', customer: 'C1', at: '2026-02-01T00:00:00', amount: '999.00' },
  { id: 'o6r', customer: 'C1', at: '2026-01-20', amount: '50.00', status: 'refunded' },
  // C2: 17:00 UTC is 01:00 the next day in Shanghai (≤ e); 16:30 UTC on e is after e locally
  { id: 'o7', customer: 'C2', at: '2026-01-05T23:59:59+08:00', amount: '12.34' },
  { id: 'o8', customer: 'C2', at: '2026-01-30T17:00:00Z', amount: '1.01' },
  { id: 'o9', customer: 'C2', at: '2026-01-31T16:30:00Z', amount: '100.00' },
  // C3: first purchase on e: T = 0
  { id: 'o10', customer: 'C3', at: '2026-01-31T12:00:00+08:00', amount: '8.00' },
  // C4: nothing completed
  { id: 'o11', customer: 'C4', at: '2026-01-02', amount: '8.00', status: 'refunded' },
  { id: 'o12', customer: 'C4', at: '2026-01-09', amount: '9.00', status: 'cancelled' },
  // C5: only zero amounts (two purchase days): x = 1, m_x = 0, margin rate undefined
  { id: 'o13', customer: 'C5', at: '2026-01-02', amount: '0.00' },
  { id: 'o14', customer: 'C5', at: '2026-01-09', amount: '0' },
  // C6: a zero-amount repeat day
  { id: 'o15', customer: 'C6', at: '2025-12-01', amount: '40.00', margin: '10.00' },
  { id: 'o16', customer: 'C6', at: '2026-01-09', amount: '0.00' },
  // C8: orders only after e
  { id: 'o17', customer: 'C8', at: '2026-02-03', amount: '5.00' },
];

/** Deterministic pseudo-random customers so that statistics and both backends have work. */
function generated(): RawOrder[] {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: RawOrder[] = [];
  for (let c = 0; c < 400; c++) {
    const n = 1 + Math.floor(rnd() * 6);
    for (let k = 0; k < n; k++) {
      const day = new Date(Date.UTC(2025, 5, 1) + Math.floor(rnd() * 260) * 86_400_000).toISOString().slice(0, 10);
      out.push({ id: `g${c}-${k}`, customer: `G${String(c).padStart(4, '0')}`, at: day, amount: (Math.floor(rnd() * 9000) / 100).toFixed(2), margin: rnd() < 0.3 ? '1.50' : undefined });
    }
  }
  return out;
}

describe('SQL purchase summary = the pure summary', () => {
  let t: TestApp;
  let repo: CustomerValueRepository;
  const all = [...EDGE, ...generated()];
  const settings = { defaultMarginRate: '0.3', inactivityDays: 180 };

  /** The pure expectation per customer with a completed order ≤ e. */
  const pure = () => {
    const by = new Map<string, { orders: CompletedOrder[]; amount: number; margin: number }>();
    for (const o of all) {
      if ((o.status ?? 'completed') !== 'completed' || localDate(o.at) > E) continue;
      const c = by.get(o.customer) ?? { orders: [], amount: 0, margin: 0 };
      c.orders.push({ date: localDate(o.at), amount: Number(o.amount) });
      c.amount += Number(o.amount);
      c.margin += o.margin === undefined ? Number(o.amount) * 0.3 : Number(o.margin);
      by.set(o.customer, c);
    }
    return new Map([...by].map(([id, c]) => [id, { ...summarizeCustomer(c.orders, E)!, marginRate: c.amount > 0 ? c.margin / c.amount : Number.NaN }]));
  };

  beforeAll(async () => {
    t = await createTestApp({ ORG_TIMEZONE: TZ });
    repo = t.app.get(CustomerValueRepository);
    const imports = t.app.get(ImportsService);
    const ids = [...new Set(all.map((o) => o.customer)), 'C7'];
    await imports.importStream('customers', Readable.from(`customer_id,acquired_on\n${ids.map((id) => `${id},2025-01-01`).join('\n')}\n`), { source: 'customers' });
    const lines = all.map((o) => `${o.id},${o.customer},${o.at},${o.amount},${o.margin ?? ''},${o.status ?? ''}`);
    await imports.importStream('orders', Readable.from(`order_id,customer_id,ordered_at,amount,gross_margin,status\n${lines.join('\n')}\n`), { source: 'orders' });
    await t.app.get<Pool>(PG_POOL).query('analyze orders');
  }, 60_000);
  afterAll(() => t.close());

  it('summarises one customer like summarizeCustomer, and nothing without a completed order ≤ e', async () => {
    const want = pure();
    for (const id of ['C1', 'C2', 'C3', 'C5', 'C6', 'G0001']) {
      const s = (await repo.customerSummary(id, E, '0.3'))!;
      const p = want.get(id)!;
      expect({ id, x: s.x, tx: s.txDays / 7, T: s.tDays / 7, first: s.firstDay, last: s.lastDay, total: s.amountSum }).toEqual({
        id,
        x: p.x,
        tx: p.tx,
        T: p.T,
        first: p.firstDate,
        last: p.lastDate,
        total: p.totalAmount,
      });
      expect(s.x > 0 ? s.repeatAmount / s.x : 0).toBeCloseTo(p.mx, 10);
      if (s.amountSum > 0) expect(s.marginSum / s.amountSum).toBeCloseTo(p.marginRate, 12);
    }
    // C1: x = 2 (Jan 3, Jan 10, Jan 24), m_x = (50 + 70) / 2, margin (4 + 1.5 − 2.5 + 6 + 21) / 135
    expect(await repo.customerSummary('C1', E, '0.3')).toMatchObject({ x: 2, txDays: 21, tDays: 28, repeatAmount: 120, amountSum: 135, marginSum: 30 });
    expect(await repo.customerSummary('C2', E, '0.3')).toMatchObject({ x: 1, firstDay: '2026-01-05', lastDay: '2026-01-31', amountSum: 13.35 });
    expect(await repo.customerSummary('C3', E, '0.3')).toMatchObject({ x: 0, tDays: 0, txDays: 0 });
    expect(await repo.customerSummary('C5', E, '0.3')).toMatchObject({ x: 1, repeatAmount: 0, amountSum: 0 });
    for (const id of ['C4', 'C7', 'C8', 'nobody']) expect(await repo.customerSummary(id, E, '0.3')).toBeNull();
  });

  it('gives every customer’s columns and the grouped fit rows of the pure code', async () => {
    const want = pure();
    const one = await repo.load(E, { groups: true, customers: 'all', ...settings, partitions: 1 });
    expect(one.partitions).toBe(1);
    expect(one.customers).toBe(want.size);
    expect(one.repeatCustomers).toBe([...want.values()].filter((s) => s.x > 0).length);

    // per customer (in no particular order): the same (x, t_x, T, m_x, margin rate) multiset
    const key = (x: number, tx: number, T: number, mx: number, m: number) => `${x}|${tx}|${T}|${mx.toFixed(9)}|${Number.isNaN(m) ? 'NaN' : m.toFixed(12)}`;
    const cols = one.perCustomer!;
    const got: string[] = [];
    for (let i = 0; i < cols.n; i++) got.push(key(cols.x[i], cols.tx[i], cols.T[i], cols.mx[i], cols.marginRate[i]));
    expect(got.sort()).toEqual([...want.values()].map((s) => key(s.x, s.tx, s.T, s.mx, s.marginRate)).sort());

    // BG/NBD: distinct (x, t_x, T) with counts, ascending
    const s = [...want.values()];
    const g = groupDistinctRows(
      s.map((v) => v.x),
      s.map((v) => v.tx),
      s.map((v) => v.T),
    );
    const rows = (x: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>) =>
      Array.from(x, (v, i) => [v, a[i], b[i], c[i]]).sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
    expect(Array.from(one.bgnbd!.x, (v, i) => [v, one.bgnbd!.tx[i], one.bgnbd!.T[i], one.bgnbd!.count[i]])).toEqual(
      rows(g.rows.x, g.rows.tx, g.rows.T, g.rows.count),
    );
    // Gamma-Gamma: customers with x > 0 and m_x > 0, distinct (x, m_x) with counts
    const rep = s.filter((v) => v.x > 0 && v.mx > 0);
    const gg = new Map<string, number>();
    for (const v of rep) gg.set(`${v.x}|${v.mx.toFixed(9)}`, (gg.get(`${v.x}|${v.mx.toFixed(9)}`) ?? 0) + 1);
    const gotGg = new Map<string, number>();
    for (let i = 0; i < one.gg!.x.length; i++) gotGg.set(`${one.gg!.x[i]}|${one.gg!.mx[i].toFixed(9)}`, one.gg!.count[i]);
    expect(gotGg).toEqual(gg);
    expect(one.gg!.count.reduce((a, b) => a + b, 0)).toBe(rep.length);
  });

  it('gives the same rows, in the same order, when two backends split the customers', async () => {
    const one = await repo.load(E, { groups: true, customers: 'all', ...settings, partitions: 1 });
    const two: CalibrationData = await repo.load(E, { groups: true, customers: 'all', ...settings, partitions: 2 });
    expect(two.partitions).toBe(2);
    expect([two.customers, two.repeatCustomers]).toEqual([one.customers, one.repeatCustomers]);
    expect(two.bgnbd).toEqual(one.bgnbd);
    expect(two.gg).toEqual(one.gg);
    expect(two.perCustomer!.n).toBe(one.perCustomer!.n);
    const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
    expect(sum(two.perCustomer!.T)).toBeCloseTo(sum(one.perCustomer!.T), 9);
    // only the groups: no per-customer rows
    const groups = await repo.load(E, { groups: true, customers: 'none', ...settings });
    expect(groups.perCustomer).toBeNull();
    expect(groups.bgnbd).toEqual(one.bgnbd);
  });

  it('gives, for several calibration ends in one pass, what one pass per end gives', async () => {
    const ends = ['2025-08-31', E, '2025-11-30'];
    const canonical = (d: CalibrationData) => {
      const c = d.perCustomer!;
      const rows: string[] = [];
      for (let i = 0; i < c.n; i++) rows.push([c.x[i], c.tx[i], c.T[i], c.mx[i], c.marginRate[i], c.owner[i]].join('|'));
      return { customers: d.customers, repeat: d.repeatCustomers, bg: d.bgnbd, gg: d.gg, rows: rows.sort() };
    };
    for (const mode of ['all', 'active'] as const) {
      for (const partitions of [1, 2]) {
        const many = await repo.loadMany(ends, { groups: true, customers: mode, ...settings, partitions });
        expect(many.map((d) => d.asOf)).toEqual(ends);
        for (const [i, e] of ends.entries()) {
          const single = await repo.load(e, { groups: true, customers: mode, ...settings, partitions: 1 });
          expect({ e, mode, partitions, ...canonical(many[i]) }).toEqual({ e, mode, partitions, ...canonical(single) });
        }
      }
    }
    // grouped rows only where asked for
    const some = await repo.loadMany(ends, { groups: [E], customers: 'active', ...settings });
    expect(some.map((d) => d.bgnbd !== null)).toEqual([false, true, false]);
    // the inactivity rule at work: fewer customers are active on e than have bought by e
    const active = await repo.load(E, { groups: true, customers: 'active', ...settings });
    expect(active.perCustomer!.n).toBeGreaterThan(0);
    expect(active.perCustomer!.n).toBeLessThan(active.customers);
  });
});

describe('radixOrder (the canonical order of grouped rows)', () => {
  it('sorts whole numbers below 2^53 like a comparator sort, stably', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const keys = Float64Array.from({ length: 50_000 }, (_, i) =>
      i % 5 === 0 ? Math.floor(rnd() * 100) : i % 5 === 1 ? Math.floor(rnd() * 2 ** 53) : Math.floor(rnd() * 2 ** 40) * 2 ** 12 + (i % 7),
    );
    keys[0] = 2 ** 53 - 1;
    keys[1] = 0;
    const order = Array.from(radixOrder(keys));
    const expected = Array.from(keys.keys()).sort((a, b) => keys[a] - keys[b] || a - b);
    expect(order).toEqual(expected);
    expect(Array.from(radixOrder(new Float64Array(0)))).toEqual([]);
  });
});
