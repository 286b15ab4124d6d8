import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import type { Queryable } from './audit-db';
import type { FormDefinition } from './domain/audit-form';
import type { Answer } from './domain/audit-scoring';

export interface SessionRow {
  id: number;
  title: string;
  form_version_id: number;
  form_id: number;
  form_version: number;
  form_name: string;
  definition: FormDefinition;
  channel: string;
  interaction_ref: string;
  agent_id: string | null;
  created_at: Date;
  created_by: string | null;
  closed_at: Date | null;
  closed_by: string | null;
  scorings: number;
}

export interface ScoreRow {
  id: number;
  session_id: number;
  auditor_user_id: number;
  auditor_email: string;
  answers: Answer[];
  score: number | null;
  auto_failed: boolean;
  created_at: Date;
  updated_at: Date;
}

const SESSION_SELECT = `
  select s.*, v.form_id, v.version as form_version, v.name as form_name, v.definition,
         (select count(*)::int from calibration_scores x where x.session_id = s.id) as scorings
    from calibration_sessions s join audit_form_versions v on v.id = s.form_version_id`;

/** Calibration sessions and their scorings (tables calibration_sessions, calibration_scores). */
@Injectable()
export class CalibrationRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async insertSession(q: Queryable, s: { title: string; formVersionId: number; channel: string; interactionRef: string; agentId: string | null; at: Date; by: string | null }): Promise<number> {
    const r = await q.query<{ id: number }>(
      `insert into calibration_sessions (title, form_version_id, channel, interaction_ref, agent_id, created_at, created_by)
       values ($1, $2, $3, $4, $5, $6, $7) returning id`,
      [s.title, s.formVersionId, s.channel, s.interactionRef, s.agentId, s.at, s.by],
    );
    return r.rows[0].id;
  }

  async session(id: number, q: Queryable = this.pool): Promise<SessionRow | null> {
    const r = await q.query<SessionRow>(`${SESSION_SELECT} where s.id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  async lockSession(q: Queryable, id: number): Promise<void> {
    await q.query('select 1 from calibration_sessions where id = $1 for update', [id]);
  }

  async sessions(opts: { formId?: number } = {}): Promise<SessionRow[]> {
    const r = await this.pool.query<SessionRow>(`${SESSION_SELECT} where ($1::int is null or v.form_id = $1) order by s.id desc`, [opts.formId ?? null]);
    return r.rows;
  }

  async close(q: Queryable, id: number, at: Date, by: string | null): Promise<void> {
    await q.query('update calibration_sessions set closed_at = $2, closed_by = $3 where id = $1', [id, at, by]);
  }

  async scores(sessionIds: number[], q: Queryable = this.pool): Promise<ScoreRow[]> {
    const r = await q.query<ScoreRow>('select * from calibration_scores where session_id = any($1::int[]) order by session_id, auditor_email, id', [sessionIds]);
    return r.rows;
  }

  async scoreOf(sessionId: number, userId: number, q: Queryable = this.pool): Promise<ScoreRow | null> {
    const r = await q.query<ScoreRow>('select * from calibration_scores where session_id = $1 and auditor_user_id = $2', [sessionId, userId]);
    return r.rows[0] ?? null;
  }

  async upsertScore(q: Queryable, s: { sessionId: number; userId: number; email: string; answers: Answer[]; score: number | null; autoFailed: boolean; at: Date }): Promise<number> {
    const r = await q.query<{ id: number }>(
      `insert into calibration_scores (session_id, auditor_user_id, auditor_email, answers, score, auto_failed, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $7)
       on conflict (session_id, auditor_user_id) do update
         set auditor_email = excluded.auditor_email, answers = excluded.answers, score = excluded.score,
             auto_failed = excluded.auto_failed, updated_at = excluded.updated_at
       returning id`,
      [s.sessionId, s.userId, s.email, JSON.stringify(s.answers), s.score, s.autoFailed, s.at],
    );
    return r.rows[0].id;
  }
}
