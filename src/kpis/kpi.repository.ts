import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { PG_POOL } from '../database/database.module';
import type {
  FirstResponseStats as FirstResponsePercentiles,
  PortfolioCounts as PortfolioAggregates,
  ServiceCounts as ServiceAggregates,
  SurveyCounts as SurveyAggregates,
  TrainingSums as TrainingAggregates,
} from './domain/kpi-measures';

/**
 * The set-based SQL of the KPI engine (shared/spec/kpi-definitions.md). One period is
 * computed for every agent, every team (descendants included) and the organisation in a
 * handful of statements; nothing here loops over subjects.
 *
 * Every statement returns *additive* aggregates (counts and sums) per base subject; team
 * values are rolled up through the team closure (a team includes all its descendants).
 * Percentiles, which do not add up, are computed per subject directly. Turning counts into
 * percentages and means is the domain code's job (src/kpis/domain/kpi-value.ts).
 */

export interface PeriodWindow {
  /** first local day of P */
  firstDay: string;
  /** s0: the last local day before P */
  s0: string;
  /** s1: the last local day of P */
  s1: string;
  /** first local day of the next month (p1's day) */
  nextFirstDay: string;
}

export interface KpiSettings {
  orgTimezone: string;
  inactivityDays: number;
  /** kept exact: passed to PostgreSQL as text and used as numeric */
  defaultMarginRate: string;
  slaFirstResponseMinutes: number;
  slaResolutionHours: number;
}

export type SubjectType = 'agent' | 'team' | 'org';
/** 'agent:A1', 'team:T1', 'org:' */
export type SubjectKey = `${SubjectType}:${string}`;
export const subjectKey = (type: SubjectType, id: string | null): SubjectKey => `${type}:${id ?? ''}`;

export interface PeriodAggregates {
  /** every subject of the organisation: all agents, all teams, and the org */
  subjects: { type: SubjectType; id: string | null; name: string | null; teamId: string | null; hiredOn: string | null; leftOn: string | null }[];
  portfolio: Map<SubjectKey, PortfolioAggregates>;
  service: Map<SubjectKey, ServiceAggregates>;
  firstResponse: Map<SubjectKey, FirstResponsePercentiles>;
  surveys: Map<SubjectKey, SurveyAggregates>;
  training: Map<SubjectKey, TrainingAggregates>;
}

// ---------------------------------------------------------------------------------------
// SQL fragments of the rules, shared with the drill-down (src/kpis/drilldown.repository.ts)
// so that the records behind a number are selected by exactly the SQL that counted them.
// Functions take SQL expressions (usually bare placeholders such as '$2') and cast them.

/** A team's closure: every (ancestor, descendant) pair, each team its own ancestor (needs `with recursive`). */
export const CLOSURE_CTE = `
  closure(ancestor, descendant) as (
    select team_id, team_id from teams
    union all
    select c.ancestor, t.team_id from closure c join teams t on t.parent_team_id = c.descendant
  )`;

/**
 * P = [p0, p1): local midnight of P's first day and of the next month's, in ORG_TIMEZONE.
 * Parameters: $1 first day of P, $2 first day of the next month, $3 ORG_TIMEZONE.
 */
export const PERIOD_INSTANTS_SQL = `select (($1::date)::timestamp at time zone $3::text)::text as p0, (($2::date)::timestamp at time zone $3::text)::text as p1`;

/** p0 and p1, the period's instants (computed once per period, passed as $1 and $2). */
const P0 = `$1::timestamptz`;
const P1 = `$2::timestamptz`;

/**
 * Ownership history: every assignments.csv row, plus `owner_agent_id` as an assignment on
 * `acquired_on` unless assignments.csv has a row for the same (customer, day) — explicit wins.
 */
export const EFFECTIVE_ASSIGNMENTS_CTE = `effective_assignments as (
         select customer_id, assigned_on, agent_id from assignments
         union all
         select c.customer_id, c.acquired_on, c.owner_agent_id from customers c
          where c.owner_agent_id is not null
            and not exists (select 1 from assignments a where a.customer_id = c.customer_id and a.assigned_on = c.acquired_on)
       )`;

/** SQL expressions (placeholders) of the per-customer state's inputs. */
export interface CustomerStateParams {
  /** first local day of P (date) */
  firstDay: string;
  /** s0 (date) */
  s0: string;
  /** s1 (date) */
  s1: string;
  /** DEFAULT_MARGIN_RATE (text, used as numeric) */
  defaultMarginRate: string;
  /** INACTIVITY_DAYS (int; 0 disables) */
  inactivityDays: string;
}

/**
 * Gross margin of an order (columns of `orders`, optionally qualified by `alias`): the
 * recorded one, else amount × DEFAULT_MARGIN_RATE, kept exact.
 */
export const effectiveMarginSql = (rate: string, alias?: string) => {
  const q = alias ? `${alias}.` : '';
  return `coalesce(${q}gross_margin, ${q}amount * ${rate}::numeric)`;
};

/** SQL expressions (placeholders) of one period's days in the per-customer state. */
export interface PeriodDaysParams {
  /** first local day of P (date) */
  firstDay: string;
  /** s0 (date) */
  s0: string;
  /** s1 (date) */
  s1: string;
}

/**
 * One row per customer: its owner on s0 and on s1 (the effective assignment with the latest
 * assigned_on ≤ day), whether it is active on s0 and on s1, and its completed-order figures
 * up to s1 (dated = local date of ordered_at, i.e. ordered_on). With `detail`, the columns
 * the drill-down shows are added (acquired_on, churned_on, last_order_s0, last_order_s1,
 * first_order_in_p, last_order_before_p0); the engine's rows are the same either way.
 */
export function customerStateSql(p: CustomerStateParams, opts: { detail?: boolean } = {}): string {
  return customerStatesSql([p], p, opts);
}

/**
 * customerStateSql for several periods at once, in one pass over the orders: one row per
 * customer and period, `k` = the period's index in `periods`. The periods must be distinct and
 * in ascending order (each s1 before the next), so that every order falls in one slice
 * (s1 of period k − 1, s1 of period k] and the margin up to s1_k adds up the slices up to k
 * (each order's margin is added once, not once per period). The orders come grouped by
 * customer in the order of orders_customer_day_idx; the caller should let PostgreSQL
 * aggregate them in that order (no hash table of a million customers).
 */
export function customerStatesSql(periods: PeriodDaysParams[], shared: Pick<CustomerStateParams, 'defaultMarginRate' | 'inactivityDays'>, opts: { detail?: boolean } = {}): string {
  const n = periods.length;
  if (n === 0) throw new RangeError('customerStatesSql: no period');
  const d = !!opts.detail;
  if (d && n > 1) throw new RangeError('customerStatesSql: the drill-down columns are for one period');
  const margin = effectiveMarginSql(shared.defaultMarginRate);
  const days = 'ordered_on';
  const inP = (q: PeriodDaysParams) => `${days} >= ${q.firstDay}::date and ${days} <= ${q.s1}::date`;
  // the latest explicit assignment ≤ day as 'YYYY-MM-DD' || agent_id: (customer, assigned_on) is
  // unique, so the byte-wise greatest is the latest assignment (no sort per customer)
  const latestExplicit = (day: string) => `max((to_char(assigned_on, 'YYYY-MM-DD') || agent_id) collate "C") filter (where assigned_on <= ${day}::date)`;
  const explicitCols = periods.flatMap((q, k) => [`${latestExplicit(q.s0)} as ex_s0_${k}`, `${latestExplicit(q.s1)} as ex_s1_${k}`]);
  const orderCols = [
    // ordered_before_p0 = the first completed order ≤ s1 is before P's first day: min over all is the same test
    `min(${days}) as first_order`,
    ...periods.flatMap((q, k) => [
      `max(${days}) filter (where ${days} <= ${q.s0}::date) as last_s0_${k}`,
      `max(${days}) filter (where ${days} <= ${q.s1}::date) as last_s1_${k}`,
      `count(*) filter (where ${inP(q)}) as orders_${k}`,
      `sum(amount) filter (where ${inP(q)}) as revenue_${k}`,
      `sum(${margin}) filter (where ${inP(q)}) as margin_p_${k}`,
      // the slice (s1 of period k − 1, s1 of period k]
      `sum(${margin}) filter (where ${k > 0 ? `${days} > ${periods[k - 1].s1}::date and ` : ''}${days} <= ${q.s1}::date) as margin_slice_${k}`,
    ]),
    ...(d
      ? [`min(${days}) filter (where ${inP(periods[0])}) as first_order_in_p`, `max(${days}) filter (where ${days} < ${periods[0].firstDay}::date) as last_order_before_p0`]
      : []),
  ];
  const marginTotal = (k: number) => Array.from({ length: k + 1 }, (_v, j) => `coalesce(x.margin_slice_${j}, 0)`).join(' + ');
  // explicit wins when it is at least as recent as the implicit assignment (owner_agent_id on acquired_on; same day: explicit wins)
  const owner = (ex: string, day: string) =>
    `case when ${ex} is not null and (c.owner_agent_id is null or c.acquired_on > ${day} or left(${ex}, 10)::date >= c.acquired_on) then substr(${ex}, 11)
                   when c.owner_agent_id is not null and c.acquired_on <= ${day} then c.owner_agent_id end`;
  const active = (day: string, lastOrder: string) =>
    `(c.acquired_on <= ${day} and (c.churned_on is null or ${day} < c.churned_on)
                 and (${shared.inactivityDays}::int = 0 or c.acquired_on >= ${day} - (${shared.inactivityDays}::int - 1) or coalesce(${lastOrder} >= ${day} - (${shared.inactivityDays}::int - 1), false)))`;
  // one select per period over the same two (then materialised) CTEs: cheaper than a lateral
  // VALUES list of the periods joined to every customer
  const branch = (q: PeriodDaysParams, k: number) => {
    const s0 = `${q.s0}::date`;
    const s1 = `${q.s1}::date`;
    return `select ${k}::int as k, c.customer_id,
              ${owner(`e.ex_s0_${k}`, s0)} as owner_s0,
              ${owner(`e.ex_s1_${k}`, s1)} as owner_s1,
              ${active(s0, `x.last_s0_${k}`)} as active_s0,
              ${active(s1, `x.last_s1_${k}`)} as active_s1,
              coalesce(x.orders_${k}, 0) as orders_in_p,
              coalesce(x.first_order < ${q.firstDay}::date, false) as ordered_before_p0,
              coalesce(x.revenue_${k}, 0) as revenue_p,
              coalesce(x.margin_p_${k}, 0) as margin_p,
              ${marginTotal(k)} as margin_total,
              null::boolean as churn_controllable${
                d
                  ? `,
              c.acquired_on, c.churned_on, x.last_s0_${k} as last_order_s0, x.last_s1_${k} as last_order_s1, x.first_order_in_p, x.last_order_before_p0`
                  : ''
              }
         from customers c
         left join explicit e on e.customer_id = c.customer_id
         left join completed x on x.customer_id = c.customer_id`;
  };
  return `with explicit as (
         -- the owner as of s0 and s1 from assignments.csv alone (latest assigned_on ≤ s); the implicit
         -- assignment (owner_agent_id on acquired_on) is applied per customer below, which gives the
         -- owner of EFFECTIVE_ASSIGNMENTS_CTE without materialising the union
         select customer_id, ${explicitCols.join(',\n                ')}
           from assignments group by customer_id
       ),
       -- only completed orders count anywhere; "dated" = local date of ordered_at (ordered_on)
       completed as (
         select customer_id,
                ${orderCols.join(',\n                ')}
           from orders
          where status = 'completed' and ${days} <= ${periods[n - 1].s1}::date
          group by customer_id
       )
       ${periods.map(branch).join('\n        union all\n       ')}`;
}

/**
 * churn_controllable_share's inferred reason: for each customer of `customers` (a relation
 * with customer_id, active_s0, active_s1) lost in P (active on s0, not on s1), its last
 * complaint ticket opened before p1 (latest opened_at; on a tie the greater ticket_id as a
 * string). The reason is that ticket's complaint_controllable (null: unknown).
 */
export function lastComplaintOfLostSql(customers: string, p1: string): string {
  // one backward probe of tickets_customer_opened_idx per lost customer (a handful of rows each),
  // not a sort of every complaint ticket of the organisation
  return `select lost.customer_id, t.ticket_id, t.opened_at, t.complaint_controllable
             from ${customers} lost
             cross join lateral (
               select t.ticket_id, t.opened_at, t.complaint_controllable
                 from tickets t
                where t.customer_id = lost.customer_id and t.is_complaint and t.opened_at < ${p1}
                order by t.opened_at desc, t.ticket_id collate "C" desc
                limit 1
             ) t
            where lost.active_s0 and not lost.active_s1`;
}

/** The team a ticket `t` (joined to its agent `a`) counts for: its team_id, default the agent's current team. */
export const TICKET_TEAM_SQL = `coalesce(t.team_id, a.team_id)`;

/**
 * The tickets of Res ∪ Op (instants, p0 ≤ t < p1), each with the team it counts for
 * (base_team) and whether it is in Res (in_res) and in Op (in_op). Tickets of unknown agents
 * count nowhere.
 */
export function periodTicketsSql(p0: string, p1: string): string {
  return `select t.*, ${TICKET_TEAM_SQL} as base_team,
                (t.resolved_at >= ${p0} and t.resolved_at < ${p1}) as in_res,
                (t.opened_at >= ${p0} and t.opened_at < ${p1}) as in_op
           from tickets t join agents a on a.agent_id = t.agent_id
          where (t.resolved_at >= ${p0} and t.resolved_at < ${p1}) or (t.opened_at >= ${p0} and t.opened_at < ${p1})`;
}

/** first_contact_resolution's numerator, over a ticket `t`: contact_count = 1 and not reopened. */
export const FIRST_CONTACT_RESOLVED_SQL = `t.contact_count = 1 and not t.reopened`;

/** resolution_sla_rate's numerator, over a ticket `t`: resolved_at − opened_at ≤ SLA_RESOLUTION_HOURS (inclusive). */
export const resolvedWithinSlaSql = (hours: string) => `t.resolved_at - t.opened_at <= make_interval(secs => ${hours}::float8 * 3600)`;

/** first_response_sla_rate's numerator, over a ticket `t`: answered within SLA_FIRST_RESPONSE_MINUTES (never answered misses). */
export const firstResponseWithinSlaSql = (minutes: string) =>
  `t.first_response_at is not null
                                   and t.first_response_at - t.opened_at <= make_interval(secs => ${minutes}::float8 * 60)`;

/** Minutes from opening to first response of a ticket `t` (fractional; numeric). */
export const FIRST_RESPONSE_MINUTES_SQL = `extract(epoch from (t.first_response_at - t.opened_at)) / 60.0`;

/**
 * Surveys with responded_at in P (instants), each with the team it counts for (base_team):
 * the linked ticket's team_id, or when that is empty the current team of the ticket's agent;
 * without a ticket, the survey agent's current team. Surveys of unknown agents count nowhere.
 */
export function periodSurveysSql(p0: string, p1: string): string {
  return `select sv.*, case when sv.ticket_id is not null then coalesce(tk.team_id, ta.team_id) else sa.team_id end as base_team
             from surveys sv
             join agents sa on sa.agent_id = sv.agent_id
             left join tickets tk on tk.ticket_id = sv.ticket_id
             left join agents ta on ta.agent_id = tk.agent_id
            where sv.responded_at >= ${p0} and sv.responded_at < ${p1}`;
}

/** Training `tr` completed in P: completed_on (a local date) from P's first day to s1. */
export const trainingInPeriodSql = (firstDay: string, s1: string) => `tr.completed_on >= ${firstDay}::date and tr.completed_on <= ${s1}::date`;

function rowsToMap<T>(rows: (T & { subject_type: SubjectType; subject_id: string | null })[]): Map<SubjectKey, T> {
  const map = new Map<SubjectKey, T>();
  for (const r of rows) {
    const { subject_type, subject_id, ...rest } = r;
    map.set(subjectKey(subject_type, subject_id), rest as unknown as T);
  }
  return map;
}

@Injectable()
export class KpiRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Runs every aggregate statement of one period in one snapshot. */
  async aggregatePeriod(w: PeriodWindow, s: KpiSettings): Promise<PeriodAggregates> {
    return (await this.aggregatePeriods([w], s))[0];
  }

  /**
   * Every aggregate statement of several periods (a period and its trend periods) in one
   * snapshot: the per-customer state of all of them in one pass over the orders on one
   * connection, and each period's ticket, survey and training statements on a connection of
   * its own that imports the same snapshot, meanwhile.
   */
  async aggregatePeriods(windows: PeriodWindow[], s: KpiSettings): Promise<PeriodAggregates[]> {
    // distinct periods in ascending order (customerStatesSql's slices need it)
    const sorted = [...new Map(windows.map((w) => [w.firstDay, w])).values()].sort((a, b) => (a.firstDay < b.firstDay ? -1 : 1));
    const main = await this.pool.connect();
    const others: PoolClient[] = [];
    let open = false;
    try {
      await main.query('begin isolation level repeatable read');
      open = true;
      await main.query("set local work_mem = '64MB'");
      // P = [p0, p1): local midnight of P's first day and of the next month's, in ORG_TIMEZONE
      const instants: string[][] = [];
      for (const w of sorted) {
        const b = await main.query<{ p0: string; p1: string }>(PERIOD_INSTANTS_SQL, [w.firstDay, w.nextFirstDay, s.orgTimezone]);
        instants.push([b.rows[0].p0, b.rows[0].p1]);
      }
      const snapshot = (await main.query<{ s: string }>('select pg_export_snapshot() as s')).rows[0].s;
      const perPeriod = sorted.map(async () => {
        const c = await this.pool.connect();
        others.push(c);
        await c.query('begin isolation level repeatable read read only');
        await c.query(`set transaction snapshot ${c.escapeLiteral(snapshot)}`);
        // a month's tickets and surveys are a few hundred thousand rows: compiling the
        // statements (JIT, ~0.3-0.5 s each) costs more than it saves there
        await c.query("set local work_mem = '64MB'; set local jit = off");
        return c;
      });
      // every importer has the snapshot before the exporting transaction moves on
      const clients = await Promise.all(perPeriod);
      const rest = Promise.all(
        sorted.map(async (w, k) => {
          const c = clients[k];
          const service = await this.service(c, instants[k], s);
          const firstResponse = await this.firstResponse(c, instants[k]);
          const surveys = await this.surveys(c, instants[k]);
          const training = await this.training(c, [w.firstDay, w.s0, w.s1]);
          await c.query('commit');
          return { service, firstResponse, surveys, training };
        }),
      );
      rest.catch(() => undefined);
      const subjects = await this.subjects(main);
      const portfolio = await this.portfolio(main, sorted, instants.map((x) => x[1]), s);
      const done = await rest;
      await main.query('commit');
      open = false;
      const bySorted = sorted.map((w, k) => ({ subjects, portfolio: portfolio[k], ...done[k] }));
      return windows.map((w) => bySorted[sorted.findIndex((x) => x.firstDay === w.firstDay)]);
    } catch (err) {
      if (open) await main.query('rollback').catch(() => undefined);
      for (const c of others) await c.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      main.release();
      for (const c of others) c.release();
    }
  }

  private async subjects(client: PoolClient): Promise<PeriodAggregates['subjects']> {
    const r = await client.query<{ type: SubjectType; id: string | null; name: string | null; team_id: string | null; hired_on: string | null; left_on: string | null }>(
      `select 'agent' as type, agent_id as id, name, team_id, hired_on, left_on from agents
       union all select 'team', team_id, name, parent_team_id, null, null from teams
       union all select 'org', null, null, null, null, null
       order by 1, 2`,
    );
    return r.rows.map((x) => ({ type: x.type, id: x.id, name: x.name, teamId: x.team_id, hiredOn: x.hired_on, leftOn: x.left_on }));
  }

  /**
   * Portfolio KPIs (customer_retention_rate, churn_rate, repeat_purchase_rate, revenue,
   * gross_margin, active_customers, clv_historic_avg, churn_controllable_share).
   *
   * Per customer: its owner on s0 and on s1 (the assignment with the latest assigned_on ≤ day;
   * owner_agent_id is an assignment on acquired_on unless assignments.csv has one that day),
   * whether it is active on s0 and on s1 (acquired_on ≤ d; d < churned_on; a completed order
   * dated in [d − N + 1, d] or acquired_on ≥ d − N + 1, N = INACTIVITY_DAYS, 0 disables),
   * and its completed-order figures. Agents aggregate by owner; teams add up the agents
   * whose *current* team is the team or a descendant; the organisation counts every customer,
   * owned or not.
   */
  private async portfolio(client: PoolClient, windows: PeriodWindow[], p1s: string[], s: KpiSettings): Promise<Map<SubjectKey, PortfolioAggregates>[]> {
    const n = windows.length;
    const days = windows.flatMap((w) => [w.firstDay, w.s0, w.s1]);
    const periods = windows.map((_w, k) => ({ firstDay: `$${3 * k + 1}`, s0: `$${3 * k + 2}`, s1: `$${3 * k + 3}` }));
    // the orders are stored (and indexed) by customer: aggregating them in that order streams
    // (one customer at a time) where a hash table of a million customers spills to disk, and
    // one backend leaves the other core to the period's other statements
    const saved = await client.query<{ h: string; w: string }>(
      `select current_setting('enable_hashagg') as h, current_setting('max_parallel_workers_per_gather') as w`,
    );
    await client.query(`select set_config('enable_hashagg', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`);
    await client.query(
      `create temp table kpi_customer on commit drop as
       ${customerStatesSql(periods, { defaultMarginRate: `$${3 * n + 1}`, inactivityDays: `$${3 * n + 2}` })}`,
      [...days, s.defaultMarginRate, s.inactivityDays],
    );
    await client.query(`select set_config('enable_hashagg', $1, true), set_config('max_parallel_workers_per_gather', $2, true)`, [saved.rows[0].h, saved.rows[0].w]);
    // churn_controllable_share (shared/spec/retention.md, "KPIs"): a lost customer's reason is
    // the one recorded on its latest win-back task closed as lost before p1 (latest closed_at,
    // then the greater task id) when that task says whether it was controllable; else the
    // inferred one, the complaint_controllable of its last complaint ticket opened before p1
    // (latest opened_at; on a tie the greater ticket_id as a string).
    // Both for every period at once: the lost customers of period k against p1 of k.
    const latestOfLost = (table: string, where: string, order: string, value: string) =>
      `select distinct on (lost.k, t.customer_id) lost.k, t.customer_id, ${value} as controllable
         from ${table} t join lost on lost.customer_id = t.customer_id join p on p.k = lost.k
        where ${where} order by lost.k, t.customer_id, ${order}`;
    await client.query(
      `with lost as (select k, customer_id from kpi_customer where active_s0 and not active_s1),
            p as (select p1, n - 1 as k from unnest($1::timestamptz[]) with ordinality as u(p1, n)),
            inferred as (${latestOfLost('tickets', 't.is_complaint and t.opened_at < p.p1', 't.opened_at desc, t.ticket_id collate "C" desc', 't.complaint_controllable')}),
            recorded as (${latestOfLost('win_back_tasks', "t.outcome = 'lost' and t.closed_at < p.p1", 't.closed_at desc, t.id desc', 't.churn_controllable')}),
            -- the recorded reason when it says whether it was controllable, else the inferred one
            reason as (
              select distinct on (k, customer_id) k, customer_id, controllable
                from (select k, customer_id, 0 as rank, controllable from recorded where controllable is not null
                      union all
                      select k, customer_id, 1, controllable from inferred) x
               order by k, customer_id, rank
            )
       update kpi_customer kc set churn_controllable = reason.controllable
         from reason
        where reason.customer_id = kc.customer_id and kc.k = reason.k and reason.controllable is not null`,
      [p1s],
    );
    // no ANALYZE: the statement below reads the whole table once and groups it by hash either way
    const r = await client.query<PortfolioAggregates & { k: number; subject_type: SubjectType; subject_id: string | null }>(
      `with recursive ${CLOSURE_CTE},
       -- S (start portfolio) and its fate, by the owner on s0
       by_owner_s0 as (
         select k, owner_s0 as agent_id,
                count(*) as start_customers,
                count(*) filter (where active_s1) as kept_customers,
                count(*) filter (where not active_s1 and churn_controllable) as lost_controllable,
                count(*) filter (where not active_s1 and not churn_controllable) as lost_uncontrollable
           from kpi_customer where active_s0 and owner_s0 is not null group by k, owner_s0
       ),
       -- B, revenue, margin, active customers and historic CLV, by the owner on s1
       by_owner_s1 as (
         select k, owner_s1 as agent_id,
                count(*) filter (where orders_in_p > 0) as buyers,
                count(*) filter (where orders_in_p > 0 and ordered_before_p0) as repeat_buyers,
                sum(revenue_p) as revenue,
                sum(margin_p) as gross_margin,
                sum(orders_in_p) as orders_in_period,
                count(*) filter (where active_s1) as active_customers,
                coalesce(sum(margin_total) filter (where active_s1), 0) as clv_historic_sum
           from kpi_customer where owner_s1 is not null group by k, owner_s1
       ),
       per_agent as (
         select ks.k, a.agent_id, a.team_id,
                coalesce(s0.start_customers, 0) as start_customers,
                coalesce(s0.kept_customers, 0) as kept_customers,
                coalesce(s0.lost_controllable, 0) as lost_controllable,
                coalesce(s0.lost_uncontrollable, 0) as lost_uncontrollable,
                coalesce(s1.buyers, 0) as buyers,
                coalesce(s1.repeat_buyers, 0) as repeat_buyers,
                coalesce(s1.revenue, 0) as revenue,
                coalesce(s1.gross_margin, 0) as gross_margin,
                coalesce(s1.orders_in_period, 0) as orders_in_period,
                coalesce(s1.active_customers, 0) as active_customers,
                coalesce(s1.clv_historic_sum, 0) as clv_historic_sum
           from agents a
          cross join generate_series(0, $1::int - 1) ks(k)
           left join by_owner_s0 s0 on s0.agent_id = a.agent_id and s0.k = ks.k
           left join by_owner_s1 s1 on s1.agent_id = a.agent_id and s1.k = ks.k
       )
       select k, 'agent' as subject_type, agent_id as subject_id,
              start_customers, kept_customers, lost_controllable, lost_uncontrollable, buyers, repeat_buyers,
              revenue, gross_margin, orders_in_period, active_customers, clv_historic_sum
         from per_agent
       union all
       select k, 'team', cl.ancestor,
              sum(start_customers), sum(kept_customers), sum(lost_controllable), sum(lost_uncontrollable),
              sum(buyers), sum(repeat_buyers), sum(revenue), sum(gross_margin), sum(orders_in_period),
              sum(active_customers), sum(clv_historic_sum)
         from per_agent pa join closure cl on cl.descendant = pa.team_id
        group by k, cl.ancestor
       union all
       select ks.k, 'org', null,
              count(*) filter (where active_s0),
              count(*) filter (where active_s0 and active_s1),
              count(*) filter (where active_s0 and not active_s1 and churn_controllable),
              count(*) filter (where active_s0 and not active_s1 and not churn_controllable),
              count(*) filter (where orders_in_p > 0),
              count(*) filter (where orders_in_p > 0 and ordered_before_p0),
              coalesce(sum(revenue_p), 0), coalesce(sum(margin_p), 0), coalesce(sum(orders_in_p), 0),
              count(*) filter (where active_s1),
              coalesce(sum(margin_total) filter (where active_s1), 0)
         from generate_series(0, $1::int - 1) ks(k) left join kpi_customer c on c.k = ks.k
        group by ks.k`,
      [n],
    );
    const out = windows.map(() => [] as (PortfolioAggregates & { subject_type: SubjectType; subject_id: string | null })[]);
    for (const { k, ...row } of r.rows.map(numberize(['revenue', 'gross_margin', 'clv_historic_sum']))) out[k].push(row);
    return out.map((rows) => rowsToMap(rows));
  }

  /**
   * Service KPIs. Res = tickets with resolved_at in P, Op = tickets with opened_at in P
   * (instants, p0 ≤ t < p1). A ticket counts for its agent_id and for its team_id (default:
   * the agent's current team), hence for every ancestor of that team, and for the organisation.
   */
  private async service(client: PoolClient, params: unknown[], s: KpiSettings): Promise<Map<SubjectKey, ServiceAggregates>> {
    const r = await client.query<ServiceAggregates & { subject_type: SubjectType; subject_id: string | null }>(
      `with recursive ${CLOSURE_CTE},
       t as (
         ${periodTicketsSql(P0, P1)}
       ),
       base as (
         select grouping(agent_id) as g_agent, grouping(base_team) as g_team, agent_id, base_team,
                count(*) filter (where in_res) as resolved,
                -- first_contact_resolution: contact_count = 1 and not reopened
                count(*) filter (where in_res and ${FIRST_CONTACT_RESOLVED_SQL}) as resolved_first_contact,
                coalesce(sum(handle_seconds) filter (where in_res), 0) as handle_seconds_sum,
                count(handle_seconds) filter (where in_res) as handle_seconds_n,
                -- resolution_sla_rate: resolved_at − opened_at ≤ SLA_RESOLUTION_HOURS (inclusive)
                count(*) filter (where in_res and ${resolvedWithinSlaSql('$3')}) as resolved_within_sla,
                count(*) filter (where in_op) as opened,
                count(*) filter (where in_op and is_complaint) as opened_complaints,
                -- first_response_sla_rate: answered within SLA_FIRST_RESPONSE_MINUTES (never answered misses)
                count(*) filter (where in_op and ${firstResponseWithinSlaSql('$4')}) as opened_first_response_within_sla,
                count(*) filter (where in_op and is_complaint and complaint_category = 'core_service_failure') as complaints_core_service_failure,
                count(*) filter (where in_op and is_complaint and complaint_category = 'service_encounter') as complaints_service_encounter,
                count(*) filter (where in_op and is_complaint and complaint_category = 'pricing') as complaints_pricing,
                count(*) filter (where in_op and is_complaint and complaint_category = 'inconvenience') as complaints_inconvenience,
                count(*) filter (where in_op and is_complaint and complaint_category = 'failure_response') as complaints_failure_response,
                count(*) filter (where in_op and is_complaint and complaint_category = 'other') as complaints_other,
                count(*) filter (where in_op and is_complaint and complaint_controllable) as complaints_controllable_true,
                count(*) filter (where in_op and is_complaint and not complaint_controllable) as complaints_controllable_false,
                count(*) filter (where in_op and is_complaint and complaint_controllable is null) as complaints_controllable_unknown
           from t
          group by grouping sets ((agent_id), (base_team), ())
       )
       select case when g_agent = 0 then 'agent' when g_team = 0 then 'base_team' else 'org' end as subject_type,
              coalesce(agent_id, base_team) as subject_id,
              resolved, resolved_first_contact, handle_seconds_sum, handle_seconds_n, resolved_within_sla, opened,
              opened_complaints, opened_first_response_within_sla, complaints_core_service_failure,
              complaints_service_encounter, complaints_pricing, complaints_inconvenience, complaints_failure_response,
              complaints_other, complaints_controllable_true, complaints_controllable_false, complaints_controllable_unknown
         from base`,
      [...params, s.slaResolutionHours, s.slaFirstResponseMinutes],
    );
    return this.rollUpTeams(client, r.rows.map(numberize([])));
  }

  /**
   * first_response_minutes_p50 / _p90: percentile_cont(0.5 | 0.9) of (first_response_at −
   * opened_at) in minutes over Op tickets with a first response. Percentiles do not add up,
   * so each team is computed over its whole subtree.
   */
  private async firstResponse(client: PoolClient, params: unknown[]): Promise<Map<SubjectKey, FirstResponsePercentiles>> {
    const r = await client.query<FirstResponsePercentiles & { subject_type: SubjectType; subject_id: string | null }>(
      `with recursive ${CLOSURE_CTE},
       t as (
         select t.agent_id, ${TICKET_TEAM_SQL} as base_team,
                ${FIRST_RESPONSE_MINUTES_SQL} as minutes
           from tickets t join agents a on a.agent_id = t.agent_id
          where t.opened_at >= ${P0} and t.opened_at < ${P1} and t.first_response_at is not null
       )
       select 'agent' as subject_type, agent_id as subject_id,
              percentile_cont(0.5) within group (order by minutes) as p50,
              percentile_cont(0.9) within group (order by minutes) as p90, count(*) as n
         from t group by agent_id
       union all
       select 'team', cl.ancestor,
              percentile_cont(0.5) within group (order by minutes),
              percentile_cont(0.9) within group (order by minutes), count(*)
         from t join closure cl on cl.descendant = t.base_team group by cl.ancestor
       union all
       select 'org', null,
              percentile_cont(0.5) within group (order by minutes),
              percentile_cont(0.9) within group (order by minutes), count(*)
         from t`,
      params,
    );
    return rowsToMap(r.rows.map(numberize([])));
  }

  /**
   * Survey KPIs over surveys with responded_at in P. A survey counts for its agent_id; for
   * teams, the linked ticket's team_id, or when that is empty the current team of the
   * ticket's agent; without a ticket, the survey agent's current team.
   */
  private async surveys(client: PoolClient, params: unknown[]): Promise<Map<SubjectKey, SurveyAggregates>> {
    const r = await client.query<SurveyAggregates & { subject_type: SubjectType; subject_id: string | null }>(
      `select case when grouping(s.agent_id) = 0 then 'agent' when grouping(s.base_team) = 0 then 'base_team' else 'org' end as subject_type,
              coalesce(s.agent_id, s.base_team) as subject_id,
              count(*) as responses,
              count(csat) as csat_n,
              count(*) filter (where csat >= 4) as csat_satisfied,
              count(nps) as nps_n,
              count(*) filter (where nps >= 9) as nps_promoters,
              count(*) filter (where nps <= 6) as nps_detractors,
              coalesce(sum(ces), 0) as ces_sum,
              count(ces) as ces_n
         from (
           ${periodSurveysSql(P0, P1)}
         ) s
        group by grouping sets ((s.agent_id), (s.base_team), ())`,
      params,
    );
    return this.rollUpTeams(client, r.rows.map(numberize([])));
  }

  /** training_hours: Σ hours of training completed (local date) in P; for the agent and the agent's current team. */
  private async training(client: PoolClient, params: unknown[]): Promise<Map<SubjectKey, TrainingAggregates>> {
    const r = await client.query<TrainingAggregates & { subject_type: SubjectType; subject_id: string | null }>(
      `select case when grouping(tr.agent_id) = 0 then 'agent' when grouping(a.team_id) = 0 then 'base_team' else 'org' end as subject_type,
              coalesce(tr.agent_id, a.team_id) as subject_id,
              coalesce(sum(tr.hours), 0) as training_hours,
              count(*) as training_rows
         from training tr join agents a on a.agent_id = tr.agent_id
        where ${trainingInPeriodSql('$1', '$2')}
        group by grouping sets ((tr.agent_id), (a.team_id), ())`,
      [params[0], params[2]],
    );
    return this.rollUpTeams(client, r.rows.map(numberize(['training_hours'])));
  }

  /**
   * Adds 'base_team' rows (records attributed directly to a team) up to every ancestor team,
   * so a team's figure includes all its descendants. Additive aggregates only.
   */
  private async rollUpTeams<T extends object>(
    client: PoolClient,
    rows: (T & { subject_type: string; subject_id: string | null })[],
  ): Promise<Map<SubjectKey, T>> {
    const out = new Map<SubjectKey, T>();
    const base = new Map<string, T>();
    for (const r of rows) {
      const { subject_type, subject_id, ...rest } = r;
      if (subject_type === 'base_team') base.set(subject_id as string, rest as unknown as T);
      else out.set(subjectKey(subject_type as SubjectType, subject_id), rest as unknown as T);
    }
    if (base.size === 0) return out;
    const closure = await client.query<{ ancestor: string; descendant: string }>(
      `with recursive ${CLOSURE_CTE} select ancestor, descendant from closure where descendant = any($1::text[])`,
      [[...base.keys()]],
    );
    for (const { ancestor, descendant } of closure.rows) {
      const add = base.get(descendant)!;
      const key = subjectKey('team', ancestor);
      const acc = out.get(key);
      out.set(key, acc ? sumAggregates(acc, add) : { ...add });
    }
    return out;
  }
}

/** Adds two aggregate records field by field (numbers, or exact decimals kept as strings). */
function sumAggregates<T extends object>(a: T, b: T): T {
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b as Record<string, unknown>)) {
    const cur = out[k];
    if (typeof v === 'number' && typeof cur === 'number') out[k] = cur + v;
    else if (typeof v === 'string' && typeof cur === 'string') out[k] = addDecimalStrings(cur, v);
  }
  return out as T;
}

/** Exact sum of two decimal strings (numeric results from PostgreSQL). */
export function addDecimalStrings(a: string, b: string): string {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  const sum = toScaled(a, scale) + toScaled(b, scale);
  const neg = sum < 0n;
  const digits = (neg ? -sum : sum).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = scale ? `.${digits.slice(digits.length - scale)}` : '';
  return `${neg ? '-' : ''}${int}${frac}`;
}

function fractionDigits(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

function toScaled(s: string, scale: number): bigint {
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const [int, frac = ''] = body.split('.');
  const v = BigInt(int + frac.padEnd(scale, '0'));
  return neg ? -v : v;
}

/**
 * node-postgres returns bigint counts and numerics as strings: counts become numbers
 * (exact below 2^53); the listed exact-decimal fields stay strings.
 */
function numberize(keepAsString: string[]) {
  const keep = new Set(keepAsString);
  return <T extends object>(row: T): T => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row as Record<string, unknown>)) {
      if (k === 'subject_type' || k === 'subject_id' || v === null) out[k] = v;
      else if (keep.has(k)) out[k] = String(v);
      else out[k] = typeof v === 'string' ? Number(v) : v;
    }
    return out as T;
  };
}
