import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { localDate, type Clock } from '../common/clock';
import { CronSchedules } from '../jobs/cron-schedules.service';
import { JobQueueService } from '../jobs/job-queue.service';
import { addDays } from '../periods/domain/period';
import { RETENTION_CLOCK, RetentionService } from './retention.service';

export const WEEKLY_RISK_QUEUE = 'yardstick-risk-weekly';
export const DAILY_CONFIRM_QUEUE = 'yardstick-winback-confirm';
export const WEEKLY_RISK_JOB = 'weekly-risk';
export const DAILY_CONFIRM_JOB = 'daily-winback-confirm';

/**
 * The retention schedule (retention.md): every week (WEEKLY_RISK_CRON, ORG_TIMEZONE) the
 * early-warning list as of the previous day, new win-back tasks and each agent's digest;
 * every day (DAILY_CONFIRM_CRON) the confirmation of tasks whose window ended.
 *
 * The crons are thin: each instance that fires enqueues one job keyed by its day on an
 * `exclusive` pg-boss queue (one queued or active job per key across instances), and the work
 * itself is idempotent — a customer has at most one open task and one weekly task per list day
 * (unique indexes), digests go only for the tasks a job actually opened, and a task is settled
 * once (`for update skip locked`) — so a late duplicate changes nothing.
 */
@Injectable()
export class RetentionJobs implements OnModuleInit {
  private readonly logger = new Logger(RetentionJobs.name);

  constructor(
    private readonly retention: RetentionService,
    private readonly queue: JobQueueService,
    private readonly crons: CronSchedules,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RETENTION_CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    const options = { policy: 'exclusive', retryLimit: 3, retryDelay: 30, retryBackoff: true, heartbeatSeconds: 10, expireInSeconds: 3600 };
    await this.queue.define<{ asOf: string }>({
      name: WEEKLY_RISK_QUEUE,
      options,
      concurrency: 1,
      handler: async (job) => {
        await this.weekly(job.data.asOf);
      },
    });
    await this.queue.define<{ today: string }>({
      name: DAILY_CONFIRM_QUEUE,
      options,
      concurrency: 1,
      handler: async (job) => {
        await this.retention.confirmDue(job.data.today);
      },
    });
    this.queue.onBackgroundStart(() => this.schedule());
  }

  /** The list as of `asOf`, its new tasks, and one digest per agent for those tasks. */
  async weekly(asOf: string): Promise<{ listed: number; opened: number; digests: number }> {
    const r = await this.retention.weeklyRefresh(asOf);
    const digests = r.taskIds.length ? await this.retention.sendDigests(r.taskIds) : 0;
    this.logger.log(`early warning as of ${asOf}: ${r.listed} customers listed, ${r.opened} tasks opened, ${digests} digests sent`);
    return { listed: r.listed, opened: r.opened, digests };
  }

  /** Today in ORG_TIMEZONE. */
  today(): string {
    return localDate(this.clock.now(), this.config.orgTimezone);
  }

  /** Enqueues the weekly refresh as of yesterday (once per day across instances). */
  async fireWeekly(): Promise<string | null> {
    const asOf = addDays(this.today(), -1);
    return this.queue.send(WEEKLY_RISK_QUEUE, { asOf }, { singletonKey: `risk:${asOf}` });
  }

  /** Enqueues today's confirmation pass (once per day across instances). */
  async fireDaily(): Promise<string | null> {
    const today = this.today();
    return this.queue.send(DAILY_CONFIRM_QUEUE, { today }, { singletonKey: `confirm:${today}` });
  }

  schedule(): void {
    this.crons.add(WEEKLY_RISK_JOB, this.config.weeklyRiskCron, () => this.fireWeekly());
    this.crons.add(DAILY_CONFIRM_JOB, this.config.dailyConfirmCron, () => this.fireDaily());
  }
}
