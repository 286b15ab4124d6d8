import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import { isoSql, type DrilldownRows } from '../kpis/drilldown.repository';
import { CLOSURE_CTE, PERIOD_INSTANTS_SQL, type PeriodWindow, type SubjectType } from '../kpis/kpi.repository';

/**
 * mystery_shopper_score (shared/spec/kpi-definitions.md, "Evaluation and growth KPIs"): the
 * mean final score (0–100) of the subject's non-voided audits with visited_at in P.
 * - counted audits: status final (a disputed audit is final and counts until resolved),
 *   with a score, and p0 ≤ visited_at < p1 (instants; P in ORG_TIMEZONE);
 * - attribution ("Evaluations … count for the agent, and for the agent's current team"):
 *   the audited agent, the agent's current team and every ancestor of it (a team includes
 *   its descendants), and the organisation.
 * Drafts never count (their answers can still change); voided audits never count.
 */
const COUNTED_AUDITS = (p0: string, p1: string) => `
  select a.id, a.agent_id, ag.team_id, a.visited_at, a.score, a.auto_failed, a.channel, v.form_id, v.version as form_version,
         coalesce(d.status = 'open', false) as disputed
    from audits a
    join agents ag on ag.agent_id = a.agent_id
    join audit_form_versions v on v.id = a.form_version_id
    left join audit_disputes d on d.audit_id = a.id
   where a.status = 'final' and a.score is not null
     and a.visited_at >= ${p0}::timestamptz and a.visited_at < ${p1}::timestamptz`;

export interface ScoreAggregate {
  subject_type: SubjectType;
  subject_id: string | null;
  /** Σ score */
  score_sum: number;
  /** number of counted audits */
  audits: number;
}

export interface AuditDrilldownQuery {
  subject: { type: SubjectType; id: string | null };
  p0: string;
  p1: string;
  after: string | null;
  limit: number;
}

@Injectable()
export class AuditKpiRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Σ score and count per agent (every agent), per team (every team, descendants included) and for the organisation. */
  async aggregate(w: PeriodWindow, orgTimezone: string): Promise<ScoreAggregate[]> {
    const bounds = await this.pool.query<{ p0: string; p1: string }>(PERIOD_INSTANTS_SQL, [w.firstDay, w.nextFirstDay, orgTimezone]);
    const { p0, p1 } = bounds.rows[0];
    const r = await this.pool.query<{ subject_type: SubjectType; subject_id: string | null; score_sum: number; audits: string }>(
      `with recursive ${CLOSURE_CTE},
       counted as (${COUNTED_AUDITS('$1', '$2')}),
       per_agent as (
         select ag.agent_id, ag.team_id, coalesce(sum(c.score), 0)::float8 as score_sum, count(c.id) as audits
           from agents ag left join counted c on c.agent_id = ag.agent_id
          group by ag.agent_id, ag.team_id
       )
       select 'agent' as subject_type, agent_id as subject_id, score_sum, audits from per_agent
       union all
       -- a team: the audits of agents whose current team is the team or one of its descendants
       select 'team', t.team_id, coalesce(sum(pa.score_sum), 0)::float8, coalesce(sum(pa.audits), 0)
         from teams t
         join closure cl on cl.ancestor = t.team_id
         left join per_agent pa on pa.team_id = cl.descendant
        group by t.team_id
       union all
       select 'org', null, coalesce(sum(score), 0)::float8, count(*) from counted`,
      [p0, p1],
    );
    return r.rows.map((x) => ({ subject_type: x.subject_type, subject_id: x.subject_id, score_sum: Number(x.score_sum), audits: Number(x.audits) }));
  }

  /** The counted audits of one subject: their number and one page by id (collate "C"). */
  async page(q: AuditDrilldownQuery): Promise<DrilldownRows> {
    const subjectSql = `with recursive ${CLOSURE_CTE},
       counted as (${COUNTED_AUDITS('$1', '$2')}),
       subject as (
         select * from counted c
          where case $3::text
                  when 'agent' then c.agent_id = $4::text
                  when 'team' then c.team_id in (select descendant from closure where ancestor = $4::text)
                  else true
                end
       )`;
    const params = [q.p0, q.p1, q.subject.type, q.subject.id];
    const [total, rows] = await Promise.all([
      this.pool.query<{ n: string }>(`${subjectSql} select count(*) as n from subject`, params),
      this.pool.query<{
        id: string;
        agent_id: string;
        team_id: string | null;
        visited_at: string;
        score: number;
        status: string;
        disputed: boolean;
        auto_failed: boolean;
        channel: string;
        form_id: number;
        form_version: number;
      }>(
        `${subjectSql}
         select s.id::text as id, s.agent_id, s.team_id, ${isoSql('s.visited_at')} as visited_at, s.score,
                case when s.disputed then 'disputed' else 'final' end as status, s.disputed, s.auto_failed, s.channel, s.form_id, s.form_version
           from subject s
          where $5::text is null or s.id::text collate "C" > $5::text
          order by s.id::text collate "C"
          limit $6::int`,
        [...params, q.after, q.limit + 1],
      ),
    ]);
    const records = rows.rows.slice(0, q.limit).map(({ id, ...fields }) => ({ id, in_numerator: null, fields: { ...fields, score: Number(fields.score) } }));
    return { total: Number(total.rows[0].n), records, more: rows.rows.length > q.limit };
  }
}
