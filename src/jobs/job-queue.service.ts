import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PgBoss, type Job, type Queue, type SendOptions } from 'pg-boss';
import type { PoolClient } from 'pg';
import { DATABASE_URL } from '../database/database.module';

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface QueueDefinition<T> {
  name: string;
  options: Omit<Queue, 'name'>;
  /** Jobs of this queue this instance works on at once. */
  concurrency: number;
  handler: JobHandler<T>;
}

/** The schema pg-boss keeps its tables in (created and migrated by pg-boss itself). */
export const JOBS_SCHEMA = 'pgboss';

/**
 * The PostgreSQL-backed job queue (pg-boss) shared by every instance: the monthly run, the
 * per-subject render jobs, delivery, and the retention jobs go through it. Queues are
 * declared by the modules that own the work (`define`), and every instance works on every
 * queue, so jobs spread over all instances; an instance that dies stops sending heartbeats
 * and its jobs are retried elsewhere.
 */
@Injectable()
export class JobQueueService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobQueueService.name);
  private readonly boss: PgBoss;
  private readonly definitions: QueueDefinition<unknown>[] = [];
  private started = false;
  private workersStarted = false;
  private readonly schedulers: (() => void)[] = [];

  constructor(@Inject(DATABASE_URL) url: string) {
    this.boss = new PgBoss({
      connectionString: url,
      schema: JOBS_SCHEMA,
      max: 4,
      // the supervisor fails or retries jobs whose worker stopped sending heartbeats (a crashed instance)
      superviseIntervalSeconds: 5,
      monitorIntervalSeconds: 10,
      maintenanceIntervalSeconds: 300,
    });
    this.boss.on('error', (err: Error) => this.logger.error(`job queue: ${err.message}`));
  }

  async onModuleInit(): Promise<void> {
    await this.boss.start();
    this.started = true;
  }

  /** Declares a queue and the handler this instance runs for it; workers start with `startWorkers`. */
  async define<T>(def: QueueDefinition<T>): Promise<void> {
    await this.boss.createQueue(def.name, def.options);
    this.definitions.push(def as QueueDefinition<unknown>);
    if (this.workersStarted) await this.work(def as QueueDefinition<unknown>);
  }

  /** Registers a schedule (cron) to start with the background work of a serving instance. */
  onBackgroundStart(schedule: () => void): void {
    this.schedulers.push(schedule);
  }

  /**
   * What a serving instance does besides HTTP: work on every queue and fire the schedules.
   * One-off CLI commands do not call it (the `run` command starts only the workers).
   */
  async startBackground(): Promise<void> {
    await this.startWorkers();
    for (const schedule of this.schedulers) schedule();
  }

  /** Starts working on every declared queue. */
  async startWorkers(): Promise<void> {
    if (this.workersStarted) return;
    this.workersStarted = true;
    for (const def of this.definitions) await this.work(def);
  }

  private async work(def: QueueDefinition<unknown>): Promise<void> {
    await this.boss.work(def.name, { localConcurrency: def.concurrency, batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
      if (job) await def.handler(job);
    });
  }

  /** Enqueues a job; inside `client`'s transaction when given (so it exists only if the transaction commits). */
  async send<T extends object>(name: string, data: T, options: SendOptions = {}, client?: PoolClient): Promise<string | null> {
    return this.boss.send(name, data, client ? { ...options, db: adapter(client) } : options);
  }

  /** Enqueues many jobs at once, inside `client`'s transaction when given. */
  async sendMany<T extends object>(name: string, jobs: { data: T; singletonKey?: string }[], client?: PoolClient): Promise<void> {
    if (jobs.length === 0) return;
    for (let i = 0; i < jobs.length; i += 1000) {
      await this.boss.insert(name, jobs.slice(i, i + 1000), client ? { db: adapter(client) } : undefined);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    // graceful: running jobs may finish (bounded); unfinished ones are retried by another instance
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }
}

function adapter(client: PoolClient) {
  return { executeSql: (text: string, values?: unknown[]) => client.query(text, values as unknown[]) };
}
