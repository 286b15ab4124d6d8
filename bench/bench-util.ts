/** Small helpers every benchmark uses. */
import { Client } from 'pg';

/** Runs `fn` and returns its result with the wall time in milliseconds. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

/** One statement on its own connection (for set-up and checks outside the code measured). */
export async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** The same server URL with another database. */
export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Reads the tables the benchmark queries, with their indexes, into the operating system's
 * page cache (pg_prewarm, mode 'read'), so that the timed part measures the work rather than
 * the disk. On the machines this project is built on, the kernel pages out memory that has
 * not been touched for a few seconds (DAMON reclaim): a 3 GB database read a minute ago is
 * partly on disk again, and the same statement then takes 3-4 times as long. Returns what it
 * read and how long it took, for the bench to print; `null` when the server has no pg_prewarm
 * (then nothing is warmed and the figures may include disk reads).
 */
export async function prewarm(url: string, tables: string[]): Promise<{ mb: number; ms: number } | null> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const available = await c.query(`select 1 from pg_available_extensions where name = 'pg_prewarm'`);
    if (!available.rowCount) return null;
    await c.query('create extension if not exists pg_prewarm');
    const t = performance.now();
    const r = await c.query<{ blocks: string }>(
      `select coalesce(sum(pg_prewarm(x.oid, 'read')), 0) as blocks
         from (select t.oid from pg_class t where t.oid = any($1::regclass[])
               union all
               select i.indexrelid from pg_index i where i.indrelid = any($1::regclass[])) x`,
      [tables],
    );
    return { mb: (Number(r.rows[0].blocks) * 8192) / 1024 / 1024, ms: performance.now() - t };
  } finally {
    await c.end();
  }
}
