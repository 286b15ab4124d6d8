import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Queryable } from '../audits/audit-db';
import { PG_POOL } from '../database/database.module';
import type { DeliveryStatus } from './delivery.entity';

/**
 * Which reports of a snapshot each subscriber gets ("bursting"), as one set-based query.
 * Parameters: $1 snapshot id, $2 user ids to restrict to (null: every subscriber).
 * Yields `entitled(user_id, report_id)`: the union of what the user's subscriptions ask for,
 * intersected with what the user may see *now* (api.md roles; the rule of ScopeService).
 */
const ENTITLED_CTE = `
with recursive
-- active users with at least one subscription
subscriber as (
  select u.id as user_id, u.role, u.agent_id
    from users u
   where u.active
     and exists (select 1 from subscriptions s where s.user_id = u.id)
     and ($2::int[] is null or u.id = any($2::int[]))
),
-- scope team: the subscribed team and all its descendants (a team always includes its sub-teams)
subscribed_team(user_id, team_id) as (
  select s.user_id, s.team_id from subscriptions s join subscriber x on x.user_id = s.user_id where s.scope = 'team'
  union
  select st.user_id, t.team_id from subscribed_team st join teams t on t.parent_team_id = st.team_id
),
-- access of a team lead: the teams they lead and all their descendants
led_team(user_id, team_id) as (
  select ut.user_id, ut.team_id from user_teams ut join subscriber x on x.user_id = ut.user_id where x.role = 'team_lead'
  union
  select lt.user_id, t.team_id from led_team lt join teams t on t.parent_team_id = lt.team_id
),
snapshot_report as (
  select r.id, r.subject_type, r.subject_id, r.team_id from reports r where r.snapshot_id = $1
),
wanted(user_id, report_id) as (
  -- org: every agent and team report of the snapshot
  select s.user_id, r.id
    from subscriptions s join subscriber x on x.user_id = s.user_id cross join snapshot_report r
   where s.scope = 'org'
  union
  -- team T: the team reports of T's subtree, and the agent reports whose team (in the snapshot) is in it;
  -- a report's team_id is the agent's team or the team itself, so one join covers both
  select st.user_id, r.id from subscribed_team st join snapshot_report r on r.team_id = st.team_id
  union
  -- self: the agent report of the user's own agent
  select x.user_id, r.id
    from subscriptions s join subscriber x on x.user_id = s.user_id
    join snapshot_report r on r.subject_type = 'agent' and r.subject_id = x.agent_id
   where s.scope = 'self'
),
entitled(user_id, report_id) as (
  -- hr, manager, admin: everything; agent: their own report only
  select w.user_id, w.report_id
    from wanted w
    join subscriber x on x.user_id = w.user_id
    join snapshot_report r on r.id = w.report_id
   where x.role in ('admin', 'hr', 'manager')
      or (x.role = 'agent' and r.subject_type = 'agent' and r.subject_id = x.agent_id)
  union
  -- team lead: a team report of a led team, or an agent whose *current* team is a led team
  select w.user_id, w.report_id
    from wanted w
    join snapshot_report r on r.id = w.report_id
    left join agents a on r.subject_type = 'agent' and a.agent_id = r.subject_id
    join led_team lt on lt.user_id = w.user_id
                    and lt.team_id = case when r.subject_type = 'team' then r.subject_id else a.team_id end
)`;

export interface ClaimedDelivery {
  id: number;
  run_id: number;
  user_id: number;
  email: string;
  snapshot_id: number;
  attempts: number;
}

export interface DeliveryReportRow {
  report_id: number;
  period: string;
  snapshot_version: number;
  subject_type: 'agent' | 'team';
  subject_id: string;
  subject_name: string | null;
  team_id: string | null;
  path: string;
  sha256: string;
  bytes: number;
}

export interface DeliveryRow {
  id: number;
  run_id: number;
  user_id: number;
  email: string;
  snapshot_id: number;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  sent_at: Date | null;
  message_id: string | null;
  created_at: Date;
  report_ids: number[];
}

export interface AttemptRow {
  delivery_id: number;
  attempt: number;
  started_at: Date;
  finished_at: Date;
  ok: boolean;
  error: string | null;
  message_id: string | null;
  destination: string | null;
}

export interface StatusCounts {
  total: number;
  sent: number;
  failed: number;
  pending: number;
  skipped: number;
}

/** Tables deliveries, delivery_reports, delivery_attempts; the bursting query. */
@Injectable()
export class DeliveryRepository {
  constructor(@Inject(PG_POOL) readonly pool: Pool) {}

  /**
   * One pending delivery per subscriber with at least one entitled report of the snapshot, with
   * those reports; users who already have a delivery in this run are left alone (unique
   * (run_id, user_id)). Call inside a transaction holding `lockRunForCreation`.
   * Returns the number of deliveries created.
   */
  async createForRun(q: Queryable, runId: number, snapshotId: number, now: Date): Promise<{ deliveries: number; attachments: number }> {
    const r = await q.query<{ deliveries: number; attachments: number }>(
      `${ENTITLED_CTE},
       created as (
         insert into deliveries (run_id, user_id, email, snapshot_id, status, attempts, next_attempt_at, created_at)
         select $3, u.id, u.email, $1, 'pending', 0, $4, $4
           from users u
          where u.id in (select user_id from entitled)
          order by u.id
         on conflict (run_id, user_id) do nothing
         returning id, user_id
       ),
       linked as (
         insert into delivery_reports (delivery_id, report_id)
         select c.id, e.report_id from created c join entitled e on e.user_id = c.user_id
         returning delivery_id
       )
       select (select count(*)::int from created) as deliveries, (select count(*)::int from linked) as attachments`,
      [snapshotId, null, runId, now],
    );
    return r.rows[0];
  }

  /** Serialises the creation of a run's deliveries across instances (transaction-scoped). */
  async lockRunForCreation(q: Queryable, runId: number): Promise<void> {
    await q.query(`select pg_advisory_xact_lock(hashtext('yardstick.deliveries'), $1)`, [runId]);
  }

  /** The report ids of the snapshot this user may receive now (subscriptions ∩ access). */
  async entitledReportIds(q: Queryable, snapshotId: number, userId: number): Promise<Set<number>> {
    const r = await q.query<{ report_id: number }>(`${ENTITLED_CTE} select report_id from entitled`, [snapshotId, [userId]]);
    return new Set(r.rows.map((x) => x.report_id));
  }

  /**
   * Locks one due pending delivery of the run that no other transaction holds (`for update
   * skip locked`): instances and workers sending the same run never take the same row, and a
   * crashed sender's lock vanishes with its connection.
   */
  async claimDue(q: Queryable, runId: number, now: Date): Promise<ClaimedDelivery | null> {
    const r = await q.query<ClaimedDelivery>(
      `select id, run_id, user_id, email, snapshot_id, attempts
         from deliveries
        where run_id = $1 and status = 'pending' and next_attempt_at <= $2
        order by next_attempt_at, id
        limit 1
        for update skip locked`,
      [runId, now],
    );
    return r.rows[0] ?? null;
  }

  async reportsOf(q: Queryable, deliveryId: number): Promise<DeliveryReportRow[]> {
    const r = await q.query<DeliveryReportRow>(
      `select r.id as report_id, r.period, r.snapshot_version, r.subject_type, r.subject_id, r.subject_name, r.team_id, r.path, r.sha256, r.bytes
         from delivery_reports dr join reports r on r.id = dr.report_id
        where dr.delivery_id = $1
        order by r.id`,
      [deliveryId],
    );
    return r.rows;
  }

  async userIsActive(q: Queryable, userId: number): Promise<boolean> {
    const r = await q.query('select 1 from users where id = $1 and active', [userId]);
    return (r.rowCount ?? 0) > 0;
  }

  /** The subscriptions of a user, as the mail describes them ("org", "team T1", "self"). */
  async scopesOf(q: Queryable, userId: number): Promise<string[]> {
    const r = await q.query<{ label: string }>(
      `select case scope when 'team' then 'team ' || team_id else scope end as label
         from subscriptions where user_id = $1
        order by case scope when 'org' then 0 when 'team' then 1 else 2 end, team_id`,
      [userId],
    );
    return r.rows.map((x) => x.label);
  }

  async recordAttempt(q: Queryable, a: AttemptRow): Promise<void> {
    await q.query(
      `insert into delivery_attempts (delivery_id, attempt, started_at, finished_at, ok, error, message_id, destination)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [a.delivery_id, a.attempt, a.started_at, a.finished_at, a.ok, a.error, a.message_id, a.destination],
    );
  }

  async markSent(q: Queryable, id: number, attempts: number, at: Date, messageId: string): Promise<void> {
    await q.query(
      `update deliveries set status = 'sent', attempts = $2, last_attempt_at = $3, sent_at = $3, message_id = $4, next_attempt_at = null
        where id = $1`,
      [id, attempts, at, messageId],
    );
  }

  /** A failed attempt: `next` is the time of the next one, or null when the delivery failed for good. */
  async markFailedAttempt(q: Queryable, id: number, attempts: number, at: Date, error: string, next: Date | null): Promise<void> {
    await q.query(
      `update deliveries set status = case when $5::timestamptz is null then 'failed' else 'pending' end,
              attempts = $2, last_attempt_at = $3, last_error = $4, next_attempt_at = $5
        where id = $1`,
      [id, attempts, at, error, next],
    );
  }

  async markSkipped(q: Queryable, id: number, reason: string): Promise<void> {
    await q.query(`update deliveries set status = 'skipped', last_error = $2, next_attempt_at = null where id = $1`, [id, reason]);
  }

  /** Pending deliveries of the run and the earliest time one of them is due. */
  async openState(runId: number): Promise<{ pending: number; nextDue: Date | null }> {
    const r = await this.pool.query<{ pending: number; next_due: Date | null }>(
      `select count(*)::int as pending, min(next_attempt_at) as next_due from deliveries where run_id = $1 and status = 'pending'`,
      [runId],
    );
    return { pending: r.rows[0].pending, nextDue: r.rows[0].next_due };
  }

  async counts(runId: number): Promise<StatusCounts> {
    const r = await this.pool.query<StatusCounts>(
      `select count(*)::int as total,
              count(*) filter (where status = 'sent')::int as sent,
              count(*) filter (where status = 'failed')::int as failed,
              count(*) filter (where status = 'pending')::int as pending,
              count(*) filter (where status = 'skipped')::int as skipped
         from deliveries where run_id = $1`,
      [runId],
    );
    return r.rows[0];
  }

  async failures(runId: number): Promise<{ email: string; error: string }[]> {
    const r = await this.pool.query<{ email: string; error: string }>(
      `select email, coalesce(last_error, 'failed') as error from deliveries where run_id = $1 and status = 'failed' order by email, id`,
      [runId],
    );
    return r.rows;
  }

  async list(runId: number): Promise<DeliveryRow[]> {
    const r = await this.pool.query<DeliveryRow>(
      `select d.*, coalesce((select array_agg(dr.report_id order by dr.report_id) from delivery_reports dr where dr.delivery_id = d.id), '{}') as report_ids
         from deliveries d where d.run_id = $1
        order by d.email, d.id`,
      [runId],
    );
    return r.rows;
  }

  async attemptsOfRun(runId: number): Promise<AttemptRow[]> {
    const r = await this.pool.query<AttemptRow>(
      `select a.delivery_id, a.attempt, a.started_at, a.finished_at, a.ok, a.error, a.message_id, a.destination
         from delivery_attempts a join deliveries d on d.id = a.delivery_id
        where d.run_id = $1
        order by a.delivery_id, a.attempt`,
      [runId],
    );
    return r.rows;
  }

  async runExists(runId: number): Promise<boolean> {
    const r = await this.pool.query('select 1 from runs where id = $1', [runId]);
    return (r.rowCount ?? 0) > 0;
  }
}
