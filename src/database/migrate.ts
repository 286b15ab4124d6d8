import type { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';

/** Key of the advisory lock that serialises migrations across instances. */
export const MIGRATION_LOCK_KEY = 0x59415244; // 'YARD'

/**
 * Applies pending migrations while holding a session-level advisory lock on a dedicated
 * connection, so that several instances starting at once migrate one after the other
 * (the later ones find nothing pending).
 */
export async function migrateWithLock(orm: MikroORM, url: string): Promise<string[]> {
  const lock = new Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await orm.migrator.up();
    return applied.map((m) => m.name);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}
