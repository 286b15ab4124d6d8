import { defineEntity, p } from '@mikro-orm/core';
import { IMMUTABLE_BODY } from '../database/immutable-trigger';
import { CONFIRMATIONS, CONTACT_CHANNELS, TASK_OUTCOMES, TASK_SOURCES, TASK_STATUSES } from './domain/win-back';

/**
 * A win-back task (shared/spec/retention.md): opened by the weekly job for a high-risk key or
 * major customer, or by hand; assigned to the customer's owner; closed by the agent with an
 * outcome; confirmed from the data when its window (opened_on, window_ends_on] has ended.
 *
 * At most one open task per customer (a unique partial index, so concurrent weekly runs and
 * hand-opened tasks cannot duplicate one), and the weekly job opens at most one task per
 * customer and list day (so a rerun after a task was closed does not reopen it). The risk
 * facts at opening (level, tier, signals with their numbers) are kept with the task.
 */
export const WinBackTaskSchema = defineEntity({
  name: 'WinBackTask',
  tableName: 'win_back_tasks',
  properties: {
    id: p.integer().primary().autoincrement(),
    customerId: p.string().length(64).collation('C').fieldName('customer_id'),
    /** the owner agent the task is assigned to */
    agentId: p.string().length(64).collation('C').index('win_back_tasks_agent_id_index').fieldName('agent_id'),
    source: p.enum(TASK_SOURCES),
    /** the day d of the early-warning list the weekly job opened it from (null: opened by hand) */
    listAsOf: p.date().nullable().fieldName('list_as_of'),
    riskLevel: p.string().length(8).nullable().fieldName('risk_level'),
    tier: p.string().length(16).nullable(),
    /** the signals that fired, with their numbers, on list_as_of */
    signals: p.json<Record<string, unknown>>().nullable(),
    pAlive: p.double().nullable().fieldName('p_alive'),
    clv: p.double().nullable(),
    /** local date (ORG_TIMEZONE) of opened_at */
    openedOn: p.date().fieldName('opened_on'),
    openedAt: p.datetime().fieldName('opened_at'),
    /** the user who opened it by hand (e-mail), or 'weekly early-warning job' */
    openedBy: p.text().fieldName('opened_by'),
    openNote: p.text().nullable().fieldName('open_note'),
    dueOn: p.date().fieldName('due_on'),
    /** opened_on + WINBACK_WINDOW_DAYS at opening: the window is (opened_on, window_ends_on] */
    windowEndsOn: p.date().fieldName('window_ends_on'),
    status: p.enum(TASK_STATUSES),
    outcome: p.enum(TASK_OUTCOMES).nullable(),
    /** a complaint category of the data contract (outcome lost only) */
    churnReason: p.string().length(32).nullable().fieldName('churn_reason'),
    churnControllable: p.boolean().nullable().fieldName('churn_controllable'),
    closeNote: p.text().nullable().fieldName('close_note'),
    closedAt: p.datetime().nullable().fieldName('closed_at'),
    closedBy: p.text().nullable().fieldName('closed_by'),
    confirmation: p.enum(CONFIRMATIONS),
    settledAt: p.datetime().nullable().fieldName('settled_at'),
    /** the first completed order dated in the window (confirmed tasks) */
    confirmingOrderId: p.string().length(64).collation('C').nullable().fieldName('confirming_order_id'),
    confirmingOrderOn: p.date().nullable().fieldName('confirming_order_on'),
  },
  indexes: [
    { name: 'win_back_tasks_customer_id_index', properties: ['customerId'] },
    // win_back_rate reads the tasks whose window ended in a month; the daily pass the pending ones
    { name: 'win_back_tasks_window_ends_on_index', properties: ['windowEndsOn'] },
  ],
  uniques: [
    {
      name: 'win_back_tasks_one_open_per_customer',
      expression: `create unique index "win_back_tasks_one_open_per_customer" on "win_back_tasks" ("customer_id") where "status" = 'open'`,
    },
    {
      name: 'win_back_tasks_weekly_once_per_day',
      expression: `create unique index "win_back_tasks_weekly_once_per_day" on "win_back_tasks" ("customer_id", "list_as_of") where "source" = 'weekly'`,
    },
  ],
});
export class WinBackTask extends WinBackTaskSchema.class {}
WinBackTaskSchema.setClass(WinBackTask);

/** A contact attempt on a task (channel, when, note). Insert-only. */
export const WinBackContactSchema = defineEntity({
  name: 'WinBackContact',
  tableName: 'win_back_contacts',
  properties: {
    id: p.integer().primary().autoincrement(),
    taskId: () => p.manyToOne(WinBackTask).mapToPk().index('win_back_contacts_task_id_index').fieldName('task_id'),
    channel: p.enum(CONTACT_CHANNELS),
    at: p.datetime(),
    note: p.text().nullable(),
    recordedBy: p.text().fieldName('recorded_by'),
    recordedAt: p.datetime().fieldName('recorded_at'),
  },
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class WinBackContact extends WinBackContactSchema.class {}
WinBackContactSchema.setClass(WinBackContact);

/**
 * The history of every task: opened, closed, settled (who, when, what). Insert-only; its
 * growing id is part of the KPI data version (win_back_rate and churn_controllable_share
 * move when a task is closed or settled), so cached KPI results never go stale.
 */
export const WinBackTaskEventSchema = defineEntity({
  name: 'WinBackTaskEvent',
  tableName: 'win_back_task_events',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    taskId: p.integer().index('win_back_task_events_task_id_index').fieldName('task_id'),
    action: p.string().length(16),
    at: p.datetime(),
    actor: p.text().nullable(),
    data: p.json<Record<string, unknown>>().nullable(),
  },
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class WinBackTaskEvent extends WinBackTaskEventSchema.class {}
WinBackTaskEventSchema.setClass(WinBackTaskEvent);
