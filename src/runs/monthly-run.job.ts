import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { localDate, systemClock, type Clock } from '../common/clock';
import { periodOfDate, previousPeriod } from '../periods/domain/period';
import { CLOCK } from '../periods/periods.service';
import { CronSchedules } from '../jobs/cron-schedules.service';
import { JobQueueService } from '../jobs/job-queue.service';
import { RunsService } from './runs.service';

export const MONTHLY_RUN_JOB = 'monthly-run';

/**
 * The monthly schedule (MONTHLY_RUN_CRON, default `0 6 1 * *`, in ORG_TIMEZONE): a thin handler
 * that starts the run of the month just ended. Every instance may fire it; `RunsService.start`
 * makes the period's run happen once. SCHEDULE_ENABLED=false leaves it off on an instance.
 */
@Injectable()
export class MonthlyRunJob implements OnModuleInit {
  private readonly logger = new Logger(MonthlyRunJob.name);

  constructor(
    private readonly runs: RunsService,
    private readonly crons: CronSchedules,
    private readonly queue: JobQueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  onModuleInit(): void {
    this.queue.onBackgroundStart(() => this.schedule());
  }

  /** Registers the cron (when the service starts serving; not in one-off CLI commands). */
  schedule(): void {
    this.crons.add(MONTHLY_RUN_JOB, this.config.monthlyRunCron, () => this.fire());
  }

  /** The month that ended before today (in ORG_TIMEZONE). */
  periodToRun(): string {
    return previousPeriod(periodOfDate(localDate(this.clock.now(), this.config.orgTimezone)));
  }

  async fire(): Promise<number | null> {
    const period = this.periodToRun();
    try {
      const { run, created } = await this.runs.start(period, { trigger: 'cron', by: null });
      this.logger.log(created ? `run ${run.id} of ${period} started` : `run of ${period} already ${run.status} (run ${run.id})`);
      return run.id;
    } catch (err) {
      this.logger.error(`monthly run of ${period} could not start: ${(err as Error).message}`);
      return null;
    }
  }
}
