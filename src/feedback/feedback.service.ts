import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ScopeService } from '../access/scope.service';
import type { Principal } from '../auth/principal';
import { localDate, type Clock } from '../common/clock';
import { ProblemException, forbidden, notFound, type ProblemFieldError } from '../common/problem-details';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ANONYMOUS_GROUPS, type RaterGroup } from './domain/anonymity';
import { buildResults } from './domain/feedback-results';
import {
  CANNOT_RATE,
  type AssignmentDto,
  type CreateCycleDto,
  type CycleDetailDto,
  type CycleListDto,
  type CycleSummaryDto,
  type MyAssignmentDto,
  type OwnResponseDto,
  type ResponsesDto,
  type ResultsDto,
  type SaveResponseDto,
} from './feedback.dto';
import { FeedbackRepository, type CycleRow, type MyAssignmentRow, type UserRow } from './feedback.repository';

/** The clock 360 feedback reads "today" from (open and close dates); tests set it. */
export const FEEDBACK_CLOCK = Symbol('FEEDBACK_CLOCK');

export type CycleStatus = 'scheduled' | 'open' | 'closed';

/** How often a running service appends the 'closed' change of cycles that closed (KPI data version). */
const CLOSE_SWEEP_MS = 60_000;

const SEES_ALL = new Set(['admin', 'hr', 'manager']);

function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const unprocessable = (errors: ProblemFieldError[]) =>
  new ProblemException(422, 'Unprocessable Content', errors.map((e) => `${e.field}: ${e.reason}`).join('; '), { errors });

/**
 * 360-degree feedback (shared/spec/evaluations.md): cycles, rater assignments, responses,
 * and results with strict anonymity.
 *
 * Time: a cycle accepts responses from `opens_on` through `closes_on` (local dates in
 * ORG_TIMEZONE, both inclusive) and is closed from the next day on. Results — and the KPI —
 * exist only for closed cycles, whose responses can no longer change: every reader sees one
 * fixed set of results, so nothing can be learnt by comparing results before and after one
 * more (or one changed) response.
 */
@Injectable()
export class FeedbackService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('feedback');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repo: FeedbackRepository,
    private readonly scope: ScopeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FEEDBACK_CLOCK) private readonly clock: Clock,
  ) {}

  /** The same service reading another clock (the demo seeds a cycle in the past with it). */
  withClock(clock: Clock): FeedbackService {
    return new FeedbackService(this.repo, this.scope, this.config, clock);
  }

  get minRaters(): number {
    return this.config.feedbackMinRaters;
  }

  /** Today's local date in ORG_TIMEZONE. */
  today(): string {
    return localDate(this.clock.now(), this.config.orgTimezone);
  }

  statusOf(c: Pick<CycleRow, 'opens_on' | 'closes_on'>, today = this.today()): CycleStatus {
    return today < c.opens_on ? 'scheduled' : today <= c.closes_on ? 'open' : 'closed';
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.markClosedCycles();
    this.timer = setInterval(() => void this.markClosedCycles(), CLOSE_SWEEP_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Records (once) that cycles closed, which grows the KPI data version so that cached live
   * KPIs pick the cycle up. Runs at start, every minute and before results are read.
   */
  async markClosedCycles(): Promise<number> {
    try {
      return await this.repo.markClosed(this.today());
    } catch (err) {
      // no data in this message: only that the sweep failed
      this.logger.warn(`closing sweep failed: ${(err as Error).name}`);
      return 0;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Cycles

  async createCycle(dto: CreateCycleDto, by: Principal | null): Promise<number> {
    const today = this.today();
    const errors: ProblemFieldError[] = [];
    const name = dto.name.trim();
    if (!name) errors.push({ field: 'name', value: dto.name, reason: 'must not be blank' });
    const datesOk = isDate(dto.opens_on) && isDate(dto.closes_on);
    if (!isDate(dto.opens_on)) errors.push({ field: 'opens_on', value: dto.opens_on, reason: 'not a calendar date' });
    if (!isDate(dto.closes_on)) errors.push({ field: 'closes_on', value: dto.closes_on, reason: 'not a calendar date' });
    if (datesOk && dto.closes_on < dto.opens_on) errors.push({ field: 'closes_on', value: dto.closes_on, reason: `before opens_on (${dto.opens_on})` });
    if (datesOk && dto.closes_on < today) errors.push({ field: 'closes_on', value: dto.closes_on, reason: `in the past (today is ${today}): a cycle must be able to collect responses` });

    const seenComp = new Map<string, number>();
    dto.competencies.forEach((c, i) => {
      const key = c.name.trim().toLowerCase();
      if (!key) errors.push({ field: `competencies[${i}].name`, value: c.name, reason: 'must not be blank' });
      else if (seenComp.has(key)) errors.push({ field: `competencies[${i}].name`, value: c.name, reason: `the same as competencies[${seenComp.get(key)}]` });
      else seenComp.set(key, i);
      c.questions.forEach((q, j) => {
        if (!q.text.trim()) errors.push({ field: `competencies[${i}].questions[${j}].text`, value: q.text, reason: 'must not be blank' });
      });
    });

    // subjects: known agents who have not left, each once
    const subjects = new Set<string>();
    const agents = new Map((await this.repo.agents(dto.subjects)).map((a) => [a.agent_id, a]));
    dto.subjects.forEach((id, i) => {
      const a = agents.get(id);
      if (subjects.has(id)) errors.push({ field: `subjects[${i}]`, value: id, reason: 'listed twice' });
      else if (!a) errors.push({ field: `subjects[${i}]`, value: id, reason: 'unknown agent' });
      else if (a.left_on !== null && a.left_on <= today) errors.push({ field: `subjects[${i}]`, value: id, reason: `the agent left on ${a.left_on}` });
      subjects.add(id);
    });

    // raters: users, found by id, e-mail or linked agent (self: the subject's own user)
    const byId = new Map((await this.repo.usersByIds(dto.assignments.flatMap((a) => (a.rater_user_id !== undefined ? [a.rater_user_id] : [])))).map((u) => [u.id, u]));
    const byEmail = new Map<string, UserRow>();
    for (const u of await this.repo.usersByEmails(dto.assignments.flatMap((a) => (a.rater_email !== undefined ? [a.rater_email] : [])))) byEmail.set(u.email.toLowerCase(), u);
    const agentUsers = new Map<string, UserRow[]>();
    const linkedAgents = dto.assignments.flatMap((a) => (a.rater_agent_id !== undefined ? [a.rater_agent_id] : a.group === 'self' && a.rater_user_id === undefined && a.rater_email === undefined ? [a.subject_agent_id] : []));
    for (const u of await this.repo.usersByAgents(linkedAgents)) agentUsers.set(u.agent_id!, [...(agentUsers.get(u.agent_id!) ?? []), u]);

    const resolved: { subjectAgentId: string; group: RaterGroup; raterUserId: number }[] = [];
    const pairs = new Map<string, number>();
    const selfOf = new Map<string, number>();
    dto.assignments.forEach((a, i) => {
      const f = `assignments[${i}]`;
      const given = [a.rater_user_id, a.rater_email, a.rater_agent_id].filter((x) => x !== undefined).length;
      if (!subjects.has(a.subject_agent_id)) {
        errors.push({ field: `${f}.subject_agent_id`, value: a.subject_agent_id, reason: 'not one of subjects' });
        return;
      }
      if (given > 1) {
        errors.push({ field: f, reason: 'give only one of rater_user_id, rater_email, rater_agent_id' });
        return;
      }
      let user: UserRow | undefined;
      if (a.rater_user_id !== undefined) {
        user = byId.get(a.rater_user_id);
        if (!user) return void errors.push({ field: `${f}.rater_user_id`, value: a.rater_user_id, reason: 'unknown user' });
      } else if (a.rater_email !== undefined) {
        user = byEmail.get(a.rater_email.toLowerCase());
        if (!user) return void errors.push({ field: `${f}.rater_email`, value: a.rater_email, reason: 'no user has this e-mail' });
      } else {
        const agentId = a.rater_agent_id ?? (a.group === 'self' ? a.subject_agent_id : undefined);
        const field = a.rater_agent_id !== undefined ? `${f}.rater_agent_id` : f;
        if (agentId === undefined) return void errors.push({ field: f, reason: 'name the rater: rater_user_id, rater_email or rater_agent_id' });
        const users = agentUsers.get(agentId) ?? [];
        if (users.length === 0) return void errors.push({ field, value: agentId, reason: `no active user is linked to agent ${agentId}` });
        if (users.length > 1) return void errors.push({ field, value: agentId, reason: `several users are linked to agent ${agentId}: give rater_user_id` });
        user = users[0];
      }
      if (!user.active) return void errors.push({ field: f, reason: `user ${user.email} is inactive` });
      if (user.role === 'auditor') return void errors.push({ field: f, reason: `user ${user.email} is an auditor: auditors take no part in 360 feedback` });
      if (a.group === 'self' && user.agent_id !== a.subject_agent_id) {
        return void errors.push({ field: f, reason: `a self rater must be the subject's own user (user ${user.email} is not linked to agent ${a.subject_agent_id})` });
      }
      if (a.group !== 'self' && user.agent_id === a.subject_agent_id) {
        return void errors.push({ field: f, reason: `the subject's own user can only be in group self` });
      }
      const key = `${a.subject_agent_id}\u0000${user.id}`;
      if (pairs.has(key)) return void errors.push({ field: f, reason: `user ${user.email} is already a rater of ${a.subject_agent_id} (assignments[${pairs.get(key)}]): one response per rater and subject` });
      if (a.group === 'self') {
        if (selfOf.has(a.subject_agent_id)) return void errors.push({ field: f, reason: `${a.subject_agent_id} already has a self rater (assignments[${selfOf.get(a.subject_agent_id)}])` });
        selfOf.set(a.subject_agent_id, i);
      }
      pairs.set(key, i);
      resolved.push({ subjectAgentId: a.subject_agent_id, group: a.group, raterUserId: user.id });
    });
    if (errors.length) throw unprocessable(errors);

    return this.repo.createCycle({
      name,
      opensOn: dto.opens_on,
      closesOn: dto.closes_on,
      createdAt: this.clock.now(),
      createdBy: by?.email ?? null,
      competencies: dto.competencies.map((c) => ({ name: c.name.trim(), description: c.description?.trim() || null, questions: c.questions.map((q) => q.text.trim()) })),
      subjects: [...subjects],
      assignments: resolved,
    });
  }

  private async visibility(p: Principal): Promise<{ all: boolean; agentIds: string[]; teamIds: string[] }> {
    const s = await this.scope.scopeOf(p);
    return { all: s.all, agentIds: s.selfAgentId ? [s.selfAgentId] : [], teamIds: [...s.teamIds] };
  }

  async listCycles(p: Principal): Promise<CycleListDto> {
    const v = await this.visibility(p);
    const today = this.today();
    const rows = await this.repo.listCycles({ ...v, userId: p.userId });
    return {
      cycles: rows.map(
        (r): CycleSummaryDto => ({
          id: r.id,
          name: r.name,
          opens_on: r.opens_on,
          closes_on: r.closes_on,
          status: this.statusOf(r, today),
          subjects: r.subjects,
          my_assignments: r.my_assignments,
          my_pending: r.my_assignments - r.my_submitted,
        }),
      ),
    };
  }

  /** 404 for an unknown cycle, 403 when the caller neither manages it, rates in it, nor sees one of its subjects. */
  private async visibleCycle(id: number, p: Principal): Promise<{ cycle: CycleRow; v: { all: boolean; agentIds: string[]; teamIds: string[] } }> {
    const cycle = await this.repo.cycle(id);
    if (!cycle) throw notFound('feedback cycle', String(id));
    const v = await this.visibility(p);
    if (!v.all) {
      const visible = await this.repo.listCycles({ ...v, userId: p.userId }, id);
      if (!visible.length) throw forbidden(`feedback cycle ${id} is outside your scope`);
    }
    return { cycle, v };
  }

  private inScope(v: { all: boolean; agentIds: string[]; teamIds: string[] }, s: { agent_id: string; team_id: string | null }): boolean {
    return v.all || v.agentIds.includes(s.agent_id) || (s.team_id !== null && v.teamIds.includes(s.team_id));
  }

  async getCycle(id: number, p: Principal): Promise<CycleDetailDto> {
    const { cycle, v } = await this.visibleCycle(id, p);
    const [competencies, subjects, mine] = await Promise.all([this.repo.competencies(id), this.repo.subjects(id), this.repo.myAssignments(id, p.userId)]);
    const assignments: AssignmentDto[] | null = SEES_ALL.has(p.role)
      ? (await this.repo.assignments(id)).map((a) => ({ subject_agent_id: a.subject_agent_id, group: a.group, rater_user_id: a.rater_user_id, rater_email: a.rater_email }))
      : null;
    return {
      id: cycle.id,
      name: cycle.name,
      opens_on: cycle.opens_on,
      closes_on: cycle.closes_on,
      status: this.statusOf(cycle),
      min_raters: this.minRaters,
      competencies,
      subjects: subjects.filter((s) => this.inScope(v, s)).map((s) => ({ agent_id: s.agent_id, name: s.name })),
      assignments,
      my_assignments: mine.map(myAssignmentView),
      created_at: cycle.created_at.toISOString(),
      created_by: cycle.created_by,
    };
  }

  // ---------------------------------------------------------------------------------------
  // Responses

  /** The caller's own assignments, and completion counts per subject and group for those who oversee the cycle. */
  async responses(id: number, p: Principal): Promise<ResponsesDto> {
    const { cycle, v } = await this.visibleCycle(id, p);
    const mine = (await this.repo.myAssignments(id, p.userId)).map(myAssignmentView);
    let completion: ResponsesDto['completion'] = null;
    if (v.all || p.role === 'team_lead') {
      const subjects = (await this.repo.subjects(id)).filter((s) => v.all || (s.team_id !== null && v.teamIds.includes(s.team_id)));
      const rows = await this.repo.completion(id, v.all ? null : subjects.map((s) => s.agent_id));
      const order = (g: string) => ['self', 'manager', 'peer', 'direct_report', 'customer'].indexOf(g);
      completion = subjects.map((s) => ({
        subject_agent_id: s.agent_id,
        name: s.name,
        groups: rows
          .filter((r) => r.subject_agent_id === s.agent_id)
          .sort((a, b) => order(a.group) - order(b.group))
          .map((r) => ({ group: r.group, assigned: r.assigned, responded: r.responded })),
      }));
    }
    return { cycle_id: cycle.id, status: this.statusOf(cycle), mine, completion };
  }

  /** The caller's own response on one subject (404 when they have none): never anyone else's. */
  async ownResponse(id: number, subjectAgentId: string, p: Principal): Promise<OwnResponseDto> {
    const cycle = await this.repo.cycle(id);
    if (!cycle) throw notFound('feedback cycle', String(id));
    const a = await this.repo.myAssignment(id, p.userId, subjectAgentId);
    if (!a) throw new ProblemException(404, 'Not Found', `you are not asked to give feedback on agent ${JSON.stringify(subjectAgentId)} in feedback cycle ${id}`);
    const saved = await this.repo.ownResponse(a.id);
    if (!saved) throw new ProblemException(404, 'Not Found', `you have not answered for agent ${JSON.stringify(subjectAgentId)} in feedback cycle ${id} yet`);
    return {
      cycle_id: id,
      subject_agent_id: a.subject_agent_id,
      subject_name: a.subject_name,
      group: a.group,
      anonymous: ANONYMOUS_GROUPS.includes(a.group),
      answers: saved.answers.map((x) => ({ question_id: x.question_id, rating: x.rating ?? CANNOT_RATE })),
      comment: saved.comment,
      competency_comments: saved.competency_comments,
    };
  }

  /**
   * Creates or replaces the caller's response on one subject while the cycle is open. Only
   * the assigned rater can; errors name only the caller's own input and the cycle's
   * questions, never anything another rater did.
   */
  async saveResponse(id: number, subjectAgentId: string, body: SaveResponseDto, p: Principal): Promise<{ created: boolean; response: OwnResponseDto }> {
    const cycle = await this.repo.cycle(id);
    if (!cycle) throw notFound('feedback cycle', String(id));
    const a = await this.repo.myAssignment(id, p.userId, subjectAgentId);
    if (!a) throw forbidden(`you are not asked to give feedback on agent ${JSON.stringify(subjectAgentId)} in feedback cycle ${id}`);
    const status = this.statusOf(cycle);
    if (status === 'scheduled') throw new ProblemException(409, 'Conflict', `feedback cycle ${id} opens on ${cycle.opens_on}; responses are accepted from then through ${cycle.closes_on}`);
    if (status === 'closed') throw new ProblemException(409, 'Conflict', `feedback cycle ${id} closed after ${cycle.closes_on}; responses can no longer be given or changed`);

    const competencies = await this.repo.competencies(id);
    const questionIds = new Set(competencies.flatMap((c) => c.questions.map((q) => q.id)));
    const competencyIds = new Set(competencies.map((c) => c.id));
    const errors: ProblemFieldError[] = [];
    const seen = new Map<number, number>();
    body.answers.forEach((x, i) => {
      if (!questionIds.has(x.question_id)) errors.push({ field: `answers[${i}].question_id`, value: x.question_id, reason: `not a question of feedback cycle ${id}` });
      else if (seen.has(x.question_id)) errors.push({ field: `answers[${i}].question_id`, value: x.question_id, reason: `answered twice (also answers[${seen.get(x.question_id)}])` });
      else seen.set(x.question_id, i);
    });
    const missing = [...questionIds].filter((q) => !seen.has(q));
    if (missing.length) errors.push({ field: 'answers', value: missing, reason: `every question needs an answer (1–5 or "${CANNOT_RATE}"); missing question ids: ${missing.join(', ')}` });
    const seenComp = new Map<number, number>();
    (body.competency_comments ?? []).forEach((c, i) => {
      if (!competencyIds.has(c.competency_id)) errors.push({ field: `competency_comments[${i}].competency_id`, value: c.competency_id, reason: `not a competency of feedback cycle ${id}` });
      else if (seenComp.has(c.competency_id)) errors.push({ field: `competency_comments[${i}].competency_id`, value: c.competency_id, reason: `one comment per competency (also competency_comments[${seenComp.get(c.competency_id)}])` });
      else seenComp.set(c.competency_id, i);
      if (!c.text.trim()) errors.push({ field: `competency_comments[${i}].text`, reason: 'must not be blank' });
    });
    if (errors.length) throw unprocessable(errors);

    const created = await this.repo.saveResponse(a.id, {
      answers: body.answers.map((x) => ({ questionId: x.question_id, rating: x.rating === CANNOT_RATE ? null : x.rating })),
      comment: body.comment?.trim() || null,
      competencyComments: (body.competency_comments ?? []).map((c) => ({ competencyId: c.competency_id, text: c.text.trim() })),
    });
    return { created, response: await this.ownResponse(id, subjectAgentId, p) };
  }

  // ---------------------------------------------------------------------------------------
  // Results

  /**
   * A subject's results, once the cycle has closed: hr, manager and admin for every subject,
   * a team lead for their teams' agents, an agent for themselves. Aggregates only, with the
   * anonymity folding of ./domain.
   */
  async results(id: number, agentId: string, p: Principal): Promise<ResultsDto> {
    const cycle = await this.repo.cycle(id);
    if (!cycle) throw notFound('feedback cycle', String(id));
    await this.scope.assertAgentVisible(p, agentId);
    if (!(await this.repo.isSubject(id, agentId))) throw notFound(`subject of feedback cycle ${id}: agent`, agentId);
    if (this.statusOf(cycle) !== 'closed') {
      throw new ProblemException(
        409,
        'Conflict',
        `the results of feedback cycle ${id} are available once it has closed: responses are accepted through ${cycle.closes_on}`,
      );
    }
    await this.markClosedCycles();
    const data = (await this.repo.aggregates([{ cycleId: id, agentId }])).get(`${id}:${agentId}`)!;
    data.comments = await this.repo.comments(id, agentId);
    const subject = (await this.repo.subjects(id)).find((s) => s.agent_id === agentId)!;
    return {
      cycle: { id: cycle.id, name: cycle.name, opens_on: cycle.opens_on, closes_on: cycle.closes_on, status: 'closed' },
      subject: { agent_id: subject.agent_id, name: subject.name },
      ...buildResults(data, this.minRaters),
    };
  }
}

function myAssignmentView(a: MyAssignmentRow): MyAssignmentDto {
  return { subject_agent_id: a.subject_agent_id, subject_name: a.subject_name, group: a.group, anonymous: ANONYMOUS_GROUPS.includes(a.group), submitted: a.submitted };
}
