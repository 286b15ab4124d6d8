import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Principal } from '../auth/principal';
import { systemClock, type Clock } from '../common/clock';
import { forbidden, notFound } from '../common/problem-details';
import { PG_POOL } from '../database/database.module';
import { CLOCK } from '../periods/periods.service';
import type { DisputeDto, DisputeListDto, DisputeListQueryDto, RepublishedDto, ResolveDisputeDto, ResolveResultDto } from './audit.dto';
import { withTransaction } from './audit-db';
import { conflict, invalid } from './audit-errors';
import { AuditFormsRepository } from './audit-forms.repository';
import { AuditLogRepository } from './audit-log.repository';
import { AuditPeriodsService } from './audit-periods.service';
import { AuditsRepository, type AuditRow, type DisputeRow } from './audits.repository';
import { auditSnapshot, AuditsService, disputeView, viewStatus } from './audits.service';
import { NOTHING_APPLICABLE, scoreAudit, validateAnswers } from './domain/audit-scoring';

const DEFAULT_LIMIT = 100;

/**
 * Disputes (shared/spec/evaluations.md, "Disputes"): the audited agent disputes a final
 * audit once, with a reason; while open the audit still counts, marked disputed. A manager
 * or hr resolves it: upheld — the audit is voided, or re-scored with corrected answers (the
 * old score stays in the dispute, the audit log and the audit's history) — or rejected.
 * When an upheld dispute changes the score of a published period, the period is published
 * again (snapshot version n+1) with the reason `dispute <id> upheld: …`.
 */
@Injectable()
export class DisputesService {
  constructor(
    private readonly repo: AuditsRepository,
    private readonly audits: AuditsService,
    private readonly forms: AuditFormsRepository,
    private readonly log: AuditLogRepository,
    private readonly periods: AuditPeriodsService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /** The audited agent disputes a final audit, once. */
  async open(p: Principal, auditId: number, reason: string): Promise<DisputeDto> {
    const now = this.clock.now();
    const id = await withTransaction(this.pool, async (q) => {
      const a = await this.audits.lockReadable(q, p, auditId);
      if (p.role !== 'agent' || p.agentId !== a.agent_id) throw forbidden(`only the audited agent (${a.agent_id}) can dispute audit ${auditId}`);
      if (a.status !== 'final') throw conflict(`audit ${auditId} is ${a.status}; only a final audit can be disputed`);
      const existing = await this.repo.disputeOfAudit(auditId, q);
      if (existing) throw conflict(`audit ${auditId} was already disputed (dispute ${existing.id}, ${existing.status}); an audit can be disputed once`);
      const row = { audit_id: auditId, agent_id: a.agent_id, reason: reason.trim(), created_at: now, created_by_user_id: p.userId, created_by: p.email };
      const disputeId = await this.repo.insertDispute(q, row);
      await this.log.append(q, {
        entityType: 'dispute',
        entityId: disputeId,
        auditId,
        action: 'dispute',
        actorUserId: p.userId,
        actor: p.email,
        at: now,
        before: null,
        after: { dispute_id: disputeId, status: 'open', reason: row.reason, audit_view_status: 'disputed', audit_score: a.score },
      });
      return disputeId;
    });
    return disputeView((await this.repo.dispute(id))!);
  }

  async ofAudit(p: Principal, auditId: number): Promise<DisputeListDto> {
    const a = await this.repo.detail(auditId);
    if (!a) throw notFound('audit', String(auditId));
    await this.audits.assertReadable(p, a);
    const d = await this.repo.disputeOfAudit(auditId);
    return { disputes: d ? [disputeView(d)] : [], next_cursor: null };
  }

  async get(p: Principal, id: number): Promise<DisputeDto> {
    const d = await this.repo.dispute(id);
    if (!d) throw notFound('dispute', String(id));
    const a = (await this.repo.detail(d.audit_id))!;
    await this.audits.assertReadable(p, a);
    return disputeView(d);
  }

  async list(p: Principal, q: DisputeListQueryDto): Promise<DisputeListDto> {
    const v = await this.audits.visibility(p);
    const limit = q.limit ?? DEFAULT_LIMIT;
    const rows = await this.repo.disputes(v, { status: q.status, agentId: q.agent_id, beforeId: q.cursor !== undefined ? Number(q.cursor) : undefined, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return { disputes: page.map(disputeView), next_cursor: rows.length > limit ? String(page[page.length - 1].id) : null };
  }

  /** hr, managers, admins: upheld (void or rescore with corrected answers) or rejected. */
  async resolve(p: Principal, id: number, body: ResolveDisputeDto): Promise<ResolveResultDto> {
    const now = this.clock.now();
    const note = body.note.trim();
    const outcome = await withTransaction(this.pool, async (q) => {
      const d = await this.repo.lockDispute(q, id);
      if (!d) throw notFound('dispute', String(id));
      if (d.status !== 'open') throw conflict(`dispute ${id} is already resolved (${d.status})`);
      const a = (await this.repo.lock(q, d.audit_id))!;
      this.checkResolution(body);
      let after: AuditRow = a;
      if (body.outcome === 'upheld' && body.action === 'rescore') {
        const form = (await this.forms.versionById(a.form_version_id, q))!;
        const checked = validateAnswers(form.definition, body.answers);
        if (!checked.answers) throw invalid(checked.errors);
        const result = scoreAudit(form.definition, checked.answers);
        if (result.score === null) throw invalid([{ field: 'answers', reason: `the corrected answers cannot be used: ${NOTHING_APPLICABLE}` }]);
        const set = { answers: checked.answers, score: result.score, auto_failed: result.auto_failed, failed_criteria: result.failed_criteria, revision: a.revision + 1, updated_at: now };
        await this.repo.update(q, a.id, set);
        after = { ...a, ...set };
        await this.log.append(q, {
          entityType: 'audit',
          entityId: a.id,
          auditId: a.id,
          action: 'rescore',
          actorUserId: p.userId,
          actor: p.email,
          at: now,
          before: auditSnapshot(a, true),
          after: { ...auditSnapshot(after, false), dispute_id: id },
        });
      } else if (body.outcome === 'upheld') {
        const set = { status: 'voided' as const, voided_at: now, voided_by: p.email, void_reason: `dispute ${id} upheld: ${note}`, revision: a.revision + 1, updated_at: now };
        await this.repo.update(q, a.id, set);
        after = { ...a, ...set };
        await this.log.append(q, {
          entityType: 'audit',
          entityId: a.id,
          auditId: a.id,
          action: 'void',
          actorUserId: p.userId,
          actor: p.email,
          at: now,
          before: auditSnapshot(a, true),
          after: { ...auditSnapshot(after, false), dispute_id: id },
        });
      }
      const resolution: Pick<DisputeRow, 'status' | 'resolution_action' | 'resolution_note' | 'score_before' | 'score_after' | 'resolved_at' | 'resolved_by'> = {
        status: body.outcome,
        resolution_action: body.outcome === 'upheld' ? body.action! : null,
        resolution_note: note,
        score_before: a.score,
        score_after: after.status === 'voided' ? null : after.score,
        resolved_at: now,
        resolved_by: p.email,
      };
      await this.repo.resolveDispute(q, id, resolution);
      await this.log.append(q, {
        entityType: 'dispute',
        entityId: id,
        auditId: a.id,
        action: 'resolve',
        actorUserId: p.userId,
        actor: p.email,
        at: now,
        before: { dispute_id: id, status: 'open', reason: d.reason },
        after: {
          dispute_id: id,
          status: body.outcome,
          action: resolution.resolution_action,
          note,
          score_before: resolution.score_before,
          score_after: resolution.score_after,
          audit_view_status: viewStatus(after.status, false),
          audit_score: after.score,
        },
      });
      return { before: a, after };
    });

    // a published period whose numbers moved gets a new snapshot version with this reason
    let republished: RepublishedDto | null = null;
    const { before, after } = outcome;
    const changed = after.status === 'voided' || after.score !== before.score;
    if (body.outcome === 'upheld' && changed) {
      const what = after.status === 'voided' ? `audit ${before.id} voided` : `audit ${before.id} re-scored ${before.score} → ${after.score}`;
      republished = await this.periods.republishIfPublished(before.visited_at, `dispute ${id} upheld: ${what} (${note})`, p.email);
    }
    return { dispute: disputeView((await this.repo.dispute(id))!), audit: await this.audits.get(p, before.id), republished };
  }

  private checkResolution(body: ResolveDisputeDto): void {
    if (body.outcome === 'upheld') {
      if (!body.action) throw invalid([{ field: 'action', reason: 'an upheld dispute needs an action: void, or rescore with corrected answers' }]);
      if (body.action === 'rescore' && body.answers === undefined) throw invalid([{ field: 'answers', reason: 'rescore needs the complete corrected answers' }]);
      if (body.action === 'void' && body.answers !== undefined) throw invalid([{ field: 'answers', reason: 'answers are only for action rescore' }]);
    } else {
      if (body.action !== undefined) throw invalid([{ field: 'action', value: body.action, reason: 'a rejected dispute leaves the audit as it is; give no action' }]);
      if (body.answers !== undefined) throw invalid([{ field: 'answers', reason: 'a rejected dispute leaves the audit as it is; give no answers' }]);
    }
  }
}
