import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { PG_POOL } from '../database/database.module';
import { CLOSURE_CTE } from '../kpis/kpi.repository';
import type { RaterGroup } from './domain/anonymity';
import type { CellTally, CommentData, CompetencyRef, GroupData, SubjectFeedbackData } from './domain/feedback-results';

/**
 * Every query of 360-degree feedback (shared/spec/evaluations.md). Results are read as
 * *aggregates* only — per (cycle, subject, rater group, competency) the sum and count of the
 * ratings and the number of raters — so no query that feeds results, KPIs or the drill-down
 * ever returns a single rater's answers. The one query that reads answers per rater
 * (`ownResponse`) is keyed by the caller's own assignment.
 */

export interface CycleRow {
  id: number;
  name: string;
  opens_on: string;
  closes_on: string;
  created_at: Date;
  created_by: string | null;
}

export interface NewCycle {
  name: string;
  opensOn: string;
  closesOn: string;
  createdAt: Date;
  createdBy: string | null;
  competencies: { name: string; description: string | null; questions: string[] }[];
  subjects: string[];
  assignments: { subjectAgentId: string; group: RaterGroup; raterUserId: number }[];
}

export interface CompetencyDef {
  id: number;
  name: string;
  description: string | null;
  questions: { id: number; text: string }[];
}

export interface SubjectRow {
  agent_id: string;
  name: string;
  team_id: string | null;
}

export interface AssignmentRow {
  id: number;
  subject_agent_id: string;
  subject_name: string;
  group: RaterGroup;
  rater_user_id: number;
  rater_email: string;
}

export interface MyAssignmentRow {
  id: number;
  subject_agent_id: string;
  subject_name: string;
  group: RaterGroup;
  submitted: boolean;
}

export interface UserRow {
  id: number;
  email: string;
  role: string;
  agent_id: string | null;
  active: boolean;
}

export interface AgentRow {
  agent_id: string;
  name: string;
  team_id: string | null;
  left_on: string | null;
}

export interface SavedResponse {
  answers: { question_id: number; rating: number | null }[];
  comment: string | null;
  competency_comments: { competency_id: number; text: string }[];
}

export interface CompletionRow {
  subject_agent_id: string;
  group: RaterGroup;
  assigned: number;
  responded: number;
}

export interface ClosedCyclePair {
  agent_id: string;
  cycle_id: number;
  cycle_name: string;
  closes_on: string;
}

@Injectable()
export class FeedbackRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('begin');
      const out = await fn(c);
      await c.query('commit');
      return out;
    } catch (err) {
      await c.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Cycles

  /** Writes a whole cycle (and its 'created' change) in one transaction; returns its id. */
  async createCycle(n: NewCycle): Promise<number> {
    return this.tx(async (c) => {
      const cycle = await c.query<{ id: number }>(
        'insert into feedback_cycles (name, opens_on, closes_on, created_at, created_by) values ($1, $2::date, $3::date, $4, $5) returning id',
        [n.name, n.opensOn, n.closesOn, n.createdAt, n.createdBy],
      );
      const id = cycle.rows[0].id;
      for (const [i, comp] of n.competencies.entries()) {
        const r = await c.query<{ id: number }>(
          'insert into feedback_competencies (cycle_id, position, name, description) values ($1, $2, $3, $4) returning id',
          [id, i + 1, comp.name, comp.description],
        );
        await c.query(
          `insert into feedback_questions (cycle_id, competency_id, position, text)
           select $1, $2, q.ord, q.text from unnest($3::text[]) with ordinality as q(text, ord)`,
          [id, r.rows[0].id, comp.questions],
        );
      }
      await c.query('insert into feedback_subjects (cycle_id, agent_id) select $1, unnest($2::text[])', [id, n.subjects]);
      await c.query(
        `insert into feedback_assignments (cycle_id, subject_agent_id, rater_user_id, rater_group)
         select $1, a.subject, a.rater, a.grp from unnest($2::text[], $3::int[], $4::text[]) as a(subject, rater, grp)`,
        [id, n.assignments.map((a) => a.subjectAgentId), n.assignments.map((a) => a.raterUserId), n.assignments.map((a) => a.group)],
      );
      await c.query(`insert into feedback_changes (cycle_id, kind) values ($1, 'created')`, [id]);
      return id;
    });
  }

  async cycle(id: number): Promise<CycleRow | null> {
    const r = await this.pool.query<CycleRow>('select id, name, opens_on, closes_on, created_at, created_by from feedback_cycles where id = $1', [id]);
    return r.rows[0] ?? null;
  }

  async cycleByName(name: string): Promise<CycleRow | null> {
    const r = await this.pool.query<CycleRow>('select id, name, opens_on, closes_on, created_at, created_by from feedback_cycles where name = $1 order by id limit 1', [name]);
    return r.rows[0] ?? null;
  }

  /**
   * The cycles a caller may see, newest close first: all of them (`all`), else those where
   * the user is a rater, or one of `agentIds` is a subject, or a subject's current team is
   * one of `teamIds`. With per-user counts of their own assignments.
   */
  async listCycles(
    v: { all: boolean; userId: number; agentIds: string[]; teamIds: string[] },
    cycleId: number | null = null,
  ): Promise<(CycleRow & { subjects: number; my_assignments: number; my_submitted: number })[]> {
    const r = await this.pool.query<CycleRow & { subjects: number; my_assignments: number; my_submitted: number }>(
      `select c.id, c.name, c.opens_on, c.closes_on, c.created_at, c.created_by,
              (select count(*)::int from feedback_subjects s where s.cycle_id = c.id) as subjects,
              (select count(*)::int from feedback_assignments a where a.cycle_id = c.id and a.rater_user_id = $2) as my_assignments,
              (select count(*)::int from feedback_assignments a join feedback_responses r on r.assignment_id = a.id
                where a.cycle_id = c.id and a.rater_user_id = $2) as my_submitted
         from feedback_cycles c
        where ($5::int is null or c.id = $5)
          and ($1::boolean
           or exists (select 1 from feedback_assignments a where a.cycle_id = c.id and a.rater_user_id = $2)
           or exists (select 1 from feedback_subjects s join agents g on g.agent_id = s.agent_id
                       where s.cycle_id = c.id and (s.agent_id = any($3::text[]) or g.team_id = any($4::text[]))))
        order by c.closes_on desc, c.id desc`,
      [v.all, v.userId, v.agentIds, v.teamIds, cycleId],
    );
    return r.rows;
  }

  async competencies(cycleId: number): Promise<CompetencyDef[]> {
    const comps = await this.pool.query<{ id: number; name: string; description: string | null }>(
      'select id, name, description from feedback_competencies where cycle_id = $1 order by position',
      [cycleId],
    );
    const qs = await this.pool.query<{ id: number; competency_id: number; text: string }>(
      'select q.id, q.competency_id, q.text from feedback_questions q where q.cycle_id = $1 order by q.competency_id, q.position',
      [cycleId],
    );
    return comps.rows.map((c) => ({ ...c, questions: qs.rows.filter((q) => q.competency_id === c.id).map((q) => ({ id: q.id, text: q.text })) }));
  }

  async subjects(cycleId: number): Promise<SubjectRow[]> {
    const r = await this.pool.query<SubjectRow>(
      `select s.agent_id, coalesce(a.name, s.agent_id) as name, a.team_id
         from feedback_subjects s left join agents a on a.agent_id = s.agent_id
        where s.cycle_id = $1 order by s.agent_id collate "C"`,
      [cycleId],
    );
    return r.rows;
  }

  async isSubject(cycleId: number, agentId: string): Promise<boolean> {
    const r = await this.pool.query('select 1 from feedback_subjects where cycle_id = $1 and agent_id = $2', [cycleId, agentId]);
    return (r.rowCount ?? 0) > 0;
  }

  /** Who was asked to rate whom (for those who manage cycles). No response data. */
  async assignments(cycleId: number): Promise<AssignmentRow[]> {
    const r = await this.pool.query<AssignmentRow>(
      `select a.id, a.subject_agent_id, coalesce(g.name, a.subject_agent_id) as subject_name, a.rater_group as "group",
              a.rater_user_id, u.email as rater_email
         from feedback_assignments a
         join users u on u.id = a.rater_user_id
         left join agents g on g.agent_id = a.subject_agent_id
        where a.cycle_id = $1
        order by a.subject_agent_id collate "C", array_position(array['self','manager','peer','direct_report','customer'], a.rater_group::text), u.email`,
      [cycleId],
    );
    return r.rows;
  }

  /** The caller's own assignments in a cycle, with whether each has a response. */
  async myAssignments(cycleId: number, userId: number): Promise<MyAssignmentRow[]> {
    const r = await this.pool.query<MyAssignmentRow>(
      `select a.id, a.subject_agent_id, coalesce(g.name, a.subject_agent_id) as subject_name, a.rater_group as "group",
              exists (select 1 from feedback_responses r where r.assignment_id = a.id) as submitted
         from feedback_assignments a left join agents g on g.agent_id = a.subject_agent_id
        where a.cycle_id = $1 and a.rater_user_id = $2
        order by a.subject_agent_id collate "C"`,
      [cycleId, userId],
    );
    return r.rows;
  }

  async myAssignment(cycleId: number, userId: number, subjectAgentId: string): Promise<MyAssignmentRow | null> {
    const rows = await this.myAssignments(cycleId, userId);
    return rows.find((a) => a.subject_agent_id === subjectAgentId) ?? null;
  }

  // ---------------------------------------------------------------------------------------
  // Users and agents (validation of a new cycle)

  async usersByIds(ids: number[]): Promise<UserRow[]> {
    if (!ids.length) return [];
    const r = await this.pool.query<UserRow>('select id, email, role, agent_id, active from users where id = any($1::int[])', [ids]);
    return r.rows;
  }

  async usersByEmails(emails: string[]): Promise<UserRow[]> {
    if (!emails.length) return [];
    const r = await this.pool.query<UserRow>('select id, email, role, agent_id, active from users where lower(email) = any($1::text[])', [
      emails.map((e) => e.toLowerCase()),
    ]);
    return r.rows;
  }

  /** Active users linked to the given agents. */
  async usersByAgents(agentIds: string[]): Promise<UserRow[]> {
    if (!agentIds.length) return [];
    const r = await this.pool.query<UserRow>('select id, email, role, agent_id, active from users where agent_id = any($1::text[]) and active order by id', [agentIds]);
    return r.rows;
  }

  async agents(ids: string[]): Promise<AgentRow[]> {
    if (!ids.length) return [];
    const r = await this.pool.query<AgentRow>('select agent_id, name, team_id, left_on from agents where agent_id = any($1::text[])', [ids]);
    return r.rows;
  }

  /** Agents working on `day` (hired by then, not left), by id (the demo picks raters from them). */
  async agentsWorkingOn(day: string): Promise<AgentRow[]> {
    const r = await this.pool.query<AgentRow>(
      `select agent_id, name, team_id, left_on from agents
        where hired_on <= $1::date and (left_on is null or left_on > $1::date)
        order by agent_id collate "C"`,
      [day],
    );
    return r.rows;
  }

  // ---------------------------------------------------------------------------------------
  // Responses

  /**
   * Creates or replaces the response of one assignment (answers and comments replaced as a
   * whole); true when it was created. The assignment row is locked so that two concurrent
   * saves of the same rater serialise.
   */
  async saveResponse(
    assignmentId: number,
    r: { answers: { questionId: number; rating: number | null }[]; comment: string | null; competencyComments: { competencyId: number; text: string }[] },
  ): Promise<boolean> {
    return this.tx(async (c) => {
      await c.query('select id from feedback_assignments where id = $1 for update', [assignmentId]);
      const existed = await c.query('select 1 from feedback_responses where assignment_id = $1', [assignmentId]);
      await c.query(
        `insert into feedback_responses (assignment_id, comment) values ($1, $2)
         on conflict (assignment_id) do update set comment = excluded.comment`,
        [assignmentId, r.comment],
      );
      await c.query('delete from feedback_answers where assignment_id = $1', [assignmentId]);
      await c.query('delete from feedback_comments where assignment_id = $1', [assignmentId]);
      await c.query(
        `insert into feedback_answers (assignment_id, question_id, rating)
         select $1, a.q, a.r from unnest($2::int[], $3::smallint[]) as a(q, r)`,
        [assignmentId, r.answers.map((a) => a.questionId), r.answers.map((a) => a.rating)],
      );
      if (r.competencyComments.length) {
        await c.query(
          `insert into feedback_comments (assignment_id, competency_id, text)
           select $1, x.c, x.t from unnest($2::int[], $3::text[]) as x(c, t)`,
          [assignmentId, r.competencyComments.map((x) => x.competencyId), r.competencyComments.map((x) => x.text)],
        );
      }
      return !existed.rowCount;
    });
  }

  /** One assignment's own response — only ever called with the caller's own assignment. */
  async ownResponse(assignmentId: number): Promise<SavedResponse | null> {
    const resp = await this.pool.query<{ comment: string | null }>('select comment from feedback_responses where assignment_id = $1', [assignmentId]);
    if (!resp.rowCount) return null;
    const answers = await this.pool.query<{ question_id: number; rating: number | null }>(
      `select x.question_id, x.rating from feedback_answers x join feedback_questions q on q.id = x.question_id
        where x.assignment_id = $1 order by q.competency_id, q.position`,
      [assignmentId],
    );
    const comments = await this.pool.query<{ competency_id: number; text: string }>(
      `select m.competency_id, m.text from feedback_comments m join feedback_competencies k on k.id = m.competency_id
        where m.assignment_id = $1 order by k.position`,
      [assignmentId],
    );
    return { answers: answers.rows, comment: resp.rows[0].comment, competency_comments: comments.rows };
  }

  /** Completion per subject and group: how many raters were asked and how many responded (counts only). */
  async completion(cycleId: number, subjectIds: string[] | null): Promise<CompletionRow[]> {
    const r = await this.pool.query<CompletionRow>(
      `select a.subject_agent_id, a.rater_group as "group", count(*)::int as assigned, count(r.assignment_id)::int as responded
         from feedback_assignments a left join feedback_responses r on r.assignment_id = a.id
        where a.cycle_id = $1 and ($2::text[] is null or a.subject_agent_id = any($2::text[]))
        group by a.subject_agent_id, a.rater_group
        order by a.subject_agent_id collate "C"`,
      [cycleId, subjectIds],
    );
    return r.rows;
  }

  // ---------------------------------------------------------------------------------------
  // Aggregates (results, KPI, drill-down)

  /**
   * The aggregate inputs of results for (cycle, subject) pairs: per rater group the raters
   * assigned, responded and answered (≥ 1 rating); per group and competency Σ rating, the
   * number of ratings and of raters. Keyed `${cycleId}:${agentId}`.
   */
  async aggregates(pairs: { cycleId: number; agentId: string }[]): Promise<Map<string, SubjectFeedbackData>> {
    const out = new Map<string, SubjectFeedbackData>();
    if (!pairs.length) return out;
    const cycleIds = [...new Set(pairs.map((p) => p.cycleId))];
    const params = [pairs.map((p) => p.cycleId), pairs.map((p) => p.agentId)];
    const comps = await this.pool.query<{ cycle_id: number; id: number; name: string }>(
      'select cycle_id, id, name from feedback_competencies where cycle_id = any($1::int[]) order by cycle_id, position',
      [cycleIds],
    );
    const groups = await this.pool.query<{ cycle_id: number; agent_id: string; group: RaterGroup; assigned: number; responded: number; answered: number }>(
      `with pairs as (select * from unnest($1::int[], $2::text[]) as p(cycle_id, agent_id))
       select a.cycle_id, a.subject_agent_id as agent_id, a.rater_group as "group",
              count(*)::int as assigned,
              count(r.assignment_id)::int as responded,
              count(r.assignment_id) filter (where exists (
                select 1 from feedback_answers x where x.assignment_id = a.id and x.rating is not null))::int as answered
         from pairs p
         join feedback_assignments a on a.cycle_id = p.cycle_id and a.subject_agent_id = p.agent_id
         left join feedback_responses r on r.assignment_id = a.id
        group by a.cycle_id, a.subject_agent_id, a.rater_group`,
      params,
    );
    const cells = await this.pool.query<{ cycle_id: number; agent_id: string; group: RaterGroup; competency_id: number; sum: number; ratings: number; raters: number }>(
      `with pairs as (select * from unnest($1::int[], $2::text[]) as p(cycle_id, agent_id))
       select a.cycle_id, a.subject_agent_id as agent_id, a.rater_group as "group", q.competency_id,
              sum(x.rating)::int as sum, count(*)::int as ratings, count(distinct a.id)::int as raters
         from pairs p
         join feedback_assignments a on a.cycle_id = p.cycle_id and a.subject_agent_id = p.agent_id
         join feedback_answers x on x.assignment_id = a.id and x.rating is not null
         join feedback_questions q on q.id = x.question_id
        group by a.cycle_id, a.subject_agent_id, a.rater_group, q.competency_id`,
      params,
    );
    const compsOf = new Map<number, CompetencyRef[]>();
    for (const c of comps.rows) compsOf.set(c.cycle_id, [...(compsOf.get(c.cycle_id) ?? []), { id: c.id, name: c.name }]);
    for (const p of pairs) out.set(`${p.cycleId}:${p.agentId}`, { competencies: compsOf.get(p.cycleId) ?? [], groups: {} });
    for (const g of groups.rows) {
      const d = out.get(`${g.cycle_id}:${g.agent_id}`);
      if (d) d.groups[g.group] = { assigned: g.assigned, responded: g.responded, answered: g.answered, cells: {} };
    }
    for (const c of cells.rows) {
      const d = out.get(`${c.cycle_id}:${c.agent_id}`)?.groups[c.group] as (GroupData & { cells: Record<number, CellTally> }) | undefined;
      if (d) d.cells[c.competency_id] = { sum: c.sum, ratings: c.ratings, raters: c.raters };
    }
    return out;
  }

  /**
   * The comments on one subject, each with its rater group and competency only (no rater, no
   * assignment, no order of writing): the general comments and the per-competency ones.
   */
  async comments(cycleId: number, agentId: string): Promise<CommentData[]> {
    const r = await this.pool.query<{ group: RaterGroup; competency_id: number | null; text: string }>(
      `select u."group", u.competency_id, u.text from (
         select a.rater_group as "group", null::int as competency_id, r.comment as text
           from feedback_assignments a join feedback_responses r on r.assignment_id = a.id
          where a.cycle_id = $1 and a.subject_agent_id = $2 and r.comment is not null
         union all
         select a.rater_group, m.competency_id, m.text
           from feedback_assignments a join feedback_comments m on m.assignment_id = a.id
          where a.cycle_id = $1 and a.subject_agent_id = $2
       ) u
       order by u."group", u.competency_id nulls first, u.text collate "C"`,
      [cycleId, agentId],
    );
    return r.rows.map((x) => ({ group: x.group, competencyId: x.competency_id, text: x.text }));
  }

  /**
   * feedback_360_score's cycle per agent (kpi-definitions.md): the latest cycle the agent is
   * a subject of with closes_on ≤ s1 that is closed today (closes_on < today) — latest by
   * closes_on, then by id.
   */
  async latestClosedCycles(s1: string, today: string, agentIds: string[] | null = null): Promise<ClosedCyclePair[]> {
    const r = await this.pool.query<ClosedCyclePair>(
      `select distinct on (s.agent_id) s.agent_id, c.id as cycle_id, c.name as cycle_name, c.closes_on
         from feedback_subjects s join feedback_cycles c on c.id = s.cycle_id
        where c.closes_on <= $1::date and c.closes_on < $2::date
          and ($3::text[] is null or s.agent_id = any($3::text[]))
        order by s.agent_id, c.closes_on desc, c.id desc`,
      [s1, today, agentIds],
    );
    return r.rows;
  }

  /** Every agent with its current team, and every team with the agents of its subtree (a team includes its descendants). */
  async agentsAndTeams(): Promise<{ agents: { agent_id: string; team_id: string | null }[]; teamAgents: Map<string, string[]> }> {
    const agents = await this.pool.query<{ agent_id: string; team_id: string | null }>('select agent_id, team_id from agents');
    const pairs = await this.pool.query<{ team_id: string; agent_id: string | null }>(
      `with recursive ${CLOSURE_CTE}
       select t.team_id, a.agent_id
         from teams t
         left join closure c on c.ancestor = t.team_id
         left join agents a on a.team_id = c.descendant`,
    );
    const teamAgents = new Map<string, string[]>();
    for (const p of pairs.rows) {
      const list = teamAgents.get(p.team_id) ?? [];
      if (p.agent_id !== null) list.push(p.agent_id);
      teamAgents.set(p.team_id, list);
    }
    return { agents: agents.rows, teamAgents };
  }

  /**
   * Appends a 'closed' change for every cycle closed by `today` that has none yet (the KPI
   * data version grows, so cached live KPIs see the cycle). Returns how many were added.
   */
  async markClosed(today: string): Promise<number> {
    const r = await this.pool.query(
      `insert into feedback_changes (cycle_id, kind)
       select c.id, 'closed' from feedback_cycles c
        where c.closes_on < $1::date
          and not exists (select 1 from feedback_changes x where x.cycle_id = c.id and x.kind = 'closed')
        order by c.id
       on conflict (cycle_id, kind) do nothing`,
      [today],
    );
    return r.rowCount ?? 0;
  }
}
