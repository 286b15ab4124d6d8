/**
 * `npx tsx bench/kpi/profile-period.ts [period]` — where the time of one live period goes, on
 * the KPI bench's database (BENCH_DATABASE, default yardstick_bench_kpi; DATABASE_URL names
 * the server): each part run alone, one after the other, in a fresh app context — the
 * engine's SQL (KpiRepository.aggregatePeriods) for P, P−1 and P−12 together, each registered
 * contributor for P, P−1 and P−12 together, then the whole KpiQueryService.live as the bench times it.
 * PROFILE_PARTS=engine,contributors,live picks parts; PROFILE_ONE=1 profiles the engine and
 * the contributors for P alone (as the monthly run meets them, the trend months published).
 */
import './swc-register';
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { loadConfig } from '../../src/config/app-config';
import { createHttpApp } from '../../src/http-app';
import { KpiEngineService, periodWindow, type KpiContributor } from '../../src/kpis/kpi-engine.service';
import { KpiQueryService } from '../../src/kpis/kpi-query.service';
import { KpiRepository } from '../../src/kpis/kpi.repository';
import { previousPeriod, yearAgoPeriod } from '../../src/periods/domain/period';
import { PG_POOL } from '../../src/database/database.module';
import type { Pool, PoolClient } from 'pg';
import { databaseUrl } from './bench-db';

/** PROFILE_STATEMENTS=1: every statement of a pooled client taking ≥ 100 ms, with its time. */
function traceStatements(pool: Pool): void {
  const connect = pool.connect.bind(pool) as (cb?: unknown) => Promise<PoolClient> | undefined;
  const traced = new WeakSet<PoolClient>();
  (pool as unknown as { connect: (cb?: unknown) => unknown }).connect = (cb?: unknown) => {
    if (typeof cb === 'function') return connect(cb); // pool.query's own checkout: left as it is
    return connect()!.then((c) => trace(c));
  };
  const trace = (c: PoolClient): PoolClient => {
    if (traced.has(c)) return c;
    traced.add(c);
    const q = c.query.bind(c) as (...a: unknown[]) => Promise<unknown>;
    (c as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
      if (typeof a[0] !== 'string' || typeof a[a.length - 1] === 'function') return q(...a); // streams (COPY), callbacks: as they are
      return timedQuery(a);
    };
    const timedQuery = async (a: unknown[]) => {
      const t0 = performance.now();
      try {
        return await q(...a);
      } finally {
        const ms = performance.now() - t0;
        const text = a[0] as string;
        if (ms >= 100) process.stdout.write(`    ${(ms / 1000).toFixed(2)} s  ${text.replace(/\s+/g, ' ').slice(0, 110)}\n`);
      }
    };
    return c;
  };
}

async function main(): Promise<void> {
  const period = process.argv[2] ?? '2026-10';
  const parts = new Set((process.env.PROFILE_PARTS ?? 'engine,contributors,live').split(','));
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', JWT_SECRET: randomBytes(32).toString('hex') });
  const url = databaseUrl(config.databaseUrl!, process.env.BENCH_DATABASE ?? 'yardstick_bench_kpi');
  const app = await createHttpApp(config, url, { logs: false });
  await app.init();
  const t = async (label: string, fn: () => Promise<unknown>) => {
    const load = os.loadavg()[0].toFixed(1);
    const t0 = performance.now();
    await fn();
    process.stdout.write(`${label.padEnd(48)} ${((performance.now() - t0) / 1000).toFixed(2)} s   (load ${load})\n`);
  };
  try {
    const engine = app.get(KpiEngineService);
    const repo = app.get(KpiRepository);
    if (process.env.PROFILE_STATEMENTS === '1') traceStatements(app.get(PG_POOL));
    if (parts.has('engine')) {
      const all = process.env.PROFILE_ONE === '1' ? [period] : [period, previousPeriod(period), yearAgoPeriod(period)];
      await t(`engine SQL ${all.join(', ')} together`, () => repo.aggregatePeriods(all.map(periodWindow), engine.settings()));
    }
    if (parts.has('contributors')) {
      const contributors = (engine as unknown as { contributors: KpiContributor[] }).contributors;
      const version = await engine.dataVersion();
      // each contributor for the period and its trend periods at once, as the live period asks
      const all = process.env.PROFILE_ONE === '1' ? [period] : [period, previousPeriod(period), yearAgoPeriod(period)];
      for (const [i, c] of contributors.entries()) {
        // distinct data versions: nothing a contributor caches is reused between the calls
        await t(`contributor ${c.name} ${all.join(', ')}`, () => Promise.all(all.map((p) => c.contribute(p, periodWindow(p), version + 1e9 + i))));
      }
    }
    if (parts.has('live')) await t(`KpiQueryService.live ${period} (fresh caches)`, () => app.get(KpiQueryService).live(period));
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
