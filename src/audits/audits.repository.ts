import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import type { Queryable } from './audit-db';
import type { AuditStatus } from './audit.entity';
import type { DisputeAction, DisputeStatus } from './audit-dispute.entity';
import type { Answer } from './domain/audit-scoring';

export interface AuditRow {
  id: number;
  agent_id: string;
  auditor_user_id: number;
  auditor_email: string;
  form_version_id: number;
  channel: string;
  visited_at: Date;
  interaction_ref: string | null;
  summary: string | null;
  answers: Answer[];
  score: number | null;
  auto_failed: boolean;
  failed_criteria: string[];
  status: AuditStatus;
  revision: number;
  created_at: Date;
  updated_at: Date;
  finalized_at: Date | null;
  voided_at: Date | null;
  voided_by: string | null;
  void_reason: string | null;
}

/** An audit with what its views show besides its own columns. */
export interface AuditDetailRow extends AuditRow {
  agent_name: string | null;
  team_id: string | null;
  form_id: number;
  form_version: number;
  form_name: string;
  dispute_status: DisputeStatus | null;
}

export interface DisputeRow {
  id: number;
  audit_id: number;
  agent_id: string;
  reason: string;
  status: DisputeStatus;
  resolution_action: DisputeAction | null;
  resolution_note: string | null;
  score_before: number | null;
  score_after: number | null;
  created_at: Date;
  created_by_user_id: number | null;
  created_by: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
}

export interface AgentFacts {
  agent_id: string;
  name: string;
  team_id: string | null;
  hired_on: string;
  left_on: string | null;
}

/**
 * Which audits a caller may read, as a filter (see AuditsService.visibility):
 * everything; an auditor's own; an agent's own non-draft audits; the non-draft audits of
 * agents whose current team is one of `teamIds`; or nothing.
 */
export type AuditVisibility =
  | { kind: 'all' }
  | { kind: 'auditor'; userId: number }
  | { kind: 'agent'; agentId: string }
  | { kind: 'teams'; teamIds: string[] }
  | { kind: 'none' };

export interface AuditFilter {
  agentId?: string;
  /** draft, final (incl. disputed), disputed (final with an open dispute), voided */
  status?: 'draft' | 'final' | 'disputed' | 'voided';
  formId?: number;
  /** visited_at in [from, to) */
  from?: string;
  to?: string;
  /** keyset: ids below this one (newest first) */
  beforeId?: number;
  limit: number;
}

const DETAIL_SELECT = `
  select a.*, ag.name as agent_name, ag.team_id, v.form_id, v.version as form_version, v.name as form_name, d.status as dispute_status
    from audits a
    left join agents ag on ag.agent_id = a.agent_id
    join audit_form_versions v on v.id = a.form_version_id
    left join audit_disputes d on d.audit_id = a.id`;

/** The visibility filter as SQL over `a` (audits) and `ag` (the audited agent); parameters appended to `params`. */
function visibilitySql(v: AuditVisibility, params: unknown[]): string {
  switch (v.kind) {
    case 'all':
      return 'true';
    case 'auditor':
      params.push(v.userId);
      return `a.auditor_user_id = $${params.length}`;
    case 'agent':
      params.push(v.agentId);
      return `a.agent_id = $${params.length} and a.status <> 'draft'`;
    case 'teams':
      params.push(v.teamIds);
      return `ag.team_id = any($${params.length}::text[]) and a.status <> 'draft'`;
    case 'none':
      return 'false';
  }
}

/** Audits and disputes (tables audits, audit_disputes). */
@Injectable()
export class AuditsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async agent(agentId: string, q: Queryable = this.pool): Promise<AgentFacts | null> {
    const r = await q.query<AgentFacts>('select agent_id, name, team_id, hired_on, left_on from agents where agent_id = $1', [agentId]);
    return r.rows[0] ?? null;
  }

  async insert(
    q: Queryable,
    a: Omit<AuditRow, 'id' | 'visited_at' | 'finalized_at' | 'voided_at' | 'voided_by' | 'void_reason'> & { visited_at: string },
  ): Promise<number> {
    const r = await q.query<{ id: number }>(
      `insert into audits (agent_id, auditor_user_id, auditor_email, form_version_id, channel, visited_at, interaction_ref, summary,
                           answers, score, auto_failed, failed_criteria, status, revision, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) returning id`,
      [
        a.agent_id,
        a.auditor_user_id,
        a.auditor_email,
        a.form_version_id,
        a.channel,
        a.visited_at,
        a.interaction_ref,
        a.summary,
        JSON.stringify(a.answers),
        a.score,
        a.auto_failed,
        JSON.stringify(a.failed_criteria),
        a.status,
        a.revision,
        a.created_at,
        a.updated_at,
      ],
    );
    return r.rows[0].id;
  }

  /** The audit, locked for the rest of the transaction (null when unknown). */
  async lock(q: Queryable, id: number): Promise<AuditRow | null> {
    const r = await q.query<AuditRow>('select * from audits where id = $1 for update', [id]);
    return r.rows[0] ?? null;
  }

  /** Writes the changed columns of an audit (revision and updated_at included by the caller). */
  async update(q: Queryable, id: number, set: Partial<Omit<AuditRow, 'id' | 'visited_at'>> & { visited_at?: string }): Promise<void> {
    const cols: string[] = [];
    const params: unknown[] = [];
    for (const [k, v] of Object.entries(set)) {
      if (v === undefined) continue;
      params.push(k === 'answers' || k === 'failed_criteria' ? JSON.stringify(v) : v);
      cols.push(`${k} = $${params.length}${k === 'visited_at' ? '::timestamptz' : ''}`);
    }
    if (!cols.length) return;
    params.push(id);
    await q.query(`update audits set ${cols.join(', ')} where id = $${params.length}`, params);
  }

  async detail(id: number, q: Queryable = this.pool): Promise<AuditDetailRow | null> {
    const r = await q.query<AuditDetailRow>(`${DETAIL_SELECT} where a.id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  /** One page of the audits the caller may read, newest first (by id). */
  async list(v: AuditVisibility, f: AuditFilter): Promise<AuditDetailRow[]> {
    const params: unknown[] = [];
    const where = [visibilitySql(v, params)];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (f.agentId !== undefined) add((p) => `a.agent_id = ${p}`, f.agentId);
    if (f.formId !== undefined) add((p) => `v.form_id = ${p}`, f.formId);
    if (f.from !== undefined) add((p) => `a.visited_at >= ${p}::timestamptz`, f.from);
    if (f.to !== undefined) add((p) => `a.visited_at < ${p}::timestamptz`, f.to);
    if (f.beforeId !== undefined) add((p) => `a.id < ${p}`, f.beforeId);
    if (f.status === 'disputed') where.push(`a.status = 'final' and d.status = 'open'`);
    else if (f.status !== undefined) add((p) => `a.status = ${p}`, f.status);
    params.push(f.limit);
    const r = await this.pool.query<AuditDetailRow>(`${DETAIL_SELECT} where ${where.join(' and ')} order by a.id desc limit $${params.length}`, params);
    return r.rows;
  }

  // --- disputes ---

  async insertDispute(q: Queryable, d: Pick<DisputeRow, 'audit_id' | 'agent_id' | 'reason' | 'created_at' | 'created_by_user_id' | 'created_by'>): Promise<number> {
    const r = await q.query<{ id: number }>(
      `insert into audit_disputes (audit_id, agent_id, reason, status, created_at, created_by_user_id, created_by)
       values ($1, $2, $3, 'open', $4, $5, $6) returning id`,
      [d.audit_id, d.agent_id, d.reason, d.created_at, d.created_by_user_id, d.created_by],
    );
    return r.rows[0].id;
  }

  async disputeOfAudit(auditId: number, q: Queryable = this.pool): Promise<DisputeRow | null> {
    const r = await q.query<DisputeRow>('select * from audit_disputes where audit_id = $1', [auditId]);
    return r.rows[0] ?? null;
  }

  async dispute(id: number, q: Queryable = this.pool): Promise<DisputeRow | null> {
    const r = await q.query<DisputeRow>('select * from audit_disputes where id = $1', [id]);
    return r.rows[0] ?? null;
  }

  async lockDispute(q: Queryable, id: number): Promise<DisputeRow | null> {
    const r = await q.query<DisputeRow>('select * from audit_disputes where id = $1 for update', [id]);
    return r.rows[0] ?? null;
  }

  async resolveDispute(
    q: Queryable,
    id: number,
    r: Pick<DisputeRow, 'status' | 'resolution_action' | 'resolution_note' | 'score_before' | 'score_after' | 'resolved_at' | 'resolved_by'>,
  ): Promise<void> {
    await q.query(
      `update audit_disputes set status = $2, resolution_action = $3, resolution_note = $4, score_before = $5, score_after = $6, resolved_at = $7, resolved_by = $8
        where id = $1`,
      [id, r.status, r.resolution_action, r.resolution_note, r.score_before, r.score_after, r.resolved_at, r.resolved_by],
    );
  }

  /** Disputes of the audits the caller may read, newest first. */
  async disputes(v: AuditVisibility, f: { status?: DisputeStatus; agentId?: string; beforeId?: number; limit: number }): Promise<DisputeRow[]> {
    const params: unknown[] = [];
    const where = [visibilitySql(v, params)];
    if (f.status !== undefined) {
      params.push(f.status);
      where.push(`d.status = $${params.length}`);
    }
    if (f.agentId !== undefined) {
      params.push(f.agentId);
      where.push(`d.agent_id = $${params.length}`);
    }
    if (f.beforeId !== undefined) {
      params.push(f.beforeId);
      where.push(`d.id < $${params.length}`);
    }
    params.push(f.limit);
    const r = await this.pool.query<DisputeRow>(
      `select d.* from audit_disputes d join audits a on a.id = d.audit_id left join agents ag on ag.agent_id = a.agent_id
        where ${where.join(' and ')} order by d.id desc limit $${params.length}`,
      params,
    );
    return r.rows;
  }
}
