/**
 * `npm run bench:import` — the CSV import benchmark.
 *
 * Generates BENCH_CUSTOMERS customers (default 100,000) and BENCH_ORDERS orders (default
 * 1,000,000) as CSV files in a temp folder (streamed, seeded), creates and migrates a
 * dedicated database on the configured server (DATABASE_URL, or the embedded one), imports
 * customers then orders through the real CsvImporter, times a bare COPY of the same orders
 * file into an unindexed all-text unlogged table in the same run (the reference of the ratio;
 * the same COPY into a logged table is printed too), and the floor of any import that stores
 * the orders as Yardstick does (COPY into a logged table typed as orders, then its primary key
 * and indexes, no validation), re-imports the orders file (every row unchanged), prints the
 * figures against the goals, and drops the database.
 *
 * Goals: ≥ 250,000 rows/s for the orders import, within 2.5× of the bare COPY, peak RSS of
 * this process < 300 MB (the file is streamed, never held in memory).
 */
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Client, Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../src/config/app-config';
import { DatabaseRuntime } from '../src/database/database-runtime';
import { quoteIdent } from '../src/database/embedded-postgres';
import { migrateWithLock } from '../src/database/migrate';
import { ormOptions } from '../src/database/mikro-orm.options';
import { CsvImporter, type ImportEntity, type ImportSummary } from '../src/imports/csv-importer';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const GOAL_ROWS_PER_S = 250_000;
const GOAL_RATIO = 2.5;
const GOAL_RSS_MB = 300;

const log = { info: (m: string) => process.stderr.write(`${m}\n`), warn: (m: string) => process.stderr.write(`warning: ${m}\n`) };

/** xorshift32: deterministic data without Math.random. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

/** Writes `total` lines produced by `line(i)` to `file`, in batches, honouring back-pressure. */
async function writeCsv(file: string, header: string, total: number, line: (i: number) => string): Promise<number> {
  const out = createWriteStream(file);
  out.write(header + '\n');
  const batch = 500;
  for (let i = 0; i < total; i += batch) {
    let chunk = '';
    for (let j = i; j < Math.min(total, i + batch); j++) chunk += line(j) + '\n';
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return statSync(file).size;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

async function generate(dir: string): Promise<{ customers: string; orders: string; ordersBytes: number }> {
  const rand = rng(20261123);
  const customers = path.join(dir, 'customers.csv');
  await writeCsv(customers, 'customer_id,name,segment,acquired_on,churned_on,owner_agent_id', CUSTOMERS, (i) => {
    const d = 1 + Math.floor(rand() * 28);
    return `C${pad(i + 1, 7)},Customer ${i + 1},${rand() < 0.2 ? 'enterprise' : 'smb'},2024-${pad(1 + (i % 12), 2)}-${pad(d, 2)},,`;
  });
  const orders = path.join(dir, 'orders.csv');
  const statuses = ['completed', 'completed', 'completed', 'Completed', 'refunded', 'cancelled'];
  const ordersBytes = await writeCsv(orders, 'order_id,customer_id,ordered_at,amount,gross_margin,status', ORDERS, (i) => {
    const c = 1 + Math.floor(rand() * CUSTOMERS);
    const day = `2026-${pad(1 + Math.floor(rand() * 12), 2)}-${pad(1 + Math.floor(rand() * 28), 2)}`;
    const time = `${pad(Math.floor(rand() * 24), 2)}:${pad(Math.floor(rand() * 60), 2)}:${pad(Math.floor(rand() * 60), 2)}`;
    const r = rand();
    const at = r < 0.5 ? `${day}T${time}+08:00` : r < 0.8 ? `${day}T${time}Z` : `${day} ${time}`; // offset, Z, local
    const cents = Math.floor(rand() * 5_000_000);
    const amount = `${Math.floor(cents / 100)}.${pad(cents % 100, 2)}`;
    const margin = rand() < 0.4 ? `${Math.floor(cents / 300)}.${pad(cents % 100, 2)}` : '';
    return `O${pad(i + 1, 8)},C${pad(c, 7)},${at},${amount},${margin},${statuses[Math.floor(rand() * statuses.length)]}`;
  });
  return { customers, orders, ordersBytes };
}

/** A reference: COPY of the same file into an unindexed all-text table, nothing else. */
async function bareCopy(url: string, file: string, persistence: 'unlogged' | 'logged'): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `create ${persistence === 'unlogged' ? 'unlogged ' : ''}table bench_bare (order_id text, customer_id text, ordered_at text, amount text, gross_margin text, status text)`,
    );
    const t = performance.now();
    await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), client.query(copyFrom('copy bench_bare from stdin with (format csv, header true)')));
    const ms = performance.now() - t;
    await client.query('drop table bench_bare');
    return ms;
  } finally {
    await client.end();
  }
}

/**
 * The floor of any import that keeps the orders as Yardstick stores them: COPY of the same
 * file into a logged table with the orders table's columns and types (ordered_on derived from
 * ordered_at), then the orders table's primary key and indexes built on it — no validation,
 * no upsert, no staging. Within one transaction, as an import is.
 */
async function floorCopy(url: string, file: string, tz: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const cols = await client.query<{ name: string; type: string; collation: string | null }>(
      `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
              case when a.attcollation <> 0 and a.attcollation <> t.typcollation then quote_ident(c.collname) end as collation
       from pg_attribute a join pg_type t on t.oid = a.atttypid left join pg_collation c on c.oid = a.attcollation
       where a.attrelid = 'orders'::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum`,
    );
    const column = (c: { name: string; type: string; collation: string | null }) =>
      c.name === 'ordered_on'
        ? `ordered_on date generated always as ((ordered_at at time zone ${quoteLiteral(tz)})::date) stored`
        : `${c.name} ${c.type}${c.collation ? ` collate ${c.collation}` : ''}`;
    const indexes = await client.query<{ def: string }>(
      `select replace(pg_get_indexdef(indexrelid), ' ON public.orders ', ' ON bench_floor ') as def from pg_index where indrelid = 'orders'::regclass`,
    );
    await client.query('begin');
    const t = performance.now();
    await client.query(`create table bench_floor (${cols.rows.map(column).join(', ')})`);
    await pipeline(
      createReadStream(file, { highWaterMark: 256 * 1024 }),
      client.query(copyFrom('copy bench_floor (order_id, customer_id, ordered_at, amount, gross_margin, status) from stdin with (format csv, header true)')),
    );
    for (const r of indexes.rows) await client.query(r.def.replace(/^CREATE (UNIQUE )?INDEX \S+/, 'CREATE $1INDEX'));
    await client.query('commit');
    const ms = performance.now() - t;
    await client.query('drop table bench_floor');
    return ms;
  } finally {
    await client.end();
  }
}

const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function main(): Promise<void> {
  const rssAtStart = process.memoryUsage().rss / 1024 / 1024;
  const config = loadConfig();
  const runtime = await DatabaseRuntime.open(config, log);
  const dbName = `ys_bench_${process.pid}`;
  const adminUrl = new URL(runtime.url);
  adminUrl.pathname = '/postgres';
  const admin = new Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  const dir = mkdtempSync(path.join(tmpdir(), 'ys-bench-import-'));
  let pool: Pool | null = null;
  try {
    await admin.query(`create database ${quoteIdent(dbName)}`);
    const url = new URL(runtime.url);
    url.pathname = `/${dbName}`;
    const orm = await MikroORM.init(ormOptions(url.toString()));
    try {
      await migrateWithLock(orm, url.toString());
    } finally {
      await orm.close(true);
    }
    const server = (await admin.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0].v;

    log.info(`generating ${CUSTOMERS.toLocaleString('en')} customers and ${ORDERS.toLocaleString('en')} orders in ${dir} …`);
    const files = await generate(dir);
    log.info(`orders.csv: ${(files.ordersBytes / 1024 / 1024).toFixed(1)} MB`);

    const rssAfterGenerate = process.memoryUsage().rss / 1024 / 1024;
    let peakImportRss = 0;
    const sampler = setInterval(() => (peakImportRss = Math.max(peakImportRss, process.memoryUsage().rss / 1024 / 1024)), 50);
    pool = new Pool({ connectionString: url.toString(), max: 2 });
    // DROP DATABASE … WITH (FORCE) below may reach a connection that pool.end() is still closing.
    pool.on('error', () => undefined);
    let phases: string[] = [];
    const importer = new CsvImporter(pool, {
      orgTimezone: config.orgTimezone,
      maxBytes: config.importMaxBytes,
      onPhase: (p, ms) => phases.push(`${p} ${(ms / 1000).toFixed(2)}s`),
    });
    const timed = async (entity: ImportEntity, file: string): Promise<{ s: ImportSummary; ms: number; phases: string }> => {
      phases = [];
      const t = performance.now();
      const s = await importer.importFile(entity, file, { source: `bench:${path.basename(file)}` });
      return { s, ms: performance.now() - t, phases: phases.join(', ') };
    };

    const customers = await timed('customers', files.customers);
    const orders = await timed('orders', files.orders);
    const bareMs = await bareCopy(url.toString(), files.orders, 'unlogged');
    const loggedMs = await bareCopy(url.toString(), files.orders, 'logged');
    const floorMs = await floorCopy(url.toString(), files.orders, config.orgTimezone);
    const again = await timed('orders', files.orders);
    clearInterval(sampler);
    const rssMb = process.resourceUsage().maxRSS / 1024;

    const rowsPerS = (ORDERS / orders.ms) * 1000;
    const ratio = orders.ms / bareMs;
    const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
    const lines = [
      `PostgreSQL ${server}${config.databaseUrl ? '' : ' (embedded)'}, ORG_TIMEZONE ${config.orgTimezone}, Node ${process.version}`,
      `customers import: ${CUSTOMERS.toLocaleString('en')} rows in ${sec(customers.ms)} (${JSON.stringify(customers.s)})`,
      `  phases: ${customers.phases}`,
      `orders import:    ${ORDERS.toLocaleString('en')} rows in ${sec(orders.ms)} = ${Math.round(rowsPerS).toLocaleString('en')} rows/s  [goal ≥ ${GOAL_ROWS_PER_S.toLocaleString('en')}: ${mark(rowsPerS >= GOAL_ROWS_PER_S)}]`,
      `  ${JSON.stringify(orders.s)}`,
      `  phases: ${orders.phases}`,
      `bare COPY of the same file into an unindexed all-text unlogged table: ${sec(bareMs)}`,
      `import / bare COPY: ${ratio.toFixed(2)}×  [goal ≤ ${GOAL_RATIO}×: ${mark(ratio <= GOAL_RATIO)}]`,
      `  the same COPY into a logged table: ${sec(loggedMs)} (import / that: ${(orders.ms / loggedMs).toFixed(2)}×)`,
      `  floor — COPY into a logged table typed as orders, then its primary key and indexes, no checks: ${sec(floorMs)}` +
        ` = ${(floorMs / bareMs).toFixed(2)}× the bare COPY; the import is ${(orders.ms / floorMs).toFixed(2)}× the floor`,
      `second import of the same file: ${sec(again.ms)} (${JSON.stringify(again.s)})`,
      `  phases: ${again.phases}`,
      `peak RSS of this process: ${rssMb.toFixed(0)} MB  [goal < ${GOAL_RSS_MB} MB: ${mark(rssMb < GOAL_RSS_MB)}]` +
        ` (at start: ${rssAtStart.toFixed(0)} MB; after generating the files: ${rssAfterGenerate.toFixed(0)} MB; sampled peak while importing: ${peakImportRss.toFixed(0)} MB)`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    if (again.s.unchanged !== ORDERS || orders.s.inserted !== ORDERS) throw new Error('unexpected import counts');
  } finally {
    await pool?.end();
    await admin.query(`drop database if exists ${quoteIdent(dbName)} with (force)`).catch((e: Error) => log.warn(e.message));
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
    await runtime.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
