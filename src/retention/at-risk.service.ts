import { Injectable } from '@nestjs/common';
import { ProblemException } from '../common/problem-details';
import { csvField } from '../kpis/kpi-csv';
import { addDays, compareDates, isLocalDate } from '../periods/domain/period';
import type { RiskLevel } from './domain/risk-signals';
import type { Tier } from './domain/value-tiers';
import type { AtRiskCustomerDto, AtRiskListDto, AtRiskQueryDto, TierCutoffsDto } from './retention.dto';
import { RetentionService, type OrgRiskSummary } from './retention.service';
import { WinBackTasksRepository } from './win-back-tasks.repository';

const DEFAULT_PAGE_SIZE = 50;
const DEFAULT_LEVELS: readonly RiskLevel[] = ['high', 'medium'];
const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/** The at-risk lists of the API: one agent's or one team's customers as of a day, JSON pages or CSV. */
@Injectable()
export class AtRiskService {
  constructor(
    private readonly retention: RetentionService,
    private readonly tasks: WinBackTasksRepository,
  ) {}

  /** as_of: default yesterday; never after today (422 naming the field). */
  asOf(given: string | undefined): string {
    const today = this.retention.today();
    if (given === undefined) return addDays(today, -1);
    if (!isLocalDate(given)) {
      throw new ProblemException(422, 'Unprocessable Content', 'as_of is not a calendar date', { errors: [{ field: 'as_of', value: given, reason: 'not a calendar date' }] });
    }
    if (compareDates(given, today) > 0) {
      throw new ProblemException(422, 'Unprocessable Content', `as_of ${given} is in the future (today is ${today})`, {
        errors: [{ field: 'as_of', value: given, reason: `after today (${today})` }],
      });
    }
    return given;
  }

  /** The list (all matching customers when `all`, else one page). */
  async list(subject: { type: 'agent' | 'team'; id: string; name: string | null }, q: AtRiskQueryDto, all = false): Promise<AtRiskListDto> {
    const asOf = this.asOf(q.as_of);
    const { summary, list } = await this.retention.subjectList(asOf, { type: subject.type, id: subject.id });
    const levels: readonly RiskLevel[] = q.level ? [q.level] : DEFAULT_LEVELS;
    const picked = list.select({ levels, tier: (q.tier as Tier | undefined) ?? null });
    const page = q.page ?? 1;
    const pageSize = q.page_size ?? DEFAULT_PAGE_SIZE;
    const shown = all ? picked : picked.slice((page - 1) * pageSize, page * pageSize);
    const entries = shown.map((i) => list.entry(i));
    const ids = entries.map((e) => e.customer_id);
    const [names, openTasks, teams] = await Promise.all([
      this.tasks.customerNames(ids),
      this.tasks.openTaskIds(ids),
      this.tasks.agentTeams([...new Set(entries.map((e) => e.owner_agent_id).filter((a): a is string => a !== null))]),
    ]);
    const customers: AtRiskCustomerDto[] = entries.map((e) => ({
      customer_id: e.customer_id,
      name: names.get(e.customer_id) ?? null,
      owner_agent_id: e.owner_agent_id,
      owner_team_id: e.owner_agent_id ? (teams.get(e.owner_agent_id) ?? null) : null,
      level: e.level,
      tier: e.tier,
      not_worth_pursuing: e.not_worth_pursuing,
      p_alive: e.p_alive,
      clv: e.clv,
      last_purchase_on: e.last_purchase_on,
      signals: e.signals,
      open_task_id: openTasks.get(e.customer_id) ?? null,
    }));
    return {
      as_of: asOf,
      subject,
      model: { status: summary.model.status, reason: summary.model.reason },
      tiers: cutoffsDto(summary),
      counts: list.tally() as AtRiskListDto['counts'],
      page: all ? 1 : page,
      page_size: all ? picked.length : pageSize,
      total: picked.length,
      customers,
    };
  }
}

function cutoffsDto(s: OrgRiskSummary): TierCutoffsDto | null {
  const c = s.cutoffs;
  if (!c) return null;
  return {
    active_customers: c.activeCustomers,
    valued_customers: c.valued,
    rank_limits: { ...c.limits },
    key_min_clv: finiteOrNull(c.key),
    major_min_clv: finiteOrNull(c.major),
    ordinary_min_clv: finiteOrNull(c.ordinary),
  };
}

/** The list as CSV: one row per customer, the signals and their numbers in columns (RFC 4180, like the KPI table). */
export function atRiskCsv(l: AtRiskListDto): string {
  const columns = [
    'customer_id',
    'name',
    'owner_agent_id',
    'owner_team_id',
    'level',
    'tier',
    'not_worth_pursuing',
    'p_alive',
    'clv',
    'last_purchase_on',
    'signals',
    'frequency_drop.recent_days',
    'frequency_drop.earlier_days',
    'frequency_drop.expected',
    'rising_complaints.recent',
    'rising_complaints.earlier',
    'falling_contact.recent',
    'falling_contact.earlier',
    'unhappy.surveys',
    'unhappy.min_csat',
    'unhappy.min_nps',
    'open_task_id',
  ];
  const lines = [columns.join(',')];
  for (const c of l.customers) {
    const s = c.signals as Record<string, Record<string, unknown> | undefined>;
    const cells: unknown[] = [
      c.customer_id,
      c.name,
      c.owner_agent_id,
      c.owner_team_id,
      c.level,
      c.tier,
      c.not_worth_pursuing,
      c.p_alive,
      c.clv,
      c.last_purchase_on,
      Object.keys(s).join(';'),
      s.frequency_drop?.recent_days,
      s.frequency_drop?.earlier_days,
      s.frequency_drop?.expected,
      s.rising_complaints?.recent,
      s.rising_complaints?.earlier,
      s.falling_contact?.recent,
      s.falling_contact?.earlier,
      s.unhappy?.surveys,
      s.unhappy?.min_csat,
      s.unhappy?.min_nps,
      c.open_task_id,
    ];
    lines.push(cells.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
