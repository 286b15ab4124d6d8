import { defineEntity, p } from '@mikro-orm/core';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * A monthly run: compute → publish snapshot → render every agent and team → deliver.
 * At most one run per period is queued or running (a partial unique index), so a cron that
 * fires in every instance, or a second request, finds the same run.
 */
export const RunSchema = defineEntity({
  name: 'Run',
  tableName: 'runs',
  properties: {
    id: p.integer().primary().autoincrement(),
    period: p.string().length(7),
    force: p.boolean().default(false),
    status: p.string().length(16),
    /** 'cron' | 'api' | 'cli' */
    trigger: p.string().length(8),
    requestedBy: p.text().nullable().fieldName('requested_by'),
    snapshotId: p.integer().nullable().fieldName('snapshot_id'),
    snapshotVersion: p.integer().nullable().fieldName('snapshot_version'),
    progressDone: p.integer().default(0).fieldName('progress_done'),
    progressTotal: p.integer().default(0).fieldName('progress_total'),
    /** Set once when the delivery step is handed to the queue (guards against enqueuing it twice). */
    deliveryQueuedAt: p.datetime().nullable().fieldName('delivery_queued_at'),
    error: p.text().nullable(),
    createdAt: p.datetime().fieldName('created_at'),
    startedAt: p.datetime().nullable().fieldName('started_at'),
    finishedAt: p.datetime().nullable().fieldName('finished_at'),
  },
  uniques: [
    {
      name: 'runs_one_active_per_period',
      expression: `create unique index "runs_one_active_per_period" on "runs" ("period") where "status" in ('queued', 'running')`,
    },
  ],
  indexes: [{ name: 'runs_period_index', properties: ['period'] }],
});
export class Run extends RunSchema.class {}
RunSchema.setClass(Run);
