import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import type { KpiKey } from './domain/kpi-catalogue';
import {
  CLOSURE_CTE,
  FIRST_CONTACT_RESOLVED_SQL,
  FIRST_RESPONSE_MINUTES_SQL,
  PERIOD_INSTANTS_SQL,
  customerStateSql,
  effectiveMarginSql,
  firstResponseWithinSlaSql,
  lastComplaintOfLostSql,
  periodSurveysSql,
  periodTicketsSql,
  resolvedWithinSlaSql,
  trainingInPeriodSql,
  type KpiSettings,
  type PeriodWindow,
  type SubjectType,
} from './kpi.repository';

/**
 * Drill-down: the records behind one KPI value of one subject and period
 * (shared/spec/kpi-definitions.md, "Explaining every number"; shared/spec/api.md).
 *
 * The records must agree exactly with the engine (src/kpis/kpi.repository.ts), so every
 * record set is built from the engine's own SQL fragments: the per-customer state (owners on
 * s0/s1 via assignments ∪ owner_agent_id, activity with INACTIVITY_DAYS), the churn reason,
 * the tickets of Res ∪ Op with the team they count for, the surveys of P with theirs, the
 * SLA and first-contact predicates. Each KPI family is one statement: the family's base
 * CTEs, the key's record set, the subject filter and one keyset page.
 *
 * Every record set yields the columns
 *   id            the record's own id (customer, order, ticket, survey or training id)
 *   in_numerator  whether it counts in the numerator (null where the KPI has none)
 *   _agent/_team  the agent and the team it counts for (internal: the subject filter)
 *   …             the fields the rule used, in display order
 * A team subject takes the records whose team is the team or one of its descendants
 * (CLOSURE_CTE); the organisation takes every record, owned or not.
 */

export type DrilldownFamily = 'portfolio' | 'service' | 'surveys' | 'training';

/** The KPI keys with records in the data Yardstick holds today. */
export type DrilldownKey = Exclude<KpiKey, 'clv_predicted_avg' | 'at_risk_customers' | 'mystery_shopper_score' | 'feedback_360_score' | 'win_back_rate'>;

export interface DrilldownRecordRow {
  id: string;
  in_numerator: boolean | null;
  fields: Record<string, unknown>;
}

export interface DrilldownQuery {
  key: DrilldownKey;
  subject: { type: SubjectType; id: string | null };
  window: PeriodWindow;
  settings: KpiSettings;
  /** keyset: records with id (collate "C") after this one */
  after: string | null;
  limit: number;
}

export interface DrilldownRows {
  /** records of the subject across all pages */
  total: number;
  /** at most `limit` records, by id collate "C" */
  records: DrilldownRecordRow[];
  /** whether records follow the last one returned */
  more: boolean;
  /** a source's explanation, e.g. why a predictive KPI is null */
  note?: string;
}

export interface PeriodInstants {
  /** as PostgreSQL prints a timestamptz (exact; passed back as a parameter) */
  p0: string;
  p1: string;
  /** the same instants as ISO 8601 UTC strings */
  p0Iso: string;
  p1Iso: string;
}

/** Named values a statement may use; each becomes a positional parameter on first use only. */
interface Values {
  firstDay: string;
  s0: string;
  s1: string;
  p0: string;
  p1: string;
  marginRate: string;
  inactivityDays: number;
  slaResolutionHours: number;
  slaFirstResponseMinutes: number;
  subjectType: SubjectType;
  subjectId: string | null;
  after: string | null;
  limit: number;
}

/** `$('s0')` → '$3' (bare: the fragments cast), allocated on first use so no parameter goes unused. */
type Param = (name: keyof Values) => string;

class Params {
  readonly list: unknown[] = [];
  private readonly index = new Map<keyof Values, string>();
  constructor(private readonly values: Values) {}
  readonly ref: Param = (name) => {
    let p = this.index.get(name);
    if (!p) {
      this.list.push(this.values[name]);
      p = `$${this.list.length}`;
      this.index.set(name, p);
    }
    return p;
  };
}

/**
 * An instant as an ISO 8601 UTC string: milliseconds like JavaScript's toISOString(), or
 * microseconds when the value has sub-millisecond digits (PostgreSQL keeps them).
 */
export const isoSql = (x: string) =>
  `to_char(${x} at time zone 'UTC', case when extract(microseconds from ${x})::bigint % 1000 = 0
     then 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"' else 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"' end)`;

// ---------------------------------------------------------------------------------------
// Families: the CTEs their record sets read

const FAMILY_CTES: Record<DrilldownFamily, ($: Param) => string> = {
  /** The engine's per-customer state (kpi_customer), with the display columns. */
  portfolio: ($) => `customer_state as (
       ${customerStateSql(
         { firstDay: $('firstDay'), s0: $('s0'), s1: $('s1'), defaultMarginRate: $('marginRate'), inactivityDays: $('inactivityDays') },
         { detail: true },
       )}
     )`,
  /** Res ∪ Op with the team each ticket counts for (base_team), in_res and in_op. */
  service: ($) => `t as (
       ${periodTicketsSql(`${$('p0')}::timestamptz`, `${$('p1')}::timestamptz`)}
     )`,
  /** Surveys responded in P with the team each counts for (base_team). */
  surveys: ($) => `s as (
       ${periodSurveysSql(`${$('p0')}::timestamptz`, `${$('p1')}::timestamptz`)}
     )`,
  training: () => '',
};

// ---------------------------------------------------------------------------------------
// Record sets, one per key

/** An in_numerator expression: fixed SQL, or SQL that needs parameters (settings). */
type Expr = string | (($: Param) => string);
const sql = (e: Expr, $: Param) => (typeof e === 'string' ? e : e($));

interface RecordSet {
  family: DrilldownFamily;
  /** extra CTEs (after the family's), or '' */
  ctes?: ($: Param) => string;
  /** the `records` select: id, in_numerator, _agent, _team, then the fields */
  select: ($: Param) => string;
}

/** S: customers active on s0, counted for their owner on s0 (the organisation: all of them). */
const startPortfolio = (inNumerator: string): RecordSet => ({
  family: 'portfolio',
  select: () => `
    select cs.customer_id as id, ${inNumerator} as in_numerator, cs.owner_s0 as _agent, oa.team_id as _team,
           cs.owner_s0, oa.team_id as owner_s0_team_id, cs.owner_s1,
           cs.acquired_on, cs.churned_on, cs.last_order_s0, cs.last_order_s1, cs.active_s0, cs.active_s1
      from customer_state cs
      left join agents oa on oa.agent_id = cs.owner_s0
     where cs.active_s0`,
});

/** Completed orders dated (local date) in P of the customers owned on s1 (the organisation: every customer). */
const periodOrders: RecordSet = {
  family: 'portfolio',
  select: ($) => `
    select o.order_id as id, null::boolean as in_numerator, cs.owner_s1 as _agent, oa.team_id as _team,
           o.customer_id, cs.owner_s1, oa.team_id as owner_s1_team_id,
           ${isoSql('o.ordered_at')} as ordered_at, o.ordered_on, o.amount, o.gross_margin,
           ${effectiveMarginSql($('marginRate'), 'o')} as effective_gross_margin
      from orders o
      join customer_state cs on cs.customer_id = o.customer_id
      left join agents oa on oa.agent_id = cs.owner_s1
     where o.status = 'completed' and o.ordered_on >= ${$('firstDay')}::date and o.ordered_on <= ${$('s1')}::date`,
};

/** Customers active on s1 and owned by the subject on s1 (the organisation: all of them). */
const activeCustomers = (withMargin: boolean): RecordSet => ({
  family: 'portfolio',
  select: () => `
    select cs.customer_id as id, null::boolean as in_numerator, cs.owner_s1 as _agent, oa.team_id as _team,
           cs.owner_s1, oa.team_id as owner_s1_team_id,
           cs.acquired_on, cs.churned_on, cs.last_order_s1, cs.active_s1${withMargin ? `,
           -- clv_historic_avg: total gross margin of completed orders dated before p1 (0 without orders)
           cs.margin_total as gross_margin_before_p1` : ''}
      from customer_state cs
      left join agents oa on oa.agent_id = cs.owner_s1
     where cs.active_s1`,
});

/** Res: tickets with resolved_at in P, counted for their agent and the team they count for. */
const resolvedTickets = (inNumerator: Expr, where = ''): RecordSet => ({
  family: 'service',
  select: ($) => `
    select t.ticket_id as id, ${sql(inNumerator, $)} as in_numerator, t.agent_id as _agent, t.base_team as _team,
           t.customer_id, t.agent_id, t.base_team as team_id,
           ${isoSql('t.opened_at')} as opened_at, ${isoSql('t.resolved_at')} as resolved_at,
           extract(epoch from (t.resolved_at - t.opened_at))::float8 / 3600 as resolution_hours,
           t.contact_count, t.reopened, t.handle_seconds
      from t
     where t.in_res${where}`,
});

/** Op: tickets with opened_at in P. */
const openedTickets = (inNumerator: Expr, where = ''): RecordSet => ({
  family: 'service',
  select: ($) => `
    select t.ticket_id as id, ${sql(inNumerator, $)} as in_numerator, t.agent_id as _agent, t.base_team as _team,
           t.customer_id, t.agent_id, t.base_team as team_id,
           ${isoSql('t.opened_at')} as opened_at,
           ${isoSql('t.first_response_at')} as first_response_at,
           (${FIRST_RESPONSE_MINUTES_SQL})::float8 as first_response_minutes,
           t.is_complaint, t.complaint_category, t.complaint_controllable
      from t
     where t.in_op${where}`,
});

/** Surveys responded in P, counted for the rated agent and the survey's team. */
const surveyRecords = (inNumerator: string, where = ''): RecordSet => ({
  family: 'surveys',
  select: () => `
    select s.survey_id as id, ${inNumerator} as in_numerator, s.agent_id as _agent, s.base_team as _team,
           s.customer_id, s.agent_id, s.ticket_id, s.base_team as team_id,
           ${isoSql('s.responded_at')} as responded_at, s.csat, s.nps, s.ces
      from s${where ? `\n     where ${where}` : ''}`,
});

export const RECORD_SETS: Record<DrilldownKey, RecordSet> = {
  // --- portfolio ---
  // retention: kept = still active on s1
  customer_retention_rate: startPortfolio('cs.active_s1'),
  // churn: lost = not active on s1
  churn_rate: startPortfolio('not cs.active_s1'),
  // B = customers with a completed order dated in P, counted for their owner on s1 (activity
  // not required); numerator: a completed order dated before p0, of any age
  repeat_purchase_rate: {
    family: 'portfolio',
    select: () => `
      select cs.customer_id as id, cs.ordered_before_p0 as in_numerator, cs.owner_s1 as _agent, oa.team_id as _team,
             cs.owner_s1, oa.team_id as owner_s1_team_id,
             cs.first_order_in_p, cs.orders_in_p::int as orders_in_p, cs.last_order_before_p0, cs.ordered_before_p0
        from customer_state cs
        left join agents oa on oa.agent_id = cs.owner_s1
       where cs.orders_in_p > 0`,
  },
  revenue: periodOrders,
  gross_margin: periodOrders,
  active_customers: activeCustomers(false),
  clv_historic_avg: activeCustomers(true),
  // lost customers of S whose inferred reason is known (the denominator); numerator: controllable
  churn_controllable_share: {
    family: 'portfolio',
    ctes: ($) => `lost_reason as (
       ${lastComplaintOfLostSql('customer_state', `${$('p1')}::timestamptz`)}
     )`,
    select: () => `
      select cs.customer_id as id, lr.complaint_controllable as in_numerator, cs.owner_s0 as _agent, oa.team_id as _team,
             cs.owner_s0, oa.team_id as owner_s0_team_id, cs.churned_on, cs.last_order_s1, cs.active_s0, cs.active_s1,
             lr.ticket_id as last_complaint_ticket_id, ${isoSql('lr.opened_at')} as last_complaint_opened_at,
             lr.complaint_controllable
        from customer_state cs
        join lost_reason lr on lr.customer_id = cs.customer_id
        left join agents oa on oa.agent_id = cs.owner_s0
       where cs.active_s0 and not cs.active_s1 and lr.complaint_controllable is not null`,
  },

  // --- service: Res ---
  tickets_resolved: resolvedTickets('null::boolean'),
  first_contact_resolution: resolvedTickets(`(${FIRST_CONTACT_RESOLVED_SQL})`),
  // the mean is over the Res tickets with a handle time
  avg_handle_seconds: resolvedTickets('null::boolean', ' and t.handle_seconds is not null'),
  resolution_sla_rate: resolvedTickets(($) => `(${resolvedWithinSlaSql($('slaResolutionHours'))})`),

  // --- service: Op ---
  complaint_rate: openedTickets('t.is_complaint'),
  first_response_sla_rate: openedTickets(($) => `(${firstResponseWithinSlaSql($('slaFirstResponseMinutes'))})`),
  // percentiles are over the Op tickets with a first response
  first_response_minutes_p50: openedTickets('null::boolean', ' and t.first_response_at is not null'),
  first_response_minutes_p90: openedTickets('null::boolean', ' and t.first_response_at is not null'),
  // is_complaint false is no complaint whatever the category says
  complaints_by_category: openedTickets('null::boolean', ' and t.is_complaint'),

  // --- surveys: only the rows the denominator counts ---
  csat: surveyRecords('s.csat >= 4', 's.csat is not null'),
  // promoter (9–10) true, detractor (0–6) false, passive (7–8) null
  nps: surveyRecords('case when s.nps >= 9 then true when s.nps <= 6 then false end', 's.nps is not null'),
  ces_avg: surveyRecords('null::boolean', 's.ces is not null'),
  survey_responses: surveyRecords('null::boolean'),

  // --- training: for the agent and the agent's current team ---
  training_hours: {
    family: 'training',
    select: ($) => `
      select tr.training_id as id, null::boolean as in_numerator, tr.agent_id as _agent, a.team_id as _team,
             tr.agent_id, a.team_id, tr.completed_on, tr.hours, tr.course
        from training tr
        join agents a on a.agent_id = tr.agent_id
       where ${trainingInPeriodSql($('firstDay'), $('s1'))}`,
  },
};

export function isDrilldownKey(key: string): key is DrilldownKey {
  return Object.prototype.hasOwnProperty.call(RECORD_SETS, key);
}

/**
 * The one statement of a key: family CTEs, the record set, the subject's records (agent:
 * its own; team: the team's subtree; org: all), their count and one page by id collate "C".
 * Exported for tests and EXPLAIN.
 */
export function drilldownStatement(set: RecordSet, $: Param): string {
  const ctes = [CLOSURE_CTE, FAMILY_CTES[set.family]($), set.ctes?.($) ?? ''].filter((c) => c.trim() !== '');
  return `with recursive ${ctes.join(',\n     ')},
     records as (${set.select($)}
     ),
     subject_records as (
       select r.* from records r
        where case ${$('subjectType')}::text
                when 'org' then true
                when 'agent' then r._agent = ${$('subjectId')}::text
                else r._team in (select descendant from closure where ancestor = ${$('subjectId')}::text)
              end
     )
     select n.total, p.*
       from (select count(*)::int as total from subject_records) n
       left join lateral (
         select * from subject_records
          where ${$('after')}::text is null or id collate "C" > ${$('after')}::text
          order by id collate "C"
          limit ${$('limit')}::int
       ) p on true`;
}

/** Columns that are not fields of a record. */
const NOT_FIELDS = new Set(['total', 'id', 'in_numerator', '_agent', '_team']);

@Injectable()
export class DrilldownRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** p0 and p1 of a period, exactly as the engine computes them (ORG_TIMEZONE). */
  async instants(w: PeriodWindow, tz: string): Promise<PeriodInstants> {
    const r = await this.pool.query<{ p0: string; p1: string; p0_iso: string; p1_iso: string }>(
      `select b.p0, b.p1, ${isoSql('b.p0::timestamptz')} as p0_iso, ${isoSql('b.p1::timestamptz')} as p1_iso
         from (${PERIOD_INSTANTS_SQL}) b`,
      [w.firstDay, w.nextFirstDay, tz],
    );
    const { p0, p1, p0_iso, p1_iso } = r.rows[0];
    return { p0, p1, p0Iso: p0_iso, p1Iso: p1_iso };
  }

  /** The subject's name; undefined when the agent or team does not exist (null for the organisation). */
  async subjectName(type: SubjectType, id: string | null): Promise<string | null | undefined> {
    if (type === 'org') return null;
    const r = await this.pool.query<{ name: string }>(
      type === 'agent' ? 'select name from agents where agent_id = $1' : 'select name from teams where team_id = $1',
      [id],
    );
    return r.rowCount ? r.rows[0].name : undefined;
  }

  /** One page of the records behind a key's value. */
  async page(q: DrilldownQuery, instants: PeriodInstants): Promise<DrilldownRows> {
    const params = new Params({
      firstDay: q.window.firstDay,
      s0: q.window.s0,
      s1: q.window.s1,
      p0: instants.p0,
      p1: instants.p1,
      marginRate: q.settings.defaultMarginRate,
      inactivityDays: q.settings.inactivityDays,
      slaResolutionHours: q.settings.slaResolutionHours,
      slaFirstResponseMinutes: q.settings.slaFirstResponseMinutes,
      subjectType: q.subject.type,
      subjectId: q.subject.id,
      after: q.after,
      // one more than asked: tells whether another page follows
      limit: q.limit + 1,
    });
    const sql = drilldownStatement(RECORD_SETS[q.key], params.ref);
    const r = await this.pool.query<Record<string, unknown> & { total: number; id: string | null; in_numerator: boolean | null }>(sql, params.list);
    const total = r.rows[0]?.total ?? 0;
    const rows = r.rows.filter((x) => x.id !== null);
    const records = rows.slice(0, q.limit).map((row) => {
      const fields: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) if (!NOT_FIELDS.has(k)) fields[k] = v;
      return { id: row.id as string, in_numerator: row.in_numerator, fields };
    });
    return { total, records, more: rows.length > q.limit };
  }
}
