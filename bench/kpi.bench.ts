/**
 * `npm run bench:kpi [-- --fresh] [-- --drop]` — the KPI engine and the KPI read API at the
 * issue's scale: 2,000 agents, 1,000,000 customers, 24 months (the generator's data topped up
 * towards ≈ 10 M orders, 5 M tickets, 1 M surveys; see bench/kpi/top-up.ts).
 *
 * 1. data: generated into a cache folder under os.tmpdir() keyed by the options (reruns skip it);
 * 2. database `yardstick_bench_kpi` on DATABASE_URL's server (unset: the embedded server, as the
 *    app does), migrated; the files go through the real CsvImporter unless the database
 *    already holds this data set; then VACUUM ANALYZE;
 * 3. one full period — the last month of the data — in a fresh app context: (a) live KPIs of
 *    every subject with trends (KpiQueryService.live), (b) scorecards, (c) publish; baseline:
 *    `select count(*) from orders` in the same run; goal: a + b + c ≤ 20 s. Three times: as the
 *    monthly run meets it (the month before and the month a year earlier already published by
 *    earlier runs, untimed), as a month of the service's first year meets it (the month before
 *    published, the month a year earlier computed live), and as the first month ever (nothing
 *    published: both trend months are computed live too). Right before the baseline and (a),
 *    the tables the period reads are read into the page cache (bench-util prewarm);
 * 4. HTTP: the service as `npm start` runs it, in its own process on a free port, an hr user's
 *    token, autocannon (64 connections, BENCH_SECONDS s, default 20, after a short warm-up in the same child process) on
 *    `GET /api/v1/agents/{id}/kpis?period=P` over every agent id, then on `GET /health` as the
 *    baseline; goals: ≥ 2,000 req/s and p99 ≤ 30 ms.
 *
 * Flags: --fresh regenerates the data and reimports it; --drop drops the database and the
 * cached data at the end. Environment (for quick runs): BENCH_SECONDS, BENCH_WARMUP_SECONDS,
 * BENCH_CONNECTIONS, BENCH_AGENTS, BENCH_CUSTOMERS, BENCH_MONTHS, BENCH_END_MONTH,
 * BENCH_TOPUP=0 (the generator's volumes only), BENCH_DATABASE (database name), BENCH_PARTS
 * (period,http — the default — or one of them; http alone publishes the period first, untimed,
 * when it is not published yet).
 */
import './kpi/swc-register'; // before anything from src/: Nest needs decorator metadata
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { loadConfig, type AppConfig } from '../src/config/app-config';
import { DEMO_FILES, type DemoFileName } from '../src/demo-data/demo-data.generator';
import { createHttpApp } from '../src/http-app';
import { CsvImporter, entityForFileName } from '../src/imports/csv-importer';
import { KpiQueryService } from '../src/kpis/kpi-query.service';
import { previousPeriod, yearAgoPeriod } from '../src/periods/domain/period';
import { PeriodsService } from '../src/periods/periods.service';
import { ScorecardsService } from '../src/scorecards/scorecards.service';
import { TemplatesService } from '../src/scorecards/templates.service';
import { UsersService } from '../src/users/users.service';
import { divergedMigrations, dropDatabase, labelDatabase, loadedDatasetKey, openServer, prepareDatabase, type BenchServer } from './kpi/bench-db';
import { ensureDataset, type Dataset, type DatasetOptions } from './kpi/dataset';
import { runLoad, type LoadResult } from './kpi/load';
import { prewarm, timed } from './bench-util';

const GOAL_PERIOD_SECONDS = 20;
const GOAL_RPS = 2000;
const GOAL_P99_MS = 30;

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

const out = (line = '') => process.stdout.write(`${line}\n`);
const note = (line: string) => {
  if (process.stderr.isTTY) process.stderr.write(`${line}\n`);
};
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ratio = (x: number) => `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`;
const mb = (bytes: number) => `${n(bytes / 1024 / 1024)} MB`;
const pass = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const peakRss = () => process.resourceUsage().maxRSS * 1024;

function table(rows: string[][], rightAligned: (i: number) => boolean = (i) => i > 0): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => `  ${r.map((c, i) => (rightAligned(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')}`.trimEnd());
}


// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return v;
}

interface BenchOptions {
  fresh: boolean;
  drop: boolean;
  database: string;
  data: DatasetOptions;
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

function options(argv: string[]): BenchOptions {
  const flags = new Set(argv);
  for (const f of flags) {
    if (!['--fresh', '--drop'].includes(f)) throw new Error(`unknown argument ${f} (flags: --fresh, --drop)`);
  }
  const endMonth = process.env.BENCH_END_MONTH ?? '2026-10';
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(endMonth)) throw new Error(`BENCH_END_MONTH must be YYYY-MM, got ${endMonth}`);
  return {
    fresh: flags.has('--fresh'),
    drop: flags.has('--drop'),
    database: process.env.BENCH_DATABASE ?? 'yardstick_bench_kpi',
    data: {
      agents: envInt('BENCH_AGENTS', 2000),
      customers: envInt('BENCH_CUSTOMERS', 1_000_000),
      months: envInt('BENCH_MONTHS', 24),
      seed: 'yardstick-bench-kpi',
      endMonth,
      // ≈ 3.9 M generated orders × 2.56, 1.0 M tickets × 5, 0.36 M surveys × 2.9
      topUp: process.env.BENCH_TOPUP === '0' ? null : { extraOrdersPerOrder: 1.56, ticketCopies: 4, surveyCopyChance: 0.5 },
    },
    seconds: envInt('BENCH_SECONDS', 20),
    warmupSeconds: envInt('BENCH_WARMUP_SECONDS', 3, 0),
    connections: envInt('BENCH_CONNECTIONS', 64),
  };
}

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

const FILES = Object.keys(DEMO_FILES) as DemoFileName[];

function printDataset(ds: Dataset): void {
  const how = ds.cached
    ? 'cached (generated by an earlier run)'
    : `generated in ${sec(ds.generateSeconds * 1000)}, topped up in ${sec(ds.topUpSeconds * 1000)}`;
  out(`Data set: ${ds.dir} — ${how}`);
  const rows = [['file', 'generated', 'with top-up', 'size']];
  for (const f of FILES) rows.push([f, n(ds.generatedRows[f]), n(ds.rows[f]), mb(ds.bytes[f])]);
  table(rows).forEach((l) => out(l));
  const m = (f: DemoFileName, rowsOf: Record<DemoFileName, number>) => `${(rowsOf[f] / 1e6).toFixed(2)} M`;
  const volumes = (r: Record<DemoFileName, number>) => `${m('orders.csv', r)} orders, ${m('tickets.csv', r)} tickets, ${m('surveys.csv', r)} surveys`;
  out(`  the issue asks for ≈ 10 M orders, 5 M tickets, 1 M surveys; the generator gives ${volumes(ds.generatedRows)}`);
  out(
    ds.rows['orders.csv'] === ds.generatedRows['orders.csv']
      ? '  (no top-up: BENCH_TOPUP=0)'
      : `  → topped up (bench/kpi/top-up.ts: denser purchase streams, time-shifted ticket and survey copies) to ${volumes(ds.rows)}`,
  );
  out();
}

async function importDataset(url: string, config: AppConfig, ds: Dataset): Promise<void> {
  const largest = Math.max(...FILES.map((f) => ds.bytes[f]));
  const maxBytes = Math.max(config.importMaxBytes, largest);
  out(`Import through CsvImporter (ORG_TIMEZONE=${config.orgTimezone}${maxBytes > config.importMaxBytes ? `, IMPORT_MAX_BYTES raised to ${mb(maxBytes)} for the largest file` : ''}):`);
  const pool = new Pool({ connectionString: url, max: 2 });
  const rows = [['file', 'rows', 'seconds', 'rows/s', 'copy', 'checks', 'write', 'indexes']];
  let total = 0;
  let totalRows = 0;
  try {
    for (const f of FILES) {
      const entity = entityForFileName(f)!;
      const phases: Record<string, number> = {};
      const importer = new CsvImporter(pool, {
        orgTimezone: config.orgTimezone,
        maxBytes,
        onPhase: (phase, ms) => {
          const k = phase.startsWith('check') ? 'checks' : phase === 'rebuild indexes' ? 'indexes' : phase === 'insert' || phase === 'upsert' ? 'write' : phase;
          phases[k] = (phases[k] ?? 0) + ms;
        },
      });
      note(`  importing ${f}…`);
      const [summary, ms] = await timed(() => importer.importFile(entity, path.join(ds.dir, f), { source: `bench:${f}`, importedBy: 'bench' }));
      total += ms;
      totalRows += summary.rows;
      const p = (k: string) => (phases[k] === undefined ? '' : (phases[k] / 1000).toFixed(1));
      rows.push([f, n(summary.rows), (ms / 1000).toFixed(2), n(summary.rows / (ms / 1000)), p('copy'), p('checks'), p('write'), p('indexes')]);
    }
  } finally {
    await pool.end();
  }
  rows.push(['total', n(totalRows), (total / 1000).toFixed(2), n(totalRows / (total / 1000)), '', '', '', '']);
  table(rows).forEach((l) => out(l));
  out('  (copy / checks / write / indexes: seconds of each importer phase)');
}

interface PeriodFigures {
  period: string;
  subjects: { agents: number; teams: number; org: number };
  cards: number;
  countMs: number;
  orders: number;
  liveMs: number;
  cardsMs: number;
  publishMs: number;
  snapshotVersion: number;
  /** 1-min load average of the machine before (a) */
  loadBefore: number;
  /** what prewarm read into the page cache right before the baseline and (a); null: not available */
  warm: { mb: number; ms: number } | null;
}

/** What one period reads (prewarmed before it is timed). */
const PERIOD_TABLES = ['orders', 'customers', 'assignments', 'tickets', 'surveys', 'training', 'agents', 'teams'];

/**
 * (a) live, (b) scorecards, (c) publish — in a fresh app context (empty caches). The bench's
 * database starts from "never published" (so (c) is a first publication); the periods of
 * `published` are published first, untimed, in another app context.
 */
async function onePeriod(url: string, config: AppConfig, period: string, published: string[]): Promise<PeriodFigures> {
  const truncate = new Pool({ connectionString: url, max: 1 });
  try {
    await truncate.query('truncate period_snapshots, snapshot_subjects');
  } finally {
    await truncate.end();
  }
  if (published.length > 0) {
    const setup = await createHttpApp(config, url, { logs: false });
    await setup.init();
    try {
      for (const p of published) await setup.get(PeriodsService).publish(p, { reason: null, by: 'bench' });
    } finally {
      await setup.close();
    }
  }
  const app = await createHttpApp(config, url, { logs: false });
  await app.init();
  try {
    // the data in the page cache (see prewarm), then the baseline, then (a) at once
    const warm = await prewarm(url, PERIOD_TABLES);
    const pool = new Pool({ connectionString: url, max: 1 });
    let countMs: number;
    let orders: number;
    try {
      const [r, ms] = await timed(() => pool.query<{ n: string }>('select count(*) as n from orders'));
      countMs = ms;
      orders = Number(r.rows[0].n);
    } finally {
      await pool.end();
    }
    const loadBefore = os.loadavg()[0];
    const kpis = app.get(KpiQueryService);
    const [live, liveMs] = await timed(() => kpis.live(period));
    const [cards, cardsMs] = await timed(async () => app.get(ScorecardsService).build(live, await app.get(TemplatesService).current(), { status: 'live', version: null }));
    const [header, publishMs] = await timed(() => app.get(PeriodsService).publish(period, { reason: null, by: 'bench' }));
    const subjects = { agents: 0, teams: 0, org: 0 };
    for (const { subject } of live.subjects.values()) subjects[subject.type === 'agent' ? 'agents' : subject.type === 'team' ? 'teams' : 'org']++;
    return { period, subjects, cards: cards.size, countMs, orders, liveMs, cardsMs, publishMs, snapshotVersion: header.version, loadBefore, warm };
  } finally {
    await app.close();
  }
}

/** autocannon's figures plus the app's CPU (the bench process, in cores) and the 1-min load average before the run. */
type Measured = LoadResult & { appCores: number; dbCores: number; loadBefore: number };

/**
 * CPU seconds (user + system) the PostgreSQL backends serving `database` have used so far, by
 * pid (Linux /proc; empty elsewhere). With the app's own CPU this gives the cost of a request
 * whatever else the machine is running.
 */
async function backendCpu(url: string, database: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const r = await pool.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
    const tick = 100; // USER_HZ
    for (const { pid } of r.rows) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(pid, (Number(f[11]) + Number(f[12])) / tick);
      } catch {
        // not on this machine's /proc (a remote server): no figure
      }
    }
  } finally {
    await pool.end();
  }
  return out;
}

interface HttpFigures {
  kpi: Measured;
  health: Measured;
  agents: number;
  port: number;
  command: string;
}

async function http(url: string, config: AppConfig, period: string, o: BenchOptions): Promise<HttpFigures> {
  // the reader's account, through the service's own UsersService (an app context, not served)
  const email = 'bench-hr@bench.yardstick';
  const password = randomBytes(12).toString('hex');
  const ctx = await createHttpApp(config, url, { logs: false });
  await ctx.init();
  try {
    await ctx.get(UsersService).save({ email, password, role: 'hr' }, { upsert: true });
  } finally {
    await ctx.close();
  }
  // the service as `npm start` runs it (build, then node with the start script's flags), in
  // its own process on a free port, its crons off and its logs silent
  const server = await startService(url, config);
  try {
    const origin = server.origin;
    const login = await fetch(`${origin}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const { access_token: token } = (await login.json()) as { access_token: string };
    const headers = { authorization: `Bearer ${token}` };

    const pool = new Pool({ connectionString: url, max: 1 });
    let agentIds: string[];
    try {
      const r = await pool.query<{ id: string }>(
        `select subject_id as id from snapshot_subjects s join period_snapshots p on p.id = s.snapshot_id
          where p.period = $1 and s.subject_type = 'agent' order by subject_id`,
        [period],
      );
      agentIds = r.rows.map((x) => x.id);
    } finally {
      await pool.end();
    }
    if (agentIds.length === 0) throw new Error(`no published agents for ${period}`);
    const paths = agentIds.map((id) => `/api/v1/agents/${encodeURIComponent(id)}/kpis?period=${period}`);
    // one request first: the published snapshot is what the load will read
    const probe = await fetch(`${origin}${paths[0]}`, { headers });
    const body = (await probe.json()) as { status?: string; version?: number };
    if (probe.status !== 200 || body.status !== 'published') throw new Error(`GET ${paths[0]}: ${probe.status} ${JSON.stringify(body).slice(0, 300)}`);

    const load = async (p: string[], h?: Record<string, string>): Promise<Measured> => {
      let loadBefore = 0;
      let db0 = new Map<number, number>();
      let app0 = 0;
      let t0 = 0;
      // the warm-up runs in the same child process, so autocannon's own code is warm too
      const r = await runLoad({ origin, paths: p, headers: h, connections: o.connections, seconds: o.seconds, warmupSeconds: o.warmupSeconds }, async () => {
        loadBefore = os.loadavg()[0];
        db0 = await backendCpu(url, o.database);
        app0 = processCpuSeconds(server.pid) ?? 0;
        t0 = performance.now();
      });
      const appSeconds = (processCpuSeconds(server.pid) ?? Number.NaN) - app0;
      const ms = performance.now() - t0;
      const db1 = await backendCpu(url, o.database);
      let dbSeconds = 0;
      for (const [pid, sec] of db1) dbSeconds += sec - (db0.get(pid) ?? 0);
      return { ...r, appCores: appSeconds / (ms / 1000), dbCores: dbSeconds / (ms / 1000), loadBefore };
    };
    note(`  autocannon: KPI reads for ${o.seconds} s…`);
    const kpi = await load(paths, headers);
    note(`  autocannon: /health for ${o.seconds} s…`);
    const health = await load(['/health']);
    return { kpi, health, agents: agentIds.length, port: server.port, command: server.command };
  } finally {
    await server.stop();
  }
}

/** CPU seconds (user + system) process `pid` has used so far (Linux /proc), undefined elsewhere. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ
  } catch {
    return undefined;
  }
}

interface RunningService {
  origin: string;
  port: number;
  /** the node process serving (not npm's) */
  pid: number;
  /** how it was started, for the report */
  command: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `npm start` in a child process: builds, then runs the service with the start script's node
 * flags. The service prints one JSON line "Yardstick listening on …" with its pid once it
 * serves; the bench waits for it (and /health) before measuring.
 */
async function startService(url: string, config: AppConfig): Promise<RunningService> {
  const port = await freePort();
  const root = path.resolve(__dirname, '..');
  const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const child = spawn('npm', ['run', '-s', 'start'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, PORT: String(port), LOG_LEVEL: 'silent', JWT_SECRET: config.jwtSecret ?? '', SCHEDULE_ENABLED: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stop() ends npm, sh and node together
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`npm start did not serve within 180 s: ${stderr}`)), 180_000);
    child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const m = JSON.parse(line) as { msg?: string; pid?: number };
          if (m.msg?.startsWith('Yardstick listening on') && m.pid) {
            clearTimeout(timer);
            resolve(m.pid);
          }
        } catch {
          // build output and other lines
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with code ${code}: ${stderr}`));
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  const health = await fetch(`${origin}/health`);
  if (health.status !== 200) throw new Error(`GET /health: ${health.status}`);
  return {
    origin,
    port,
    pid,
    command: `npm start (${start})`,
    stop: async () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const o = options(process.argv.slice(2));
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex') });
  const d = o.data;
  const period = d.endMonth;

  out(`Yardstick KPI bench — ${n(d.agents)} agents, ${n(d.customers)} customers, ${d.months} months to ${d.endMonth}${d.topUp ? ', topped up' : ''}`);
  const server: BenchServer = await openServer(config);
  try {
    out(`Node ${process.version}, ${os.cpus().length} CPUs, ${server.label}, database ${o.database}`);
    out();

    // --- data ------------------------------------------------------------------------------
    const ds = await ensureDataset(d, o.fresh, note);
    printDataset(ds);

    // --- database --------------------------------------------------------------------------
    if (o.fresh) await dropDatabase(server, o.database);
    const diverged = await divergedMigrations(server, o.database);
    if (diverged.length) {
      out(`${o.database} applied migrations the project no longer has (${diverged.join(', ')}): recreating it.`);
      await dropDatabase(server, o.database);
    }
    const loaded = await loadedDatasetKey(server, o.database).catch(() => null);
    let url: string;
    if (loaded === ds.key) {
      url = await prepareDatabase(server, o.database);
      out(`Import skipped: ${o.database} already holds data set ${ds.key} (--fresh reimports).`);
      const [, ms] = await timed(() => oneStatement(url, 'analyze'));
      out(`ANALYZE: ${sec(ms)}`);
    } else {
      // another data set (or a half-finished import): start from an empty database
      await dropDatabase(server, o.database);
      url = await prepareDatabase(server, o.database);
      await importDataset(url, config, ds);
      // VACUUM too: sets hint bits and the visibility map once, so that neither the first timed
      // read nor an autovacuum woken by the load runs during the measurements
      const [, ms] = await timed(() => oneStatement(url, 'vacuum (analyze)'));
      out(`VACUUM ANALYZE: ${sec(ms)}`);
      await labelDatabase(server, o.database, ds.key);
    }
    out();

    const parts = new Set((process.env.BENCH_PARTS ?? 'period,http').split(','));
    if (!parts.has('period')) {
      await ensurePublished(url, config, period);
    } else {
    // --- one full period -------------------------------------------------------------------
    // Three cases. The monthly run: the month before and the month a year earlier were
    // published by earlier runs, so the trends read their snapshots and only the month itself
    // is computed. A month of the first year: the month before is published, the month a year
    // earlier is not (the service ran for less than a year), so (a) computes two periods. The
    // first month ever: nothing is published, so (a) computes the month and both trend months
    // live — the work of three periods.
    const trendPeriods = [yearAgoPeriod(period), previousPeriod(period)];
    const cases: { label: string; published: string[]; note: string }[] = [
      {
        label: 'the monthly run',
        published: trendPeriods,
        note: `${trendPeriods.join(' and ')} published first (untimed, another app context): the trends read their snapshots`,
      },
      {
        label: 'a month of the first year',
        published: [previousPeriod(period)],
        note: `${previousPeriod(period)} published first (untimed, another app context), ${yearAgoPeriod(period)} not yet: (a) computes it live for the trends`,
      },
      {
        label: 'the first month ever',
        published: [],
        note: `no month published: (a) also computes ${previousPeriod(period)} and ${yearAgoPeriod(period)} live for the trends`,
      },
    ];
    const results: { label: string; ms: number }[] = [];
    for (const c of cases) {
      note(`  computing one full period (${c.label})…`);
      const p = await onePeriod(url, config, period, c.published);
      const fullMs = p.liveMs + p.cardsMs + p.publishMs;
      results.push({ label: c.label, ms: fullMs });
      out(`One full period ${period}, ${c.label} — ${n(p.subjects.agents)} agents, ${n(p.subjects.teams)} teams, ${p.subjects.org} organisation (fresh app context, caches empty):`);
      table(
        [
          ['step', 'time', 'vs baseline'],
          [`baseline: select count(*) from orders (${n(p.orders)} rows)`, sec(p.countMs), '1×'],
          ['(a) live KPIs of every subject with trends (KpiQueryService.live)', sec(p.liveMs), ratio(p.liveMs / p.countMs)],
          [`(b) scorecards (${n(p.cards)}, ScorecardsService.build)`, sec(p.cardsMs), ratio(p.cardsMs / p.countMs)],
          [`(c) publish (PeriodsService.publish → version ${p.snapshotVersion}; reuses (a)'s cached live period)`, sec(p.publishMs), ratio(p.publishMs / p.countMs)],
          ['one full period (a + b + c)', sec(fullMs), ratio(fullMs / p.countMs)],
        ],
        (i) => i > 0,
      ).forEach((l) => out(l));
      out(`  ${c.note}; machine load (1-min average) before (a): ${p.loadBefore.toFixed(1)}`);
      out(
        p.warm
          ? `  page cache: ${n(p.warm.mb)} MB of ${PERIOD_TABLES.join(', ')} and their indexes read (pg_prewarm) in ${sec(p.warm.ms)} right before the baseline and (a)`
          : '  page cache: not warmed (the server has no pg_prewarm): the times may include disk reads',
      );
      out();
    }
    out(`Peak RSS by the end of the full periods: ${mb(peakRss())}`);
    for (const r of results) out(`  goal: one full period ≤ ${GOAL_PERIOD_SECONDS} s, ${r.label} → ${pass(r.ms <= GOAL_PERIOD_SECONDS * 1000)} (${sec(r.ms)})`);
    out();

    }
    if (parts.has('http')) {
    // --- HTTP ------------------------------------------------------------------------------
    note('  starting the HTTP app…');
    const h = await http(url, config, period, o);
    out(`HTTP — the service in its own process, ${h.command}, logs silent, on 127.0.0.1:${h.port}; autocannon in another process: ${o.connections} connections, ${o.seconds} s per endpoint after a ${o.warmupSeconds} s warm-up:`);
    const row = (name: string, r: Measured) => [
      name,
      n(r.requestsPerSecond),
      `${r.p50} ms`,
      `${r.p90} ms`,
      `${r.p99} ms`,
      `${r.max} ms`,
      n(r.total),
      String(r.non2xx + r.errors),
      r.appCores.toFixed(2),
      r.dbCores.toFixed(2),
      (((r.appCores + r.dbCores) * 1000) / Math.max(1, r.requestsPerSecond)).toFixed(2),
      r.generatorCores.toFixed(2),
      r.loadBefore.toFixed(1),
    ];
    table(
      [
        ['endpoint', 'req/s', 'p50', 'p90', 'p99', 'max', 'requests', 'failed', 'app CPU', 'db CPU', 'CPU ms/req', 'autocannon CPU', 'load before'],
        row(`GET /api/v1/agents/{id}/kpis?period=${period} (${n(h.agents)} ids)`, h.kpi),
        row('GET /health (baseline)', h.health),
        [
          'KPI read vs baseline',
          ratio(h.kpi.requestsPerSecond / h.health.requestsPerSecond),
          ratio(h.kpi.p50 / Math.max(1, h.health.p50)),
          ratio(h.kpi.p90 / Math.max(1, h.health.p90)),
          ratio(h.kpi.p99 / Math.max(1, h.health.p99)),
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
        ],
      ],
      (i) => i > 0,
    ).forEach((l) => out(l));
    out(
      "  (app CPU: cores the service's node process used during the run; db CPU: cores of the PostgreSQL backends of the bench database; CPU ms/req: (app + db) CPU per request, which other load on the machine hardly changes; autocannon CPU: the load generator's own process; load before: 1-min load average of the machine)",
    );
    out(`  goals: KPI reads ≥ ${n(GOAL_RPS)} req/s → ${pass(h.kpi.requestsPerSecond >= GOAL_RPS)} (${n(h.kpi.requestsPerSecond)}); p99 ≤ ${GOAL_P99_MS} ms → ${pass(h.kpi.p99 <= GOAL_P99_MS)} (${h.kpi.p99} ms)`);
    if (h.kpi.non2xx + h.kpi.errors + h.health.non2xx + h.health.errors > 0) {
      out(`  WARNING: failed requests — KPI ${JSON.stringify(h.kpi.statusCodes)} errors ${h.kpi.errors}; health ${JSON.stringify(h.health.statusCodes)} errors ${h.health.errors}`);
    }
    out();

    }
    out(`Peak RSS: ${mb(peakRss())} — the bench process (generation, import, the full period; the served app and autocannon run apart)`);

    if (o.drop) {
      await dropDatabase(server, o.database);
      rmSync(ds.dir, { recursive: true, force: true });
      out(`--drop: dropped database ${o.database} and removed ${ds.dir}`);
    }
    out(`Total bench time: ${sec(performance.now() - started)}`);
  } finally {
    await server.close();
  }
}

/** BENCH_PARTS=http: the period published (untimed) unless it already is. */
async function ensurePublished(url: string, config: AppConfig, period: string): Promise<void> {
  const app = await createHttpApp(config, url, { logs: false });
  await app.init();
  try {
    const periods = app.get(PeriodsService);
    if ((await periods.versions(period)).length === 0) {
      note('  publishing the period first (untimed)…');
      await periods.publish(period, { reason: null, by: 'bench' });
    }
  } finally {
    await app.close();
  }
}

async function oneStatement(url: string, sql: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await pool.query(sql);
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:kpi failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
