import { Pool } from 'pg';
import { startApp, type RunningApp } from '../bootstrap';
import { loadConfig, type AppConfig } from '../config/app-config';
import { openDatabase } from '../database/open-database';
import { cliLogger } from './cli-logger';

/** Runs `fn` inside the full application (same modules and configuration as the service), not listening. */
export async function withApp<T>(fn: (app: RunningApp, config: AppConfig) => Promise<T>, quiet = false): Promise<T> {
  const config = loadConfig();
  const running = await startApp(config, cliLogger(quiet), { listen: false, logs: false });
  try {
    return await fn(running, config);
  } finally {
    await running.close();
  }
}

/** A migrated database and a raw pool, for commands that need no Nest (import). */
export async function openPool(quiet = false): Promise<{ pool: Pool; config: AppConfig; close(): Promise<void> }> {
  const config = loadConfig();
  const db = await openDatabase(config, cliLogger(quiet));
  await db.orm.close(true);
  const pool = new Pool({ connectionString: db.runtime.url, max: 4 });
  return {
    pool,
    config,
    close: async () => {
      await pool.end();
      await db.runtime.close();
    },
  };
}
