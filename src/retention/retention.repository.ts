import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { PG_POOL } from '../database/database.module';
import { CLOSURE_CTE, effectiveMarginSql } from '../kpis/kpi.repository';
import { histogramSplitPoints, inSharedSnapshot } from '../database/snapshot-backends';
import { copyOutBinary, type CopyRow } from '../predictive/copy-binary';
import { activeOnSql, explicitOwnersSql, ownerOnSql, type CalibrationData } from '../predictive/customer-value.repository';
import { CalibrationRows } from './calibration-rows';

/**
 * The SQL of the early-warning list (shared/spec/retention.md, "Signals"): for every customer
 * active on day d (kpi-definitions.md, "Customer activity" — the predictive repository's
 * activeOnSql, held to the KPI engine's rule by its tests) in one statement per backend:
 *
 * - its owner on d (ownersOnSql: the effective assignment with the latest assigned_on ≤ d);
 * - its purchase summary as of d, exactly as the predictive models define it
 *   (purchaseSummarySql in src/predictive/customer-value.repository.ts: purchase days = the
 *   distinct local dates of completed orders ≤ d; x = days − 1; t_x, T in days; repeat amount
 *   = Σ amount after the first purchase day; Σ amount; Σ effective margin) — the tests hold
 *   the two to the same numbers;
 * - purchase days in (d − 90, d] and in (d − 455, d − 90]: with dense_rank() numbering the
 *   purchase days 1, 2, … in date order, the days ≤ a date are the greatest number ≤ it, so
 *   the days of a window are a difference of two filtered maxima (no second pass, no sort);
 * - tickets, complaint tickets and surveys by window: (d − 90, d] and (d − 180, d − 90] on the
 *   local date of opened_at / responded_at (instants from local midnight of d − 89, resp.
 *   d − 179, to local midnight of d + 1), complaint tickets in (d − 365, d], and the surveys of
 *   (d − 90, d] with csat ≤ 2 or nps ≤ 6 with their lowest csat and nps.
 *
 * Tickets and surveys count for the customer whoever handled them. Results travel as binary
 * COPY (src/predictive/copy-binary.ts); the organisation-wide list is split between two
 * backends by customer id (one exported snapshot, so both see the same data).
 */

/** Which customers to compute: everyone, one agent's or one team's (owner on d), or given ids. */
export type RiskSubject = { type: 'org' } | { type: 'agent'; id: string } | { type: 'team'; id: string } | { type: 'customers'; ids: string[] };

export interface RiskQuery {
  asOf: string;
  orgTimezone: string;
  inactivityDays: number;
  /** DEFAULT_MARGIN_RATE as a decimal string (exact) */
  defaultMarginRate: string;
  subject: RiskSubject;
  /** force the number of backends (default: 2 for the organisation on a large table, else 1) */
  partitions?: number;
  /** also gather the predictive models' grouped rows as of d (organisation only) */
  groups?: boolean;
}

export interface RiskLoad {
  cols: RiskColumns;
  /** the fits' input as of d from the same pass (with `groups`), else null */
  calibration: CalibrationData | null;
  partitions: number;
}

/** Per-customer columns of the customers active on d (one entry per customer, in no particular order). */
export interface RiskColumns {
  n: number;
  ids: string[];
  /** owner on d (null: unowned) */
  owner: (string | null)[];
  /** 1 when the customer has a completed order dated ≤ d */
  hasOrders: Uint8Array;
  /** the predictive summary (0 without orders): x, t_x and T in weeks, m_x, margin rate (NaN when Σ amount = 0) */
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  mx: Float64Array;
  marginRate: Float64Array;
  /** local date of the last completed order ≤ d */
  lastPurchaseOn: (string | null)[];
  purchaseDaysRecent: Int32Array;
  purchaseDaysBefore: Int32Array;
  complaintsRecent: Int32Array;
  complaintsEarlier: Int32Array;
  complaintsYear: Int32Array;
  ticketsRecent: Int32Array;
  ticketsEarlier: Int32Array;
  surveysRecent: Int32Array;
  surveysEarlier: Int32Array;
  unhappySurveys: Int32Array;
  /** NaN when null */
  unhappyMinCsat: Float64Array;
  unhappyMinNps: Float64Array;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL_RE = /^\d+(\.\d+)?$/;
/** Customers tables with fewer rows than this are listed by one backend. */
const PARALLEL_MIN_CUSTOMERS = 200_000;

const COLUMN_TYPES = [
  'int4', // 0 kind: 3 a customer row; 1 a BG/NBD group (x + 1, tx_days, t_days, n); 2 a Gamma-Gamma group (x + 1, repeat amount, n)
  'text', // 1 customer_id
  'text', // 2 owner
  'int4', // 3 days (purchase days ≤ d; null: no orders)
  'int4', // 4 days_to_90
  'int4', // 5 days_to_455
  'int4', // 6 tx_days
  'int4', // 7 t_days
  'text', // 8 last_day
  'float8', // 9 repeat_amount
  'float8', // 10 amount_sum (groups: the number of customers)
  'float8', // 11 margin_sum
  'int4', // 12 tickets_recent
  'int4', // 13 tickets_earlier
  'int4', // 14 complaints_recent
  'int4', // 15 complaints_earlier
  'int4', // 16 complaints_year
  'int4', // 17 surveys_recent
  'int4', // 18 surveys_earlier
  'int4', // 19 unhappy
  'int4', // 20 unhappy_min_csat
  'int4', // 21 unhappy_min_nps
] as const;

/** Growable columns. */
class RiskColumnBuilder {
  n = 0;
  private cap = 1 << 12;
  ids: string[] = [];
  owner: (string | null)[] = [];
  lastPurchaseOn: (string | null)[] = [];
  hasOrders = new Uint8Array(this.cap);
  f64 = Array.from({ length: 7 }, () => new Float64Array(this.cap)); // x, tx, T, mx, marginRate, minCsat, minNps
  i32 = Array.from({ length: 12 }, () => new Int32Array(this.cap));

  push(r: CopyRow): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    const f = r.num;
    this.ids.push(r.text[1] as string);
    this.owner.push(r.text[2]);
    this.lastPurchaseOn.push(r.text[8]);
    const has = r.isNull[3] === 0;
    this.hasOrders[i] = has ? 1 : 0;
    const [x, tx, T, mx, mr, minCsat, minNps] = this.f64;
    if (has) {
      // exactly as the predictive repository forms its columns: weeks = days / 7, m_x = repeat amount / x
      const xi = f[3] - 1;
      x[i] = xi;
      tx[i] = f[6] / 7;
      T[i] = f[7] / 7;
      mx[i] = xi > 0 ? f[9] / xi : 0;
      mr[i] = f[10] > 0 ? f[11] / f[10] : Number.NaN;
    } else {
      x[i] = 0;
      tx[i] = 0;
      T[i] = 0;
      mx[i] = 0;
      mr[i] = Number.NaN;
    }
    minCsat[i] = f[20];
    minNps[i] = f[21];
    const c = this.i32;
    c[0][i] = has ? f[3] - f[4] : 0; // purchase days in (d − 90, d]
    c[1][i] = has ? f[4] - f[5] : 0; // purchase days in (d − 455, d − 90]
    c[2][i] = f[14];
    c[3][i] = f[15];
    c[4][i] = f[16];
    c[5][i] = f[12];
    c[6][i] = f[13];
    c[7][i] = f[17];
    c[8][i] = f[18];
    c[9][i] = f[19];
  }

  private grow(): void {
    this.cap *= 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(this.cap);
      b.set(a);
      return b;
    };
    this.hasOrders = g(this.hasOrders);
    this.f64 = this.f64.map(g);
    this.i32 = this.i32.map(g);
  }

  columns(): RiskColumns {
    const n = this.n;
    const f = this.f64.map((a) => a.subarray(0, n));
    const c = this.i32.map((a) => a.subarray(0, n));
    return {
      n,
      ids: this.ids,
      owner: this.owner,
      hasOrders: this.hasOrders.subarray(0, n),
      x: f[0],
      tx: f[1],
      T: f[2],
      mx: f[3],
      marginRate: f[4],
      unhappyMinCsat: f[5],
      unhappyMinNps: f[6],
      lastPurchaseOn: this.lastPurchaseOn,
      purchaseDaysRecent: c[0],
      purchaseDaysBefore: c[1],
      complaintsRecent: c[2],
      complaintsEarlier: c[3],
      complaintsYear: c[4],
      ticketsRecent: c[5],
      ticketsEarlier: c[6],
      surveysRecent: c[7],
      surveysEarlier: c[8],
      unhappySurveys: c[9],
    };
  }
}

/** Literals of one statement (COPY takes no parameters: every value is checked or escaped). */
interface Literals {
  d: string;
  n: string;
  rate: string;
  /** instants: local midnight of d − 89, d − 179, d − 364 and d + 1 */
  recent: string;
  earlier: string;
  year: string;
  end: string;
}

/**
 * The per-customer statement. `customerIn` restricts the customers (a set of customer ids as
 * SQL); `range` splits them between backends; `ownerIn` keeps those whose owner on d is in a
 * set of agent ids (SQL).
 */
export function riskCountsSql(l: Literals, opts: { customerIn?: string; range?: (col: string) => string | undefined; ownerIn?: string; withClosure?: boolean; groups?: boolean }): string {
  const only = (col: string): string => {
    const conds = [opts.customerIn ? `${col} in (${opts.customerIn})` : null, opts.range?.(col) ?? null].filter((x) => x);
    return conds.length ? ` and ${conds.join(' and ')}` : '';
  };
  const ownerWhere = only('customer_id').replace(/^ and /, '');
  return `with ${opts.withClosure ? `recursive ${CLOSURE_CTE},\n` : ''}
       -- the latest explicit assignment ≤ d; the owner on d is it, or owner_agent_id (an
       -- assignment on acquired_on, which an explicit row on the same day overrides) when that
       -- is later — the rule of ownersOnSql / customerStateSql, without expanding every
       -- customer's owner_agent_id into a row (an active customer has acquired_on ≤ d)
       explicit as (${explicitOwnersSql([l.d], ownerWhere || undefined)}),
       -- purchase days numbered 1, 2, … in date order (same-day orders are one purchase day)
       numbered as (
         select o.customer_id, o.ordered_on, o.amount, o.gross_margin,
                dense_rank() over (partition by o.customer_id order by o.ordered_on) as day_no
           from orders o
          where o.status = 'completed' and o.ordered_on <= ${l.d}::date${only('o.customer_id')}
       ),
       purchases as ${opts.groups ? 'materialized ' : ''}(
         select customer_id,
                max(day_no)::int4 as days,
                -- purchase days ≤ d − 90 and ≤ d − 455: the windows are differences of these
                coalesce(max(day_no) filter (where ordered_on <= ${l.d}::date - 90), 0)::int4 as days_to_90,
                coalesce(max(day_no) filter (where ordered_on <= ${l.d}::date - 455), 0)::int4 as days_to_455,
                (max(ordered_on) - min(ordered_on))::int4 as tx_days,
                (${l.d}::date - min(ordered_on))::int4 as t_days,
                max(ordered_on) as last_day,
                coalesce(sum(amount) filter (where day_no > 1), 0) as repeat_amount,
                sum(amount) as amount_sum,
                sum(${effectiveMarginSql(l.rate)}) as margin_sum
           from numbered
          group by customer_id
       ),
       -- tickets by the local date of opened_at: recent (d − 90, d], earlier (d − 180, d − 90], year (d − 365, d]
       tk as (
         select customer_id,
                count(*) filter (where opened_at >= ${l.recent}::timestamptz)::int4 as tickets_recent,
                count(*) filter (where opened_at >= ${l.earlier}::timestamptz and opened_at < ${l.recent}::timestamptz)::int4 as tickets_earlier,
                count(*) filter (where is_complaint and opened_at >= ${l.recent}::timestamptz)::int4 as complaints_recent,
                count(*) filter (where is_complaint and opened_at >= ${l.earlier}::timestamptz and opened_at < ${l.recent}::timestamptz)::int4 as complaints_earlier,
                count(*) filter (where is_complaint)::int4 as complaints_year
           from tickets
          where opened_at >= least(${l.year}::timestamptz, ${l.earlier}::timestamptz) and opened_at < ${l.end}::timestamptz${only('customer_id')}
          group by customer_id
       ),
       -- surveys by the local date of responded_at; unhappy: csat ≤ 2 or nps ≤ 6 in the recent window
       sv as (
         select customer_id,
                count(*) filter (where responded_at >= ${l.recent}::timestamptz)::int4 as surveys_recent,
                count(*) filter (where responded_at < ${l.recent}::timestamptz)::int4 as surveys_earlier,
                count(*) filter (where responded_at >= ${l.recent}::timestamptz and (csat <= 2 or nps <= 6))::int4 as unhappy,
                min(csat) filter (where responded_at >= ${l.recent}::timestamptz and (csat <= 2 or nps <= 6))::int4 as unhappy_min_csat,
                min(nps) filter (where responded_at >= ${l.recent}::timestamptz and (csat <= 2 or nps <= 6))::int4 as unhappy_min_nps
           from surveys
          where responded_at >= ${l.earlier}::timestamptz and responded_at < ${l.end}::timestamptz${only('customer_id')}
          group by customer_id
       )
       select 3::int4 as kind, c.customer_id::text,
              (${ownerOnSql('ex', 'c', 0)})::text as owner,
              p.days, p.days_to_90, p.days_to_455, p.tx_days, p.t_days, p.last_day::text,
              p.repeat_amount::float8, p.amount_sum::float8, p.margin_sum::float8,
              coalesce(tk.tickets_recent, 0), coalesce(tk.tickets_earlier, 0),
              coalesce(tk.complaints_recent, 0), coalesce(tk.complaints_earlier, 0), coalesce(tk.complaints_year, 0),
              coalesce(sv.surveys_recent, 0), coalesce(sv.surveys_earlier, 0), coalesce(sv.unhappy, 0),
              sv.unhappy_min_csat, sv.unhappy_min_nps
         from customers c
         left join purchases p on p.customer_id = c.customer_id
         left join explicit ex on ex.customer_id = c.customer_id
         left join tk on tk.customer_id = c.customer_id
         left join sv on sv.customer_id = c.customer_id
        where ${activeOnSql('c', l.d, l.n, 'p.last_day')}${only('c.customer_id')}${
          opts.ownerIn
            ? ` and (${ownerOnSql('ex', 'c', 0)}) in (${opts.ownerIn})`
            : ''
        }${
          opts.groups
            ? `
       -- the models' grouped rows over every customer with a completed order ≤ d (churned and
       -- inactive ones too): distinct (x, t_x, T) and, for x > 0 with a positive repeat
       -- amount, distinct (x, repeat amount), with their counts
       union all
       select 1, null, null, days, null, null, tx_days, t_days, null, null, count(*)::float8, null,
              null, null, null, null, null, null, null, null, null, null
         from purchases group by days, tx_days, t_days
       union all
       select 2, null, null, days, null, null, null, null, null, repeat_amount::float8, count(*)::float8, null,
              null, null, null, null, null, null, null, null, null, null
         from purchases where days > 1 and repeat_amount > 0 group by days, repeat_amount`
            : ''
        }`;
}

@Injectable()
export class RetentionRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The customers active on `asOf` (of the subject) with their risk inputs, in one snapshot. */
  async riskColumns(q: RiskQuery): Promise<RiskLoad> {
    if (!DATE_RE.test(q.asOf)) throw new RangeError(`as of must be YYYY-MM-DD, got ${q.asOf}`);
    if (!DECIMAL_RE.test(q.defaultMarginRate)) throw new RangeError(`default margin rate must be a decimal, got ${q.defaultMarginRate}`);
    if (!Number.isInteger(q.inactivityDays) || q.inactivityDays < 0) throw new RangeError('inactivity days must be an integer ≥ 0');
    const split = (first: PoolClient) =>
      q.subject.type === 'org' ? histogramSplitPoints(first, 'customers', 'customer_id', PARALLEL_MIN_CUSTOMERS, q.partitions) : Promise.resolve([]);
    // JIT compiles this statement's expressions for longer than they run
    return inSharedSnapshot(this.pool, split, `set local work_mem = '256MB'; set local jit = off`, async (first, backends) => {
      const e = (v: string) => first.escapeLiteral(v);
      const b = await first.query<{ recent: string; earlier: string; year: string; end: string }>(
        `select ((($1::date - 89)::timestamp) at time zone $2::text)::text as recent,
                ((($1::date - 179)::timestamp) at time zone $2::text)::text as earlier,
                ((($1::date - 364)::timestamp) at time zone $2::text)::text as year,
                ((($1::date + 1)::timestamp) at time zone $2::text)::text as end`,
        [q.asOf, q.orgTimezone],
      );
      const i = b.rows[0];
      const lits: Literals = {
        d: e(q.asOf),
        n: String(q.inactivityDays),
        rate: e(q.defaultMarginRate),
        recent: e(i.recent),
        earlier: e(i.earlier),
        year: e(i.year),
        end: e(i.end),
      };
      const s = q.subject;
      let customerIn: string | undefined;
      let ownerIn: string | undefined;
      let withClosure = false;
      if (s.type === 'customers') {
        customerIn = s.ids.length ? s.ids.map(e).join(', ') : 'null';
      } else if (s.type === 'agent' || s.type === 'team') {
        // the subject's agents; customers ever assigned to one of them (explicitly or as
        // owner_agent_id) are the only ones it can own on d — found through the agent indexes
        const agents =
          s.type === 'agent' ? e(s.id) : `select a.agent_id from agents a join closure cl on cl.descendant = a.team_id where cl.ancestor = ${e(s.id)}`;
        withClosure = s.type === 'team';
        ownerIn = agents;
        customerIn = `select x.customer_id from assignments x where x.agent_id in (${agents})
                      union select y.customer_id from customers y where y.owner_agent_id in (${agents})`;
      }
      const builder = new RiskColumnBuilder();
      const groups = q.groups && s.type === 'org' ? new CalibrationRows() : null;
      const onRow = (r: CopyRow): void => {
        const kind = r.num[0];
        if (kind === 3) builder.push(r);
        else if (kind === 1) groups!.addBg(r.num[3], r.num[6], r.num[7], r.num[10]);
        else groups!.addGg(r.num[3], r.num[9], r.num[10]);
      };
      await Promise.all(
        backends.map(({ client: c, range }) => {
          const sql = riskCountsSql(lits, { customerIn, ownerIn, withClosure, groups: !!groups, range: backends.length > 1 ? range : undefined });
          return copyOutBinary(c, sql, COLUMN_TYPES, onRow);
        }),
      );
      return { cols: builder.columns(), calibration: groups ? groups.data(q.asOf, backends.length) : null, partitions: backends.length };
    });
  }

}

