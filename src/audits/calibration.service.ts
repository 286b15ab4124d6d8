import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Principal } from '../auth/principal';
import { systemClock, type Clock } from '../common/clock';
import { notFound, type ProblemFieldError } from '../common/problem-details';
import { PG_POOL } from '../database/database.module';
import { CLOCK } from '../periods/periods.service';
import { isoOrNull, withTransaction } from './audit-db';
import { conflict, invalid } from './audit-errors';
import { AuditFormsRepository } from './audit-forms.repository';
import { AuditLogRepository } from './audit-log.repository';
import { AuditsRepository } from './audits.repository';
import type { CalibrationReportDto, CalibrationSessionDto, CalibrationSummaryDto, CreateCalibrationSessionDto } from './calibration.dto';
import { CalibrationRepository, type ScoreRow, type SessionRow } from './calibration.repository';
import { calibrationReport, summariseAuditors } from './domain/calibration';
import { scoreAudit, validateAnswers } from './domain/audit-scoring';

/**
 * Calibration sessions (shared/spec/evaluations.md, "Calibration"): hr or a manager opens a
 * session on one recorded interaction and an active form version; auditors each score it
 * (their scoring can be changed until the session closes; they see only their own); the
 * report gives per criterion the spread and per auditor the deviation from the group
 * (src/audits/domain/calibration.ts). Calibration scorings never count in KPIs.
 */
@Injectable()
export class CalibrationService {
  constructor(
    private readonly repo: CalibrationRepository,
    private readonly forms: AuditFormsRepository,
    private readonly audits: AuditsRepository,
    private readonly log: AuditLogRepository,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async create(p: Principal, body: CreateCalibrationSessionDto): Promise<CalibrationSessionDto> {
    const now = this.clock.now();
    const id = await withTransaction(this.pool, async (q) => {
      const errors: ProblemFieldError[] = [];
      const form = await this.forms.version(body.form_id, body.form_version, q);
      if (!form) {
        const exists = await this.forms.formExists(body.form_id, q);
        errors.push(exists ? { field: 'form_version', value: body.form_version, reason: `audit form ${body.form_id} has no version ${body.form_version}` } : { field: 'form_id', value: body.form_id, reason: `unknown audit form ${body.form_id}` });
      } else if (form.retired_at !== null) {
        errors.push({ field: 'form_version', value: body.form_version, reason: `version ${form.version} of audit form ${form.form_id} is retired (${form.retired_reason})` });
      }
      if (body.agent_id && !(await this.audits.agent(body.agent_id, q))) errors.push({ field: 'agent_id', value: body.agent_id, reason: `unknown agent ${JSON.stringify(body.agent_id)}` });
      if (errors.length) throw invalid(errors);
      const sessionId = await this.repo.insertSession(q, {
        title: body.title.trim(),
        formVersionId: form!.form_version_id,
        channel: body.channel,
        interactionRef: body.interaction_ref,
        agentId: body.agent_id ?? null,
        at: now,
        by: p.email,
      });
      await this.log.append(q, {
        entityType: 'calibration_session',
        entityId: sessionId,
        auditId: null,
        action: 'create',
        actorUserId: p.userId,
        actor: p.email,
        at: now,
        before: null,
        after: { title: body.title.trim(), form_version_id: form!.form_version_id, channel: body.channel, interaction_ref: body.interaction_ref, agent_id: body.agent_id ?? null },
      });
      return sessionId;
    });
    return this.get(p, id);
  }

  async list(p: Principal): Promise<{ sessions: CalibrationSessionDto[] }> {
    const sessions = await this.repo.sessions();
    const mine = p.role === 'auditor' ? await this.repo.scores(sessions.map((s) => s.id)) : [];
    return { sessions: sessions.map((s) => view(s, mine.find((x) => x.session_id === s.id && x.auditor_user_id === p.userId) ?? null)) };
  }

  async get(p: Principal, id: number): Promise<CalibrationSessionDto> {
    const s = await this.repo.session(id);
    if (!s) throw notFound('calibration session', String(id));
    return view(s, p.role === 'auditor' ? await this.repo.scoreOf(id, p.userId) : null);
  }

  /** The caller's scoring of a session (created or replaced while the session is open). */
  async score(p: Principal, id: number, rawAnswers: unknown): Promise<CalibrationSessionDto> {
    const now = this.clock.now();
    await withTransaction(this.pool, async (q) => {
      await this.repo.lockSession(q, id);
      const s = await this.repo.session(id, q);
      if (!s) throw notFound('calibration session', String(id));
      if (s.closed_at) throw conflict(`calibration session ${id} is closed`);
      const { answers, errors } = validateAnswers(s.definition, rawAnswers);
      if (!answers) throw invalid(errors);
      const result = scoreAudit(s.definition, answers);
      const before = await this.repo.scoreOf(id, p.userId, q);
      const scoreId = await this.repo.upsertScore(q, { sessionId: id, userId: p.userId, email: p.email, answers, score: result.score, autoFailed: result.auto_failed, at: now });
      await this.log.append(q, {
        entityType: 'calibration_score',
        entityId: scoreId,
        auditId: null,
        action: before ? 'edit' : 'create',
        actorUserId: p.userId,
        actor: p.email,
        at: now,
        before: before ? { session_id: id, answers: before.answers, score: before.score } : null,
        after: { session_id: id, answers, score: result.score, auto_failed: result.auto_failed },
      });
    });
    return this.get(p, id);
  }

  async close(p: Principal, id: number): Promise<CalibrationSessionDto> {
    const now = this.clock.now();
    await withTransaction(this.pool, async (q) => {
      await this.repo.lockSession(q, id);
      const s = await this.repo.session(id, q);
      if (!s) throw notFound('calibration session', String(id));
      if (s.closed_at) throw conflict(`calibration session ${id} is already closed`);
      await this.repo.close(q, id, now, p.email);
      await this.log.append(q, { entityType: 'calibration_session', entityId: id, auditId: null, action: 'close', actorUserId: p.userId, actor: p.email, at: now, before: { status: 'open' }, after: { status: 'closed' } });
    });
    return this.get(p, id);
  }

  async report(id: number): Promise<CalibrationReportDto> {
    const s = await this.repo.session(id);
    if (!s) throw notFound('calibration session', String(id));
    const scores = await this.repo.scores([id]);
    const r = calibrationReport(s.definition, scores.map((x) => ({ auditor: x.auditor_email, answers: x.answers })));
    return { session: view(s, null), ...r };
  }

  /** Per auditor across every session (optionally of one form) with at least one scoring. */
  async summary(formId?: number): Promise<CalibrationSummaryDto> {
    const sessions = await this.repo.sessions({ formId });
    const scores = await this.repo.scores(sessions.map((s) => s.id));
    const reports = sessions
      .map((s) => ({ s, xs: scores.filter((x) => x.session_id === s.id) }))
      .filter(({ xs }) => xs.length > 0)
      .map(({ s, xs }) => calibrationReport(s.definition, xs.map((x) => ({ auditor: x.auditor_email, answers: x.answers }))));
    return { sessions: reports.length, auditors: summariseAuditors(reports) };
  }
}

function view(s: SessionRow, mine: ScoreRow | null): CalibrationSessionDto {
  return {
    session_id: s.id,
    title: s.title,
    form: { form_id: s.form_id, version: s.form_version, form_version_id: s.form_version_id, name: s.form_name },
    channel: s.channel,
    interaction_ref: s.interaction_ref,
    agent_id: s.agent_id,
    status: s.closed_at ? 'closed' : 'open',
    scorings: s.scorings,
    my_scoring: mine
      ? { answers: mine.answers.map((a) => ({ criterion_id: a.criterion_id, value: a.value, note: a.note })), score: mine.score, auto_failed: mine.auto_failed, updated_at: mine.updated_at.toISOString() }
      : null,
    created_at: s.created_at.toISOString(),
    created_by: s.created_by,
    closed_at: isoOrNull(s.closed_at),
  };
}
