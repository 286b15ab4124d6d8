import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PG_POOL } from '../database/database.module';
import { dayBefore, firstDay, lastDay, nextPeriod, type Period } from '../periods/domain/period';
import { measuresFromAggregates, type ExtraMeasures, type KpiMeasures } from './domain/kpi-measures';
import { KpiRepository, subjectKey, type KpiSettings, type PeriodAggregates, type PeriodWindow, type SubjectKey, type SubjectType } from './kpi.repository';

export interface Subject {
  type: SubjectType;
  id: string | null;
  name: string | null;
  /** agents: current team; teams: parent team */
  teamId: string | null;
  /** agents only */
  hiredOn: string | null;
  leftOn: string | null;
}

export interface PeriodResult {
  period: Period;
  dataVersion: number;
  subjects: Map<SubjectKey, { subject: Subject; measures: KpiMeasures }>;
}

/**
 * A capability that adds KPI measures to a period (predictive models, evaluations,
 * retention). It returns measures per subject; subjects it leaves out keep null values.
 */
export interface KpiContributor {
  readonly name: string;
  contribute(period: Period, window: PeriodWindow, dataVersion: number): Promise<Map<SubjectKey, ExtraMeasures>>;
}

export function periodWindow(period: Period): PeriodWindow {
  return { firstDay: firstDay(period), s0: dayBefore(period), s1: lastDay(period), nextFirstDay: firstDay(nextPeriod(period)) };
}

const CACHE_SIZE = 8;

/**
 * Computes one period's KPIs for every subject at once (agents, teams, organisation) and
 * keeps the last few results in memory, keyed by period and data version: any import (or
 * evaluation change) bumps the data version, so a cached live period is never stale.
 */
@Injectable()
export class KpiEngineService {
  private readonly cache = new Map<string, Promise<PeriodResult>>();
  private readonly contributors: KpiContributor[] = [];
  /**
   * Append-only tables whose growing ids signal a change KPIs depend on: every import, and
   * every win-back task opened, closed or settled (churn_controllable_share reads the reasons
   * recorded on tasks closed as lost).
   */
  private readonly versionTables = new Set<string>(['import_batches', 'win_back_task_events']);

  constructor(
    private readonly repo: KpiRepository,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A capability whose writes change KPI values registers an append-only log table here (a
   * row per change, ids only grow); the data version is the sum of those tables' max ids.
   */
  registerVersionTable(table: string): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`invalid table name ${table}`);
    this.versionTables.add(table);
    this.cache.clear();
  }

  registerContributor(c: KpiContributor): void {
    if (!this.contributors.some((x) => x.name === c.name)) this.contributors.push(c);
    this.cache.clear();
  }

  settings(): KpiSettings {
    return {
      orgTimezone: this.config.orgTimezone,
      inactivityDays: this.config.inactivityDays,
      defaultMarginRate: String(this.config.defaultMarginRate),
      slaFirstResponseMinutes: this.config.slaFirstResponseMinutes,
      slaResolutionHours: this.config.slaResolutionHours,
    };
  }

  /** Changes whenever data that KPIs read changes (each import, evaluation change, …). */
  async dataVersion(): Promise<number> {
    // every import adds an import_batches row; other capabilities register their change logs
    const parts = [...this.versionTables].map((t) => `(select coalesce(max(id), 0) from ${t})`);
    const r = await this.pool.query<{ v: string }>(`select ${parts.join(' + ')} as v`);
    return Number(r.rows[0].v);
  }

  async compute(period: Period): Promise<PeriodResult> {
    return (await this.computeMany([period]))[0];
  }

  /**
   * Several periods at once (a period and its trend periods): those not cached share one pass
   * over the orders (KpiRepository.aggregatePeriods); each is cached on its own.
   */
  async computeMany(periods: Period[]): Promise<PeriodResult[]> {
    const version = await this.dataVersion();
    const missing = [...new Set(periods)].filter((p) => !this.cache.has(`${p}@${version}`));
    if (missing.length > 0) {
      const aggregates = this.repo.aggregatePeriods(missing.map(periodWindow), this.settings());
      aggregates.catch(() => undefined);
      missing.forEach((period, i) => {
        const key = `${period}@${version}`;
        const hit = this.computeUncached(period, version, aggregates.then((all) => all[i]));
        this.cache.set(key, hit);
        hit.catch(() => this.cache.delete(key));
      });
      while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    }
    return Promise.all(periods.map((p) => this.cache.get(`${p}@${version}`) ?? this.computeMany([p]).then((r) => r[0])));
  }

  private async computeUncached(period: Period, dataVersion: number, aggregates: Promise<PeriodAggregates>): Promise<PeriodResult> {
    const window = periodWindow(period);
    const [agg, ...extras] = await Promise.all([aggregates, ...this.contributors.map((c) => c.contribute(period, window, dataVersion))]);
    const subjects: PeriodResult['subjects'] = new Map();
    for (const s of agg.subjects) {
      const key = subjectKey(s.type, s.id);
      const extra: ExtraMeasures = {};
      for (const e of extras) Object.assign(extra, e.get(key) ?? {});
      subjects.set(key, {
        subject: s,
        measures: measuresFromAggregates({
          portfolio: agg.portfolio.get(key),
          service: agg.service.get(key),
          firstResponse: agg.firstResponse.get(key),
          surveys: agg.surveys.get(key),
          training: agg.training.get(key),
          extra,
        }),
      });
    }
    return { period, dataVersion, subjects };
  }
}
