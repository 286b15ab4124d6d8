import type { INestApplicationContext } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import { addDays } from '../periods/domain/period';
import { COMPLAINT_CATEGORIES } from '../kpis/domain/kpi-catalogue';
import { CONTACT_CHANNELS, TASK_DUE_DAYS, windowEndsOn, type TaskOutcome } from './domain/win-back';
import { RetentionService, WEEKLY_ACTOR } from './retention.service';
import { WinBackTasksRepository, type NewTask } from './win-back-tasks.repository';

export interface DemoRetentionOptions {
  /** the day of the current early-warning list (e.g. yesterday, or the last day of the demo data) */
  asOf: string;
  /** WINBACK_WINDOW_DAYS (the app's setting) */
  windowDays: number;
  /** how many of the earlier list's tasks the agents close (default 12) */
  closeTasks?: number;
}

export interface DemoRetentionResult {
  /** false when the demo tasks were there already (the function is idempotent) */
  created: boolean;
  /** the earlier list day whose tasks are closed and settled by now */
  earlier_as_of: string | null;
  earlier_task_ids: number[];
  closed_task_ids: number[];
  settled: number;
  confirmed: number;
  /** the current list (as of asOf): customers listed and tasks opened */
  listed: number;
  open_task_ids: number[];
}

/**
 * Seeds the demo's retention data through the services the jobs and the API use:
 *
 * 1. the early-warning list of a day whose confirmation windows have ended by `asOf`
 *    (asOf − windowDays − 10), with a task for each of its high-risk key or major customers,
 *    opened the day after that list day;
 * 2. contact attempts on some of those tasks, and the agents closing them with outcomes
 *    (retained, lost with a churn reason and a controllable flag, not pursued);
 * 3. the daily confirmation pass, which settles those tasks from the orders in their windows;
 * 4. the weekly refresh of the current list (as of `asOf`), leaving its tasks open.
 *
 * Idempotent: returns created=false when win-back tasks exist already.
 */
export async function seedDemoRetention(app: INestApplicationContext, opts: DemoRetentionOptions): Promise<DemoRetentionResult> {
  const pool = app.get<Pool>(PG_POOL);
  const retention = app.get(RetentionService);
  const tasks = app.get(WinBackTasksRepository);
  const none: DemoRetentionResult = { created: false, earlier_as_of: null, earlier_task_ids: [], closed_task_ids: [], settled: 0, confirmed: 0, listed: 0, open_task_ids: [] };
  if ((await pool.query('select 1 from win_back_tasks limit 1')).rowCount) return none;

  // 1. an earlier list, its tasks opened the next day (their windows ended before asOf)
  const earlier = addDays(opts.asOf, -(opts.windowDays + 10));
  const openedOn = addDays(earlier, 1);
  const { list } = await retention.organisationList(earlier);
  const open: NewTask[] = [];
  for (let i = 0; i < list.n; i++) {
    const tier = list.tierOf(i);
    if (list.levelOf(i) !== 'high' || (tier !== 'key' && tier !== 'major') || list.inputs.owner[i] === null) continue;
    const e = list.entry(i);
    open.push({
      customerId: e.customer_id,
      agentId: e.owner_agent_id!,
      source: 'weekly',
      listAsOf: earlier,
      riskLevel: e.level,
      tier: e.tier,
      signals: e.signals as Record<string, unknown>,
      pAlive: e.p_alive,
      clv: e.clv,
      openNote: null,
    });
  }
  const earlierIds = await tasks.openMany(open, {
    openedAt: new Date(`${openedOn}T06:00:00Z`),
    openedOn,
    openedBy: WEEKLY_ACTOR,
    dueOn: addDays(openedOn, TASK_DUE_DAYS),
    windowEndsOn: windowEndsOn(openedOn, opts.windowDays),
  });

  // 2. contact attempts and outcomes, a few days after opening
  const rows = await tasks.getMany(earlierIds);
  const closeN = Math.min(opts.closeTasks ?? 12, rows.length);
  const outcomes: TaskOutcome[] = ['retained', 'lost', 'retained', 'not_pursued', 'lost', 'retained'];
  const closed: number[] = [];
  for (let k = 0; k < closeN; k++) {
    const t = rows[k];
    const by = `agent ${t.agent_id}`;
    const at = (days: number, hour: number) => new Date(`${addDays(openedOn, days)}T${String(hour).padStart(2, '0')}:00:00Z`);
    await tasks.addContact(t.id, { channel: CONTACT_CHANNELS[k % 3], at: at(1, 10), note: 'first call: left a message', by, now: at(1, 10) });
    if (k % 2 === 0) await tasks.addContact(t.id, { channel: 'email', at: at(3, 15), note: 'sent an offer', by, now: at(3, 15) });
    const outcome = outcomes[k % outcomes.length];
    const lost = outcome === 'lost';
    await tasks.close(t.id, {
      outcome,
      churnReason: lost ? COMPLAINT_CATEGORIES[k % COMPLAINT_CATEGORIES.length] : null,
      controllable: lost ? k % 4 !== 0 : null,
      note: lost ? 'moved to a competitor' : outcome === 'retained' ? 'happy again after the call' : null,
      by,
      at: at(5, 11),
    });
    closed.push(t.id);
  }

  // 3. the daily pass settles every window that has ended
  const { settled } = await retention.confirmDue(opts.asOf);
  const confirmed = await pool.query<{ n: number }>(`select count(*)::int as n from win_back_tasks where id = any($1::int[]) and confirmation = 'confirmed'`, [earlierIds]);

  // 4. the current list, its tasks left open
  const current = await retention.weeklyRefresh(opts.asOf);
  return {
    created: true,
    earlier_as_of: earlier,
    earlier_task_ids: earlierIds,
    closed_task_ids: closed,
    settled,
    confirmed: confirmed.rows[0].n,
    listed: current.listed,
    open_task_ids: current.taskIds,
  };
}
