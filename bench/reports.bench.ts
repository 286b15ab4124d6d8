/**
 * `npm run bench:reports [-- --fresh] [-- --drop]` — PDF scorecards of the 2,000-agent
 * organisation (issue 6, item 7): every agent and team PDF of one published period, through
 * ReportRenderService (data and view models on the main thread, PDFs in RENDER_CONCURRENCY
 * worker processes).
 *
 * 1. data: the demo-data generator's files (2,000 agents, BENCH_CUSTOMERS customers, 13
 *    months to BENCH_END_MONTH) in a cache folder under os.tmpdir() (reruns skip it);
 * 2. database `yardstick_bench_reports` on DATABASE_URL's server (unset: the embedded
 *    server), imported once and labelled with the data set; the last month (and with
 *    BENCH_TREND_MONTHS > 1 the months before it, oldest first) published unless it is;
 * 3. render every agent with a scorecard and every team, BENCH_INFLIGHT renders in flight;
 *    print PDFs/s, sizes, the peak RSS of the app process and of each worker;
 * 4. baseline, same run: a minimal one-chart pdfmake document rendered on the main thread
 *    (median of 40), and the ratio of a report's CPU time (wall × workers / PDFs) to it.
 *
 * Goals: ≥ 25 PDFs/s on this 2-core machine using both cores, peak RSS < 1 GB (all processes).
 * Environment: BENCH_AGENTS, BENCH_CUSTOMERS, BENCH_END_MONTH, BENCH_TREND_MONTHS,
 * BENCH_WORKERS (RENDER_CONCURRENCY, default 2), BENCH_INFLIGHT, BENCH_DATABASE, BENCH_OUT
 * (a folder to write every PDF to).
 */
import './kpi/swc-register'; // before anything from src/: Nest needs decorator metadata
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { loadConfig, type AppConfig } from '../src/config/app-config';
import { DEMO_FILES, type DemoFileName } from '../src/demo-data/demo-data.generator';
import { createHttpApp } from '../src/http-app';
import { CsvImporter, entityForFileName } from '../src/imports/csv-importer';
import { addMonths } from '../src/periods/domain/period';
import { PeriodsService } from '../src/periods/periods.service';
import { RENDER_POOL, ReportRenderService } from '../src/reports/report-render.service';
import type { RenderPool, WorkerStats } from '../src/reports/rendering/render-pool';
import { divergedMigrations, dropDatabase, labelDatabase, loadedDatasetKey, openServer, prepareDatabase, type BenchServer } from './kpi/bench-db';
import { ensureDataset, type Dataset, type DatasetOptions } from './kpi/dataset';
import { baselineMs } from './reports/baseline';
import { query, timed } from './bench-util';

const GOAL_PDFS_PER_SECOND = 25;
const GOAL_RSS_BYTES = 1024 ** 3;

const out = (line = '') => process.stdout.write(`${line}\n`);
const note = (line: string) => {
  if (process.stderr.isTTY) process.stderr.write(`${line}\n`);
};
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${n(bytes / 1024 / 1024)} MB`;
const pass = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const peakRss = () => process.resourceUsage().maxRSS * 1024;

/** Current RSS (bytes) of a process from /proc, 0 when it is gone. */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** This process and its children (the render workers) now: the memory the machine actually holds at once. */
function totalRssNow(): number {
  let total = rssOf(process.pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) total += rssOf(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return v;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => `  ${r.map((c, i) => (i > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')}`.trimEnd());
}



const FILES = Object.keys(DEMO_FILES) as DemoFileName[];

async function importDataset(url: string, config: AppConfig, ds: Dataset): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    for (const f of FILES) {
      note(`  importing ${f}…`);
      const importer = new CsvImporter(pool, { orgTimezone: config.orgTimezone, maxBytes: Math.max(config.importMaxBytes, ds.bytes[f]) });
      const [summary, ms] = await timed(() => importer.importFile(entityForFileName(f)!, path.join(ds.dir, f), { source: `bench:${f}`, importedBy: 'bench' }));
      out(`  ${f}: ${n(summary.rows)} rows in ${sec(ms)}`);
    }
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const flags = new Set(process.argv.slice(2));
  for (const f of flags) if (!['--fresh', '--drop'].includes(f)) throw new Error(`unknown argument ${f} (flags: --fresh, --drop)`);
  const endMonth = process.env.BENCH_END_MONTH ?? '2026-10';
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(endMonth)) throw new Error(`BENCH_END_MONTH must be YYYY-MM, got ${endMonth}`);
  const data: DatasetOptions = {
    agents: envInt('BENCH_AGENTS', 2000),
    customers: envInt('BENCH_CUSTOMERS', 100_000),
    months: 13,
    seed: 'yardstick-bench-reports',
    endMonth,
    topUp: null,
  };
  const trendMonths = envInt('BENCH_TREND_MONTHS', 1);
  const workers = envInt('BENCH_WORKERS', 2);
  const inflight = envInt('BENCH_INFLIGHT', workers * 4);
  const database = process.env.BENCH_DATABASE ?? 'yardstick_bench_reports';
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    SCHEDULE_ENABLED: 'false',
    RENDER_CONCURRENCY: String(workers),
    JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
  });

  out(`Yardstick reports bench — ${n(data.agents)} agents, ${n(data.customers)} customers, ${data.months} months to ${endMonth}`);
  const server: BenchServer = await openServer(config);
  try {
    out(`Node ${process.version}, ${os.cpus().length} CPUs, ${server.label}, database ${database}; RENDER_CONCURRENCY ${workers}, ${inflight} renders in flight`);

    // --- data and database -----------------------------------------------------------------
    const ds = await ensureDataset(data, flags.has('--fresh'), note);
    out(`Data set: ${ds.dir} — ${ds.cached ? 'cached' : `generated in ${sec(ds.generateSeconds * 1000)}`}`);
    if (flags.has('--fresh')) await dropDatabase(server, database);
    if ((await divergedMigrations(server, database)).length) await dropDatabase(server, database);
    let url: string;
    if ((await loadedDatasetKey(server, database).catch(() => null)) === ds.key) {
      url = await prepareDatabase(server, database);
      out(`Import skipped: ${database} already holds data set ${ds.key} (--fresh reimports).`);
    } else {
      await dropDatabase(server, database);
      url = await prepareDatabase(server, database);
      await importDataset(url, config, ds);
      await query(url, 'vacuum (analyze)');
      await labelDatabase(server, database, ds.key);
    }

    const app = await createHttpApp(config, url, { logs: false });
    await app.init();
    out(`App started: RSS ${mb(process.memoryUsage().rss)} (peak so far ${mb(peakRss())})`);
    let baseline: { medianMs: number; bytes: number };
    let stats: WorkerStats[];
    let mainPeak: number;
    let wallMs: number;
    let sizes: number[];
    let agents: string[];
    let teams: string[];
    let snapshotId: number;
    try {
      // --- publish ---------------------------------------------------------------------------
      const periods = Array.from({ length: trendMonths }, (_, i) => addMonths(endMonth, i - trendMonths + 1));
      for (const p of periods) {
        const [existing] = await query<{ id: number }>(url, 'select id from period_snapshots where period = $1 order by version desc limit 1', [p]);
        if (existing) continue;
        note(`  publishing ${p}…`);
        const [, ms] = await timed(() => app.get(PeriodsService).publish(p, { by: 'bench' }));
        out(`Published ${p} in ${sec(ms)}`);
      }
      [{ id: snapshotId }] = await query<{ id: number }>(url, 'select id from period_snapshots where period = $1 order by version desc limit 1', [endMonth]);
      agents = (await query<{ id: string }>(url, "select subject_id as id from snapshot_subjects where snapshot_id = $1 and subject_type = 'agent' and scorecard is not null order by subject_id", [snapshotId])).map((r) => r.id);
      teams = (await query<{ id: string }>(url, "select subject_id as id from snapshot_subjects where snapshot_id = $1 and subject_type = 'team' and scorecard is not null order by subject_id", [snapshotId])).map((r) => r.id);
      out(`Snapshot ${snapshotId} (${endMonth}): ${n(agents.length)} agents with a scorecard, ${n(teams.length)} teams`);
      out();

      // --- render ------------------------------------------------------------------------------
      const render = app.get(ReportRenderService);
      const jobs: { kind: 'agent' | 'team'; id: string }[] = [...agents.map((id) => ({ kind: 'agent' as const, id })), ...teams.map((id) => ({ kind: 'team' as const, id }))];
      // warm-up: the workers start and load their fonts (not part of the measurement)
      note('  starting the render workers…');
      await Promise.all(Array.from({ length: workers * 2 }, (_, i) => render.renderAgent(snapshotId, agents[i % agents.length])));
      const outDir = process.env.BENCH_OUT;
      if (outDir) mkdirSync(outDir, { recursive: true });
      sizes = new Array<number>(jobs.length);
      let next = 0;
      let done = 0;
      note(`  rendering ${n(jobs.length)} PDFs…`);
      let totalPeak = totalRssNow();
      const sampler = setInterval(() => (totalPeak = Math.max(totalPeak, totalRssNow())), 100);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      await Promise.all(
        Array.from({ length: inflight }, async () => {
          while (next < jobs.length) {
            const i = next++;
            const j = jobs[i];
            const pdf = j.kind === 'agent' ? await render.renderAgent(snapshotId, j.id) : await render.renderTeam(snapshotId, j.id);
            sizes[i] = pdf.length;
            if (outDir) writeFileSync(path.join(outDir, `${j.kind}-${j.id}.pdf`), pdf);
            if (++done % 250 === 0) note(`  ${n(done)} / ${n(jobs.length)}`);
          }
        }),
      );
      wallMs = performance.now() - t0;
      clearInterval(sampler);
      const mainCpu = process.cpuUsage(cpu0);
      stats = await app.get<RenderPool>(RENDER_POOL).stats();
      mainPeak = peakRss();
      const pdfsPerSecond = jobs.length / (wallMs / 1000);
      const totalBytes = sizes.reduce((a, b) => a + b, 0);
      const agentBytes = sizes.slice(0, agents.length).reduce((a, b) => a + b, 0);
      out(`Rendered ${n(jobs.length)} PDFs (${n(agents.length)} agents, ${n(teams.length)} teams) in ${sec(wallMs)}: ${pdfsPerSecond.toFixed(1)} PDFs/s`);
      out(`  sizes: ${mb(totalBytes)} in all, agent PDF ${n(agentBytes / agents.length / 1024)} KB on average, team PDF ${n((totalBytes - agentBytes) / Math.max(1, teams.length) / 1024)} KB`);
      out(`  main thread (data, view models): ${((mainCpu.user + mainCpu.system) / 1000 / jobs.length).toFixed(1)} ms CPU per PDF`);

      // --- baseline, same run --------------------------------------------------------------------
      note('  baseline…');
      baseline = await baselineMs();
      const perReportMs = (wallMs * workers) / jobs.length;
      out();
      table([
        ['measure', 'value'],
        ['baseline: minimal one-chart pdfmake document (main thread, median of 40)', `${baseline.medianMs.toFixed(1)} ms`],
        [`one report: wall × ${workers} workers / PDFs`, `${perReportMs.toFixed(1)} ms`],
        ['report vs baseline', `${(perReportMs / baseline.medianMs).toFixed(1)}×`],
      ]).forEach((l) => out(l));
      out();
      const workerPeaks = stats.reduce((a, s) => a + s.maxRssBytes, 0);
      table([
        ['process', 'peak RSS', 'PDFs'],
        ['app (main thread: data and view models; peak before the baseline)', mb(mainPeak), ''],
        ...stats.map((s) => [`render worker ${s.pid}`, mb(s.maxRssBytes), n(s.rendered)]),
        ['all processes (sum of peaks; the app\'s includes publishing)', mb(mainPeak + workerPeaks), ''],
        ['all processes at once while rendering (sampled every 100 ms)', mb(totalPeak), ''],
      ]).forEach((l) => out(l));
      out();
      out(
        `Goals: ≥ ${GOAL_PDFS_PER_SECOND} PDFs/s → ${pass(pdfsPerSecond >= GOAL_PDFS_PER_SECOND)} (${pdfsPerSecond.toFixed(1)}); ` +
          `peak RSS < 1 GB while rendering → ${pass(totalPeak < GOAL_RSS_BYTES)} (${mb(totalPeak)} at once; sum of every process's own peak ${mb(mainPeak + workerPeaks)})`,
      );
      out(`Machine load (1-min average) at the end: ${os.loadavg()[0].toFixed(1)}`);
    } finally {
      await app.close();
    }

    if (flags.has('--drop')) {
      await dropDatabase(server, database);
      rmSync(ds.dir, { recursive: true, force: true });
      out(`--drop: dropped database ${database} and removed ${ds.dir}`);
    }
    out(`Total bench time: ${sec(performance.now() - started)}`);
  } finally {
    await server.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
