import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from './config/app-config';
import { openDatabase } from './database/open-database';
import { createHttpApp } from './http-app';
import { JobQueueService } from './jobs/job-queue.service';

export interface RunningApp {
  app: NestExpressApplication;
  url: string;
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * Opens the database (DATABASE_URL or the embedded server), applies migrations under the
 * advisory lock, then builds the Nest application on it. `close()` stops both, in order.
 */
export async function startApp(
  config: AppConfig,
  log: { info(m: string): void; warn(m: string): void },
  opts: { listen?: boolean; logs?: boolean | 'warn' } = {},
): Promise<RunningApp> {
  const db = await openDatabase(config, log);
  // the migrating ORM is not needed any more: Nest owns its own connection pool
  await db.orm.close(true);
  let app: NestExpressApplication;
  try {
    app = await createHttpApp(config, db.runtime.url, { logs: opts.logs });
    if (opts.listen !== false) {
      await app.listen(config.port, '0.0.0.0');
      // a serving instance works on the job queue and fires the schedules; one-off CLI commands do not
      await app.get(JobQueueService).startBackground();
    } else await app.init();
  } catch (err) {
    await db.runtime.close();
    throw err;
  }
  const address = opts.listen !== false ? app.getHttpServer().address() : null;
  const port = address && typeof address === 'object' ? address.port : config.port;
  let closed = false;
  return {
    app,
    url: `http://localhost:${port}`,
    databaseUrl: db.runtime.url,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      await db.runtime.close();
    },
  };
}
