import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { localDate, type Clock } from '../common/clock';
import { MailerService } from '../delivery/mailer.service';
import { KpiEngineService } from '../kpis/kpi-engine.service';
import { addDays } from '../periods/domain/period';
import { fitModels, isFitted, scoreCustomers, type CustomerValueModel, type FittedModel } from '../predictive/customer-value.service';
import { PromiseLru } from '../predictive/promise-lru';
import { RiskList, type RiskInputs } from './domain/risk-list';
import { tierCutoffs, type TierCutoffs } from './domain/value-tiers';
import { TASK_DUE_DAYS, windowEndsOn } from './domain/win-back';
import { RetentionRepository, type RiskColumns, type RiskSubject } from './retention.repository';
import { digestMail } from './win-back-digest';
import { WinBackTasksRepository, type NewTask } from './win-back-tasks.repository';

export const RETENTION_CLOCK = Symbol('RETENTION_CLOCK');

/** Who opens the weekly tasks and settles windows (the task history's actor). */
export const WEEKLY_ACTOR = 'weekly early-warning job';
export const DAILY_ACTOR = 'daily confirmation pass';

/** What the organisation-wide list of a day fixes for every subject's list of that day. */
export interface OrgRiskSummary {
  asOf: string;
  /** the import version the list was computed from */
  dataVersion: number;
  /** the predictive models fitted as of d (from the list's own pass over the orders) */
  model: CustomerValueModel;
  /** null when the models are not fitted */
  cutoffs: TierCutoffs | null;
}

export interface OrgRiskList {
  summary: OrgRiskSummary;
  list: RiskList;
  timings: { loadMs: number; fitMs: number; scoreMs: number; evaluateMs: number; partitions: number };
}

/** Lists of the organisation kept in memory (their summaries: the model and the tier cut-offs). */
const SUMMARY_CACHE_SIZE = 4;

/**
 * The early-warning list (shared/spec/retention.md): signals, risk level and value tier of
 * every customer active on a day, per agent, team or the organisation; and the three jobs the
 * scheduler calls — the weekly refresh that opens win-back tasks, the digests to the agents,
 * and the daily confirmation pass.
 *
 * The tiers rank CLV across the whole organisation, so a subject's list needs the
 * organisation's list of the same day: its model and tier cut-offs are kept per (day, import
 * version); a subject's own customers are then loaded and scored on their own.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);
  private readonly summaries = new PromiseLru<OrgRiskSummary>(SUMMARY_CACHE_SIZE);

  constructor(
    private readonly repo: RetentionRepository,
    private readonly tasks: WinBackTasksRepository,
    private readonly engine: KpiEngineService,
    private readonly mailer: MailerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RETENTION_CLOCK) private readonly clock: Clock,
  ) {}

  /** Today's local date (ORG_TIMEZONE). */
  today(): string {
    return localDate(this.clock.now(), this.config.orgTimezone);
  }

  now(): Date {
    return this.clock.now();
  }

  private loadQuery(asOf: string, subject: RiskSubject) {
    const s = this.engine.settings();
    return { asOf, orgTimezone: s.orgTimezone, inactivityDays: s.inactivityDays, defaultMarginRate: s.defaultMarginRate, subject };
  }

  private clvOptions() {
    return { horizonMonths: this.config.clvHorizonMonths, annualDiscountRate: this.config.discountRate };
  }

  /** P(alive) and CLV of the loaded customers (NaN without orders or without a fitted model). */
  private score(cols: RiskColumns, model: CustomerValueModel): { pAlive: Float64Array; clv: Float64Array } {
    const n = cols.n;
    const pAlive = new Float64Array(n).fill(Number.NaN);
    const clv = new Float64Array(n).fill(Number.NaN);
    if (!isFitted(model) || n === 0) return { pAlive, clv };
    const scores = scoreCustomers(model as FittedModel, { ...cols, owner: new Int32Array(n) }, this.clvOptions());
    for (let i = 0; i < n; i++) {
      if (!cols.hasOrders[i]) continue; // no purchase history: no P(alive), no CLV
      pAlive[i] = scores.pAlive[i];
      if (scores.hasValue[i]) clv[i] = scores.clv[i];
    }
    return { pAlive, clv };
  }

  private inputs(cols: RiskColumns, scores: { pAlive: Float64Array; clv: Float64Array }): RiskInputs {
    return { ...cols, ...scores };
  }

  /**
   * The organisation's whole list as of `asOf` (every customer active on d): one pass over the
   * data (customers, owners, orders with the models' grouped rows, tickets, surveys), the
   * models fitted from it, every customer scored, tiers cut. Its summary is cached.
   */
  async organisationList(asOf: string): Promise<OrgRiskList> {
    const version = await this.tasks.importVersion();
    const t0 = performance.now();
    const load = await this.repo.riskColumns({ ...this.loadQuery(asOf, { type: 'org' }), groups: true });
    const t1 = performance.now();
    const model = fitModels(load.calibration!, version, t1 - t0);
    const t2 = performance.now();
    const scores = this.score(load.cols, model);
    const t3 = performance.now();
    let cutoffs: TierCutoffs | null = null;
    if (isFitted(model)) {
      const valued = scores.clv.filter((v) => Number.isFinite(v));
      cutoffs = tierCutoffs(valued, load.cols.n, { keyPct: this.config.tierKeyPct, majorPct: this.config.tierMajorPct, ordinaryPct: this.config.tierOrdinaryPct });
    }
    const summary: OrgRiskSummary = { asOf, dataVersion: version, model, cutoffs };
    const list = new RiskList(this.inputs(load.cols, scores), { riskPAlive: this.config.riskPAlive, notWorthComplaints: this.config.notWorthComplaints, cutoffs });
    const t4 = performance.now();
    // later subject lists of this day reuse the model and the cut-offs
    this.summaries.drop((k) => k === `${asOf}@${version}`);
    void this.summaries.get(`${asOf}@${version}`, () => Promise.resolve(summary));
    return { summary, list, timings: { loadMs: t1 - t0, fitMs: t2 - t1, scoreMs: t3 - t2, evaluateMs: t4 - t3, partitions: load.partitions } };
  }

  /** The organisation's model and tier cut-offs of a day (computing the organisation's list once). */
  async summary(asOf: string): Promise<OrgRiskSummary> {
    const version = await this.tasks.importVersion();
    this.summaries.drop((k) => Number(k.slice(k.indexOf('@') + 1)) < version);
    return this.summaries.get(`${asOf}@${version}`, async () => (await this.organisationList(asOf)).summary);
  }

  /** The list of an agent's customers (owner on d), a team's (owners whose current team is in its subtree), or of given customers. */
  async subjectList(asOf: string, subject: RiskSubject): Promise<{ summary: OrgRiskSummary; list: RiskList }> {
    if (subject.type === 'org') {
      const { summary, list } = await this.organisationList(asOf);
      return { summary, list };
    }
    const summary = await this.summary(asOf);
    const load = await this.repo.riskColumns(this.loadQuery(asOf, subject));
    const list = new RiskList(this.inputs(load.cols, this.score(load.cols, summary.model)), {
      riskPAlive: this.config.riskPAlive,
      notWorthComplaints: this.config.notWorthComplaints,
      cutoffs: summary.cutoffs,
    });
    return { summary, list };
  }

  /**
   * The weekly job (retention.md, "Win-back tasks"): the list as of `asOf` (the previous day),
   * and a task for every high-risk `key` or `major` customer that has an owner on d and no
   * open task, assigned to that owner, due in 14 days, its window WINBACK_WINDOW_DAYS from
   * today. Idempotent and safe under concurrency: the unique partial index on open tasks and
   * the once-per-list-day index make `insert … on conflict do nothing` skip every customer
   * that already has one, so a second run (or a concurrent one) opens nothing new.
   * `listed`: customers on the list (risk high or medium).
   */
  async weeklyRefresh(asOf: string): Promise<{ listed: number; opened: number; taskIds: number[] }> {
    const { list } = await this.organisationList(asOf);
    let listed = 0;
    const open: NewTask[] = [];
    for (let i = 0; i < list.n; i++) {
      const level = list.levelOf(i);
      if (level === 'low') continue;
      listed++;
      const tier = list.tierOf(i);
      if (level !== 'high' || (tier !== 'key' && tier !== 'major')) continue;
      const e = list.entry(i);
      if (e.owner_agent_id === null) continue; // nobody to assign it to
      open.push({
        customerId: e.customer_id,
        agentId: e.owner_agent_id,
        source: 'weekly',
        listAsOf: asOf,
        riskLevel: e.level,
        tier: e.tier,
        signals: e.signals as Record<string, unknown>,
        pAlive: e.p_alive,
        clv: e.clv,
        openNote: null,
      });
    }
    const today = this.today();
    const taskIds = await this.tasks.openMany(open, {
      openedAt: this.clock.now(),
      openedOn: today,
      openedBy: WEEKLY_ACTOR,
      dueOn: addDays(today, TASK_DUE_DAYS),
      windowEndsOn: windowEndsOn(today, this.config.winbackWindowDays),
    });
    this.logger.log(`early-warning list as of ${asOf}: ${listed} customers listed, ${taskIds.length} win-back tasks opened`);
    return { listed, opened: taskIds.length, taskIds };
  }

  /**
   * One e-mail per agent listing their tasks among `taskIds` (to the e-mail of every active
   * user linked to the agent; agents without a user are skipped). Returns the number of mails
   * sent; a failed send is logged and does not stop the others.
   */
  async sendDigests(taskIds: number[]): Promise<number> {
    const rows = await this.tasks.getMany([...new Set(taskIds)]);
    const byAgent = new Map<string, typeof rows>();
    for (const r of rows) byAgent.set(r.agent_id, [...(byAgent.get(r.agent_id) ?? []), r]);
    const emails = await this.tasks.agentEmails([...byAgent.keys()]);
    let sent = 0;
    for (const [agentId, tasks] of [...byAgent.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const to = emails.get(agentId);
      if (!to?.length) continue;
      try {
        await this.mailer.send({ to, ...digestMail(tasks) });
        sent++;
      } catch (err) {
        this.logger.warn(`win-back digest to agent ${agentId} failed: ${(err as Error).message}`);
      }
    }
    return sent;
  }

  /**
   * The daily pass: settles every task whose window (opened_on, window_ends_on] ended before
   * `today` — confirmed iff a completed order is dated in it, whatever the agent recorded.
   */
  async confirmDue(today: string): Promise<{ settled: number }> {
    const settled = await this.tasks.settleDue(today, this.clock.now(), DAILY_ACTOR);
    if (settled.length) this.logger.log(`win-back confirmation ${today}: ${settled.length} tasks settled`);
    return { settled: settled.length };
  }
}
