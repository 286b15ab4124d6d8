import { MikroORM } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/app-config';
import { DatabaseRuntime } from './database-runtime';
import { migrateWithLock } from './migrate';
import { ormOptions } from './mikro-orm.options';

export interface OpenDatabase {
  runtime: DatabaseRuntime;
  orm: MikroORM;
  close(): Promise<void>;
}

/** Resolves the database (DATABASE_URL or embedded), connects the ORM and, unless told not to, migrates. */
export async function openDatabase(
  config: AppConfig,
  log: { info(msg: string): void; warn(msg: string): void },
  opts: { migrate?: boolean } = {},
): Promise<OpenDatabase> {
  const runtime = await DatabaseRuntime.open(config, log);
  let orm: MikroORM;
  try {
    orm = await MikroORM.init(ormOptions(runtime.url));
    if (opts.migrate !== false) {
      const applied = await migrateWithLock(orm, runtime.url);
      if (applied.length) log.info(`applied migrations: ${applied.join(', ')}`);
    }
  } catch (err) {
    await runtime.close();
    throw err;
  }
  return {
    runtime,
    orm,
    close: async () => {
      await orm.close(true);
      await runtime.close();
    },
  };
}
