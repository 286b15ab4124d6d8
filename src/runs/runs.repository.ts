import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { PG_POOL } from '../database/database.module';
import { withTransaction } from '../database/transaction';
import type { RunStatus } from './run.entity';

export interface RunRow {
  id: number;
  period: string;
  force: boolean;
  status: RunStatus;
  trigger: string;
  requested_by: string | null;
  snapshot_id: number | null;
  snapshot_version: number | null;
  progress_done: number;
  progress_total: number;
  delivery_queued_at: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface RunSubject {
  subject_type: 'agent' | 'team';
  subject_id: string;
  name: string | null;
  team_id: string | null;
}

const COLUMNS = `id, period, force, status, trigger, requested_by, snapshot_id, snapshot_version, progress_done, progress_total,
  to_char(delivery_queued_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as delivery_queued_at, error, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
  to_char(started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as started_at, to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as finished_at`;

/** Runs and their progress. Every state change is one guarded UPDATE, safe with several instances. */
@Injectable()
export class RunsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, fn);
  }

  async byId(id: number, db: Pool | PoolClient = this.pool): Promise<RunRow | null> {
    const { rows } = await db.query<RunRow>(`select ${COLUMNS} from runs where id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Serialises starts of one period's run across instances (until the transaction ends). */
  async lockPeriod(client: PoolClient, period: string): Promise<void> {
    await client.query("select pg_advisory_xact_lock(hashtext('yardstick:run:' || $1))", [period]);
  }

  async active(client: PoolClient, period: string): Promise<RunRow | null> {
    const { rows } = await client.query<RunRow>(
      `select ${COLUMNS} from runs where period = $1 and status in ('queued', 'running') order by id desc limit 1`,
      [period],
    );
    return rows[0] ?? null;
  }

  async lastSucceeded(client: PoolClient, period: string): Promise<RunRow | null> {
    const { rows } = await client.query<RunRow>(
      `select ${COLUMNS} from runs where period = $1 and status = 'succeeded' order by id desc limit 1`,
      [period],
    );
    return rows[0] ?? null;
  }

  async insert(client: PoolClient, r: { period: string; force: boolean; trigger: string; requestedBy: string | null }): Promise<RunRow> {
    const { rows } = await client.query<RunRow>(
      `insert into runs (period, force, status, trigger, requested_by, created_at) values ($1, $2, 'queued', $3, $4, now()) returning ${COLUMNS}`,
      [r.period, r.force, r.trigger, r.requestedBy],
    );
    return rows[0]!;
  }

  async markRunning(id: number): Promise<void> {
    await this.pool.query(
      `update runs set status = 'running', started_at = coalesce(started_at, now()) where id = $1 and status in ('queued', 'running')`,
      [id],
    );
  }

  async setSnapshot(id: number, snapshotId: number, version: number): Promise<void> {
    await this.pool.query('update runs set snapshot_id = $2, snapshot_version = $3 where id = $1 and snapshot_id is null', [id, snapshotId, version]);
  }

  /** The snapshot a run published before it crashed (publish records `run:<id>` as its author). */
  async snapshotPublishedBy(runId: number, period: string): Promise<{ id: number; version: number } | null> {
    const { rows } = await this.pool.query<{ id: number; version: number }>(
      'select id, version from period_snapshots where period = $1 and created_by = $2 order by version desc limit 1',
      [period, `run:${runId}`],
    );
    return rows[0] ?? null;
  }

  /** Agents with a scorecard and every team of the snapshot: what a run renders. */
  async subjects(snapshotId: number): Promise<RunSubject[]> {
    const { rows } = await this.pool.query<RunSubject>(
      `select subject_type, subject_id, name, team_id from snapshot_subjects
        where snapshot_id = $1 and ((subject_type = 'agent' and scorecard is not null) or subject_type = 'team')
        order by subject_type, subject_id`,
      [snapshotId],
    );
    return rows;
  }

  /** Sets the number of reports to render, once: true for the caller that set it (and must enqueue the jobs). */
  async claimRenderFanOut(client: PoolClient, id: number, total: number): Promise<boolean> {
    const { rowCount } = await client.query(
      'update runs set progress_total = $2 where id = $1 and progress_total = 0 and delivery_queued_at is null',
      [id, total],
    );
    return rowCount === 1;
  }

  /** Progress = the run snapshot's reports that exist; row-locks the run until the transaction ends. */
  async refreshProgress(client: PoolClient, id: number): Promise<RunRow | null> {
    const { rows } = await client.query<RunRow>(
      `update runs r set progress_done = (select count(*) from reports p where p.snapshot_id = r.snapshot_id)
        where id = $1 returning ${COLUMNS}`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Hands the run to delivery once: true for the caller that did it. */
  async claimDelivery(client: PoolClient, id: number): Promise<boolean> {
    const { rowCount } = await client.query('update runs set delivery_queued_at = now() where id = $1 and delivery_queued_at is null', [id]);
    return rowCount === 1;
  }

  async finish(id: number, status: 'succeeded' | 'failed', error: string | null): Promise<void> {
    await this.pool.query(
      `update runs set status = $2, error = $3, finished_at = now() where id = $1 and status in ('queued', 'running')`,
      [id, status, error],
    );
  }
}
