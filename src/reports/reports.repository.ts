import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';

export interface ReportRow {
  report_id: number;
  period: string;
  snapshot_id: number;
  subject_type: 'agent' | 'team';
  subject_id: string;
  subject_name: string | null;
  team_id: string | null;
  version: number;
  path: string;
  sha256: string;
  bytes: number;
  run_id: number | null;
  created_at: string;
}

export interface NewReport {
  period: string;
  snapshot_id: number;
  snapshot_version: number;
  subject_type: 'agent' | 'team';
  subject_id: string;
  subject_name: string | null;
  team_id: string | null;
  path: string;
  sha256: string;
  bytes: number;
  run_id: number | null;
}

/** What a caller may list: everything, or reports of some teams, or one agent's. */
export interface ReportScopeFilter {
  all: boolean;
  teamIds: string[];
  selfAgentId: string | null;
}

const COLUMNS = `id as report_id, period, snapshot_id, subject_type, subject_id, subject_name, team_id,
  snapshot_version as version, path, sha256, bytes, run_id, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at`;

/** The archive of rendered PDFs (insert-only rows) and the download audit trail. */
@Injectable()
export class ReportsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Records a rendered report once; a second insert of the same (snapshot, subject) keeps the first. */
  async insert(r: NewReport): Promise<void> {
    await this.pool.query(
      `insert into reports (period, snapshot_id, snapshot_version, subject_type, subject_id, subject_name, team_id, path, sha256, bytes, run_id, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
       on conflict (snapshot_id, subject_type, subject_id) do nothing`,
      [r.period, r.snapshot_id, r.snapshot_version, r.subject_type, r.subject_id, r.subject_name, r.team_id, r.path, r.sha256, r.bytes, r.run_id],
    );
  }

  async find(snapshotId: number, subjectType: string, subjectId: string): Promise<ReportRow | null> {
    const { rows } = await this.pool.query<ReportRow>(
      `select ${COLUMNS} from reports where snapshot_id = $1 and subject_type = $2 and subject_id = $3`,
      [snapshotId, subjectType, subjectId],
    );
    return rows[0] ?? null;
  }

  async byId(id: number): Promise<ReportRow | null> {
    const { rows } = await this.pool.query<ReportRow>(`select ${COLUMNS} from reports where id = $1`, [id]);
    return rows[0] ?? null;
  }

  async countForSnapshot(snapshotId: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('select count(*)::int as n from reports where snapshot_id = $1', [snapshotId]);
    return rows[0]!.n;
  }

  /** Reports visible to the caller, newest period first, then subject, then version. */
  async list(
    q: { period?: string; subjectType?: string; subjectId?: string; limit: number; offset: number },
    scope: ReportScopeFilter,
  ): Promise<{ rows: ReportRow[]; total: number }> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    if (q.period) where.push(`period = ${arg(q.period)}`);
    if (q.subjectType) where.push(`subject_type = ${arg(q.subjectType)}`);
    if (q.subjectId) where.push(`subject_id = ${arg(q.subjectId)}`);
    if (!scope.all) {
      const visible: string[] = [];
      if (scope.teamIds.length > 0) {
        // the scope rule: a team lead sees their teams (with descendants) and the agents *currently* in them
        const teams = arg(scope.teamIds);
        visible.push(`(subject_type = 'team' and subject_id = any(${teams}::text[]))`);
        visible.push(`(subject_type = 'agent' and subject_id in (select agent_id from agents where team_id = any(${teams}::text[])))`);
      }
      if (scope.selfAgentId) visible.push(`(subject_type = 'agent' and subject_id = ${arg(scope.selfAgentId)})`);
      where.push(visible.length > 0 ? `(${visible.join(' or ')})` : 'false');
    }
    const filter = where.length ? `where ${where.join(' and ')}` : '';
    const total = await this.pool.query<{ n: number }>(`select count(*)::int as n from reports ${filter}`, args);
    const { rows } = await this.pool.query<ReportRow>(
      `select ${COLUMNS} from reports ${filter}
        order by period desc, subject_type, subject_id, snapshot_version desc
        limit ${arg(q.limit)} offset ${arg(q.offset)}`,
      args,
    );
    return { rows, total: total.rows[0]!.n };
  }

  async recordDownload(reportId: number, user: { userId: number; email: string; role: string }): Promise<void> {
    await this.pool.query(
      'insert into report_downloads (report_id, user_id, user_email, role, downloaded_at) values ($1, $2, $3, $4, now())',
      [reportId, user.userId, user.email, user.role],
    );
  }

  async downloads(reportId: number): Promise<{ user_id: number | null; user_email: string | null; role: string | null; downloaded_at: string }[]> {
    const { rows } = await this.pool.query(
      `select user_id, user_email, role, to_char(downloaded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as downloaded_at from report_downloads where report_id = $1 order by id`,
      [reportId],
    );
    return rows;
  }
}
