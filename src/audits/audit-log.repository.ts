import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import type { Queryable } from './audit-db';

export const LOG_ENTITY_TYPES = ['form', 'audit', 'dispute', 'calibration_session', 'calibration_score'] as const;
export type LogEntityType = (typeof LOG_ENTITY_TYPES)[number];

export interface NewLogEntry {
  entityType: LogEntityType;
  entityId: number;
  auditId: number | null;
  action: string;
  actorUserId: number | null;
  actor: string | null;
  at: Date;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface LogEntryRow {
  id: string;
  entity_type: LogEntityType;
  entity_id: number;
  audit_id: number | null;
  action: string;
  actor_user_id: number | null;
  actor: string | null;
  at: Date;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/**
 * The evaluation audit log (insert-only table audit_log). Writers append inside the
 * transaction that makes the change, so a change and its log entry exist together or not
 * at all.
 */
@Injectable()
export class AuditLogRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async append(q: Queryable, e: NewLogEntry): Promise<void> {
    await q.query(
      `insert into audit_log (entity_type, entity_id, audit_id, action, actor_user_id, actor, at, before, after)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [e.entityType, e.entityId, e.auditId, e.action, e.actorUserId, e.actor, e.at, e.before === null ? null : JSON.stringify(e.before), e.after === null ? null : JSON.stringify(e.after)],
    );
  }

  /** Every entry of an audit (its own and its dispute's), oldest first. */
  async ofAudit(auditId: number, q: Queryable = this.pool): Promise<LogEntryRow[]> {
    const r = await q.query<LogEntryRow>(
      `select l.id::text, entity_type, entity_id, audit_id, action, actor_user_id, actor, at, before, after
         from audit_log l where l.audit_id = $1 order by l.id`,
      [auditId],
    );
    return r.rows;
  }

  /** One page of the log, newest first, optionally for one entity type (and id). */
  async page(f: { entityType?: LogEntityType; entityId?: number; beforeId?: string | null; limit: number }): Promise<LogEntryRow[]> {
    const r = await this.pool.query<LogEntryRow>(
      `select l.id::text, entity_type, entity_id, audit_id, action, actor_user_id, actor, at, before, after
         from audit_log l
        where ($1::text is null or l.entity_type = $1)
          and ($2::int is null or l.entity_id = $2)
          and ($3::bigint is null or l.id < $3::bigint)
        order by l.id desc
        limit $4`,
      [f.entityType ?? null, f.entityId ?? null, f.beforeId ?? null, f.limit],
    );
    return r.rows;
  }
}
