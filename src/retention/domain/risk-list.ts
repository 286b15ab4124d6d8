/**
 * The early-warning list of one day as columns (pure): evaluates every active customer's
 * signals, risk level, tier and not_worth_pursuing mark from its counts, P(alive) and CLV,
 * and answers the questions the API, the weekly job and the reports ask (filter, order,
 * page, counts by level and tier). Columns rather than one object per customer: the
 * organisation-wide list holds a million customers.
 */
import { RISK_LEVELS, evaluateSignals, riskLevelOfMask, signalMask, type CustomerCounts, type FiredSignals, type RiskLevel } from './risk-signals';
import { TIERS, TIER_INDEX, notWorthPursuing, tierOf, type Tier, type TierCutoffs } from './value-tiers';

/** The per-customer inputs (as RetentionRepository loads them) plus the model's scores. */
export interface RiskInputs {
  n: number;
  ids: string[];
  owner: (string | null)[];
  lastPurchaseOn: (string | null)[];
  purchaseDaysRecent: Int32Array;
  purchaseDaysBefore: Int32Array;
  complaintsRecent: Int32Array;
  complaintsEarlier: Int32Array;
  complaintsYear: Int32Array;
  ticketsRecent: Int32Array;
  ticketsEarlier: Int32Array;
  surveysRecent: Int32Array;
  surveysEarlier: Int32Array;
  unhappySurveys: Int32Array;
  unhappyMinCsat: Float64Array;
  unhappyMinNps: Float64Array;
  /** NaN: no P(alive) (no completed order ≤ d, or no fitted model) */
  pAlive: Float64Array;
  /** NaN: no model value */
  clv: Float64Array;
}

export interface RiskSettings {
  riskPAlive: number;
  notWorthComplaints: number;
  /** null: the models are not fitted as of d — no tiers */
  cutoffs: TierCutoffs | null;
}

const LEVEL_INDEX: Readonly<Record<RiskLevel, number>> = Object.freeze({ high: 0, medium: 1, low: 2 });
const NO_TIER = 255;

/** One listed customer, as the API shows it. */
export interface RiskEntry {
  customer_id: string;
  owner_agent_id: string | null;
  level: RiskLevel;
  /** null when the models are not fitted as of d */
  tier: Tier | null;
  not_worth_pursuing: boolean;
  p_alive: number | null;
  clv: number | null;
  last_purchase_on: string | null;
  signals: FiredSignals;
}

export type LevelCounts = Record<RiskLevel, number>;
export interface RiskCounts {
  customers: number;
  by_level: LevelCounts;
  /** tier → level → customers (no tiers: empty) */
  by_tier: Partial<Record<Tier, LevelCounts>>;
  not_worth_pursuing: number;
}

const numOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

export class RiskList {
  readonly level: Uint8Array;
  readonly tier: Uint8Array;
  readonly mask: Uint8Array;
  readonly notWorth: Uint8Array;

  constructor(
    readonly inputs: RiskInputs,
    readonly settings: RiskSettings,
  ) {
    const n = inputs.n;
    this.level = new Uint8Array(n);
    this.tier = new Uint8Array(n);
    this.mask = new Uint8Array(n);
    this.notWorth = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const m = signalMask(this.counts(i), settings.riskPAlive);
      this.mask[i] = m;
      this.level[i] = LEVEL_INDEX[riskLevelOfMask(m)];
      if (settings.cutoffs) {
        const t = tierOf(numOrNull(inputs.clv[i]), settings.cutoffs);
        this.tier[i] = TIER_INDEX[t];
        this.notWorth[i] = notWorthPursuing(t, inputs.complaintsYear[i], settings.notWorthComplaints) ? 1 : 0;
      } else {
        this.tier[i] = NO_TIER;
      }
    }
  }

  get n(): number {
    return this.inputs.n;
  }

  counts(i: number): CustomerCounts {
    const c = this.inputs;
    return {
      pAlive: numOrNull(c.pAlive[i]),
      purchaseDaysRecent: c.purchaseDaysRecent[i],
      purchaseDaysBefore: c.purchaseDaysBefore[i],
      complaintsRecent: c.complaintsRecent[i],
      complaintsEarlier: c.complaintsEarlier[i],
      ticketsRecent: c.ticketsRecent[i],
      ticketsEarlier: c.ticketsEarlier[i],
      surveysRecent: c.surveysRecent[i],
      surveysEarlier: c.surveysEarlier[i],
      unhappySurveys: c.unhappySurveys[i],
      unhappyMinCsat: numOrNull(c.unhappyMinCsat[i]),
      unhappyMinNps: numOrNull(c.unhappyMinNps[i]),
    };
  }

  levelOf(i: number): RiskLevel {
    return RISK_LEVELS[this.level[i]];
  }

  tierOf(i: number): Tier | null {
    return this.tier[i] === NO_TIER ? null : TIERS[this.tier[i]];
  }

  entry(i: number): RiskEntry {
    const c = this.inputs;
    return {
      customer_id: c.ids[i],
      owner_agent_id: c.owner[i],
      level: this.levelOf(i),
      tier: this.tierOf(i),
      not_worth_pursuing: this.notWorth[i] === 1,
      p_alive: numOrNull(c.pAlive[i]),
      clv: numOrNull(c.clv[i]),
      last_purchase_on: c.lastPurchaseOn[i],
      signals: evaluateSignals(this.counts(i), this.settings.riskPAlive),
    };
  }

  /**
   * Indices of the customers matching the filters, in list order: level (high first), tier
   * (key first), CLV (highest first, none last), customer id.
   */
  select(f: { levels: readonly RiskLevel[]; tier?: Tier | null; owners?: ReadonlySet<string> | null }): number[] {
    const levels = new Set(f.levels.map((l) => LEVEL_INDEX[l]));
    const tier = f.tier ? TIER_INDEX[f.tier] : -1;
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) {
      if (!levels.has(this.level[i])) continue;
      if (tier >= 0 && this.tier[i] !== tier) continue;
      if (f.owners && !f.owners.has(this.inputs.owner[i] as string)) continue;
      out.push(i);
    }
    const clv = this.inputs.clv;
    const ids = this.inputs.ids;
    out.sort((a, b) => {
      if (this.level[a] !== this.level[b]) return this.level[a] - this.level[b];
      if (this.tier[a] !== this.tier[b]) return this.tier[a] - this.tier[b];
      const ca = Number.isFinite(clv[a]) ? clv[a] : Number.NEGATIVE_INFINITY;
      const cb = Number.isFinite(clv[b]) ? clv[b] : Number.NEGATIVE_INFINITY;
      if (ca !== cb) return cb - ca;
      return ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0;
    });
    return out;
  }

  /** Customers by level and tier (owners: only theirs). */
  tally(owners?: ReadonlySet<string> | null): RiskCounts {
    const zero = (): LevelCounts => ({ high: 0, medium: 0, low: 0 });
    const out: RiskCounts = { customers: 0, by_level: zero(), by_tier: {}, not_worth_pursuing: 0 };
    if (this.settings.cutoffs) for (const t of TIERS) out.by_tier[t] = zero();
    for (let i = 0; i < this.n; i++) {
      if (owners && !owners.has(this.inputs.owner[i] as string)) continue;
      const l = RISK_LEVELS[this.level[i]];
      out.customers++;
      out.by_level[l]++;
      if (this.tier[i] !== NO_TIER) out.by_tier[TIERS[this.tier[i]]]![l]++;
      out.not_worth_pursuing += this.notWorth[i];
    }
    return out;
  }
}
