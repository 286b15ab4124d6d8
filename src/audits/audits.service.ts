import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { ScopeService } from '../access/scope.service';
import type { Principal } from '../auth/principal';
import { systemClock, type Clock } from '../common/clock';
import { forbidden, notFound, type ProblemFieldError } from '../common/problem-details';
import { PG_POOL } from '../database/database.module';
import { isLocalDate } from '../periods/domain/period';
import { CLOCK } from '../periods/periods.service';
import type {
  AuditChangeDto,
  AuditDto,
  AuditHistoryEntryDto,
  AuditListDto,
  AuditListQueryDto,
  AuditLogEntryDto,
  AuditLogPageDto,
  AuditLogQueryDto,
  AuditSummaryDto,
  DisputeDto,
  SaveAuditDto,
} from './audit.dto';
import { isoOrNull, withTransaction, type Queryable } from './audit-db';
import { conflict, invalid } from './audit-errors';
import { AuditFormsRepository, type FormVersionRow } from './audit-forms.repository';
import { AuditLogRepository, type LogEntryRow } from './audit-log.repository';
import { AuditPeriodsService } from './audit-periods.service';
import { AuditsRepository, type AgentFacts, type AuditDetailRow, type AuditRow, type AuditVisibility, type DisputeRow } from './audits.repository';
import { criteriaOf, type FormDefinition } from './domain/audit-form';
import { NOTHING_APPLICABLE, scoreAudit, validateAnswers, type Answer, type AuditScore } from './domain/audit-scoring';

const SEES_ALL = new Set(['admin', 'hr', 'manager']);
const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,6})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const DEFAULT_LIMIT = 100;

/** What an audit looks like in the log (before / after). */
export function auditSnapshot(a: Pick<AuditRow, 'status' | 'agent_id' | 'form_version_id' | 'channel' | 'visited_at' | 'interaction_ref' | 'summary' | 'answers' | 'score' | 'auto_failed' | 'failed_criteria' | 'revision'> & { void_reason?: string | null }, disputeOpen: boolean): Record<string, unknown> {
  return {
    status: a.status,
    view_status: viewStatus(a.status, disputeOpen),
    agent_id: a.agent_id,
    form_version_id: a.form_version_id,
    channel: a.channel,
    visited_at: a.visited_at instanceof Date ? a.visited_at.toISOString() : a.visited_at,
    interaction_ref: a.interaction_ref,
    summary: a.summary,
    answers: a.answers,
    score: a.score,
    auto_failed: a.auto_failed,
    failed_criteria: a.failed_criteria,
    revision: a.revision,
    ...(a.void_reason ? { void_reason: a.void_reason } : {}),
  };
}

/** draft | final | disputed (final with an open dispute; it still counts) | voided. */
export function viewStatus(status: AuditRow['status'], disputeOpen: boolean): 'draft' | 'final' | 'disputed' | 'voided' {
  return status === 'final' && disputeOpen ? 'disputed' : status;
}

export interface CheckedSubmission {
  form: FormVersionRow;
  agent: AgentFacts;
  answers: Answer[];
  result: AuditScore;
  /** visited_at as given (PostgreSQL keeps its precision) */
  visitedAt: string;
}

/**
 * Mystery-shopper audits (shared/spec/evaluations.md, "Submission"): an auditor creates an
 * audit as a draft, edits it until it is final, then finalises it. Validation names every
 * problem (form version, criteria, values, visited_at, the agent's dates). hr/managers may
 * void an audit; an auditor may void (discard) their own draft. Every change is written to
 * the audit log with who, when, before and after, in the same transaction.
 *
 * Who reads what: admin, hr, manager everything; an auditor their own audits; an agent their
 * own audits once final (never drafts); a team lead the final audits of the agents whose
 * current team is one of their teams (descendants included).
 */
@Injectable()
export class AuditsService {
  constructor(
    private readonly repo: AuditsRepository,
    private readonly forms: AuditFormsRepository,
    private readonly log: AuditLogRepository,
    private readonly scope: ScopeService,
    private readonly periods: AuditPeriodsService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  // ---------------------------------------------------------------------------------------
  // Access

  async visibility(p: Principal): Promise<AuditVisibility> {
    if (SEES_ALL.has(p.role)) return { kind: 'all' };
    if (p.role === 'auditor') return { kind: 'auditor', userId: p.userId };
    if (p.role === 'agent') return p.agentId ? { kind: 'agent', agentId: p.agentId } : { kind: 'none' };
    if (p.role === 'team_lead') {
      const s = await this.scope.scopeOf(p);
      return s.teamIds.size ? { kind: 'teams', teamIds: [...s.teamIds] } : { kind: 'none' };
    }
    return { kind: 'none' };
  }

  /** 403 unless the caller may read this audit. */
  async assertReadable(p: Principal, a: Pick<AuditRow, 'id' | 'agent_id' | 'auditor_user_id' | 'status'>): Promise<void> {
    const v = await this.visibility(p);
    const ok =
      v.kind === 'all' ||
      (v.kind === 'auditor' && a.auditor_user_id === v.userId) ||
      (v.kind === 'agent' && a.agent_id === v.agentId && a.status !== 'draft') ||
      (v.kind === 'teams' && a.status !== 'draft' && (await this.agentTeamIn(a.agent_id, v.teamIds)));
    if (!ok) throw forbidden(`audit ${a.id} is outside your scope`);
  }

  private async agentTeamIn(agentId: string, teamIds: string[]): Promise<boolean> {
    const agent = await this.repo.agent(agentId);
    return !!agent?.team_id && teamIds.includes(agent.team_id);
  }

  /** The author (or an admin) may change an audit's content. */
  private assertAuthor(p: Principal, a: AuditRow): void {
    if (p.role === 'admin') return;
    if (p.role === 'auditor' && a.auditor_user_id === p.userId) return;
    throw forbidden(`audit ${a.id} was written by another auditor; only its author can change it`);
  }

  // ---------------------------------------------------------------------------------------
  // Writes

  async create(p: Principal, body: SaveAuditDto): Promise<AuditDto> {
    const now = this.clock.now();
    const id = await withTransaction(this.pool, async (q) => {
      const s = await this.checkSubmission(q, body, null);
      const row = {
        agent_id: body.agent_id,
        auditor_user_id: p.userId,
        auditor_email: p.email,
        form_version_id: s.form.form_version_id,
        channel: body.channel,
        visited_at: s.visitedAt,
        interaction_ref: body.interaction_ref ?? null,
        summary: body.summary ?? null,
        answers: s.answers,
        score: s.result.score,
        auto_failed: s.result.auto_failed,
        failed_criteria: s.result.failed_criteria,
        status: 'draft' as const,
        revision: 1,
        created_at: now,
        updated_at: now,
      };
      const auditId = await this.repo.insert(q, row);
      await this.log.append(q, {
        entityType: 'audit',
        entityId: auditId,
        auditId,
        action: 'create',
        actorUserId: p.userId,
        actor: p.email,
        at: now,
        before: null,
        after: auditSnapshot({ ...row, visited_at: new Date(s.visitedAt) }, false),
      });
      return auditId;
    });
    return this.get(p, id);
  }

  /** Replaces a draft's content (the author only); a final audit changes only through a dispute. */
  async update(p: Principal, id: number, body: SaveAuditDto): Promise<AuditDto> {
    const now = this.clock.now();
    await withTransaction(this.pool, async (q) => {
      const a = await this.lockReadable(q, p, id);
      this.assertAuthor(p, a);
      if (a.status !== 'draft') throw conflict(`audit ${id} is ${a.status}; only a draft can be edited (a final audit changes only through a dispute)`);
      const s = await this.checkSubmission(q, body, a.form_version_id);
      const set = {
        agent_id: body.agent_id,
        form_version_id: s.form.form_version_id,
        channel: body.channel,
        visited_at: s.visitedAt,
        interaction_ref: body.interaction_ref ?? null,
        summary: body.summary ?? null,
        answers: s.answers,
        score: s.result.score,
        auto_failed: s.result.auto_failed,
        failed_criteria: s.result.failed_criteria,
        revision: a.revision + 1,
        updated_at: now,
      };
      await this.repo.update(q, id, set);
      await this.log.append(q, {
        entityType: 'audit',
        entityId: id,
        auditId: id,
        action: 'edit',
        actorUserId: p.userId,
        actor: p.email,
        at: now,
        before: auditSnapshot(a, false),
        after: auditSnapshot({ ...a, ...set, visited_at: new Date(s.visitedAt) }, false),
      });
    });
    return this.get(p, id);
  }

  /** Makes a draft final (the author only): it counts from now on and can be disputed. */
  async finalize(p: Principal, id: number): Promise<AuditDto> {
    const now = this.clock.now();
    await withTransaction(this.pool, async (q) => {
      const a = await this.lockReadable(q, p, id);
      this.assertAuthor(p, a);
      if (a.status !== 'draft') throw conflict(`audit ${id} is ${a.status}; only a draft can be finalised`);
      if (a.score === null) throw invalid([{ field: 'answers', reason: `audit ${id} cannot be finalised: ${NOTHING_APPLICABLE}; answer at least one criterion with a value` }]);
      const set = { status: 'final' as const, finalized_at: now, updated_at: now, revision: a.revision + 1 };
      await this.repo.update(q, id, set);
      await this.log.append(q, {
        entityType: 'audit',
        entityId: id,
        auditId: id,
        action: 'finalize',
        actorUserId: p.userId,
        actor: p.email,
        at: now,
        before: auditSnapshot(a, false),
        after: auditSnapshot({ ...a, ...set }, false),
      });
    });
    return this.get(p, id);
  }

  /**
   * Voids an audit: hr, managers and admins any draft or final audit without an open dispute
   * (resolve the dispute instead); an auditor only their own draft. Voiding a final audit of
   * a published period publishes it again with the reason.
   */
  async void(p: Principal, id: number, reason: string): Promise<AuditChangeDto> {
    const now = this.clock.now();
    const why = reason.trim();
    const before = await withTransaction(this.pool, async (q) => {
      const a = await this.lockReadable(q, p, id);
      if (!SEES_ALL.has(p.role)) {
        this.assertAuthor(p, a);
        if (a.status !== 'draft') throw forbidden(`audit ${id} is ${a.status}; only hr or a manager can void a final audit`);
      }
      if (a.status === 'voided') throw conflict(`audit ${id} is already voided`);
      const dispute = await this.repo.disputeOfAudit(id, q);
      if (dispute?.status === 'open') throw conflict(`audit ${id} has an open dispute (${dispute.id}); resolve it instead (upheld with action void)`);
      const set = { status: 'voided' as const, voided_at: now, voided_by: p.email, void_reason: why, updated_at: now, revision: a.revision + 1 };
      await this.repo.update(q, id, set);
      await this.log.append(q, {
        entityType: 'audit',
        entityId: id,
        auditId: id,
        action: 'void',
        actorUserId: p.userId,
        actor: p.email,
        at: now,
        before: auditSnapshot(a, false),
        after: auditSnapshot({ ...a, ...set }, false),
      });
      return a;
    });
    const republished =
      before.status === 'final' && before.score !== null
        ? await this.periods.republishIfPublished(before.visited_at, `audit ${id} voided: ${why}`, p.email)
        : null;
    return { audit: await this.get(p, id), republished };
  }

  /**
   * Checks a submission, naming every problem: the form version (unknown; retired, unless
   * it is the version the audit already uses), the agent (unknown; left before the visit),
   * visited_at (format; in the future; before the agent was hired) and the answers.
   */
  async checkSubmission(q: Queryable, body: SaveAuditDto, currentFormVersionId: number | null): Promise<CheckedSubmission> {
    const errors: ProblemFieldError[] = [];
    const form = await this.forms.version(body.form_id, body.form_version, q);
    if (!form) {
      if (!(await this.forms.formExists(body.form_id, q))) errors.push({ field: 'form_id', value: body.form_id, reason: `unknown audit form ${body.form_id}` });
      else {
        const versions = await this.forms.versionsOf(body.form_id, q);
        errors.push({ field: 'form_version', value: body.form_version, reason: `audit form ${body.form_id} has no version ${body.form_version} (versions 1–${versions.length})` });
      }
    } else if (form.retired_at !== null && form.form_version_id !== currentFormVersionId) {
      const latest = form.latest_version;
      const hint = latest > form.version ? `; use version ${latest}` : '';
      errors.push({ field: 'form_version', value: body.form_version, reason: `version ${form.version} of audit form ${form.form_id} is retired (${form.retired_reason})${hint}` });
    }

    const agent = await this.repo.agent(body.agent_id, q);
    if (!agent) errors.push({ field: 'agent_id', value: body.agent_id, reason: `unknown agent ${JSON.stringify(body.agent_id)}` });

    const visited = parseInstant(body.visited_at);
    if (!visited) {
      errors.push({ field: 'visited_at', value: body.visited_at, reason: 'must be an ISO 8601 date-time with a UTC offset, e.g. 2026-10-14T10:30:00Z' });
    } else {
      const now = this.clock.now();
      if (visited.getTime() > now.getTime()) errors.push({ field: 'visited_at', value: body.visited_at, reason: `is in the future (now is ${now.toISOString()})` });
      if (agent) {
        const day = this.periods.localDateOf(visited);
        if (day < agent.hired_on) errors.push({ field: 'visited_at', value: body.visited_at, reason: `the visit (${day}) is before agent ${agent.agent_id} was hired (${agent.hired_on})` });
        if (agent.left_on !== null && day > agent.left_on) errors.push({ field: 'agent_id', value: body.agent_id, reason: `agent ${agent.agent_id} left on ${agent.left_on}, before the visit (${day})` });
      }
    }

    let answers: Answer[] | null = null;
    if (form) {
      const checked = validateAnswers(form.definition, body.answers);
      errors.push(...checked.errors);
      answers = checked.answers;
    }
    if (errors.length) throw invalid(errors);
    return { form: form!, agent: agent!, answers: answers!, result: scoreAudit(form!.definition, answers!), visitedAt: body.visited_at };
  }

  /** Locks an audit the caller may read (404 unknown, 403 outside scope). */
  async lockReadable(q: Queryable, p: Principal, id: number): Promise<AuditRow> {
    const a = await this.repo.lock(q, id);
    if (!a) throw notFound('audit', String(id));
    await this.assertReadable(p, a);
    return a;
  }

  // ---------------------------------------------------------------------------------------
  // Reads

  async get(p: Principal, id: number): Promise<AuditDto> {
    const row = await this.repo.detail(id);
    if (!row) throw notFound('audit', String(id));
    await this.assertReadable(p, row);
    const [form, dispute, log] = await Promise.all([this.forms.versionById(row.form_version_id), this.repo.disputeOfAudit(id), this.log.ofAudit(id)]);
    return this.view(p, row, form!.definition, dispute, log);
  }

  async list(p: Principal, q: AuditListQueryDto): Promise<AuditListDto> {
    const v = await this.visibility(p);
    const limit = q.limit ?? DEFAULT_LIMIT;
    const range = q.period ? await this.periods.instants(q.period) : null;
    const rows = await this.repo.list(v, {
      agentId: q.agent_id,
      status: q.status,
      formId: q.form_id,
      from: range?.p0,
      to: range?.p1,
      beforeId: q.cursor !== undefined ? Number(q.cursor) : undefined,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return { audits: page.map((r) => this.summary(p, r)), next_cursor: rows.length > limit ? String(page[page.length - 1].id) : null };
  }

  /** An audit's log (its own entries and its dispute's), oldest first: hr and admin. */
  async logOf(id: number): Promise<AuditLogPageDto> {
    if (!(await this.repo.detail(id))) throw notFound('audit', String(id));
    return { entries: (await this.log.ofAudit(id)).map(logEntryView), next_cursor: null };
  }

  async logPage(q: AuditLogQueryDto): Promise<AuditLogPageDto> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const rows = await this.log.page({ entityType: q.entity_type, entityId: q.entity_id, beforeId: q.cursor ?? null, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return { entries: page.map(logEntryView), next_cursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  summary(p: Principal, r: AuditDetailRow): AuditSummaryDto {
    const disputed = r.status === 'final' && r.dispute_status === 'open';
    return {
      audit_id: r.id,
      status: viewStatus(r.status, disputed),
      disputed,
      agent: { agent_id: r.agent_id, name: r.agent_name, team_id: r.team_id },
      auditor: p.role === 'agent' ? null : { user_id: r.auditor_user_id, email: r.auditor_email },
      form: { form_id: r.form_id, version: r.form_version, form_version_id: r.form_version_id, name: r.form_name },
      channel: r.channel,
      visited_at: r.visited_at.toISOString(),
      score: r.score,
      auto_failed: r.auto_failed,
      revision: r.revision,
      created_at: r.created_at.toISOString(),
      updated_at: r.updated_at.toISOString(),
      finalized_at: isoOrNull(r.finalized_at),
    };
  }

  view(p: Principal, r: AuditDetailRow, def: FormDefinition, dispute: DisputeRow | null, log: LogEntryRow[]): AuditDto {
    const criteria = criteriaOf(def);
    const result = scoreAudit(def, r.answers);
    const byId = new Map(result.criteria.map((c) => [c.criterion_id, c]));
    const answers = new Map(r.answers.map((a) => [a.criterion_id, a]));
    const hideActors = p.role === 'agent';
    const history: AuditHistoryEntryDto[] = log.map((e) => {
      const after = (e.after ?? {}) as { view_status?: string; score?: number | null; audit_view_status?: string; audit_score?: number | null };
      const isAudit = e.entity_type === 'audit';
      return {
        at: e.at.toISOString(),
        action: e.action,
        by: hideActors ? null : e.actor,
        status: (isAudit ? after.view_status : after.audit_view_status) ?? 'final',
        score: (isAudit ? after.score : after.audit_score) ?? null,
      };
    });
    return {
      ...this.summary(p, r),
      interaction_ref: r.interaction_ref,
      summary: r.summary,
      failed_criteria: criteria.filter((c) => r.failed_criteria.includes(c.id)).map((c) => ({ criterion_id: c.id, section_id: c.section_id, label: c.label })),
      applicable_weight: result.applicable_weight,
      earned_weight: result.earned_weight,
      score_before_auto_fail: result.score_before_auto_fail,
      answers: criteria.map((c) => {
        const a = answers.get(c.id)!;
        const res = byId.get(c.id)!;
        return {
          criterion_id: c.id,
          section_id: c.section_id,
          label: c.label,
          type: c.type,
          weight: c.weight,
          critical: c.critical,
          value: a.value,
          points: res.points,
          failed_critical: res.failed_critical,
          note: a.note,
        };
      }),
      voided_at: isoOrNull(r.voided_at),
      void_reason: r.void_reason,
      dispute: dispute ? disputeView(dispute) : null,
      history,
    };
  }
}

/** An instant from ISO 8601 with a UTC offset and a real calendar day; null otherwise. */
export function parseInstant(s: unknown): Date | null {
  if (typeof s !== 'string') return null;
  const m = ISO_INSTANT.exec(s);
  if (!m || !isLocalDate(m[1])) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function disputeView(d: DisputeRow): DisputeDto {
  return {
    dispute_id: d.id,
    audit_id: d.audit_id,
    agent_id: d.agent_id,
    status: d.status,
    reason: d.reason,
    created_at: d.created_at.toISOString(),
    resolution:
      d.status === 'open' || d.resolved_at === null
        ? null
        : {
            outcome: d.status,
            action: d.resolution_action,
            note: d.resolution_note ?? '',
            score_before: d.score_before,
            score_after: d.score_after,
            resolved_at: d.resolved_at.toISOString(),
            resolved_by: d.resolved_by,
          },
  };
}

export function logEntryView(e: LogEntryRow): AuditLogEntryDto {
  return {
    log_id: e.id,
    entity_type: e.entity_type,
    entity_id: e.entity_id,
    audit_id: e.audit_id,
    action: e.action,
    actor_user_id: e.actor_user_id,
    actor: e.actor,
    at: e.at.toISOString(),
    before: e.before,
    after: e.after,
  };
}

