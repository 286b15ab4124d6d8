/**
 * The bench's own database on DATABASE_URL's server — or, when DATABASE_URL is unset, on the
 * embedded server the app itself would start — migrated like the app migrates, and labelled
 * with the data set it holds (COMMENT ON DATABASE) so that a rerun can skip the import.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import type { AppConfig } from '../../src/config/app-config';
import { ensureDatabase, quoteIdent, startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { migrateWithLock } from '../../src/database/migrate';
import { ormOptions } from '../../src/database/mikro-orm.options';
import { MIGRATIONS } from '../../migrations';
import { query } from '../bench-util';

export interface BenchServer {
  /** a URL of the server (any database on it) to create and drop databases from */
  adminUrl: string;
  /** "PostgreSQL 15.20 on 127.0.0.1:5432 (DATABASE_URL)" */
  label: string;
  close(): Promise<void>;
}

const quiet = { info: () => undefined, warn: (m: string) => process.stderr.write(`${m}\n`) };

export async function openServer(config: AppConfig): Promise<BenchServer> {
  let adminUrl: string;
  let close = async () => undefined as void;
  let source: string;
  if (config.databaseUrl) {
    adminUrl = config.databaseUrl;
    source = 'DATABASE_URL';
  } else {
    const server = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, quiet);
    adminUrl = server.adminUrl;
    close = () => server.stop();
    source = `embedded, ${config.dataDir}/pg`;
  }
  const version = await query<{ v: string }>(adminUrl, `select current_setting('server_version') as v`);
  const u = new URL(adminUrl);
  return { adminUrl, label: `PostgreSQL ${version[0].v} on ${u.hostname}:${u.port || 5432} (${source})`, close };
}

export function databaseUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}


export async function dropDatabase(server: BenchServer, name: string): Promise<void> {
  await query(server.adminUrl, `drop database if exists ${quoteIdent(name)} with (force)`);
}

/** Creates the database when missing and applies the migrations; returns its URL. */
export async function prepareDatabase(server: BenchServer, name: string): Promise<string> {
  const url = await ensureDatabase(server.adminUrl, name);
  const orm = await MikroORM.init(ormOptions(url));
  try {
    await migrateWithLock(orm, url);
  } finally {
    await orm.close(true);
  }
  return url;
}

/**
 * Migrations the database has applied that the project no longer lists (a migration was
 * regenerated or renamed): its schema history diverged, so it cannot simply be migrated up.
 */
export async function divergedMigrations(server: BenchServer, name: string): Promise<string[]> {
  const exists = await query<{ n: number }>(server.adminUrl, 'select count(*)::int as n from pg_database where datname = $1', [name]);
  if (!exists[0].n) return [];
  const r = await query<{ name: string }>(databaseUrl(server.adminUrl, name), `select name from mikro_orm_migrations`).catch(() => []);
  const known = new Set(MIGRATIONS.map((m) => m.name));
  return r.map((x) => x.name).filter((n) => !known.has(n));
}

/** The data-set key the database was labelled with after a complete import, or null. */
export async function loadedDatasetKey(server: BenchServer, name: string): Promise<string | null> {
  const r = await query<{ c: string | null }>(server.adminUrl, 'select shobj_description(oid, $2) as c from pg_database where datname = $1', [name, 'pg_database']);
  const m = /^yardstick-bench-kpi dataset=(\w+)$/.exec(r[0]?.c ?? '');
  return m ? m[1] : null;
}

export async function labelDatabase(server: BenchServer, name: string, key: string | null): Promise<void> {
  const text = key === null ? 'null' : `'yardstick-bench-kpi dataset=${key}'`;
  await query(server.adminUrl, `comment on database ${quoteIdent(name)} is ${text}`);
}
