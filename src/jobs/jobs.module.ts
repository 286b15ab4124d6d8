import { Global, Module } from '@nestjs/common';
import { CronSchedules } from './cron-schedules.service';
import { JobQueueService } from './job-queue.service';

/** The shared PostgreSQL job queue (pg-boss) and this instance's crons. */
@Global()
@Module({
  providers: [JobQueueService, CronSchedules],
  exports: [JobQueueService, CronSchedules],
})
export class JobsModule {}
