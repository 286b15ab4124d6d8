import { Global, Module } from '@nestjs/common';
import { JobQueueService } from './job-queue.service';

/** The shared PostgreSQL job queue (pg-boss). */
@Global()
@Module({
  providers: [JobQueueService],
  exports: [JobQueueService],
})
export class JobsModule {}
