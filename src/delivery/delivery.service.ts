import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { PoolClient } from 'pg';
import { isoOrNull } from '../audits/audit-db';
import { withTransaction } from '../database/transaction';
import type { Clock } from '../common/clock';
import { notFound } from '../common/problem-details';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK } from '../periods/periods.service';
import type { RunDeliveriesDto } from './delivery.dto';
import { DeliveryRepository, type ClaimedDelivery, type DeliveryReportRow } from './delivery.repository';
import { afterFailure } from './domain/backoff';
import { composeDeliveryMail, deliveryMessageId } from './domain/delivery-mail';
import { MailerService } from './mailer.service';

export interface DeliverySummary {
  total: number;
  sent: number;
  failed: number;
  pending: number;
  /** Deliveries dropped because the user lost access to every report (or was deactivated) first. */
  skipped: number;
  /** The permanently failed deliveries and their last error. */
  failures: { email: string; error: string }[];
}

/** Mails a run sends at once in this process (the mailer keeps as many SMTP connections). */
const PARALLEL_SENDS = MailerService.MAX_CONNECTIONS;
/** How often a worker looks again while another worker or instance holds the last rows. */
const POLL_MS = 100;
const MAX_WAIT_MS = 1_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * E-mail delivery of a run's PDF scorecards to subscribers, one mail per recipient with exactly
 * the PDFs of their scope (bursting), with retries and backoff, exactly once per (run, user) even
 * with several instances (rows claimed with `for update skip locked`) and after a crash
 * (a sent row is never sent again).
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    private readonly repo: DeliveryRepository,
    private readonly mailer: MailerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Creates one delivery per subscribed active user for this run (idempotent: unique
   * (run_id, user_id)), each with exactly the report ids of the user's scope(s) among the
   * reports of `snapshotId`; then sends every pending one, retrying with exponential backoff.
   * Returns when every delivery of the run is sent, failed or skipped.
   */
  async deliverRun(runId: number, snapshotId: number): Promise<DeliverySummary> {
    const created = await withTransaction(this.repo.pool, async (tx) => {
      await this.repo.lockRunForCreation(tx, runId);
      return this.repo.createForRun(tx, runId, snapshotId, this.clock.now());
    });
    if (created.deliveries) {
      this.logger.log(`run ${runId}: ${created.deliveries} deliveries created (${created.attachments} PDFs) → ${this.mailer.describe()}`);
    }
    // let every worker finish its current mail before reporting a failure of one of them
    const workers = await Promise.allSettled(Array.from({ length: PARALLEL_SENDS }, () => this.work(runId)));
    const broken = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (broken) throw broken.reason;
    return this.summary(runId);
  }

  async summary(runId: number): Promise<DeliverySummary> {
    const [counts, failures] = await Promise.all([this.repo.counts(runId), this.repo.failures(runId)]);
    return { ...counts, failures };
  }

  /** Every recipient of a run with status, attempts and reports (GET /runs/{id}/deliveries); 404 for an unknown run. */
  async runDeliveries(runId: number): Promise<RunDeliveriesDto> {
    if (!(await this.repo.runExists(runId))) throw notFound('run', String(runId));
    const [summary, rows, attempts] = await Promise.all([this.summary(runId), this.repo.list(runId), this.repo.attemptsOfRun(runId)]);
    const history = new Map<number, RunDeliveriesDto['deliveries'][number]['history']>();
    for (const a of attempts) {
      const list = history.get(a.delivery_id) ?? [];
      list.push({
        attempt: a.attempt,
        started_at: a.started_at.toISOString(),
        finished_at: a.finished_at.toISOString(),
        ok: a.ok,
        error: a.error,
        destination: a.destination,
      });
      history.set(a.delivery_id, list);
    }
    return {
      run_id: runId,
      summary,
      deliveries: rows.map((d) => ({
        delivery_id: d.id,
        user_id: d.user_id,
        email: d.email,
        status: d.status,
        attempts: d.attempts,
        last_error: d.last_error,
        next_attempt_at: isoOrNull(d.next_attempt_at),
        sent_at: isoOrNull(d.sent_at),
        message_id: d.message_id,
        report_ids: d.report_ids,
        history: history.get(d.id) ?? [],
      })),
    };
  }

  /** One worker: sends due deliveries until none is pending; waits out backoff delays. */
  private async work(runId: number): Promise<void> {
    for (;;) {
      if (await this.sendOne(runId)) continue;
      const { pending, nextDue } = await this.repo.openState(runId);
      if (pending === 0) return;
      const wait = nextDue ? nextDue.getTime() - this.clock.now().getTime() : POLL_MS;
      // due but not claimable: another worker or instance holds it; look again soon
      await sleep(wait <= 0 ? POLL_MS : Math.min(wait, MAX_WAIT_MS));
    }
  }

  /**
   * Claims one due delivery and attempts it, all in one transaction: the row stays locked while
   * the mail is sent, and the outcome (sent, or the next attempt's time, or failed) is committed
   * with the attempt's record. False when nothing is claimable now.
   */
  private async sendOne(runId: number): Promise<boolean> {
    const client = await this.repo.pool.connect();
    try {
      await client.query('begin');
      const d = await this.repo.claimDue(client, runId, this.clock.now());
      if (!d) {
        await client.query('commit');
        return false;
      }
      await this.attempt(client, d);
      await client.query('commit');
      return true;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async attempt(tx: PoolClient, d: ClaimedDelivery): Promise<void> {
    const reports = await this.repo.reportsOf(tx, d.id);
    // never send a PDF outside the user's current access: re-check subscriptions ∩ access now
    const entitled = await this.repo.entitledReportIds(tx, d.snapshot_id, d.user_id);
    const allowed = reports.filter((r) => entitled.has(r.report_id));
    if (!allowed.length) {
      const why = (await this.repo.userIsActive(tx, d.user_id))
        ? 'no report of the run is within the user’s subscriptions and access any more'
        : 'the user is deactivated';
      await this.repo.markSkipped(tx, d.id, why);
      this.logger.warn(`delivery ${d.id} to ${d.email} skipped: ${why}`);
      return;
    }
    const attempt = d.attempts + 1;
    const startedAt = this.clock.now();
    const messageId = deliveryMessageId(d.run_id, d.id, this.config.mailFrom);
    try {
      const attachments = await this.attachments(allowed);
      const first = allowed[0];
      const mail = composeDeliveryMail({
        period: first.period,
        version: first.snapshot_version,
        scopes: await this.repo.scopesOf(tx, d.user_id),
        reports: allowed.map((r) => ({
          reportId: r.report_id,
          period: r.period,
          version: r.snapshot_version,
          subjectType: r.subject_type,
          subjectId: r.subject_id,
          subjectName: r.subject_name,
          teamId: r.team_id,
        })),
      });
      const sent = await this.mailer.send({
        to: d.email,
        subject: mail.subject,
        text: mail.text,
        messageId,
        headers: { 'X-Yardstick-Run': String(d.run_id), 'X-Yardstick-Delivery': String(d.id) },
        attachments: mail.attachments.map((a) => ({ filename: a.filename, path: attachments.get(a.reportId)!, contentType: 'application/pdf' })),
      });
      const at = this.clock.now();
      await this.repo.recordAttempt(tx, {
        delivery_id: d.id,
        attempt,
        started_at: startedAt,
        finished_at: at,
        ok: true,
        error: null,
        message_id: sent.messageId,
        destination: sent.destination,
      });
      await this.repo.markSent(tx, d.id, attempt, at, sent.messageId);
    } catch (err) {
      const error = describeError(err);
      const at = this.clock.now();
      const next = afterFailure(attempt, { maxAttempts: this.config.mailMaxAttempts, baseMs: this.config.mailRetryBaseMs });
      await this.repo.recordAttempt(tx, {
        delivery_id: d.id,
        attempt,
        started_at: startedAt,
        finished_at: at,
        ok: false,
        error,
        message_id: null,
        destination: null,
      });
      const nextAt = next.status === 'pending' ? new Date(at.getTime() + next.delayMs) : null;
      await this.repo.markFailedAttempt(tx, d.id, attempt, at, error, nextAt);
      if (nextAt) this.logger.warn(`delivery ${d.id} to ${d.email}, attempt ${attempt} failed (${error}); next attempt at ${nextAt.toISOString()}`);
      else this.logger.error(`delivery ${d.id} to ${d.email} failed for good after ${attempt} attempts: ${error}`);
    }
  }

  /** The absolute file of every report, after checking its bytes against the recorded sha256. */
  private async attachments(reports: DeliveryReportRow[]): Promise<Map<number, string>> {
    const root = path.resolve(this.config.reportsDir);
    const out = new Map<number, string>();
    for (const r of reports) {
      const file = path.resolve(root, r.path);
      if (!file.startsWith(root + path.sep)) throw new Error(`report ${r.report_id}: path ${r.path} is outside REPORTS_DIR`);
      let digest: string;
      try {
        digest = await sha256File(file);
      } catch (err) {
        throw new Error(`report ${r.report_id}: cannot read ${r.path} (${describeError(err)})`);
      }
      if (digest !== r.sha256) throw new Error(`report ${r.report_id}: ${r.path} does not match its recorded sha256`);
      out.set(r.report_id, file);
    }
    return out;
  }
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** A one-line error for the record: the SMTP reply when there is one. */
function describeError(err: unknown): string {
  if (err instanceof Error) {
    const e = err as Error & { code?: string; responseCode?: number; response?: string };
    const msg = e.response && !e.message.includes(e.response) ? `${e.message}: ${e.response}` : e.message;
    return (e.code && !msg.startsWith(e.code) ? `${e.code}: ${msg}` : msg).replace(/\s+/g, ' ').slice(0, 1000);
  }
  return String(err).slice(0, 1000);
}
