import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { HotReadCache, noticeWrite } from '../common/hot-read-cache';
import { PG_POOL } from '../database/database.module';

export interface SnapshotHeader {
  id: number;
  period: string;
  version: number;
  definitions_version: number;
  template_version_id: number;
  reason: string | null;
  data_version: number;
  created_at: string;
  created_by: string | null;
}

/** The latest published version of a period, as the hot read path needs it. */
export interface LatestVersion {
  snapshot_id: number;
  version: number;
  definitions_version: number;
}

export interface NewSnapshot {
  period: string;
  definitions_version: number;
  template_version_id: number;
  reason: string | null;
  data_version: number;
  created_by: string | null;
  settings: Record<string, unknown>;
}

export interface SnapshotSubjectRow {
  subject_type: 'agent' | 'team' | 'org';
  subject_id: string;
  name: string | null;
  team_id: string | null;
  kpis: Record<string, unknown>;
  scorecard: Record<string, unknown> | null;
}

/** Published periods: immutable, versioned snapshots (insert-only; a trigger refuses updates). */
@Injectable()
export class SnapshotsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async latest(period: string): Promise<SnapshotHeader | null> {
    const r = await this.pool.query<SnapshotHeader>(
      `select id, period, version, definitions_version, template_version_id, reason, data_version::float8 as data_version,
              to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at, created_by
         from period_snapshots where period = $1 order by version desc limit 1`,
      [period],
    );
    return r.rows[0] ?? null;
  }

  /**
   * The hot read path of published KPIs: the latest version of a period and one subject's
   * KPI values in one round trip (without the scorecard JSON). null when the period is live;
   * `kpis` null when the subject is not part of the snapshot.
   */
  async latestSubjectKpis(
    period: string,
    type: string,
    id: string | null,
  ): Promise<{ version: number; definitions_version: number; snapshot_id: number; name: string | null; kpis: Record<string, unknown> | null } | null> {
    const r = await this.pool.query<{ snapshot_id: number; version: number; definitions_version: number; name: string | null; kpis: Record<string, unknown> | null }>(
      `select p.id as snapshot_id, p.version, p.definitions_version, s.name, s.kpis
         from (select id, version, definitions_version from period_snapshots where period = $1 order by version desc limit 1) p
         left join snapshot_subjects s on s.snapshot_id = p.id and s.subject_type = $2 and s.subject_id = $3`,
      [period, type, id ?? ''],
    );
    return r.rows[0] ?? null;
  }

  /** the latest version of each period, for the hot read path (see hot-read-cache.ts) */
  private readonly latestVersions = new HotReadCache<string, LatestVersion | null>(async (period) => {
    const r = await this.pool.query<LatestVersion>({
      name: 'snapshots-latest-version',
      text: 'select id as snapshot_id, version, definitions_version from period_snapshots where period = $1 order by version desc limit 1',
      values: [period],
    });
    return r.rows[0] ?? null;
  });

  /**
   * The period's latest version (null: not published) as read at most a second ago, and never
   * before this process's last publication or import (hot-read-cache.ts): for the hottest
   * read path only; everything else reads the database.
   */
  latestRecent(period: string): Promise<LatestVersion | null> {
    return this.latestVersions.get(period);
  }

  /** One subject's name and KPI values in a snapshot (without the scorecard JSON); null when it is not part of it. */
  async subjectKpis(snapshotId: number, type: string, id: string | null): Promise<{ name: string | null; kpis: Record<string, unknown> } | null> {
    const r = await this.pool.query<{ name: string | null; kpis: Record<string, unknown> }>(
      'select name, kpis from snapshot_subjects where snapshot_id = $1 and subject_type = $2 and subject_id = $3',
      [snapshotId, type, id ?? ''],
    );
    return r.rows[0] ?? null;
  }

  async versions(period: string): Promise<SnapshotHeader[]> {
    const r = await this.pool.query<SnapshotHeader>(
      `select id, period, version, definitions_version, template_version_id, reason, data_version::float8 as data_version,
              to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at, created_by
         from period_snapshots where period = $1 order by version`,
      [period],
    );
    return r.rows;
  }

  async byVersion(period: string, version: number): Promise<SnapshotHeader | null> {
    return (await this.versions(period)).find((v) => v.version === version) ?? null;
  }

  async subject(snapshotId: number, type: string, id: string | null): Promise<SnapshotSubjectRow | null> {
    const r = await this.pool.query<SnapshotSubjectRow>(
      'select subject_type, subject_id, name, team_id, kpis, scorecard from snapshot_subjects where snapshot_id = $1 and subject_type = $2 and subject_id = $3',
      [snapshotId, type, id ?? ''],
    );
    return r.rows[0] ?? null;
  }

  async agentsOfTeams(snapshotId: number, teamIds: string[]): Promise<SnapshotSubjectRow[]> {
    const r = await this.pool.query<SnapshotSubjectRow>(
      `select subject_type, subject_id, name, team_id, kpis, scorecard from snapshot_subjects
        where snapshot_id = $1 and subject_type = 'agent' and team_id = any($2::text[]) order by subject_id collate "C"`,
      [snapshotId, teamIds],
    );
    return r.rows;
  }

  /** Every subject's KPI values (value only) of a snapshot: the trend source for later periods. */
  async values(snapshotId: number): Promise<Map<string, Record<string, number | null>>> {
    const r = await this.pool.query<{ key: string; vals: Record<string, number | null> }>(
      `select s.subject_type || ':' || s.subject_id as key,
              (select jsonb_object_agg(k, case when jsonb_typeof(v->'value') = 'number' then v->'value' else 'null'::jsonb end)
                 from jsonb_each(s.kpis) as e(k, v)) as vals
         from snapshot_subjects s where s.snapshot_id = $1`,
      [snapshotId],
    );
    return new Map(r.rows.map((x) => [x.key, x.vals]));
  }

  /**
   * Inserts version n+1 of a period with all its subjects, in one transaction under a
   * per-period lock; returns the new header.
   */
  async insert(
    header: NewSnapshot,
    subjects: SnapshotSubjectRow[],
    guard: (latest: SnapshotHeader | null, client: PoolClient) => Promise<void>,
  ): Promise<SnapshotHeader> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query("select pg_advisory_xact_lock(hashtext('yardstick:publish:' || $1))", [header.period]);
      const prev = await client.query<SnapshotHeader>(
        'select id, version, data_version::float8 as data_version from period_snapshots where period = $1 order by version desc limit 1',
        [header.period],
      );
      await guard(prev.rows[0] ?? null, client);
      const version = (prev.rows[0]?.version ?? 0) + 1;
      const ins = await client.query<{ id: number }>(
        `insert into period_snapshots (period, version, definitions_version, template_version_id, reason, data_version, settings, created_at, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, now(), $8) returning id`,
        [header.period, version, header.definitions_version, header.template_version_id, header.reason, header.data_version, JSON.stringify(header.settings), header.created_by],
      );
      const id = ins.rows[0].id;
      // one statement for all subjects
      await client.query(
        `insert into snapshot_subjects (snapshot_id, subject_type, subject_id, name, team_id, kpis, scorecard)
         select $1, x.subject_type, x.subject_id, x.name, x.team_id, x.kpis, x.scorecard
           from jsonb_to_recordset($2::jsonb) as x(subject_type text, subject_id text, name text, team_id text, kpis jsonb, scorecard jsonb)`,
        [id, JSON.stringify(subjects)],
      );
      await client.query('commit');
      noticeWrite();
      return (await this.byVersion(header.period, version))!;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
