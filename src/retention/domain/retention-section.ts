/**
 * The retention section of the PDF scorecards (issue 7, item 4), as frozen per snapshot:
 * customers at risk by level × tier as of the period's last day, and — for teams and the
 * organisation — the customers lost in the period by churn reason and controllability. Pure:
 * tallies of an organisation-wide list by owner, rolled up to teams by the engine's team rule
 * (an agent counts for its current team and every ancestor; kpi-definitions.md: "a team's
 * portfolio KPIs count customers whose owner on the day is an agent whose current team is the
 * team or one of its descendants").
 */
import { COMPLAINT_CATEGORIES, type ComplaintCategory } from '../../kpis/domain/kpi-catalogue';
import type { RiskList } from './risk-list';
import { TIERS } from './value-tiers';

/** The section's name in snapshot_sections. */
export const RETENTION_SECTION = 'retention';

/** The tiers a section counts: the four value tiers and 'none' (no tiers: the models are not fitted as of the day). */
export const SECTION_TIERS = [...TIERS, 'none'] as const;
export type SectionTier = (typeof SECTION_TIERS)[number];
export type TierCounts = Record<SectionTier, number>;

/** The churn reasons a section counts: the complaint categories of the data contract, then 'unknown'. */
export const CHURN_REASON_KEYS = [...COMPLAINT_CATEGORIES, 'unknown'] as const;
export type ChurnReasonKey = ComplaintCategory | 'unknown';
export const CONTROLLABILITY = ['controllable', 'uncontrollable', 'unknown'] as const;
export type Controllability = (typeof CONTROLLABILITY)[number];
export type ControllableCounts = Record<Controllability, number>;

/** A subject's customers as of the list day. */
export interface RiskTally {
  /** active customers owned by the subject on the day */
  customers: number;
  /** at risk (high, medium) by tier */
  at_risk: { high: TierCounts; medium: TierCounts };
  /** customers at low risk (customers − high − medium) */
  low: number;
  /** customers marked not_worth_pursuing (tier small, ≥ NOT_WORTH_COMPLAINTS complaints in 365 days), by level */
  not_worth_pursuing: { high: number; medium: number; low: number };
}

/** A subject's customers lost in the period: by churn reason, each split by controllability. */
export interface LostTally {
  customers: number;
  by_reason: Record<ChurnReasonKey, ControllableCounts>;
}

export interface WinBackTally {
  /** win-back tasks opened in the period */
  opened: number;
  /** settled tasks whose confirmation window ended in the period (win_back_rate's denominator) */
  window_ended: number;
  /** of those, confirmed by an order (win_back_rate's numerator) */
  confirmed: number;
}

/** What snapshot_sections holds for section 'retention' and one subject. */
export interface RetentionSectionData {
  /** the list day: the last day of the snapshot's period */
  as_of: string;
  /** the period, 'YYYY-MM' */
  period: string;
  /** null when the customers have value tiers; else why they have none (the models could not be fitted) */
  no_tiers_reason: string | null;
  risk: RiskTally;
  win_back: WinBackTally;
  /** teams and the organisation only (null for agents) */
  lost: LostTally | null;
}

export const zeroTiers = (): TierCounts => ({ key: 0, major: 0, ordinary: 0, small: 0, none: 0 });
export const zeroRisk = (): RiskTally => ({ customers: 0, at_risk: { high: zeroTiers(), medium: zeroTiers() }, low: 0, not_worth_pursuing: { high: 0, medium: 0, low: 0 } });
export const zeroControllable = (): ControllableCounts => ({ controllable: 0, uncontrollable: 0, unknown: 0 });
export const zeroLost = (): LostTally => ({ customers: 0, by_reason: Object.fromEntries(CHURN_REASON_KEYS.map((r) => [r, zeroControllable()])) as LostTally['by_reason'] });
export const zeroWinBack = (): WinBackTally => ({ opened: 0, window_ended: 0, confirmed: 0 });

export function addRisk(into: RiskTally, x: RiskTally): void {
  into.customers += x.customers;
  into.low += x.low;
  for (const l of ['high', 'medium'] as const) for (const t of SECTION_TIERS) into.at_risk[l][t] += x.at_risk[l][t];
  for (const l of ['high', 'medium', 'low'] as const) into.not_worth_pursuing[l] += x.not_worth_pursuing[l];
}

export function addLost(into: LostTally, x: LostTally): void {
  into.customers += x.customers;
  for (const r of CHURN_REASON_KEYS) for (const c of CONTROLLABILITY) into.by_reason[r][c] += x.by_reason[r][c];
}

export function addWinBack(into: WinBackTally, x: WinBackTally): void {
  into.opened += x.opened;
  into.window_ended += x.window_ended;
  into.confirmed += x.confirmed;
}

/**
 * One pass over an organisation-wide list: each customer's level, tier and mark counted for its
 * owner on the day (customers without an owner count for the organisation only).
 */
export function tallyRiskByOwner(list: RiskList): { byOwner: Map<string, RiskTally>; all: RiskTally } {
  const byOwner = new Map<string, RiskTally>();
  const all = zeroRisk();
  const owners = list.inputs.owner;
  for (let i = 0; i < list.n; i++) {
    const level = list.levelOf(i);
    const tier: SectionTier = list.tierOf(i) ?? 'none';
    const notWorth = list.notWorth[i] === 1;
    const owner = owners[i];
    const targets = [all];
    if (owner !== null) {
      let t = byOwner.get(owner);
      if (!t) byOwner.set(owner, (t = zeroRisk()));
      targets.push(t);
    }
    for (const t of targets) {
      t.customers++;
      if (level === 'low') t.low++;
      else t.at_risk[level][tier]++;
      if (notWorth) t.not_worth_pursuing[level]++;
    }
  }
  return { byOwner, all };
}

/** A lost customer as RetentionKpiRepository.lostCustomers gives it. */
export interface LostCustomer {
  owner_s0: string | null;
  /** the recorded reason of the task closed as lost, else the last complaint ticket's category; null: unknown */
  reason: string | null;
  controllable: boolean | null;
}

const REASONS: ReadonlySet<string> = new Set(COMPLAINT_CATEGORIES);

export function reasonKey(reason: string | null): ChurnReasonKey {
  return reason !== null && REASONS.has(reason) ? (reason as ComplaintCategory) : 'unknown';
}

export function controllabilityOf(c: boolean | null): Controllability {
  return c === null ? 'unknown' : c ? 'controllable' : 'uncontrollable';
}

/** Lost customers counted for their owner on s0 (those without one for the organisation only). */
export function tallyLostByOwner(lost: readonly LostCustomer[]): { byOwner: Map<string, LostTally>; all: LostTally } {
  const byOwner = new Map<string, LostTally>();
  const all = zeroLost();
  for (const c of lost) {
    const targets = [all];
    if (c.owner_s0 !== null) {
      let t = byOwner.get(c.owner_s0);
      if (!t) byOwner.set(c.owner_s0, (t = zeroLost()));
      targets.push(t);
    }
    for (const t of targets) {
      t.customers++;
      t.by_reason[reasonKey(c.reason)][controllabilityOf(c.controllable)]++;
    }
  }
  return { byOwner, all };
}

/** The team tree and each agent's current team. */
export interface TeamStructure {
  /** team → parent (null: a root) */
  parents: ReadonlyMap<string, string | null>;
  /** agent → current team (null: none) */
  agentTeams: ReadonlyMap<string, string | null>;
}

/** The team and its ancestors, nearest first (a cycle in bad data stops the walk). */
export function teamAndAncestors(team: string, parents: ReadonlyMap<string, string | null>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (let t: string | null | undefined = team; t != null && parents.has(t) && !seen.has(t); t = parents.get(t)) {
    seen.add(t);
    out.push(t);
  }
  return out;
}

/**
 * Per-team totals of per-agent values: every team of the tree (zero when nobody counts for
 * it), each agent counted for its current team and every ancestor.
 */
export function rollUpToTeams<T>(perAgent: ReadonlyMap<string, T>, s: TeamStructure, zero: () => T, add: (into: T, x: T) => void): Map<string, T> {
  const out = new Map<string, T>();
  for (const team of s.parents.keys()) out.set(team, zero());
  for (const [agent, value] of perAgent) {
    const team = s.agentTeams.get(agent);
    if (team == null) continue;
    for (const t of teamAndAncestors(team, s.parents)) add(out.get(t)!, value);
  }
  return out;
}
