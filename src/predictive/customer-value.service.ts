import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { KpiEngineService } from '../kpis/kpi-engine.service';
import { expectedPurchases, fitBgnbd, pAlive, type BgnbdFit } from './domain/bgnbd';
import { discountedClv, scoreClvBatch, type ClvOptions } from './domain/clv';
import { expectedAverageValue, fitGammaGamma, type GammaGammaFit } from './domain/gamma-gamma';
import { CustomerValueRepository, type CalibrationData, type CustomerColumns, type CustomerSummaryRow, type OrgStructure } from './customer-value.repository';
import { PromiseLru } from './promise-lru';

/** The models are fitted only with at least this many customers having x > 0 (kpi-definitions.md). */
export const MIN_REPEAT_CUSTOMERS = 50;
/** Fits kept in memory (calibration days × data versions). */
const FIT_CACHE_SIZE = 6;
/** How long scoring requests wait for companions to share one pass over the orders. */
const BATCH_WINDOW_MS = 20;

interface ScoreBatch {
  waiters: Map<string, { resolve: (r: ActiveCustomerScores) => void; reject: (e: Error) => void }[]>;
}

/** The fitted models of one calibration end, or why there are none. */
export interface CustomerValueModel {
  asOf: string;
  /** the KPI data version the fit belongs to (it changes with every import) */
  dataVersion: number;
  /** customers with a completed order dated ≤ e, and those with x > 0 */
  customers: number;
  repeatCustomers: number;
  status: 'fitted' | 'insufficient_data';
  /** why there is no fit (null when fitted) */
  reason: string | null;
  bgnbd: BgnbdFit | null;
  gg: GammaGammaFit | null;
  /** when this fit was computed (ISO 8601): equal on a cached answer */
  fittedAt: string;
  /** wall time of the SQL summary and of the two fits, milliseconds */
  timings: { summaryMs: number; fitMs: number };
}

export type FittedModel = CustomerValueModel & { status: 'fitted'; bgnbd: BgnbdFit; gg: GammaGammaFit };

export const isFitted = (m: CustomerValueModel): m is FittedModel => m.status === 'fitted';

/** One customer's predictions as of e (api.md, GET /customers/{id}/value). */
export interface CustomerValue {
  customerId: string;
  asOf: string;
  /**
   * ok: every figure; no_orders: no completed order dated ≤ e; model_unavailable: the models
   * could not be fitted as of e; no_model_value: P(alive) and expected purchases, but no CLV
   * (completed amounts sum to 0, or the spend model has no finite mean)
   */
  status: 'ok' | 'no_orders' | 'model_unavailable' | 'no_model_value';
  reason: string | null;
  x: number | null;
  tx: number | null;
  T: number | null;
  mx: number | null;
  marginRate: number | null;
  firstPurchaseOn: string | null;
  lastPurchaseOn: string | null;
  pAlive: number | null;
  expectedPurchases: { weeks13: number | null; weeks26: number | null; weeks52: number | null };
  expectedAvgValue: number | null;
  clv: number | null;
}

/** Scores of many customers: CLV (NaN without a model value) and P(alive). */
export interface CustomerScores {
  clv: Float64Array;
  pAlive: Float64Array;
  /** 1 where the customer has a model value (finite E[M] and a defined margin rate) */
  hasValue: Uint8Array;
}

/**
 * Fits both models from the grouped calibration rows (fewer than 50 repeat customers: none,
 * with the reason). Pure apart from the clock.
 */
export function fitModels(data: CalibrationData, dataVersion: number, summaryMs: number): CustomerValueModel {
  const base = {
    asOf: data.asOf,
    dataVersion,
    customers: data.customers,
    repeatCustomers: data.repeatCustomers,
    fittedAt: new Date().toISOString(),
  };
  const unavailable = (reason: string): CustomerValueModel => ({
    ...base,
    status: 'insufficient_data',
    reason,
    bgnbd: null,
    gg: null,
    timings: { summaryMs, fitMs: 0 },
  });
  if (data.repeatCustomers < MIN_REPEAT_CUSTOMERS) {
    return unavailable(
      `fewer than ${MIN_REPEAT_CUSTOMERS} repeat customers (${data.repeatCustomers}) as of ${data.asOf}: ` +
        `the models are fitted only when at least ${MIN_REPEAT_CUSTOMERS} customers have a purchase day after their first`,
    );
  }
  if (!data.bgnbd || !data.gg) throw new Error('fitModels: the grouped rows were not loaded');
  let ggCustomers = 0;
  for (let i = 0; i < data.gg.count.length; i++) ggCustomers += data.gg.count[i];
  if (ggCustomers === 0) {
    return unavailable(`no repeat customer with a positive repeat spend as of ${data.asOf}: the spend model cannot be fitted`);
  }
  const t0 = performance.now();
  const bgnbd = fitBgnbd(data.bgnbd);
  const gg = fitGammaGamma(data.gg);
  return { ...base, status: 'fitted', reason: null, bgnbd, gg, timings: { summaryMs, fitMs: performance.now() - t0 } };
}

/** Why a fitted model gives customer `x` no value: E[M] infinite, or margin rate undefined. */
function noValueReason(model: FittedModel, x: number, marginRate: number): string | null {
  if (!Number.isFinite(expectedAverageValue(model.gg, x, 0))) {
    return `the spend model has no finite mean for x = ${x} (p·x + q ≤ 1 with q = ${model.gg.q}): no expected average value or CLV`;
  }
  if (!Number.isFinite(marginRate)) return 'the customer’s completed amounts sum to 0 as of the calibration end: its margin rate, and so its CLV, is undefined';
  return null;
}

/**
 * P(alive) and CLV of every customer of `cols` (scoreClvBatch: each distinct (x, t_x, T)
 * evaluated once). A customer has a model value when E[M] is finite and its margin rate is
 * defined; its CLV is NaN otherwise.
 */
export function scoreCustomers(model: FittedModel, cols: CustomerColumns, opts: ClvOptions): CustomerScores {
  const res = scoreClvBatch({ bgnbd: model.bgnbd, gg: model.gg }, cols, opts);
  const hasValue = new Uint8Array(cols.n);
  for (let i = 0; i < cols.n; i++) {
    const ok = Number.isFinite(res.expectedAverageValue[i]) && Number.isFinite(cols.marginRate[i]) && Number.isFinite(res.clv[i]);
    hasValue[i] = ok ? 1 : 0;
    if (!ok) res.clv[i] = Number.NaN;
  }
  return { clv: res.clv, pAlive: res.pAlive, hasValue };
}

/** Neumaier-compensated sums per slot (order of addition barely matters). */
class Sums {
  readonly sum: Float64Array;
  private readonly comp: Float64Array;
  constructor(n: number) {
    this.sum = new Float64Array(n);
    this.comp = new Float64Array(n);
  }
  add(i: number, v: number): void {
    const s = this.sum[i];
    const t = s + v;
    this.comp[i] += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    this.sum[i] = t;
  }
  value(i: number): number {
    return this.sum[i] + this.comp[i];
  }
}

/** Per-subject totals of the two KPIs. */
export interface SubjectTotals {
  /** Σ CLV and number of active customers with a model value */
  clvSum: number;
  clvCount: number;
  /** active customers with P(alive) < RISK_P_ALIVE, and those with a P(alive) */
  atRisk: number;
  withPAlive: number;
}

/**
 * Adds the active customers' scores up per agent (owner on e), per team (agents whose current
 * team is the team or a descendant) and for the organisation (every active customer, owned or
 * not). Every agent and team gets totals, zero when it owns no such customer.
 */
export function totalsBySubject(org: OrgStructure, cols: CustomerColumns, scores: CustomerScores, riskPAlive: number): Map<string, SubjectTotals> {
  const nA = org.agentIds.length;
  const slots = nA + 1; // the last slot: the organisation
  const clv = new Sums(slots);
  const clvN = new Float64Array(slots);
  const risk = new Float64Array(slots);
  const alive = new Float64Array(slots);
  const add = (slot: number, i: number, atRisk: number): void => {
    alive[slot]++;
    risk[slot] += atRisk;
    if (scores.hasValue[i] === 1) {
      clv.add(slot, scores.clv[i]);
      clvN[slot]++;
    }
  };
  for (let i = 0; i < cols.n; i++) {
    const a = cols.owner[i];
    const atRisk = scores.pAlive[i] < riskPAlive ? 1 : 0;
    if (a >= 0 && a < nA) add(a, i, atRisk);
    add(nA, i, atRisk);
  }
  const out = new Map<string, SubjectTotals>();
  const totals = (s: number): SubjectTotals => ({ clvSum: clv.value(s), clvCount: clvN[s], atRisk: risk[s], withPAlive: alive[s] });
  const teamClv = new Map<string, Sums>();
  const teamTotals = new Map<string, SubjectTotals>();
  for (const t of org.teamIds) {
    teamClv.set(t, new Sums(1));
    teamTotals.set(t, { clvSum: 0, clvCount: 0, atRisk: 0, withPAlive: 0 });
  }
  for (let a = 0; a < nA; a++) {
    const t = totals(a);
    out.set(`agent:${org.agentIds[a]}`, t);
    const team = org.agentTeams[a];
    for (const anc of team === null ? [] : (org.ancestors.get(team) ?? [])) {
      const tt = teamTotals.get(anc);
      if (!tt) continue;
      teamClv.get(anc)!.add(0, t.clvSum);
      tt.clvCount += t.clvCount;
      tt.atRisk += t.atRisk;
      tt.withPAlive += t.withPAlive;
    }
  }
  for (const [team, tt] of teamTotals) out.set(`team:${team}`, { ...tt, clvSum: teamClv.get(team)!.value(0) });
  out.set('org:', totals(nA));
  return out;
}

/** The active customers' columns and scores as of e, with the organisation they belong to. */
export interface ActiveCustomerScores {
  model: CustomerValueModel;
  /** null when the model is not fitted */
  scored: { org: OrgStructure; cols: CustomerColumns; scores: CustomerScores } | null;
}

/**
 * The predictive customer-value models (BG/NBD and Gamma-Gamma) as the API, the KPIs and the
 * drill-down use them: fitted per calibration end day and data version, cached (a few fits,
 * least recently used, concurrent requests sharing one computation), recomputed whenever
 * the data changes (KpiEngineService.dataVersion(): every import bumps it).
 */
@Injectable()
export class CustomerValueService {
  private readonly fits = new PromiseLru<CustomerValueModel>(FIT_CACHE_SIZE);
  /** scoring requests waiting to share a pass, per data version */
  private readonly batches = new Map<number, ScoreBatch>();

  constructor(
    private readonly repo: CustomerValueRepository,
    private readonly engine: KpiEngineService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  clvOptions(): ClvOptions {
    return { horizonMonths: this.config.clvHorizonMonths, annualDiscountRate: this.config.discountRate };
  }

  get riskPAlive(): number {
    return this.config.riskPAlive;
  }

  private settings(): { defaultMarginRate: string; inactivityDays: number } {
    const s = this.engine.settings();
    return { defaultMarginRate: s.defaultMarginRate, inactivityDays: s.inactivityDays };
  }

  private key(asOf: string, dataVersion: number): string {
    return `${asOf}@${dataVersion}`;
  }

  /** Forgets the fits of older data versions (they can no longer be asked for). */
  private forgetOlder(dataVersion: number): void {
    this.fits.drop((k) => Number(k.slice(k.indexOf('@') + 1)) < dataVersion);
  }

  /** The models as of `asOf` for the current data (cached). */
  async model(asOf: string, dataVersion?: number): Promise<CustomerValueModel> {
    const version = dataVersion ?? (await this.engine.dataVersion());
    this.forgetOlder(version);
    return this.fits.get(this.key(asOf, version), async () => {
      const t0 = performance.now();
      const data = await this.repo.load(asOf, { groups: true, customers: 'none', ...this.settings() });
      return fitModels(data, version, performance.now() - t0);
    });
  }

  /**
   * The customers active on `asOf` with their owner on `asOf`, scored with the models as of
   * `asOf`. Requests for one data version that arrive within a few milliseconds of each other
   * (the KPI engine computes a period, the previous one and the one a year earlier at once) are
   * served by one pass over the orders for all their calibration ends; a fit not cached yet
   * comes from the same pass (and is then cached for everyone else).
   */
  activeCustomerScores(asOf: string, dataVersion: number): Promise<ActiveCustomerScores> {
    return new Promise<ActiveCustomerScores>((resolve, reject) => {
      let batch = this.batches.get(dataVersion);
      if (!batch) {
        const created: ScoreBatch = { waiters: new Map() };
        this.batches.set(dataVersion, created);
        setTimeout(() => {
          this.batches.delete(dataVersion);
          void this.flush(dataVersion, created);
        }, BATCH_WINDOW_MS);
        batch = created;
      }
      const list = batch.waiters.get(asOf) ?? [];
      list.push({ resolve, reject });
      batch.waiters.set(asOf, list);
    });
  }

  private async flush(version: number, batch: ScoreBatch): Promise<void> {
    const asOfs = [...batch.waiters.keys()];
    const settle = (asOf: string, r: ActiveCustomerScores | Error) => {
      for (const w of batch.waiters.get(asOf)!) {
        if (r instanceof Error) w.reject(r);
        else w.resolve(r);
      }
    };
    try {
      this.forgetOlder(version);
      const settings = this.settings();
      // fits to compute come from the same pass: register them now, so that concurrent
      // requests for them wait for this pass instead of starting their own
      const toFit = asOfs.filter((e) => !this.fits.peek(this.key(e, version)));
      let deliver!: (d: CalibrationData[]) => void;
      let fail!: (e: unknown) => void;
      const loaded = new Promise<CalibrationData[]>((res, rej) => {
        deliver = res;
        fail = rej;
      });
      loaded.catch(() => undefined);
      const t0 = performance.now();
      const fitting = new Map<string, Promise<CustomerValueModel>>();
      for (const e of toFit) {
        const p = this.fits.get(this.key(e, version), async () => {
          const all = await loaded;
          return fitModels(all.find((d) => d.asOf === e)!, version, performance.now() - t0);
        });
        p.catch(() => undefined);
        fitting.set(e, p);
      }
      // cached fits that did not fit need no customers
      const models = new Map<string, CustomerValueModel>();
      for (const e of asOfs) {
        if (toFit.includes(e)) continue;
        try {
          models.set(e, await this.fits.peek(this.key(e, version))!);
        } catch (err) {
          settle(e, err instanceof Error ? err : new Error(String(err)));
        }
      }
      const ends = asOfs.filter((e) => toFit.includes(e) || (models.has(e) && isFitted(models.get(e)!)));
      for (const e of asOfs) if (models.has(e) && !ends.includes(e)) settle(e, { model: models.get(e)!, scored: null });
      if (ends.length === 0) return;
      let data: CalibrationData[];
      try {
        data = await this.repo.loadMany(ends, { groups: toFit, customers: 'active', ...settings });
        deliver(data);
      } catch (err) {
        fail(err);
        throw err;
      }
      for (const e of ends) {
        try {
          const model = models.get(e) ?? (await fitting.get(e)!);
          const d = data.find((x) => x.asOf === e)!;
          if (!isFitted(model)) {
            settle(e, { model, scored: null });
            continue;
          }
          const cols = d.perCustomer!;
          settle(e, { model, scored: { org: d.org!, cols, scores: scoreCustomers(model, cols, this.clvOptions()) } });
        } catch (err) {
          settle(e, err instanceof Error ? err : new Error(String(err)));
        }
      }
    } catch (err) {
      for (const e of asOfs) settle(e, err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** One customer's summary and predictions as of `asOf` (the caller checked it exists and may be seen). */
  async customerValue(customerId: string, asOf: string): Promise<CustomerValue> {
    const [model, summary] = await Promise.all([this.model(asOf), this.repo.customerSummary(customerId, asOf, this.settings().defaultMarginRate)]);
    return this.valueOf(model, customerId, summary);
  }

  /** The predictions for one summary row (null: the customer has no completed order ≤ e). */
  valueOf(model: CustomerValueModel, customerId: string, s: CustomerSummaryRow | null): CustomerValue {
    const empty = {
      customerId,
      asOf: model.asOf,
      pAlive: null,
      expectedPurchases: { weeks13: null, weeks26: null, weeks52: null },
      expectedAvgValue: null,
      clv: null,
    };
    if (!s) {
      return {
        ...empty,
        status: 'no_orders',
        reason: `no completed order dated on or before ${model.asOf}: the customer has no purchase history to predict from`,
        x: null,
        tx: null,
        T: null,
        mx: null,
        marginRate: null,
        firstPurchaseOn: null,
        lastPurchaseOn: null,
      };
    }
    const x = s.x;
    const tx = s.txDays / 7;
    const T = s.tDays / 7;
    const mx = x > 0 ? s.repeatAmount / x : 0;
    const marginRate = s.amountSum > 0 ? s.marginSum / s.amountSum : Number.NaN;
    const summary = {
      x,
      tx,
      T,
      mx,
      marginRate: Number.isFinite(marginRate) ? marginRate : null,
      firstPurchaseOn: s.firstDay,
      lastPurchaseOn: s.lastDay,
    };
    if (!isFitted(model)) return { ...empty, ...summary, status: 'model_unavailable', reason: model.reason };
    const p = model.bgnbd;
    const predictions = {
      pAlive: pAlive(p, x, tx, T),
      expectedPurchases: {
        weeks13: expectedPurchases(p, 13, x, tx, T),
        weeks26: expectedPurchases(p, 26, x, tx, T),
        weeks52: expectedPurchases(p, 52, x, tx, T),
      },
    };
    const em = expectedAverageValue(model.gg, x, mx);
    const why = noValueReason(model, x, marginRate);
    if (why) {
      return { ...empty, ...summary, ...predictions, expectedAvgValue: Number.isFinite(em) ? em : null, status: 'no_model_value', reason: why };
    }
    const clv = discountedClv({ bgnbd: p, gg: model.gg }, { x, tx, T, mx, marginRate }, this.clvOptions());
    return { ...empty, ...summary, ...predictions, expectedAvgValue: em, clv, status: 'ok', reason: null };
  }
}
