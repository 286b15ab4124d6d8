import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { PG_POOL } from '../database/database.module';
import { withTransaction } from '../database/transaction';

/** The snapshot a section is computed for. */
export interface SectionSnapshot {
  id: number;
  /** 'YYYY-MM' */
  period: string;
  /** ISO 8601 UTC with milliseconds */
  created_at: string;
}

export interface SectionRow {
  subject_type: 'agent' | 'team' | 'org';
  /** '' for the organisation */
  subject_id: string;
  data: unknown;
}

/** The rows of snapshot_sections (src/reports/snapshot-section.entity.ts). */
@Injectable()
export class ReportSectionsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async snapshot(id: number): Promise<SectionSnapshot | null> {
    const r = await this.pool.query<SectionSnapshot>(
      `select id, period, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at from period_snapshots where id = $1`,
      [id],
    );
    return r.rows[0] ?? null;
  }

  /** The sections stored for the snapshot: a section counts as computed when its organisation row exists. */
  async storedSections(snapshotId: number, q: Pick<Pool, 'query'> = this.pool): Promise<Set<string>> {
    const r = await q.query<{ section: string }>(`select section from snapshot_sections where snapshot_id = $1 and subject_type = 'org' and subject_id = ''`, [snapshotId]);
    return new Set(r.rows.map((x) => x.section));
  }

  /** A transaction on one connection (committed when `work` resolves, rolled back when it throws). */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work);
  }

  /**
   * Serialises the computation of one section of one snapshot across connections and
   * instances, until the transaction ends.
   */
  async lock(client: PoolClient, snapshotId: number, section: string): Promise<void> {
    await client.query(`select pg_advisory_xact_lock(hashtext('yardstick:snapshot-section:' || $1::text), $2::int)`, [section, snapshotId]);
  }

  /** Every row of a section, in one statement. */
  async insert(client: PoolClient, snapshotId: number, section: string, rows: SectionRow[]): Promise<void> {
    await client.query(
      `insert into snapshot_sections (snapshot_id, section, subject_type, subject_id, data)
       select $1::int, $2::text, u.t, u.i, u.d
         from unnest($3::text[], $4::text[], $5::jsonb[]) as u(t, i, d)`,
      [snapshotId, section, rows.map((r) => r.subject_type), rows.map((r) => r.subject_id), rows.map((r) => JSON.stringify(r.data ?? null))],
    );
  }

  /** The stored data of one subject: section → data. */
  async subjectSections(snapshotId: number, subjectType: SectionRow['subject_type'], subjectId: string): Promise<Map<string, unknown>> {
    const r = await this.pool.query<{ section: string; data: unknown }>(
      `select section, data from snapshot_sections where snapshot_id = $1 and subject_type = $2 and subject_id = $3 order by section collate "C"`,
      [snapshotId, subjectType, subjectId],
    );
    return new Map(r.rows.map((x) => [x.section, x.data]));
  }
}
