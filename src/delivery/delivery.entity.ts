import { defineEntity, p } from '@mikro-orm/core';
import { IMMUTABLE_BODY } from '../database/immutable-trigger';

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One e-mail of a run to one subscriber, with the PDFs of their scope (delivery_reports).
 * `pending` until sent; a failed attempt schedules the next one at `next_attempt_at`
 * (exponential backoff); after MAIL_MAX_ATTEMPTS it is `failed` for good. `skipped`: the
 * user lost access to every report (or was deactivated) before it could be sent.
 * Unique per (run, user): creating the deliveries of a run twice adds nothing.
 */
export const DeliverySchema = defineEntity({
  name: 'Delivery',
  tableName: 'deliveries',
  properties: {
    id: p.integer().primary().autoincrement(),
    runId: p.integer().fieldName('run_id'),
    userId: p.integer().fieldName('user_id'),
    /** The address at the time the delivery was created. */
    email: p.text(),
    snapshotId: p.integer().fieldName('snapshot_id'),
    status: p.string().length(16),
    attempts: p.integer().default(0),
    lastError: p.text().nullable().fieldName('last_error'),
    nextAttemptAt: p.datetime().nullable().fieldName('next_attempt_at'),
    lastAttemptAt: p.datetime().nullable().fieldName('last_attempt_at'),
    sentAt: p.datetime().nullable().fieldName('sent_at'),
    messageId: p.text().nullable().fieldName('message_id'),
    createdAt: p.datetime().fieldName('created_at'),
  },
  uniques: [{ name: 'deliveries_run_user_unique', properties: ['runId', 'userId'] }],
  indexes: [{ name: 'deliveries_status_next_attempt_index', properties: ['status', 'nextAttemptAt'] }],
  checks: [{ name: 'deliveries_status_check', expression: "status in ('pending', 'sent', 'failed', 'skipped')" }],
});
export class Delivery extends DeliverySchema.class {}
DeliverySchema.setClass(Delivery);

/** The reports attached to a delivery (fixed when the delivery is created; insert-only). */
export const DeliveryReportSchema = defineEntity({
  name: 'DeliveryReport',
  tableName: 'delivery_reports',
  properties: {
    deliveryId: p.integer().primary().fieldName('delivery_id'),
    reportId: p.integer().primary().fieldName('report_id'),
  },
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class DeliveryReport extends DeliveryReportSchema.class {}
DeliveryReportSchema.setClass(DeliveryReport);

/** Every attempt to send a delivery: when, the outcome, the server's answer (insert-only). */
export const DeliveryAttemptSchema = defineEntity({
  name: 'DeliveryAttempt',
  tableName: 'delivery_attempts',
  properties: {
    id: p.integer().primary().autoincrement(),
    deliveryId: p.integer().fieldName('delivery_id'),
    attempt: p.integer(),
    startedAt: p.datetime().fieldName('started_at'),
    finishedAt: p.datetime().fieldName('finished_at'),
    ok: p.boolean(),
    error: p.text().nullable(),
    messageId: p.text().nullable().fieldName('message_id'),
    /** The SMTP server's reply, or the .eml file written. */
    destination: p.text().nullable(),
  },
  uniques: [{ name: 'delivery_attempts_delivery_attempt_unique', properties: ['deliveryId', 'attempt'] }],
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class DeliveryAttempt extends DeliveryAttemptSchema.class {}
DeliveryAttemptSchema.setClass(DeliveryAttempt);
