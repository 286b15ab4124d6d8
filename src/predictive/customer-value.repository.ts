import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { PG_POOL } from '../database/database.module';
import { CLOSURE_CTE, EFFECTIVE_ASSIGNMENTS_CTE, effectiveMarginSql } from '../kpis/kpi.repository';
import type { SubjectType } from '../kpis/kpi.repository';
import { histogramSplitPoints, inSharedSnapshot } from '../database/snapshot-backends';
import { copyOutBinary, type CopyRow } from './copy-binary';

/**
 * The SQL of the predictive customer-value models (shared/spec/kpi-definitions.md, "Predictive
 * customer value" and the fine print "Predictive models"): every customer's purchase summary
 * as of a calibration end day e, computed by PostgreSQL from the orders,
 *
 *   purchase days = distinct local dates (orders.ordered_on) of its completed orders ≤ e
 *                   (same-day orders are one purchase, their amounts summed);
 *   x = purchase days − 1, t_x = (last − first day) / 7, T = (e − first day) / 7 (weeks);
 *   repeat amount = Σ amount of the purchase days after the first (m_x = repeat amount / x);
 *   margin rate = Σ effective gross margin / Σ amount of its completed orders ≤ e,
 *
 * and, for the fits, the distinct (x, t_x, T) rows with counts (BG/NBD) and the distinct
 * (x, repeat amount) rows of the customers with x > 0 and a positive repeat amount
 * (Gamma-Gamma), grouped in SQL so the likelihoods run over distinct rows.
 *
 * Large results travel as binary COPY into typed arrays (src/predictive/copy-binary.ts), and
 * a big orders table is summarised by two backends at once, each over half the customer ids
 * (split at the median of the column's statistics), inside one exported snapshot so both see
 * the same data. Days travel as whole numbers; weeks are formed in JavaScript exactly as the
 * pure code does (days / 7).
 */

/** SQL expressions (placeholders or escaped literals) the summary is built from. */
export interface SummarySqlParams {
  /** the calibration end days e_0 < e_1 < … (dates), ascending; usually one */
  ends: string[];
  /** DEFAULT_MARGIN_RATE (numeric); omit when the margin sum is not needed */
  marginRate?: string;
  /** a condition on the orders `o` that restricts the customers (id range, one customer, …) */
  orderFilter?: string;
}

/**
 * One row per customer and calibration end e_k for which the customer has a completed order
 * dated ≤ e_k: customer_id, k (the index of e_k), x, tx_days, t_days, first_day, last_day,
 * repeat_amount (exact numeric, 0 when x = 0), amount_sum and, when `marginRate` is given,
 * margin_sum (default margin rule, exact).
 *
 * dense_rank() numbers each customer's purchase days in date order over the orders ≤ the
 * latest end, so the first day's orders have day_no = 1, and for every e_k the purchase days
 * ≤ e_k are exactly those numbered 1 … max(day_no) over the orders ≤ e_k: x_k is that maximum
 * − 1. The orders come sorted by (customer_id, ordered_on) from orders_customer_day_idx, so
 * neither the window nor the grouping sorts, and several ends share one pass over the orders.
 */
export function purchaseSummarySql(p: SummarySqlParams): string {
  if (p.ends.length === 0) throw new RangeError('purchaseSummarySql: no calibration end');
  const last = p.ends.length - 1;
  const eMax = p.ends[last];
  const margin = p.marginRate ? effectiveMarginSql(p.marginRate) : null;
  const numbered = `select o.customer_id, o.ordered_on, o.amount, o.gross_margin,
                      dense_rank() over (partition by o.customer_id order by o.ordered_on) as day_no
                 from orders o
                where o.status = 'completed' and o.ordered_on <= ${eMax}::date${p.orderFilter ? ` and (${p.orderFilter})` : ''}`;
  if (p.ends.length === 1) {
    return `select customer_id, 0::int4 as k,
              (max(day_no) - 1)::int4 as x,
              (max(ordered_on) - min(ordered_on))::int4 as tx_days,
              (${eMax}::date - min(ordered_on))::int4 as t_days,
              min(ordered_on) as first_day,
              max(ordered_on) as last_day,
              coalesce(sum(amount) filter (where day_no > 1), 0) as repeat_amount,
              sum(amount) as amount_sum${margin ? `,
              sum(${margin}) as margin_sum` : ''}
         from (${numbered}) numbered
        group by customer_id`;
  }
  // Each order falls in one slice (e_(j−1), e_j]; per-slice aggregates are added up to e_k, so
  // Several ends: each order falls in one slice (e_(j−1), e_j]; the measures are aggregated per
  // slice and added up (max: greatest) over the slices up to e_k, so that every order feeds
  // each measure once however many ends there are.
  const slice = `case ${p.ends
    .slice(0, last)
    .map((e, j) => `when ordered_on <= ${e}::date then ${j}`)
    .join(' ')} else ${last} end`;
  const perSlice = p.ends
    .map(
      (_e, j) => `max(day_no) filter (where slice = ${j}) as days_${j},
              max(ordered_on) filter (where slice = ${j}) as last_${j},
              sum(amount) filter (where slice = ${j} and day_no > 1) as repeat_${j},
              sum(amount) filter (where slice = ${j}) as amount_${j}${margin ? `,\n              sum(${margin}) filter (where slice = ${j}) as margin_${j}` : ''}`,
    )
    .join(',\n              ');
  const upTo = (k: number, col: string, combine: 'greatest' | 'sum') => {
    const parts = Array.from({ length: k + 1 }, (_v, j) => `p.${col}_${j}`);
    return combine === 'greatest' ? `greatest(${parts.join(', ')})` : parts.map((x) => `coalesce(${x}, 0)`).join(' + ');
  };
  const values = p.ends
    .map(
      (e, k) =>
        `(${k}, ${e}::date, ${upTo(k, 'days', 'greatest')}, ${upTo(k, 'last', 'greatest')}, ${upTo(k, 'repeat', 'sum')}, ${upTo(k, 'amount', 'sum')}, ${
          margin ? upTo(k, 'margin', 'sum') : 'null::numeric'
        })`,
    )
    .join(',\n                             ');
  return `select p.customer_id, v.k::int4 as k,
              (v.days - 1)::int4 as x,
              (v.last_day - p.first_day)::int4 as tx_days,
              (v.e - p.first_day)::int4 as t_days,
              p.first_day, v.last_day,
              v.repeat_amount,
              v.amount_sum${margin ? ',\n              v.margin_sum' : ''}
         from (select customer_id, min(ordered_on) as first_day,
              ${perSlice}
                 from (select n.*, ${slice} as slice from (${numbered}) n) sliced
                group by customer_id) p
        cross join lateral (values ${values}) v(k, e, days, last_day, repeat_amount, amount_sum, margin_sum)
        where v.days is not null`;
}

/**
 * Whether customer `c` (a row of customers) is active on `day` (kpi-definitions.md, "Customer
 * activity"), given `lastOrder`, the local date of its last completed order ≤ day (null
 * without one): acquired_on ≤ d; churned_on null or d < churned_on; INACTIVITY_DAYS = 0, or
 * a completed order dated in [d − N + 1, d], or acquired_on ≥ d − N + 1. The same expression
 * as active_s1 in customerStateSql (src/kpis/kpi.repository.ts); tests hold the two to the
 * same customers.
 */
export function activeOnSql(c: string, day: string, inactivityDays: string, lastOrder: string): string {
  return `(${c}.acquired_on <= ${day}::date and (${c}.churned_on is null or ${day}::date < ${c}.churned_on)
            and (${inactivityDays}::int = 0 or ${c}.acquired_on >= ${day}::date - (${inactivityDays}::int - 1)
                 or coalesce(${lastOrder} >= ${day}::date - (${inactivityDays}::int - 1), false)))`;
}

/**
 * Each customer's owner on each of `days` (columns owner_0, owner_1, …): the effective
 * assignment (assignments ∪ owner_agent_id on acquired_on, explicit rows winning;
 * EFFECTIVE_ASSIGNMENTS_CTE must be in scope) with the latest assigned_on ≤ day — the rule of
 * customerStateSql. (customer, assigned_on) is unique among effective assignments, so the
 * latest one is the byte-wise greatest 'YYYY-MM-DD' || agent_id: one max() per day instead of
 * a sort per customer and day. `where` restricts the customers.
 */
export function ownersOnSql(days: string[], where?: string): string {
  const cols = days.map((d, k) => `substr(max((assigned_on::text || agent_id) collate "C") filter (where assigned_on <= ${d}::date), 11) as owner_${k}`);
  return `select customer_id, ${cols.join(', ')}
            from effective_assignments${where ? ` where ${where}` : ''}
           group by customer_id`;
}

/**
 * The owner on each of `days` of customers acquired on or before that day, without expanding
 * every customer's owner_agent_id into an assignment row (ownersOnSql does; this is cheaper on
 * a whole organisation): `explicitOwnersSql` gives, per customer with rows in assignments.csv,
 * the latest explicit assignment ≤ day k (ex_on_k, ex_agent_k); `ownerOnSql` then applies the
 * implicit one — owner_agent_id on acquired_on, which an explicit row on the same day or later
 * overrides. The same rule as ownersOnSql and customerStateSql for such customers.
 */
export function explicitOwnersSql(days: string[], where?: string): string {
  const cols = days.map(
    (d, k) =>
      `max(assigned_on) filter (where assigned_on <= ${d}::date) as ex_on_${k},
              substr(max((assigned_on::text || agent_id) collate "C") filter (where assigned_on <= ${d}::date), 11) as ex_agent_${k}`,
  );
  // no row after the last day counts for any of them
  const last = days.length === 1 ? `${days[0]}::date` : `greatest(${days.map((d) => `${d}::date`).join(', ')})`;
  return `select customer_id, ${cols.join(',\n              ')}
            from assignments
           where assigned_on <= ${last}${where ? ` and ${where}` : ''}
           group by customer_id`;
}

/** See explicitOwnersSql: `ex` its row (may be null), `c` the customer's row (owner_agent_id, acquired_on ≤ day k). */
export const ownerOnSql = (ex: string, c: string, k: number) =>
  `case when ${ex}.ex_agent_${k} is not null and (${c}.owner_agent_id is null or ${ex}.ex_on_${k} >= ${c}.acquired_on) then ${ex}.ex_agent_${k} else ${c}.owner_agent_id end`;

/** Distinct (x, t_x, T) rows with their counts; t_x and T in weeks. */
export interface BgnbdGroupedRows {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  count: Float64Array;
}

/** Distinct (x, m_x) rows of customers with x > 0 and a positive repeat amount, with counts. */
export interface GammaGammaGroupedRows {
  x: Float64Array;
  mx: Float64Array;
  count: Float64Array;
}

/** Per-customer columns for scoring (one entry per customer, in no particular order). */
export interface CustomerColumns {
  n: number;
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** mean amount of the repeat purchase days (0 when x = 0) */
  mx: Float64Array;
  /** Σ effective gross margin / Σ amount; NaN when Σ amount = 0 (undefined) */
  marginRate: Float64Array;
  /** index into `agents.ids` of the owner on e; −1 when unowned (or mode 'all') */
  owner: Int32Array;
}

export interface OrgStructure {
  /** every agent id, in agent_id order (the owner indices point here) */
  agentIds: string[];
  /** each agent's current team */
  agentTeams: (string | null)[];
  /** every team id */
  teamIds: string[];
  /** team → itself and its ancestors (a team includes its descendants) */
  ancestors: Map<string, string[]>;
}

export interface CalibrationData {
  asOf: string;
  /** customers with a completed order dated ≤ e, and those with x > 0 (0 without grouped rows) */
  customers: number;
  repeatCustomers: number;
  /** null unless grouped rows were asked for */
  bgnbd: BgnbdGroupedRows | null;
  gg: GammaGammaGroupedRows | null;
  /** null unless `customers` was 'all' or 'active' */
  perCustomer: CustomerColumns | null;
  /** with `customers: 'active'`: agents and teams, from the same snapshot */
  org: OrgStructure | null;
  /** backends that shared the work */
  partitions: number;
}

export interface LoadOptions {
  /** the grouped rows the fits need: for every end, or for the ends listed */
  groups: boolean | string[];
  /**
   * per-customer columns: 'all' customers with an order ≤ e, or only those 'active' on e with
   * their owner on e (the KPI view); 'none' for neither
   */
  customers: 'none' | 'all' | 'active';
  /** DEFAULT_MARGIN_RATE as a decimal string (exact) */
  defaultMarginRate: string;
  inactivityDays: number;
  /** force the number of backends (default: 2 for a large orders table, else 1) */
  partitions?: number;
}

/** One customer's summary as of e (null fields: no completed order ≤ e). */
export interface CustomerSummaryRow {
  customerId: string;
  x: number;
  txDays: number;
  tDays: number;
  firstDay: string;
  lastDay: string;
  repeatAmount: number;
  amountSum: number;
  marginSum: number;
}

/** A customer of a drill-down page. */
export interface CustomerValueRecordRow extends CustomerSummaryRow {
  owner: string | null;
  ownerTeam: string | null;
}

export interface DrilldownCustomersQuery {
  subject: { type: SubjectType; id: string | null };
  /** e = s1 */
  asOf: string;
  defaultMarginRate: string;
  inactivityDays: number;
  /** Gamma-Gamma p and q: only customers with a finite E[M] (p·x + q − 1 > 0) and Σ amount > 0; null: every customer with an order */
  modelValue: { p: number; q: number } | null;
  after: string | null;
  limit: number;
}

/** Orders tables with fewer rows than this are summarised by one backend. */
const PARALLEL_MIN_ORDERS = 200_000;
/** At most this many summaries at once (each holds up to two pool clients). */
const MAX_CONCURRENT_LOADS = 2;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL_RE = /^\d+(\.\d+)?$/;

/** Growable per-customer columns. */
class ColumnBuilder {
  n = 0;
  private cap = 1 << 14;
  x = new Float64Array(this.cap);
  tx = new Float64Array(this.cap);
  T = new Float64Array(this.cap);
  mx = new Float64Array(this.cap);
  marginRate = new Float64Array(this.cap);
  owner = new Int32Array(this.cap);

  push(x: number, txDays: number, tDays: number, repeat: number, amount: number, margin: number, owner: number): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.x[i] = x;
    this.tx[i] = txDays / 7;
    this.T[i] = tDays / 7;
    this.mx[i] = x > 0 ? repeat / x : 0;
    this.marginRate[i] = amount > 0 ? margin / amount : Number.NaN;
    this.owner[i] = owner;
  }

  private grow(): void {
    this.cap *= 2;
    const g = <T extends Float64Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(this.cap);
      b.set(a);
      return b;
    };
    this.x = g(this.x);
    this.tx = g(this.tx);
    this.T = g(this.T);
    this.mx = g(this.mx);
    this.marginRate = g(this.marginRate);
    this.owner = g(this.owner);
  }

  columns(): CustomerColumns {
    const n = this.n;
    return {
      n,
      x: this.x.subarray(0, n),
      tx: this.tx.subarray(0, n),
      T: this.T.subarray(0, n),
      mx: this.mx.subarray(0, n),
      marginRate: this.marginRate.subarray(0, n),
      owner: this.owner.subarray(0, n),
    };
  }
}

/**
 * Adds grouped rows from several backends into one set of distinct rows, in a canonical order
 * (ascending by the packed key), so that the fits see the same rows in the same order however
 * the work was split. Keys pack whole numbers below 2^53 exactly (see the callers); a radix
 * sort of their indices (no Map, no comparator) keeps a million rows in tens of milliseconds.
 */
class GroupMerger {
  private n = 0;
  private keys = new Float64Array(1 << 12);
  private counts = new Float64Array(1 << 12);

  add(key: number, count: number): void {
    if (this.n === this.keys.length) {
      const k = new Float64Array(this.n * 2);
      k.set(this.keys);
      this.keys = k;
      const c = new Float64Array(this.n * 2);
      c.set(this.counts);
      this.counts = c;
    }
    this.keys[this.n] = key;
    this.counts[this.n++] = count;
  }

  sorted(): { keys: Float64Array; counts: Float64Array } {
    const n = this.n;
    const order = radixOrder(this.keys.subarray(0, n));
    const keys = new Float64Array(n);
    const counts = new Float64Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const j = order[i];
      const key = this.keys[j];
      if (m > 0 && keys[m - 1] === key) counts[m - 1] += this.counts[j];
      else {
        keys[m] = key;
        counts[m++] = this.counts[j];
      }
    }
    return { keys: keys.slice(0, m), counts: counts.slice(0, m) };
  }
}

/** Indices that sort `keys` (whole numbers in [0, 2^53)) ascending: LSD radix sort, 16-bit digits. */
export function radixOrder(keys: Float64Array): Int32Array {
  const n = keys.length;
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    const l = k % 4294967296;
    lo[i] = l;
    hi[i] = (k - l) / 4294967296;
  }
  let idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let tmp = new Int32Array(n);
  const count = new Uint32Array(65537);
  for (const [digits, shift] of [
    [lo, 0],
    [lo, 16],
    [hi, 0],
    [hi, 16],
  ] as const) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[((digits[idx[i]] >>> shift) & 0xffff) + 1]++;
    if (count[1] === n) continue; // every digit 0: already in order for this pass
    for (let d = 0; d < 65536; d++) count[d + 1] += count[d];
    for (let i = 0; i < n; i++) tmp[count[(digits[idx[i]] >>> shift) & 0xffff]++] = idx[i];
    const t = idx;
    idx = tmp;
    tmp = t;
  }
  return idx;
}

// BG/NBD key: x (< 2^11) · 2^40 + t_x days (< 2^20) · 2^20 + T days (< 2^20), exact below 2^53.
const BG_X_MAX = 2 ** 11;
const DAYS_MAX = 2 ** 20;
// Gamma-Gamma key: x (< 2^11) · 2^42 + repeat amount in cents (< 2^42).
const CENTS_MAX = 2 ** 42;

/**
 * The fits' grouped rows gathered from any number of partial groups (several backends, one
 * row per group each): BG/NBD (x, t_x days, T days) and Gamma-Gamma (x, repeat amount) with
 * customer counts, merged into distinct rows in the canonical order (ascending x, then t_x,
 * then T; ascending x, then repeat amount in cents) with weeks = days / 7 and m_x = cents /
 * 100 / x. Rows beyond the packable range (absurd data) take a slower, equally exact path.
 */
export class GroupedRowsBuilder {
  private readonly bg = new GroupMerger();
  private readonly gg = new GroupMerger();
  private readonly bgExtra: number[] = [];
  private readonly ggExtra: number[] = [];
  customers = 0;
  repeatCustomers = 0;

  /** n customers with x repeat purchase days, t_x and T in days. */
  addBg(x: number, txDays: number, tDays: number, n: number): void {
    this.customers += n;
    if (x > 0) this.repeatCustomers += n;
    if (x < BG_X_MAX && txDays < DAYS_MAX && tDays < DAYS_MAX) this.bg.add((x * DAYS_MAX + txDays) * DAYS_MAX + tDays, n);
    else this.bgExtra.push(x, txDays, tDays, n);
  }

  /** n repeat customers with x repeat purchase days and this repeat amount (currency units). */
  addGg(x: number, repeatAmount: number, n: number): void {
    const cents = Math.round(repeatAmount * 100);
    if (x < BG_X_MAX && cents < CENTS_MAX && Math.abs(cents - repeatAmount * 100) < 1e-3) this.gg.add(x * CENTS_MAX + cents, n);
    else this.ggExtra.push(x, repeatAmount, n);
  }

  bgnbd(): BgnbdGroupedRows {
    return this.bgExtra.length ? sortedFallbackBg(this.bg.sorted(), this.bgExtra) : unpackBg(this.bg.sorted());
  }

  gammaGamma(): GammaGammaGroupedRows {
    return this.ggExtra.length ? sortedFallbackGg(this.gg.sorted(), this.ggExtra) : unpackGg(this.gg.sorted());
  }
}

@Injectable()
export class CustomerValueRepository {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The calibration data as of one day (see loadMany). */
  async load(asOf: string, opts: LoadOptions): Promise<CalibrationData> {
    return (await this.loadMany([asOf], opts))[0];
  }

  /**
   * The calibration data as of each of `asOfs` in one consistent snapshot and one pass over
   * the orders per backend (several ends cost little more than one): grouped rows for the
   * fits and/or per-customer columns. `groups` may name the ends that need grouped rows.
   */
  async loadMany(asOfs: string[], opts: LoadOptions): Promise<CalibrationData[]> {
    for (const d of asOfs) if (!DATE_RE.test(d)) throw new RangeError(`as of must be YYYY-MM-DD, got ${d}`);
    if (asOfs.length === 0) return [];
    if (!DECIMAL_RE.test(opts.defaultMarginRate)) throw new RangeError(`default margin rate must be a decimal, got ${opts.defaultMarginRate}`);
    if (!Number.isInteger(opts.inactivityDays) || opts.inactivityDays < 0) throw new RangeError(`inactivity days must be an integer ≥ 0`);
    const ends = [...new Set(asOfs)].sort();
    const groupsFor = ends.map((e) => (typeof opts.groups === 'boolean' ? opts.groups : opts.groups.includes(e)));
    await this.acquireSlot();
    let data: CalibrationData[];
    try {
      data = await this.loadInSnapshot(ends, groupsFor, opts);
    } finally {
      this.releaseSlot();
    }
    return asOfs.map((d) => data[ends.indexOf(d)]);
  }

  private async loadInSnapshot(ends: string[], groupsFor: boolean[], opts: LoadOptions): Promise<CalibrationData[]> {
    const split = (first: PoolClient) => histogramSplitPoints(first, 'orders', 'customer_id', PARALLEL_MIN_ORDERS, opts.partitions);
    return inSharedSnapshot(this.pool, split, `set local work_mem = '256MB'`, async (first, backends) => {
      // the organisation first: owner indices refer to this agent order
      const org = opts.customers === 'active' ? await this.orgStructure(first) : null;

      const acc = ends.map(() => ({
        groups: new GroupedRowsBuilder(),
        cols: opts.customers === 'none' ? null : new ColumnBuilder(),
      }));
      // one row per customer and end: kind (3: per-customer columns wanted, 4: grouped rows
      // only), k, x, tx_days, t_days, repeat amount, Σ amount, Σ margin, owner; the grouped
      // rows are merged here (GroupedRowsBuilder) rather than by the database
      const onRow = (r: CopyRow): void => {
        const f = r.num;
        const k = f[1];
        const a = acc[k];
        if (groupsFor[k]) {
          a.groups.addBg(f[2], f[3], f[4], 1);
          if (f[2] > 0 && f[5] > 0) a.groups.addGg(f[2], f[5], 1);
        }
        if (f[0] === 3) a.cols!.push(f[2], f[3], f[4], f[5], f[6], r.isNull[7] ? Number.NaN : f[7], r.isNull[8] ? -1 : f[8]);
      };
      await Promise.all(
        backends.map(({ client: c, range }) => {
          const sql = this.calibrationSql(c, ends, groupsFor, opts, range('o.customer_id'), range('customer_id'), range('c.customer_id'));
          return copyOutBinary(c, sql, ['int4', 'int4', 'int4', 'int4', 'int4', 'float8', 'float8', 'float8', 'int4'], onRow);
        }),
      );

      return ends.map((asOf, k) => {
        const a = acc[k];
        return {
          asOf,
          customers: a.groups.customers,
          repeatCustomers: a.groups.repeatCustomers,
          bgnbd: groupsFor[k] ? a.groups.bgnbd() : null,
          gg: groupsFor[k] ? a.groups.gammaGamma() : null,
          perCustomer: a.cols ? a.cols.columns() : null,
          org,
          partitions: backends.length,
        };
      });
    });
  }

  /**
   * The statement of one backend: one row per customer and end e_k (the summary of its
   * customers), for the ends that need grouped rows and, in 'all' mode, every customer, in
   * 'active' mode the customers active on e_k, with the index (in agent_id order) of their
   * owner on e_k. Kind 3 marks the rows whose columns are wanted, kind 4 those that only feed
   * the grouped rows. Nine columns: kind, k, x, tx_days, t_days, repeat amount, Σ amount,
   * Σ margin, owner index. (Grouping in SQL would hardly group: T in days makes nearly every
   * customer distinct.) COPY takes no parameters: every value is a checked or escaped literal.
   */
  private calibrationSql(
    c: PoolClient,
    ends: string[],
    groupsFor: boolean[],
    opts: LoadOptions,
    orderFilter?: string,
    ownerFilter?: string,
    customerFilter?: string,
  ): string {
    const e = ends.map((d) => c.escapeLiteral(d));
    const rate = c.escapeLiteral(opts.defaultMarginRate);
    const withMargin = opts.customers !== 'none';
    const ctes: string[] = [];
    if (opts.customers === 'active') {
      ctes.push(`explicit as (${explicitOwnersSql(e, ownerFilter)})`);
      ctes.push(`agent_ix as (select agent_id, (row_number() over (order by agent_id) - 1)::int4 as ix from agents)`);
    }
    ctes.push(`summary as (${purchaseSummarySql({ ends: e, marginRate: withMargin ? rate : undefined, orderFilter })})`);
    const grouped = groupsFor.map((g, k) => (g ? k : -1)).filter((k) => k >= 0);
    const isGrouped = (k: string) => (grouped.length === ends.length ? 'true' : grouped.length === 0 ? 'false' : `${k} in (${grouped.join(', ')})`);
    // the expression of the row's end: `alias`.k selects it
    const pick = (alias: string, col: (k: number) => string) =>
      ends.length === 1 ? col(0) : `case ${alias}.k ${ends.map((_d, k) => `when ${k} then ${col(k)}`).join(' ')} end`;
    let sql: string;
    if (opts.customers === 'none') {
      if (grouped.length === 0) throw new Error('load: nothing asked for');
      sql = `select 4::int4, s.k, s.x, s.tx_days, s.t_days, s.repeat_amount::float8, null::float8, null::float8, null::int4
               from summary s where ${isGrouped('s.k')}`;
    } else if (opts.customers === 'all') {
      sql = `select 3::int4, s.k, s.x, s.tx_days, s.t_days, s.repeat_amount::float8, s.amount_sum::float8, s.margin_sum::float8, null::int4
               from summary s`;
    } else {
      const active = `coalesce(${pick('s', (k) => activeOnSql('c', e[k], String(opts.inactivityDays), 's.last_day'))}, false)`;
      sql = `select case when a.active then 3 else 4 end::int4, a.k, a.x, a.tx_days, a.t_days, a.repeat_amount::float8, a.amount_sum::float8, a.margin_sum::float8,
                    case when a.active then coalesce(ai.ix, -1) end
               from (select s.*, c.owner_agent_id, c.acquired_on, ${active} as active
                       from summary s join customers c on c.customer_id = s.customer_id${customerFilter ? ` where ${customerFilter}` : ''}) a
               left join explicit ex on a.active and ex.customer_id = a.customer_id
               left join agent_ix ai on a.active and ai.agent_id = ${pick('a', (k) => ownerOnSql('ex', 'a', k))}
              where a.active or ${isGrouped('a.k')}`;
    }
    return `with ${ctes.join(',\n')}\n${sql}`;
  }


  /** Agents (agent_id order), their current teams, and every team's ancestors (itself included). */
  private async orgStructure(c: PoolClient): Promise<OrgStructure> {
    const agents = await c.query<{ agent_id: string; team_id: string | null }>('select agent_id, team_id from agents order by agent_id');
    const closure = await c.query<{ ancestor: string; descendant: string }>(`with recursive ${CLOSURE_CTE} select ancestor, descendant from closure`);
    const ancestors = new Map<string, string[]>();
    for (const { ancestor, descendant } of closure.rows) {
      const list = ancestors.get(descendant);
      if (list) list.push(ancestor);
      else ancestors.set(descendant, [ancestor]);
    }
    const teams = await c.query<{ team_id: string }>('select team_id from teams order by team_id');
    return {
      agentIds: agents.rows.map((a) => a.agent_id),
      agentTeams: agents.rows.map((a) => a.team_id),
      teamIds: teams.rows.map((t) => t.team_id),
      ancestors,
    };
  }

  /** One customer's summary as of e, or null when it has no completed order dated ≤ e. */
  async customerSummary(customerId: string, asOf: string, defaultMarginRate: string): Promise<CustomerSummaryRow | null> {
    const r = await this.pool.query<SummaryDbRow>(
      `${purchaseSummarySql({ ends: ['$1'], marginRate: '$2', orderFilter: 'o.customer_id = $3' })}`,
      [asOf, defaultMarginRate, customerId],
    );
    return r.rowCount ? toSummaryRow(r.rows[0]) : null;
  }

  /**
   * A drill-down page of the subject's customers active on e and owned by the subject on e
   * (team: the owner's current team is the team or a descendant; organisation: every
   * customer) that have a completed order dated ≤ e — and, with `modelValue`, a model value
   * (Σ amount > 0 and a finite E[M]: p·x + q − 1 > 0, the test expectedAverageValue makes) —
   * by customer_id collate "C" after `after`; with the number of such customers.
   */
  async drilldownCustomers(q: DrilldownCustomersQuery): Promise<{ total: number; rows: CustomerValueRecordRow[] }> {
    const params: unknown[] = [q.asOf, q.defaultMarginRate, q.inactivityDays];
    const $ = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    let subjectAgents = '';
    let candidates = '';
    if (q.subject.type === 'agent') {
      subjectAgents = `subject_agents as (select ${$(q.subject.id)}::text as agent_id),`;
    } else if (q.subject.type === 'team') {
      subjectAgents = `subject_agents as (select a.agent_id from agents a join closure cl on cl.descendant = a.team_id where cl.ancestor = ${$(q.subject.id)}),`;
    }
    if (subjectAgents) {
      // customers ever assigned to one of the subject's agents (explicitly or as owner_agent_id):
      // the only ones the subject can own on e; found through the agent indexes
      candidates = `customer_id in (select x.customer_id from assignments x where x.agent_id in (select agent_id from subject_agents)
                                   union select y.customer_id from customers y where y.owner_agent_id in (select agent_id from subject_agents))`;
    }
    const value = q.modelValue
      ? ` and s.amount_sum > 0 and (${$(q.modelValue.p)}::float8 * s.x + ${$(q.modelValue.q)}::float8 - 1) > 0`
      : '';
    const after = q.after === null ? '' : `where customer_id collate "C" > ${$(q.after)}`;
    const limit = $(q.limit);
    const sql = `with recursive ${CLOSURE_CTE},
       ${EFFECTIVE_ASSIGNMENTS_CTE},
       ${subjectAgents}
       owners as (${ownersOnSql(['$1'], candidates || undefined)}),
       subject_customers as (
         select customer_id, owner_0 as owner from owners${subjectAgents ? ' where owner_0 in (select agent_id from subject_agents)' : ''}
       ),
       summary as (${purchaseSummarySql({
         ends: ['$1'],
         marginRate: '$2',
         orderFilter: subjectAgents ? 'o.customer_id in (select customer_id from subject_customers)' : undefined,
       })}),
       listed as materialized (
         select s.*, sc.owner, a.team_id as owner_team
           from summary s
           join customers c on c.customer_id = s.customer_id
           ${subjectAgents ? 'join' : 'left join'} subject_customers sc on sc.customer_id = s.customer_id
           left join agents a on a.agent_id = sc.owner
          where ${activeOnSql('c', '$1', '$3', 's.last_day')}${value}
       )
       select t.total, p.*
         from (select count(*)::int as total from listed) t
         left join lateral (select * from listed ${after} order by customer_id collate "C" limit ${limit}) p on true`;
    const r = await this.pool.query<SummaryDbRow & { total: number; owner: string | null; owner_team: string | null }>(sql, params);
    const total = r.rows[0]?.total ?? 0;
    const rows = r.rows.filter((x) => x.customer_id !== null).map((x) => ({ ...toSummaryRow(x), owner: x.owner, ownerTeam: x.owner_team }));
    return { total, rows };
  }

  private async acquireSlot(): Promise<void> {
    if (this.running < MAX_CONCURRENT_LOADS) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

interface SummaryDbRow {
  customer_id: string;
  x: number;
  tx_days: number;
  t_days: number;
  first_day: string;
  last_day: string;
  repeat_amount: string;
  amount_sum: string;
  margin_sum: string;
}

function toSummaryRow(r: SummaryDbRow): CustomerSummaryRow {
  return {
    customerId: r.customer_id,
    x: r.x,
    txDays: r.tx_days,
    tDays: r.t_days,
    firstDay: r.first_day,
    lastDay: r.last_day,
    repeatAmount: Number(r.repeat_amount),
    amountSum: Number(r.amount_sum),
    marginSum: Number(r.margin_sum),
  };
}


function unpackBg({ keys, counts }: { keys: Float64Array; counts: Float64Array }): BgnbdGroupedRows {
  const n = keys.length;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    const td = k % DAYS_MAX;
    const rest = (k - td) / DAYS_MAX;
    const txd = rest % DAYS_MAX;
    x[i] = (rest - txd) / DAYS_MAX;
    tx[i] = txd / 7;
    T[i] = td / 7;
  }
  return { x, tx, T, count: counts };
}

function unpackGg({ keys, counts }: { keys: Float64Array; counts: Float64Array }): GammaGammaGroupedRows {
  const n = keys.length;
  const x = new Float64Array(n);
  const mx = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    const cents = k % CENTS_MAX;
    x[i] = (k - cents) / CENTS_MAX;
    mx[i] = cents / 100 / x[i];
  }
  return { x, mx, count: counts };
}

/** Rows beyond the packable range (absurd data): merge them all and sort lexicographically. */
function sortedFallbackBg(packed: { keys: Float64Array; counts: Float64Array }, extra: number[]): BgnbdGroupedRows {
  const a = unpackBg(packed);
  const rows: [number, number, number, number][] = [];
  for (let i = 0; i < a.x.length; i++) rows.push([a.x[i], Math.round(a.tx[i] * 7), Math.round(a.T[i] * 7), a.count[i]]);
  for (let i = 0; i < extra.length; i += 4) rows.push([extra[i], extra[i + 1], extra[i + 2], extra[i + 3]]);
  const merged = new Map<string, [number, number, number, number]>();
  for (const r of rows) {
    const k = `${r[0]}|${r[1]}|${r[2]}`;
    const m = merged.get(k);
    if (m) m[3] += r[3];
    else merged.set(k, [...r]);
  }
  const list = [...merged.values()].sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
  return {
    x: Float64Array.from(list, (r) => r[0]),
    tx: Float64Array.from(list, (r) => r[1] / 7),
    T: Float64Array.from(list, (r) => r[2] / 7),
    count: Float64Array.from(list, (r) => r[3]),
  };
}

function sortedFallbackGg(packed: { keys: Float64Array; counts: Float64Array }, extra: number[]): GammaGammaGroupedRows {
  const rows: [number, number, number][] = [];
  for (let i = 0; i < packed.keys.length; i++) {
    const cents = packed.keys[i] % CENTS_MAX;
    rows.push([(packed.keys[i] - cents) / CENTS_MAX, cents / 100, packed.counts[i]]);
  }
  for (let i = 0; i < extra.length; i += 3) rows.push([extra[i], extra[i + 1], extra[i + 2]]);
  const merged = new Map<string, [number, number, number]>();
  for (const r of rows) {
    const k = `${r[0]}|${r[1]}`;
    const m = merged.get(k);
    if (m) m[2] += r[2];
    else merged.set(k, [...r]);
  }
  const list = [...merged.values()].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  return {
    x: Float64Array.from(list, (r) => r[0]),
    mx: Float64Array.from(list, (r) => r[1] / r[0]),
    count: Float64Array.from(list, (r) => r[2]),
  };
}
