/**
 * `npm run bench:clv` — the predictive customer-value models at the scale: fit BG/NBD
 * and Gamma-Gamma and score every customer of a 1,000,000-customer organisation, timing the
 * SQL summary, the fits and the scoring separately and in total (goal: ≤ 10 s in all), with
 * `select count(*) from orders` as the baseline measured in the same run.
 *
 * Data: the KPI bench's database (`yardstick_bench_kpi`, 2,000 agents, 1,000,000 customers,
 * 24 months, ≈ 10 M orders; see bench/kpi.bench.ts) when it holds a complete import; otherwise
 * a database of its own (`yardstick_bench_clv`) filled once with the demo generator's data at
 * that size through the real importer (`npm run cli -- demo-data` and `-- import`, so Nest
 * runs from the tsc build) and reused by later runs.
 *
 * The code timed is the service's own: CustomerValueRepository.load (one statement per
 * backend, the summary in SQL, grouped rows and per-customer columns out as binary COPY),
 * fitModels, scoreCustomers — constructed explicitly (tsx emits no decorator metadata).
 *
 * Environment: DATABASE_URL (the server; unset: the embedded server the app would start),
 * BENCH_DATABASE (use this database), BENCH_AGENTS / BENCH_CUSTOMERS / BENCH_MONTHS (a data set
 * of another size, in a database of its own), BENCH_AS_OF (calibration end; default: the last day of
 * the month of the latest order), BENCH_RUNS (repetitions, default 2; the best run is the
 * figure, every run is printed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { loadConfig } from '../src/config/app-config';
import { ensureDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { addMonths, lastDay } from '../src/periods/domain/period';
import { CustomerValueRepository, type CalibrationData } from '../src/predictive/customer-value.repository';
import { fitModels, isFitted, scoreCustomers, totalsBySubject, type FittedModel } from '../src/predictive/customer-value.service';
import { prewarm, query, timed, withDatabase } from './bench-util';

/** What the summaries read (prewarmed before each run). */
const CLV_TABLES = ['orders', 'customers', 'assignments', 'agents', 'teams'];

const GOAL_SECONDS = 10;
const KPI_BENCH_DB = 'yardstick_bench_kpi';

/** Size of our own data set (BENCH_AGENTS / BENCH_CUSTOMERS / BENCH_MONTHS: smaller runs, own database). */
function size(): { agents: number; customers: number; months: number; custom: boolean } {
  const int = (name: string, fallback: number) => {
    const v = Number(process.env[name] ?? fallback);
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number ≥ 1`);
    return v;
  };
  const agents = int('BENCH_AGENTS', 2000);
  const customers = int('BENCH_CUSTOMERS', 1_000_000);
  const months = int('BENCH_MONTHS', 24);
  return { agents, customers, months, custom: agents !== 2000 || customers !== 1_000_000 || months !== 24 };
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;




/** The database to measure: BENCH_DATABASE, the KPI bench's (complete), or our own (filled once). */
async function chooseDatabase(adminUrl: string): Promise<{ url: string; name: string; how: string }> {
  const label = async (db: string) =>
    (await query<{ c: string | null }>(adminUrl, `select shobj_description(oid, 'pg_database') as c from pg_database where datname = $1`, [db]))[0]?.c ?? null;
  if (process.env.BENCH_DATABASE) return { url: withDatabase(adminUrl, process.env.BENCH_DATABASE), name: process.env.BENCH_DATABASE, how: 'BENCH_DATABASE' };
  const z = size();
  if (!z.custom) {
    const kpi = await label(KPI_BENCH_DB);
    if (kpi && /^yardstick-bench-kpi dataset=\w+$/.test(kpi)) return { url: withDatabase(adminUrl, KPI_BENCH_DB), name: KPI_BENCH_DB, how: `the KPI bench's (${kpi})` };
  }
  const tag = `${z.agents}a-${z.customers}c-${z.months}m`;
  const OWN_DB = z.custom ? `yardstick_bench_clv_${tag.replace(/-/g, '_')}` : 'yardstick_bench_clv';
  const OWN_LABEL = `yardstick-bench-clv dataset=demo-${tag}`;
  if ((await label(OWN_DB)) === OWN_LABEL) return { url: withDatabase(adminUrl, OWN_DB), name: OWN_DB, how: 'our own, filled by an earlier run' };

  // Fill our own database once: the demo generator at the size, through the real importer.
  const url = await ensureDatabase(adminUrl, OWN_DB);
  const dir = path.join(os.tmpdir(), `yardstick-bench-clv-data-${tag}`);
  const env = { ...process.env, DATABASE_URL: url, IMPORT_MAX_BYTES: '4gb' };
  const cli = (args: string[]) => {
    note(`$ npm run -s cli -- ${args.join(' ')}`);
    const r = spawnSync('npm', ['run', '-s', 'cli', '--', ...args], { env, stdio: ['ignore', 'inherit', 'inherit'], cwd: path.resolve(__dirname, '..') });
    if (r.status !== 0) throw new Error(`npm run cli -- ${args[0]} failed (exit ${r.status})`);
  };
  if (!existsSync(path.join(dir, 'training.csv'))) {
    mkdirSync(dir, { recursive: true });
    cli(['demo-data', '--out', dir, '--agents', String(z.agents), '--customers', String(z.customers), '--months', String(z.months), '--seed', 'bench-clv']);
  }
  cli(['import', dir]);
  await query(url, 'vacuum analyze');
  await query(adminUrl, `comment on database ${OWN_DB} is '${OWN_LABEL}'`);
  return { url, name: OWN_DB, how: 'our own, filled now (demo generator → CsvImporter)' };
}

interface Run {
  countMs: number;
  summaryMs: number;
  fitMs: number;
  scoreMs: number;
  data: CalibrationData;
  model: FittedModel;
  meanClv: number;
  meanPAlive: number;
  atRisk: number;
  withValue: number;
}

async function runOnce(url: string, asOf: string, settings: { defaultMarginRate: string; inactivityDays: number }, opts: { horizonMonths: number; annualDiscountRate: number }, risk: number): Promise<Run> {
  const pool = new Pool({ connectionString: url, max: 4 });
  try {
    const [, countMs] = await timed(() => pool.query('select count(*) from orders'));
    const repo = new CustomerValueRepository(pool);
    const [data, summaryMs] = await timed(() => repo.load(asOf, { groups: true, customers: 'all', ...settings }));
    const [model, fitMs] = await timed(() => fitModels(data, 0, summaryMs));
    if (!isFitted(model)) throw new Error(`the models did not fit: ${model.reason}`);
    const [scores, scoreMs] = await timed(() => scoreCustomers(model, data.perCustomer!, opts));
    const cols = data.perCustomer!;
    let sum = 0;
    let alive = 0;
    let atRisk = 0;
    let withValue = 0;
    for (let i = 0; i < cols.n; i++) {
      alive += scores.pAlive[i];
      if (scores.pAlive[i] < risk) atRisk++;
      if (scores.hasValue[i]) {
        sum += scores.clv[i];
        withValue++;
      }
    }
    return { countMs, summaryMs, fitMs, scoreMs, data, model, meanClv: sum / withValue, meanPAlive: alive / cols.n, atRisk, withValue };
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  let adminUrl = config.databaseUrl;
  let stop = async () => undefined as void;
  if (!adminUrl) {
    const server = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, { info: () => undefined, warn: note });
    adminUrl = server.adminUrl;
    stop = () => server.stop();
  }
  try {
    const db = await chooseDatabase(adminUrl);
    const [facts] = await query<{ v: string; customers: string; orders: string; max: string }>(
      db.url,
      `select current_setting('server_version') as v, (select count(*) from customers) as customers,
              (select count(*) from orders) as orders, (select max(ordered_on)::text from orders) as max`,
    );
    const asOf = process.env.BENCH_AS_OF ?? lastDay(facts.max.slice(0, 7));
    const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 2));
    const settings = { defaultMarginRate: String(config.defaultMarginRate), inactivityDays: config.inactivityDays };
    const opts = { horizonMonths: config.clvHorizonMonths, annualDiscountRate: config.discountRate };

    out('Predictive customer value at scale (npm run bench:clv)');
    out(`  machine: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; Node ${process.version}; PostgreSQL ${facts.v}`);
    out(`  database: ${db.name} — ${db.how}`);
    out(`  data: ${n(Number(facts.customers))} customers, ${n(Number(facts.orders))} orders; calibration end e = ${asOf}`);
    out(`  CLV: ${opts.horizonMonths} months, discount ${opts.annualDiscountRate}/year; RISK_P_ALIVE ${config.riskPAlive}`);
    out();

    const all: Run[] = [];
    const warmed: string[] = [];
    for (let i = 0; i < runs; i++) {
      note(`run ${i + 1}/${runs}…`);
      // the data in the page cache right before each run (see prewarm)
      const warm = await prewarm(db.url, CLV_TABLES);
      warmed.push(warm ? `${(warm.mb).toFixed(0)} MB in ${s(warm.ms)}` : 'not available');
      all.push(await runOnce(db.url, asOf, settings, opts, config.riskPAlive));
    }
    const total = (r: Run) => r.summaryMs + r.fitMs + r.scoreMs;
    const best = all.reduce((a, b) => (total(b) < total(a) ? b : a));
    const m = best.model;
    const d = best.data;

    out(`Page cache before each run (pg_prewarm of ${CLV_TABLES.join(', ')} and their indexes): ${warmed.join('; ')}`);
    out('Timings (each run: baseline, SQL summary, fits, scoring, total):');
    all.forEach((r, i) => out(`  run ${i + 1}: count ${s(r.countMs)}  summary ${s(r.summaryMs)}  fit ${s(r.fitMs)}  score ${s(r.scoreMs)}  total ${s(total(r))}`));
    out();
    out(`Best run:`);
    out(`  baseline  select count(*) from orders            ${s(best.countMs).padStart(9)}`);
    out(`  summary   SQL → grouped rows + ${n(d.perCustomer!.n)} customers  ${s(best.summaryMs).padStart(9)}  (${d.partitions} backend${d.partitions > 1 ? 's' : ''}; ${n(d.bgnbd!.x.length)} distinct (x, t_x, T), ${n(d.gg!.x.length)} distinct (x, m_x))`);
    out(`  fit       BG/NBD + Gamma-Gamma                  ${s(best.fitMs).padStart(9)}  (${m.bgnbd!.iterations} + ${m.gg!.iterations} iterations)`);
    out(`  score     P(alive) + CLV of every customer     ${s(best.scoreMs).padStart(9)}`);
    out(`  total     summary + fit + score                 ${s(total(best)).padStart(9)}  = ${(total(best) / best.countMs).toFixed(1)}× the baseline — goal ≤ ${GOAL_SECONDS} s: ${total(best) <= GOAL_SECONDS * 1000 ? 'PASS' : 'MISS'}`);
    out();
    out('Fit:');
    out(`  ${n(m.customers)} customers, ${n(m.repeatCustomers)} with a repeat purchase`);
    out(`  BG/NBD        r ${m.bgnbd!.r.toFixed(4)}  α ${m.bgnbd!.alpha.toFixed(4)}  a ${m.bgnbd!.a.toFixed(4)}  b ${m.bgnbd!.b.toFixed(4)}  LL ${m.bgnbd!.logLikelihood.toFixed(1)}  converged ${m.bgnbd!.converged}`);
    out(`  Gamma-Gamma   p ${m.gg!.p.toFixed(4)}  q ${m.gg!.q.toFixed(4)}  γ ${m.gg!.gamma.toFixed(4)}  LL ${m.gg!.logLikelihood.toFixed(1)}  converged ${m.gg!.converged}  (${n(m.gg!.customers)} customers)`);
    out(`  mean P(alive) ${best.meanPAlive.toFixed(4)}; ${n(best.atRisk)} customers with P(alive) < ${config.riskPAlive}; mean CLV ${best.meanClv.toFixed(2)} over ${n(best.withValue)} customers with a model value`);

    // The KPI view as the engine's contributor loads it: active customers with their owners,
    // scored and summed per subject — for a live month the engine asks for the month, the
    // previous one and the one a year earlier at once, which share one pass over the orders.
    const pool = new Pool({ connectionString: db.url, max: 4 });
    try {
      const repo = new CustomerValueRepository(pool);
      const ends = [asOf, lastDay(addMonths(asOf.slice(0, 7), -1)), lastDay(addMonths(asOf.slice(0, 7), -12))];
      await prewarm(db.url, CLV_TABLES);
      const [active, activeMs] = await timed(() => repo.load(asOf, { groups: false, customers: 'active', ...settings }));
      const [totals, sumMs] = await timed(() => totalsBySubject(active.org!, active.perCustomer!, scoreCustomers(m, active.perCustomer!, opts), config.riskPAlive));
      const [three, threeMs] = await timed(() => repo.loadMany(ends, { groups: ends.slice(1), customers: 'active', ...settings }));
      const org = totals.get('org:')!;
      out();
      out('KPI contributor: the active customers on e with their owners, scored and summed per subject:');
      out(`  one end (fit cached):             load ${s(activeMs)} (${n(active.perCustomer!.n)} active customers with orders), score + sum ${s(sumMs)} over ${n(totals.size)} subjects`);
      out(`  a live month (${ends.join(', ')}; two fits' rows): one pass ${s(threeMs)} (${three.map((d) => n(d.perCustomer!.n)).join(' / ')} customers)`);
      out(`  organisation ${asOf}: clv_predicted_avg ${(org.clvSum / org.clvCount).toFixed(2)} over ${n(org.clvCount)}; at_risk_customers ${n(org.atRisk)} of ${n(org.withPAlive)}`);
    } finally {
      await pool.end();
    }
  } finally {
    await stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:clv failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
