import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import { isoSql, type DrilldownRecordRow, type DrilldownRows } from '../kpis/drilldown.repository';
import { CLOSURE_CTE, PERIOD_INSTANTS_SQL, lastComplaintOfLostSql, type KpiSettings, type PeriodWindow, type SubjectType } from '../kpis/kpi.repository';
import { activeOnSql } from '../predictive/customer-value.repository';

/**
 * The retention KPIs (shared/spec/retention.md, "KPIs"; kpi-definitions.md, fine print
 * "Churn reasons").
 *
 * win_back_rate — the subject's tasks whose confirmation window ended in P (window_ends_on,
 * the window's last day, from P's first day to s1) and that the daily pass has settled:
 * 100 × confirmed / all. A task counts for its agent, the agent's current team (and every
 * ancestor), and the organisation.
 *
 * churn_controllable_share — customers lost in P: in S of customer_retention_rate (active on
 * s0, counted for the owner on s0) and not active on s1. Each one's reason: the one recorded
 * on its latest win-back task closed as lost before p1 (latest closed_at, then the greater
 * task id), which takes precedence; else the complaint_controllable of its last complaint
 * ticket opened before p1 (the engine's lastComplaintOfLostSql). Customers whose reason is
 * unknown count in neither part. 100 × controllable / (controllable + uncontrollable).
 *
 * The KPI's value is the engine's (KpiRepository.portfolio, one pass for every period); the
 * lost customers and their reasons here serve its drill-down and the reports' churn-reasons
 * section, by the same rule. They are found without the engine's full customer state: a customer active on
 * s0 and not on s1 either churned in P (s0 < churned_on ≤ s1) or, with N = INACTIVITY_DAYS > 0,
 * was acquired in [s0 − N + 1, s1 − N] or has a completed order dated in that span (its last
 * order ≤ s0 kept it active on s0 and none in [s1 − N + 1, s1] keeps it on s1). Those
 * candidates are few; each one's activity on s0 and s1 is then decided by the exact rule
 * (activeOnSql) — the tests hold the lost customers to the engine's churn numerator.
 */

/** Parameters: $1 s0, $2 s1, $3 INACTIVITY_DAYS, $4 p1 (instant). */
const LOST_CTES = `
  candidates as (
    select customer_id from customers where churned_on > $1::date and churned_on <= $2::date
    union
    select customer_id from customers where $3::int > 0 and acquired_on between $1::date - ($3::int - 1) and $2::date - $3::int
    union
    select customer_id from orders where $3::int > 0 and status = 'completed' and ordered_on between $1::date - ($3::int - 1) and $2::date - $3::int
  ),
  -- each candidate's last completed order on or before s0 and s1: two backward index probes
  -- (orders_customer_day_idx) per candidate instead of aggregating all their orders
  last_orders as (
    select k.customer_id,
           (select max(o.ordered_on) from orders o where o.customer_id = k.customer_id and o.status = 'completed' and o.ordered_on <= $1::date) as last_s0,
           (select max(o.ordered_on) from orders o where o.customer_id = k.customer_id and o.status = 'completed' and o.ordered_on <= $2::date) as last_s1
      from candidates k
  ),
  cand_state as (
    select c.customer_id, c.churned_on, c.acquired_on, c.owner_agent_id, lo.last_s1,
           -- coalesce: without orders the rule's "or" meets a null last order (null, i.e. not active)
           coalesce(${activeOnSql('c', '$1', '$3', 'lo.last_s0')}, false) as active_s0,
           coalesce(${activeOnSql('c', '$2', '$3', 'lo.last_s1')}, false) as active_s1
      from customers c
      join candidates k on k.customer_id = c.customer_id
      left join last_orders lo on lo.customer_id = c.customer_id
  ),
  -- owner on s0: the latest explicit assignment ≤ s0, or owner_agent_id (an assignment on
  -- acquired_on ≤ s0, overridden by an explicit row that day) when that is later
  explicit_s0 as (
    select customer_id, max(assigned_on) as assigned_on, substr(max((assigned_on::text || agent_id) collate "C"), 11) as agent_id
      from assignments
     where assigned_on <= $1::date and customer_id in (select customer_id from cand_state where active_s0 and not active_s1)
     group by customer_id
  ),
  last_complaint as (
    ${lastComplaintOfLostSql('cand_state', '$4::timestamptz')}
  ),
  recorded as (
    select distinct on (t.customer_id) t.customer_id, t.id as task_id, t.churn_reason, t.churn_controllable, t.closed_at
      from win_back_tasks t
      join cand_state l on l.customer_id = t.customer_id and l.active_s0 and not l.active_s1
     where t.outcome = 'lost' and t.closed_at < $4::timestamptz
     order by t.customer_id, t.closed_at desc, t.id desc
  ),
  lost as (
    select l.customer_id, l.churned_on, l.last_s1,
           case when ex.agent_id is not null and (l.owner_agent_id is null or ex.assigned_on >= l.acquired_on) then ex.agent_id else l.owner_agent_id end as owner_s0,
           r.task_id, r.churn_reason, r.churn_controllable as recorded_controllable,
           lc.ticket_id as last_complaint_ticket_id, lc.opened_at as last_complaint_opened_at, lc.complaint_controllable as inferred_controllable,
           coalesce(r.churn_controllable, lc.complaint_controllable) as controllable,
           case when r.churn_controllable is not null then 'recorded' when lc.complaint_controllable is not null then 'inferred' end as reason_source
      from cand_state l
      left join explicit_s0 ex on ex.customer_id = l.customer_id
      left join recorded r on r.customer_id = l.customer_id
      left join last_complaint lc on lc.customer_id = l.customer_id
     where l.active_s0 and not l.active_s1
  )`;

/** Parameters: $1 first day of P, $2 s1. Settled tasks whose window ended in P. */
const ENDED_TASKS = `
  select t.id, t.agent_id, a.team_id, t.customer_id, t.opened_on, t.window_ends_on, t.confirmation, t.status, t.outcome,
         t.confirming_order_id, t.confirming_order_on, t.settled_at
    from win_back_tasks t
    left join agents a on a.agent_id = t.agent_id
   where t.window_ends_on >= $1::date and t.window_ends_on <= $2::date and t.confirmation <> 'pending'`;

export interface RatioAggregate {
  subject_type: SubjectType;
  subject_id: string | null;
  numerator: number;
  denominator: number;
}

export interface RetentionDrilldownQuery {
  subject: { type: SubjectType; id: string | null };
  window: PeriodWindow;
  settings: KpiSettings;
  after: string | null;
  limit: number;
}

/** agent / team (closure) / org rows of an additive (numerator, denominator) per agent. */
const ROLL_UP = (base: string) => `
  per_agent as (
    select ag.agent_id, ag.team_id, coalesce(sum(b.num), 0)::int as numerator, coalesce(sum(b.den), 0)::int as denominator
      from agents ag left join (${base}) b on b.agent_id = ag.agent_id
     group by ag.agent_id, ag.team_id
  )
  select 'agent' as subject_type, agent_id as subject_id, numerator, denominator from per_agent
  union all
  select 'team', tm.team_id, coalesce(sum(pa.numerator), 0)::int, coalesce(sum(pa.denominator), 0)::int
    from teams tm
    left join closure cl on cl.ancestor = tm.team_id
    left join per_agent pa on pa.team_id = cl.descendant
   group by tm.team_id`;

@Injectable()
export class RetentionKpiRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  private async p1(w: PeriodWindow, tz: string): Promise<string> {
    const r = await this.pool.query<{ p1: string }>(PERIOD_INSTANTS_SQL, [w.firstDay, w.nextFirstDay, tz]);
    return r.rows[0].p1;
  }

  /** win_back_rate's counts (confirmed, settled) for every agent, team and the organisation. */
  async winBackRate(w: PeriodWindow): Promise<RatioAggregate[]> {
    const r = await this.pool.query<RatioAggregate>(
      `with recursive ${CLOSURE_CTE},
       ended as (${ENDED_TASKS}),
       ${ROLL_UP(`select agent_id, (confirmation = 'confirmed')::int as num, 1 as den from ended`)}
       union all
       select 'org', null, count(*) filter (where confirmation = 'confirmed')::int, count(*)::int from ended`,
      [w.firstDay, w.s1],
    );
    return r.rows;
  }

  /**
   * Every customer lost in P (all subjects), with its owner on s0 and its churn reason by the
   * same rule as the controllability: the reason recorded on the task closed as lost before p1
   * wins, else the complaint_category of the last complaint ticket (null: unknown). For the
   * reports' churn-reasons section, tests and checks.
   */
  async lostCustomers(
    w: PeriodWindow,
    s: KpiSettings,
  ): Promise<{ customer_id: string; owner_s0: string | null; controllable: boolean | null; reason_source: string | null; reason: string | null }[]> {
    const p1 = await this.p1(w, s.orgTimezone);
    const r = await this.pool.query(
      `with recursive ${CLOSURE_CTE}, ${LOST_CTES}
       select l.customer_id, l.owner_s0, l.controllable, l.reason_source,
              case when l.task_id is not null then l.churn_reason else tk.complaint_category end as reason
         from lost l
         left join tickets tk on tk.ticket_id = l.last_complaint_ticket_id
        order by l.customer_id collate "C"`,
      [w.s0, w.s1, s.inactivityDays, p1],
    );
    return r.rows;
  }

  private subjectFilter(type: SubjectType, agentCol: string, teamCol: string, idParam: string): string {
    if (type === 'org') return `(${idParam}::text is null or true)`; // every record (the parameter is still typed)
    if (type === 'agent') return `${agentCol} = ${idParam}::text`;
    return `${teamCol} in (select descendant from closure where ancestor = ${idParam}::text)`;
  }

  /** win_back_rate's records: the subject's settled tasks whose window ended in P (id = task id). */
  async winBackPage(q: RetentionDrilldownQuery): Promise<DrilldownRows> {
    const filter = this.subjectFilter(q.subject.type, 'e.agent_id', 'e.team_id', '$3');
    const r = await this.pool.query(
      `with recursive ${CLOSURE_CTE},
       ended as (${ENDED_TASKS}),
       listed as (select e.* from ended e where ${filter})
       select n.total, p.* from (select count(*)::int as total from listed) n
       left join lateral (
         select l.id::text as id, l.confirmation = 'confirmed' as in_numerator, l.customer_id, l.agent_id, l.team_id, l.opened_on, l.window_ends_on,
                l.status, l.outcome, l.confirmation, l.confirming_order_id, l.confirming_order_on, ${isoSql('l.settled_at')} as settled_at
           from listed l
          where $4::text is null or lpad(l.id::text, 10, '0') > lpad($4::text, 10, '0')
          order by l.id limit $5::int
       ) p on true`,
      [q.window.firstDay, q.window.s1, q.subject.id ?? '', q.after, q.limit + 1],
    );
    return this.page(r.rows, q.limit);
  }

  /** churn_controllable_share's records: the subject's lost customers with a known reason (id = customer id). */
  async churnPage(q: RetentionDrilldownQuery): Promise<DrilldownRows> {
    const p1 = await this.p1(q.window, q.settings.orgTimezone);
    const filter = this.subjectFilter(q.subject.type, 'l.owner_s0', 'oa.team_id', '$5');
    const r = await this.pool.query(
      `with recursive ${CLOSURE_CTE}, ${LOST_CTES},
       listed as (
         select l.*, oa.team_id as owner_s0_team_id from lost l left join agents oa on oa.agent_id = l.owner_s0
          where l.controllable is not null and ${filter}
       )
       select n.total, p.* from (select count(*)::int as total from listed) n
       left join lateral (
         select customer_id as id, controllable as in_numerator, owner_s0, owner_s0_team_id, churned_on, last_s1 as last_order_s1,
                true as active_s0, false as active_s1,
                last_complaint_ticket_id, ${isoSql('last_complaint_opened_at')} as last_complaint_opened_at, inferred_controllable as complaint_controllable,
                reason_source, task_id as win_back_task_id, churn_reason, recorded_controllable
           from listed
          where $6::text is null or customer_id collate "C" > $6::text
          order by customer_id collate "C" limit $7::int
       ) p on true`,
      [q.window.s0, q.window.s1, q.settings.inactivityDays, p1, q.subject.id ?? '', q.after, q.limit + 1],
    );
    return this.page(r.rows, q.limit);
  }

  private page(rows: Record<string, unknown>[], limit: number): DrilldownRows {
    const total = (rows[0]?.total as number) ?? 0;
    const list = rows.filter((x) => x.id !== null);
    const records: DrilldownRecordRow[] = list.slice(0, limit).map((row) => {
      const fields: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) if (k !== 'total' && k !== 'id' && k !== 'in_numerator') fields[k] = v;
      return { id: String(row.id), in_numerator: row.in_numerator as boolean | null, fields };
    });
    return { total, records, more: list.length > limit };
  }
}
