import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Job } from 'pg-boss';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { notFound } from '../common/problem-details';
import { JobQueueService } from '../jobs/job-queue.service';
import { PeriodsService } from '../periods/periods.service';
import { SnapshotsRepository } from '../periods/snapshots.repository';
import { ReportsRepository } from '../reports/reports.repository';
import { reportPath, ReportStorage, sha256 } from '../reports/report-storage';
import { ReportSectionsService } from '../reports/report-sections.service';
import { REPORT_RENDERER, RUN_DELIVERY, type ReportRenderer, type RunDelivery, type RunDeliverySummary } from './run-ports';
import { RunsRepository, type RunRow, type RunSubject } from './runs.repository';

export const RUN_QUEUE = 'yardstick-run';
export const RENDER_QUEUE = 'yardstick-render';
export const DELIVER_QUEUE = 'yardstick-deliver';

interface RunJob {
  runId: number;
}
interface RenderJob extends RunSubject {
  runId: number;
  snapshotId: number;
  version: number;
  period: string;
}

export interface RunView {
  run_id: number;
  period: string;
  status: RunRow['status'];
  force: boolean;
  trigger: string;
  requested_by: string | null;
  snapshot_version: number | null;
  progress: { done: number; total: number };
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  deliveries: RunDeliverySummary | null;
}

/** Render and delivery jobs are retried this many times (then the run fails, naming the job). */
const RETRY_LIMIT = 3;
/** Seconds without a heartbeat after which a job's worker counts as dead and the job is retried. */
const HEARTBEAT_SECONDS = 10;

/**
 * The monthly run: compute → publish the snapshot → render every agent and team PDF → deliver.
 *
 * Exactly once across instances: a run is a row (at most one queued or running per period,
 * by a unique index); starting takes the period's advisory lock, so a cron firing in every
 * instance and a concurrent request all find the same run. The work goes through pg-boss:
 * one job for the run, one render job per subject (spread over every instance's workers),
 * then one delivery job. Every step is idempotent (a report is recorded once per snapshot and
 * subject; the fan-out and the hand-over to delivery are guarded updates), so a job retried
 * after a crash redoes nothing that was done.
 */
@Injectable()
export class RunsService implements OnModuleInit {
  private readonly logger = new Logger(RunsService.name);

  constructor(
    private readonly repo: RunsRepository,
    private readonly periods: PeriodsService,
    private readonly snapshots: SnapshotsRepository,
    private readonly reports: ReportsRepository,
    private readonly storage: ReportStorage,
    private readonly queue: JobQueueService,
    @Inject(REPORT_RENDERER) private readonly renderer: ReportRenderer,
    @Inject(RUN_DELIVERY) private readonly delivery: RunDelivery,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sections: ReportSectionsService,
  ) {}

  async onModuleInit(): Promise<void> {
    const common = { retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true, heartbeatSeconds: HEARTBEAT_SECONDS };
    await this.queue.define<RunJob>({
      name: RUN_QUEUE,
      options: { ...common, expireInSeconds: 4 * 3600 },
      concurrency: 1,
      handler: (job) => this.guard(job, () => this.execute(job.data.runId)),
    });
    await this.queue.define<RenderJob>({
      name: RENDER_QUEUE,
      options: { ...common, expireInSeconds: 600 },
      concurrency: this.config.renderConcurrency,
      handler: (job) => this.guard(job, () => this.render(job.data), `render of ${job.data.subject_type} ${job.data.subject_id}`),
    });
    await this.queue.define<RunJob>({
      name: DELIVER_QUEUE,
      options: { ...common, expireInSeconds: 4 * 3600 },
      concurrency: 1,
      handler: (job) => this.guard(job, () => this.deliver(job.data.runId), 'delivery'),
    });
  }

  /**
   * Starts the run of `period`, or returns the run that is already queued or running. Without
   * `force`, a period whose run succeeded is not run again (that run is returned, `created: false`);
   * with `force`, the run publishes a new snapshot version and renders new PDFs (old ones stay).
   */
  async start(period: string, opts: { force?: boolean; trigger: 'cron' | 'api' | 'cli'; by: string | null }): Promise<{ run: RunRow; created: boolean }> {
    this.periods.assertClosed(period);
    return this.repo.transaction(async (client) => {
      await this.repo.lockPeriod(client, period);
      const active = await this.repo.active(client, period);
      if (active) return { run: active, created: false };
      if (!opts.force) {
        const done = await this.repo.lastSucceeded(client, period);
        if (done) return { run: done, created: false };
      }
      const run = await this.repo.insert(client, { period, force: opts.force ?? false, trigger: opts.trigger, requestedBy: opts.by });
      await this.queue.send(RUN_QUEUE, { runId: run.id } satisfies RunJob, { singletonKey: `run:${run.id}` }, client);
      this.logger.log(`run ${run.id} of ${period} queued (${opts.trigger}${opts.force ? ', forced' : ''})`);
      return { run, created: true };
    });
  }

  async view(runId: number): Promise<RunView> {
    const run = await this.repo.byId(runId);
    if (!run) throw notFound('run', String(runId));
    const deliveries = run.delivery_queued_at ? await this.delivery.summary(run.id) : null;
    return {
      run_id: run.id,
      period: run.period,
      status: run.status,
      force: run.force,
      trigger: run.trigger,
      requested_by: run.requested_by,
      snapshot_version: run.snapshot_version,
      progress: { done: run.progress_done, total: run.progress_total },
      created_at: run.created_at,
      started_at: run.started_at,
      finished_at: run.finished_at,
      error: run.error,
      deliveries,
    };
  }

  /** The run job: the snapshot, then one render job per subject. */
  async execute(runId: number): Promise<void> {
    let run = await this.repo.byId(runId);
    if (!run || run.status === 'succeeded' || run.status === 'failed') return;
    await this.repo.markRunning(runId);
    if (run.snapshot_id === null) {
      const snapshot = await this.snapshotFor(run);
      await this.repo.setSnapshot(runId, snapshot.id, snapshot.version);
      run = (await this.repo.byId(runId))!;
    }
    const snapshotId = run.snapshot_id!;
    const version = run.snapshot_version!;
    // the snapshot's report sections (customers at risk, churn reasons), computed once before any render
    await this.sections.ensure(snapshotId);
    const subjects = await this.repo.subjects(snapshotId);
    if (subjects.length === 0) {
      await this.repo.finish(runId, 'succeeded', null);
      return;
    }
    await this.repo.transaction(async (client) => {
      if (!(await this.repo.claimRenderFanOut(client, runId, subjects.length))) return;
      const jobs = subjects.map((s) => ({
        data: { ...s, runId, snapshotId, version, period: run.period } satisfies RenderJob,
        singletonKey: `render:${snapshotId}:${s.subject_type}:${s.subject_id}`,
      }));
      await this.queue.sendMany(RENDER_QUEUE, jobs, client);
    });
    // every report may exist already (a retried run job): hand over to delivery if so
    await this.afterRender(runId);
  }

  /** Publishes (first run, or forced) or reuses the period's latest snapshot; a retried job finds its own snapshot again. */
  private async snapshotFor(run: RunRow): Promise<{ id: number; version: number }> {
    const mine = await this.repo.snapshotPublishedBy(run.id, run.period);
    if (mine) return mine;
    const latest = await this.snapshots.latest(run.period);
    if (latest && !run.force) return { id: latest.id, version: latest.version };
    const reason = latest ? `forced rerun (run ${run.id}${run.requested_by ? ` by ${run.requested_by}` : ''})` : null;
    const header = await this.periods.publish(run.period, { reason, by: `run:${run.id}` });
    return { id: header.id, version: header.version };
  }

  /** One render job: the PDF is written and recorded once per (snapshot, subject), whatever the retries. */
  async render(job: RenderJob): Promise<void> {
    const existing = await this.reports.find(job.snapshotId, job.subject_type, job.subject_id);
    if (!existing) {
      const bytes =
        job.subject_type === 'agent'
          ? await this.renderer.renderAgent(job.snapshotId, job.subject_id)
          : await this.renderer.renderTeam(job.snapshotId, job.subject_id);
      const path = reportPath(job.period, job.subject_type, job.subject_id, job.version);
      await this.storage.write(path, bytes);
      await this.reports.insert({
        period: job.period,
        snapshot_id: job.snapshotId,
        snapshot_version: job.version,
        subject_type: job.subject_type,
        subject_id: job.subject_id,
        subject_name: job.name,
        team_id: job.subject_type === 'team' ? job.subject_id : job.team_id,
        path,
        sha256: sha256(bytes),
        bytes: bytes.length,
        run_id: job.runId,
      });
      this.logger.debug(`rendered ${job.subject_type} ${job.subject_id} of run ${job.runId} (${bytes.length} bytes)`);
    }
    await this.afterRender(job.runId);
  }

  /** Updates the progress; the caller that sees the last report hands the run to delivery (once). */
  private async afterRender(runId: number): Promise<void> {
    await this.repo.transaction(async (client) => {
      const run = await this.repo.refreshProgress(client, runId);
      if (!run || run.progress_total === 0 || run.progress_done < run.progress_total) return;
      if (await this.repo.claimDelivery(client, runId)) {
        await this.queue.send(DELIVER_QUEUE, { runId } satisfies RunJob, { singletonKey: `deliver:${runId}` }, client);
      }
    });
  }

  /** The delivery job: one e-mail per subscriber; a permanent failure fails the run, naming the recipients. */
  async deliver(runId: number): Promise<void> {
    const run = await this.repo.byId(runId);
    if (!run || run.snapshot_id === null || run.status === 'succeeded' || run.status === 'failed') return;
    const summary = await this.delivery.deliverRun(runId, run.snapshot_id);
    if (summary.failed > 0) {
      const who = summary.failures.map((f) => `${f.email}${f.error ? ` (${f.error})` : ''}`).join('; ');
      await this.repo.finish(runId, 'failed', `delivery failed permanently for ${summary.failed} of ${summary.total} recipient(s): ${who}`);
    } else {
      await this.repo.finish(runId, 'succeeded', null);
    }
    this.logger.log(`run ${runId} of ${run.period}: ${summary.sent} mail(s) sent, ${summary.failed} failed`);
  }

  /** Runs a job; on its last attempt a failure fails the run (with the reason) before pg-boss records it. */
  private async guard(job: Job<RunJob | RenderJob>, work: () => Promise<void>, what = 'run'): Promise<void> {
    try {
      await work();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.error(`run ${job.data.runId}: ${what} failed (attempt ${job.retryCount + 1} of ${RETRY_LIMIT + 1}): ${message}`);
      if (job.retryCount >= RETRY_LIMIT) await this.repo.finish(job.data.runId, 'failed', `${what} failed: ${message}`);
      throw err;
    }
  }
}
