import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * The crons of this instance, in ORG_TIMEZONE, registered in @nestjs/schedule's registry (so
 * tests can read `nextDate()` or fire them) and stopped when the application shuts down.
 * Handlers are thin: they enqueue or start idempotent work; a failure is logged, never thrown.
 */
@Injectable()
export class CronSchedules implements OnApplicationShutdown {
  private readonly logger = new Logger(CronSchedules.name);
  private readonly names: string[] = [];

  constructor(
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Registers `name` firing on `expr`; nothing when `expr` is null (schedule disabled) or `name` is registered already. */
  add(name: string, expr: string | null, fire: () => Promise<unknown>): void {
    if (!expr || this.registry.doesExist('cron', name)) return;
    const onTick = () => void fire().catch((err: Error) => this.logger.error(`${name}: ${err.message}`));
    this.registry.addCronJob(name, CronJob.from({ cronTime: expr, onTick, start: true, timeZone: this.config.orgTimezone }) as never);
    this.names.push(name);
    this.logger.log(`${name} scheduled: "${expr}" in ${this.config.orgTimezone}`);
  }

  onApplicationShutdown(): void {
    for (const name of this.names.splice(0)) {
      if (!this.registry.doesExist('cron', name)) continue;
      void this.registry.getCronJob(name).stop();
      this.registry.deleteCronJob(name);
    }
  }
}
