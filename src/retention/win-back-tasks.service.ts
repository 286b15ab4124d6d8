import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ScopeRepository } from '../access/scope.repository';
import { ScopeService } from '../access/scope.service';
import type { Principal } from '../auth/principal';
import { ProblemException, forbidden, notFound, type ProblemFieldError } from '../common/problem-details';
import { addDays, compareDates } from '../periods/domain/period';
import { TASK_DUE_DAYS, validateClose, windowEndsOn, type ContactChannel } from './domain/win-back';
import { RetentionService } from './retention.service';
import type { CloseTaskDto, ContactDto, ContactViewDto, OpenTaskDto, TaskListDto, TaskListQueryDto, WinBackTaskDto } from './win-back-task.dto';
import { UNIQUE_VIOLATION, WinBackTasksRepository, type ContactRow, type TaskRow, type TaskScope } from './win-back-tasks.repository';

const invalid = (errors: ProblemFieldError[]) =>
  new ProblemException(422, 'Unprocessable Content', errors.map((e) => `${e.field}: ${e.reason}`).join('; '), { errors });
const conflict = (detail: string) => new ProblemException(409, 'Conflict', detail);

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Win-back tasks through the API (shared/spec/retention.md, "Win-back tasks"), scoped like
 * everything else: an agent sees and works their own tasks, a team lead their teams' (the
 * task agent's current team, descendants included), hr, managers and admins all of them.
 * Managers, team leads, hr and admins open tasks by hand for customers in their scope.
 */
@Injectable()
export class WinBackTasksService {
  constructor(
    private readonly repo: WinBackTasksRepository,
    private readonly retention: RetentionService,
    private readonly scope: ScopeService,
    private readonly scopeRepo: ScopeRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async taskScope(user: Principal): Promise<TaskScope> {
    const s = await this.scope.scopeOf(user);
    if (s.all) return { all: true };
    return { all: false, agentId: s.selfAgentId, teamIds: [...s.teamIds] };
  }

  private visible(scope: TaskScope, t: TaskRow): boolean {
    return scope.all || (scope.agentId !== null && scope.agentId === t.agent_id) || (t.team_id !== null && scope.teamIds.includes(t.team_id));
  }

  /** The task, or 404 (unknown) / 403 (outside the caller's scope). */
  private async visibleTask(user: Principal, id: number): Promise<TaskRow> {
    const t = await this.repo.get(id);
    if (!t) throw notFound('win-back task', String(id));
    if (!this.visible(await this.taskScope(user), t)) throw forbidden(`win-back task ${id} is outside your scope`);
    return t;
  }

  async list(user: Principal, q: TaskListQueryDto): Promise<TaskListDto> {
    const scope = await this.taskScope(user);
    if (q.agent_id) await this.scope.assertAgentVisible(user, q.agent_id);
    let teamIds: string[] | undefined;
    if (q.team_id) {
      await this.scope.assertTeamVisible(user, q.team_id);
      teamIds = await this.scopeRepo.teamsWithDescendants([q.team_id]);
    }
    const page = q.page ?? 1;
    const pageSize = q.page_size ?? 50;
    const { total, rows } = await this.repo.list(
      scope,
      { status: q.status, confirmation: q.confirmation, agentId: q.agent_id, teamIds, customerId: q.customer_id },
      page,
      pageSize,
    );
    const today = this.retention.today();
    return { page, page_size: pageSize, total, tasks: rows.map((r) => toDto(r, today)) };
  }

  async get(user: Principal, id: number): Promise<WinBackTaskDto> {
    const t = await this.visibleTask(user, id);
    return toDto(t, this.retention.today(), await this.repo.contacts(id));
  }

  /** Opens a task by hand: 404 unknown customer, 403 outside scope, 409 when it has an open task. */
  async open(user: Principal, body: OpenTaskDto): Promise<WinBackTaskDto> {
    const today = this.retention.today();
    await this.scope.assertCustomerVisible(user, body.customer_id, today);
    let agentId = body.agent_id ?? null;
    if (agentId !== null) {
      if (!(await this.repo.agentExists(agentId))) throw invalid([{ field: 'agent_id', value: agentId, reason: 'unknown agent' }]);
      await this.scope.assertAgentVisible(user, agentId);
    } else {
      agentId = (await this.scopeRepo.customerOwnerNow(body.customer_id, today)).ownerAgentId;
      if (agentId === null) throw invalid([{ field: 'agent_id', value: null, reason: 'the customer has no owner today: name the agent to assign the task to' }]);
    }
    const dueOn = body.due_on ?? addDays(today, TASK_DUE_DAYS);
    if (compareDates(dueOn, today) < 0) throw invalid([{ field: 'due_on', value: dueOn, reason: `before today (${today})` }]);
    let ids: number[];
    try {
      ids = await this.repo.openMany(
        [
          {
            customerId: body.customer_id,
            agentId,
            source: 'manual',
            listAsOf: null,
            riskLevel: null,
            tier: null,
            signals: null,
            pAlive: null,
            clv: null,
            openNote: body.note?.trim() || null,
          },
        ],
        { openedAt: this.retention.now(), openedOn: today, openedBy: user.email, dueOn, windowEndsOn: windowEndsOn(today, this.config.winbackWindowDays) },
      );
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) ids = [];
      else throw err;
    }
    if (ids.length === 0) {
      const open = await this.repo.openTaskIds([body.customer_id]);
      throw conflict(`customer ${body.customer_id} already has an open win-back task${open.has(body.customer_id) ? ` (${open.get(body.customer_id)})` : ''}`);
    }
    return this.get(user, ids[0]);
  }

  /** Records a contact attempt on an open task. */
  async addContact(user: Principal, id: number, body: ContactDto): Promise<ContactViewDto> {
    const t = await this.visibleTask(user, id);
    if (t.status !== 'open') throw conflict(`win-back task ${id} is closed: contact attempts are recorded on open tasks`);
    const now = this.retention.now();
    if (!ISO_WITH_OFFSET.test(body.at) || Number.isNaN(Date.parse(body.at))) {
      throw invalid([{ field: 'at', value: body.at, reason: 'an ISO 8601 timestamp with an offset, e.g. 2026-11-03T10:15:00Z' }]);
    }
    const at = new Date(body.at);
    if (at.getTime() > now.getTime()) throw invalid([{ field: 'at', value: body.at, reason: 'in the future' }]);
    if (at.getTime() < t.opened_at.getTime()) throw invalid([{ field: 'at', value: body.at, reason: `before the task was opened (${t.opened_at.toISOString()})` }]);
    const row = await this.repo.addContact(id, { channel: body.channel as ContactChannel, at, note: body.note?.trim() || null, by: user.email, now });
    return contactDto(row);
  }

  /** Closes an open task with an outcome (and, when lost, the churn reason and whether it was controllable). */
  async close(user: Principal, id: number, body: CloseTaskDto): Promise<WinBackTaskDto> {
    const t = await this.visibleTask(user, id);
    const v = validateClose(body as unknown as Record<string, unknown>);
    if (!v.ok) throw invalid(v.errors);
    if (t.status !== 'open') throw conflict(`win-back task ${id} is closed already (${t.outcome})`);
    const ok = await this.repo.close(id, { ...v.value, by: user.email, at: this.retention.now() });
    if (!ok) throw conflict(`win-back task ${id} was closed meanwhile`);
    return this.get(user, id);
  }
}

function contactDto(c: ContactRow): ContactViewDto {
  return { id: c.id, channel: c.channel, at: c.at.toISOString(), note: c.note, recorded_by: c.recorded_by, recorded_at: c.recorded_at.toISOString() };
}

export function toDto(t: TaskRow, today: string, contacts?: ContactRow[]): WinBackTaskDto {
  return {
    id: t.id,
    customer_id: t.customer_id,
    customer_name: t.customer_name,
    agent_id: t.agent_id,
    agent_name: t.agent_name,
    team_id: t.team_id,
    source: t.source,
    list_as_of: t.list_as_of,
    risk_level: t.risk_level,
    tier: t.tier,
    signals: t.signals,
    p_alive: t.p_alive,
    clv: t.clv,
    opened_on: t.opened_on,
    opened_at: t.opened_at.toISOString(),
    opened_by: t.opened_by,
    open_note: t.open_note,
    due_on: t.due_on,
    overdue: t.status === 'open' && compareDates(t.due_on, today) < 0,
    status: t.status,
    outcome: t.outcome,
    churn_reason: t.churn_reason,
    controllable: t.churn_controllable,
    close_note: t.close_note,
    closed_at: iso(t.closed_at),
    closed_by: t.closed_by,
    confirmation: {
      status: t.confirmation,
      window_ends_on: t.window_ends_on,
      settled_at: iso(t.settled_at),
      order_id: t.confirming_order_id,
      ordered_on: t.confirming_order_on,
    },
    contact_attempts: t.contacts,
    ...(contacts ? { contacts: contacts.map(contactDto) } : {}),
  };
}
