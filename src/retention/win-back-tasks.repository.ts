import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { PG_POOL } from '../database/database.module';
import type { Confirmation, ContactChannel, TaskOutcome, TaskSource, TaskStatus } from './domain/win-back';

/** A task row with what its views show besides its own columns. */
export interface TaskRow {
  id: number;
  customer_id: string;
  customer_name: string | null;
  agent_id: string;
  agent_name: string | null;
  team_id: string | null;
  source: TaskSource;
  list_as_of: string | null;
  risk_level: string | null;
  tier: string | null;
  signals: Record<string, unknown> | null;
  p_alive: number | null;
  clv: number | null;
  opened_on: string;
  opened_at: Date;
  opened_by: string;
  open_note: string | null;
  due_on: string;
  window_ends_on: string;
  status: TaskStatus;
  outcome: TaskOutcome | null;
  churn_reason: string | null;
  churn_controllable: boolean | null;
  close_note: string | null;
  closed_at: Date | null;
  closed_by: string | null;
  confirmation: Confirmation;
  settled_at: Date | null;
  confirming_order_id: string | null;
  confirming_order_on: string | null;
  contacts: number;
}

export interface ContactRow {
  id: number;
  task_id: number;
  channel: ContactChannel;
  at: Date;
  note: string | null;
  recorded_by: string;
  recorded_at: Date;
}

/** A task to open (weekly job or by hand). */
export interface NewTask {
  customerId: string;
  agentId: string;
  source: TaskSource;
  listAsOf: string | null;
  riskLevel: string | null;
  tier: string | null;
  signals: Record<string, unknown> | null;
  pAlive: number | null;
  clv: number | null;
  openNote: string | null;
}

export interface OpenFacts {
  openedAt: Date;
  openedOn: string;
  openedBy: string;
  dueOn: string;
  windowEndsOn: string;
}

/** Who may be listed: everything, an agent's own tasks, or the tasks of agents whose current team is one of these. */
export type TaskScope = { all: true } | { all: false; agentId: string | null; teamIds: string[] };

export interface TaskFilter {
  status?: TaskStatus;
  confirmation?: Confirmation;
  agentId?: string;
  /** the team and its descendants (already expanded) */
  teamIds?: string[];
  customerId?: string;
}

const TASK_SELECT = `
  select t.id, t.customer_id, c.name as customer_name, t.agent_id, a.name as agent_name, a.team_id,
         t.source, t.list_as_of, t.risk_level, t.tier, t.signals, t.p_alive, t.clv,
         t.opened_on, t.opened_at, t.opened_by, t.open_note, t.due_on, t.window_ends_on,
         t.status, t.outcome, t.churn_reason, t.churn_controllable, t.close_note, t.closed_at, t.closed_by,
         t.confirmation, t.settled_at, t.confirming_order_id, t.confirming_order_on,
         (select count(*)::int from win_back_contacts k where k.task_id = t.id) as contacts
    from win_back_tasks t
    left join customers c on c.customer_id = t.customer_id
    left join agents a on a.agent_id = t.agent_id`;

/** PostgreSQL's unique_violation. */
export const UNIQUE_VIOLATION = '23505';

@Injectable()
export class WinBackTasksRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /**
   * Opens the tasks in one statement; a customer that has an open task (the unique partial
   * index win_back_tasks_one_open_per_customer), or that the weekly job already opened a task
   * for from the same list day (win_back_tasks_weekly_once_per_day), is skipped — `on conflict
   * do nothing`, so concurrent runs never duplicate a task. Returns the ids opened.
   */
  async openMany(tasks: NewTask[], f: OpenFacts): Promise<number[]> {
    if (tasks.length === 0) return [];
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const r = await client.query<{ id: number; customer_id: string }>(
        `insert into win_back_tasks (customer_id, agent_id, source, list_as_of, risk_level, tier, signals, p_alive, clv,
                                     opened_on, opened_at, opened_by, open_note, due_on, window_ends_on, status, confirmation)
         select u.customer_id, u.agent_id, u.source, u.list_as_of, u.risk_level, u.tier, u.signals, u.p_alive, u.clv,
                $11::date, $12::timestamptz, $13::text, u.open_note, $14::date, $15::date, 'open', 'pending'
           from unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[], $7::jsonb[], $8::float8[], $9::float8[], $10::text[])
                  as u(customer_id, agent_id, source, list_as_of, risk_level, tier, signals, p_alive, clv, open_note)
          order by u.customer_id
         on conflict do nothing
         returning id, customer_id`,
        [
          tasks.map((t) => t.customerId),
          tasks.map((t) => t.agentId),
          tasks.map((t) => t.source),
          tasks.map((t) => t.listAsOf),
          tasks.map((t) => t.riskLevel),
          tasks.map((t) => t.tier),
          tasks.map((t) => (t.signals ? JSON.stringify(t.signals) : null)),
          tasks.map((t) => t.pAlive),
          tasks.map((t) => t.clv),
          tasks.map((t) => t.openNote),
          f.openedOn,
          f.openedAt,
          f.openedBy,
          f.dueOn,
          f.windowEndsOn,
        ],
      );
      await this.log(client, r.rows.map((x) => x.id), 'opened', f.openedAt, f.openedBy, null);
      await client.query('commit');
      return r.rows.map((x) => x.id).sort((a, b) => a - b);
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async log(client: PoolClient, ids: number[], action: string, at: Date, actor: string | null, data: Record<string, unknown> | null): Promise<void> {
    if (!ids.length) return;
    await client.query(
      `insert into win_back_task_events (task_id, action, at, actor, data)
       select id, $2, $3, $4, $5::jsonb from unnest($1::int[]) as id`,
      [ids, action, at, actor, data ? JSON.stringify(data) : null],
    );
  }

  async get(id: number): Promise<TaskRow | null> {
    const r = await this.pool.query<TaskRow>(`${TASK_SELECT} where t.id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  async getMany(ids: number[]): Promise<TaskRow[]> {
    if (!ids.length) return [];
    const r = await this.pool.query<TaskRow>(`${TASK_SELECT} where t.id = any($1::int[]) order by t.id`, [ids]);
    return r.rows;
  }

  /** The open task of each of these customers (customer → task id). */
  async openTaskIds(customerIds: string[]): Promise<Map<string, number>> {
    if (!customerIds.length) return new Map();
    const r = await this.pool.query<{ customer_id: string; id: number }>(
      `select customer_id, id from win_back_tasks where status = 'open' and customer_id = any($1::text[])`,
      [customerIds],
    );
    return new Map(r.rows.map((x) => [x.customer_id, x.id]));
  }

  /** A page of tasks, newest first. */
  async list(scope: TaskScope, f: TaskFilter, page: number, pageSize: number): Promise<{ total: number; rows: TaskRow[] }> {
    const params: unknown[] = [];
    const $ = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (!scope.all) {
      const parts: string[] = [];
      if (scope.agentId) parts.push(`t.agent_id = ${$(scope.agentId)}`);
      if (scope.teamIds.length) parts.push(`a.team_id = any(${$(scope.teamIds)}::text[])`);
      where.push(parts.length ? `(${parts.join(' or ')})` : 'false');
    }
    if (f.status) where.push(`t.status = ${$(f.status)}`);
    if (f.confirmation) where.push(`t.confirmation = ${$(f.confirmation)}`);
    if (f.agentId) where.push(`t.agent_id = ${$(f.agentId)}`);
    if (f.teamIds) where.push(`a.team_id = any(${$(f.teamIds)}::text[])`);
    if (f.customerId) where.push(`t.customer_id = ${$(f.customerId)}`);
    const w = where.length ? ` where ${where.join(' and ')}` : '';
    const total = await this.pool.query<{ n: number }>(
      `select count(*)::int as n from win_back_tasks t left join agents a on a.agent_id = t.agent_id${w}`,
      params,
    );
    const rows = await this.pool.query<TaskRow>(
      `${TASK_SELECT}${w} order by t.opened_at desc, t.id desc limit ${$(pageSize)} offset ${$((page - 1) * pageSize)}`,
      params,
    );
    return { total: total.rows[0].n, rows: rows.rows };
  }

  async contacts(taskId: number): Promise<ContactRow[]> {
    const r = await this.pool.query<ContactRow>(`select * from win_back_contacts where task_id = $1 order by at, id`, [taskId]);
    return r.rows;
  }

  async addContact(taskId: number, c: { channel: ContactChannel; at: Date; note: string | null; by: string; now: Date }): Promise<ContactRow> {
    const r = await this.pool.query<ContactRow>(
      `insert into win_back_contacts (task_id, channel, at, note, recorded_by, recorded_at) values ($1, $2, $3, $4, $5, $6) returning *`,
      [taskId, c.channel, c.at, c.note, c.by, c.now],
    );
    return r.rows[0];
  }

  /** Closes an open task; false when it is not open (anymore). */
  async close(
    id: number,
    d: { outcome: TaskOutcome; churnReason: string | null; controllable: boolean | null; note: string | null; by: string; at: Date },
  ): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const r = await client.query(
        `update win_back_tasks set status = 'closed', outcome = $2, churn_reason = $3, churn_controllable = $4, close_note = $5,
                closed_at = $6, closed_by = $7
          where id = $1 and status = 'open'`,
        [id, d.outcome, d.churnReason, d.controllable, d.note, d.at, d.by],
      );
      if (!r.rowCount) {
        await client.query('rollback');
        return false;
      }
      await this.log(client, [id], 'closed', d.at, d.by, { outcome: d.outcome, churn_reason: d.churnReason, controllable: d.controllable });
      await client.query('commit');
      return true;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Settles every pending task whose window (opened_on, window_ends_on] ended before `today`:
   * confirmed iff the customer has a completed order dated in the window (the first such
   * order, by date then order id, is recorded), whatever outcome the agent recorded; one
   * statement. Rows another pass is settling are skipped (`for update skip locked`), so
   * concurrent passes settle each task once. Returns the ids settled.
   */
  async settleDue(today: string, now: Date, actor: string): Promise<{ id: number; confirmation: Confirmation }[]> {
    const r = await this.pool.query<{ task_id: number; confirmation: Confirmation }>(
      `with due as (
         select t.id, t.customer_id, t.opened_on, t.window_ends_on
           from win_back_tasks t
          where t.confirmation = 'pending' and t.window_ends_on < $1::date
          for update skip locked
       ),
       first_order as (
         select distinct on (d.id) d.id, o.order_id, o.ordered_on
           from due d
           join orders o on o.customer_id = d.customer_id and o.status = 'completed'
                        and o.ordered_on > d.opened_on and o.ordered_on <= d.window_ends_on
          order by d.id, o.ordered_on, o.order_id collate "C"
       ),
       settled as (
         update win_back_tasks t
            set confirmation = case when f.id is null then 'not_confirmed' else 'confirmed' end,
                settled_at = $2::timestamptz, confirming_order_id = f.order_id, confirming_order_on = f.ordered_on
           from due d left join first_order f on f.id = d.id
          where t.id = d.id
         returning t.id, t.confirmation, t.confirming_order_id, t.confirming_order_on
       )
       insert into win_back_task_events (task_id, action, at, actor, data)
       select id, 'settled', $2::timestamptz, $3::text,
              jsonb_build_object('confirmation', confirmation, 'order_id', confirming_order_id, 'ordered_on', confirming_order_on)
         from settled
       returning task_id, data->>'confirmation' as confirmation`,
      [today, now, actor],
    );
    return r.rows.map((x) => ({ id: x.task_id, confirmation: x.confirmation })).sort((a, b) => a.id - b.id);
  }

  /** Users linked to these agents (active users with an agent_id): agent → e-mails. */
  async agentEmails(agentIds: string[]): Promise<Map<string, string[]>> {
    if (!agentIds.length) return new Map();
    const r = await this.pool.query<{ agent_id: string; email: string }>(
      `select agent_id, email from users where active and agent_id = any($1::text[]) order by agent_id, id`,
      [agentIds],
    );
    const out = new Map<string, string[]>();
    for (const x of r.rows) out.set(x.agent_id, [...(out.get(x.agent_id) ?? []), x.email]);
    return out;
  }

  /** Customer facts for the list's page: name (null when unknown). */
  async customerNames(ids: string[]): Promise<Map<string, string | null>> {
    if (!ids.length) return new Map();
    const r = await this.pool.query<{ customer_id: string; name: string | null }>(`select customer_id, name from customers where customer_id = any($1::text[])`, [ids]);
    return new Map(r.rows.map((x) => [x.customer_id, x.name]));
  }

  /** Current team of each agent. */
  async agentTeams(ids: string[]): Promise<Map<string, string | null>> {
    if (!ids.length) return new Map();
    const r = await this.pool.query<{ agent_id: string; team_id: string | null }>(`select agent_id, team_id from agents where agent_id = any($1::text[])`, [ids]);
    return new Map(r.rows.map((x) => [x.agent_id, x.team_id]));
  }

  async agentExists(id: string): Promise<boolean> {
    const r = await this.pool.query('select 1 from agents where agent_id = $1', [id]);
    return (r.rowCount ?? 0) > 0;
  }

  /** The import version: the list depends on imported data only (each import adds an import_batches row). */
  async importVersion(): Promise<number> {
    const r = await this.pool.query<{ v: string }>('select coalesce(max(id), 0) as v from import_batches');
    return Number(r.rows[0].v);
  }
}
