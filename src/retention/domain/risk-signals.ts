/**
 * The early-warning signals and the risk level of shared/spec/retention.md ("Signals (as of
 * day d, for each customer active on d)"), as pure rules over one customer's counts. The
 * counts themselves are computed set-based in SQL (src/retention/retention.repository.ts) and
 * P(alive) by the predictive models (src/predictive); nothing here reads data.
 *
 * Windows, in local days (d itself included, "(a, b]" meaning a < day ≤ b):
 *   recent  = (d − 90, d]       earlier = (d − 180, d − 90]
 *   before  = (d − 455, d − 90] (the 365 days before the last 90; frequency_drop)
 *   year    = (d − 365, d]      (not_worth_pursuing, see value-tiers.ts)
 */

export const SIGNAL_KEYS = ['low_p_alive', 'frequency_drop', 'rising_complaints', 'falling_contact', 'unhappy'] as const;
export type SignalKey = (typeof SIGNAL_KEYS)[number];

export const RISK_LEVELS = ['high', 'medium', 'low'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** One customer's inputs as of d. */
export interface CustomerCounts {
  /** P(alive) from BG/NBD fitted as of d; null without a completed order ≤ d or without a fitted model */
  pAlive: number | null;
  /** distinct purchase days (local dates of completed orders) in (d − 90, d] */
  purchaseDaysRecent: number;
  /** distinct purchase days in (d − 455, d − 90] */
  purchaseDaysBefore: number;
  /** complaint tickets opened in (d − 90, d] and in (d − 180, d − 90] */
  complaintsRecent: number;
  complaintsEarlier: number;
  /** tickets (any) and surveys in (d − 90, d] and in (d − 180, d − 90] */
  ticketsRecent: number;
  ticketsEarlier: number;
  surveysRecent: number;
  surveysEarlier: number;
  /** surveys in (d − 90, d] with csat ≤ 2 or nps ≤ 6, and the lowest csat / nps among them */
  unhappySurveys: number;
  unhappyMinCsat: number | null;
  unhappyMinNps: number | null;
}

/** The numbers behind each signal that fired, so an agent knows why. */
export interface FiredSignals {
  low_p_alive?: { p_alive: number; threshold: number };
  /** expected = purchase days before × 90 / 365 (unrounded); fires when recent < expected / 2 */
  frequency_drop?: { recent_days: number; earlier_days: number; expected: number };
  rising_complaints?: { recent: number; earlier: number };
  falling_contact?: { recent: number; earlier: number; recent_tickets: number; recent_surveys: number; earlier_tickets: number; earlier_surveys: number };
  unhappy?: { surveys: number; min_csat: number | null; min_nps: number | null };
}

/** `low_p_alive`: P(alive) < RISK_P_ALIVE (a customer without a P(alive) never fires). */
export function lowPAlive(c: CustomerCounts, riskPAlive: number): boolean {
  return c.pAlive !== null && Number.isFinite(c.pAlive) && c.pAlive < riskPAlive;
}

/**
 * `frequency_drop`: ≥ 2 purchase days in the 365 days before the last 90, and the purchase
 * days of the last 90 fewer than half the expected count at the earlier rate
 * (before × 90 / 365). Compared in whole numbers: recent < before × 90 / 365 / 2 ⇔
 * recent × 730 < before × 90 ⇔ recent × 73 < before × 9 — exactly half does not fire.
 */
export function frequencyDrop(c: CustomerCounts): boolean {
  return c.purchaseDaysBefore >= 2 && c.purchaseDaysRecent * 73 < c.purchaseDaysBefore * 9;
}

/** `rising_complaints`: ≥ 2 complaint tickets in the last 90 days and more than in the 90 before. */
export function risingComplaints(c: CustomerCounts): boolean {
  return c.complaintsRecent >= 2 && c.complaintsRecent > c.complaintsEarlier;
}

/** `falling_contact`: tickets + surveys of the last 90 days at most half those of the 90 before, which were ≥ 4. */
export function fallingContact(c: CustomerCounts): boolean {
  const recent = c.ticketsRecent + c.surveysRecent;
  const earlier = c.ticketsEarlier + c.surveysEarlier;
  return earlier >= 4 && 2 * recent <= earlier;
}

/** `unhappy`: a survey of the last 90 days with csat ≤ 2 or nps ≤ 6. */
export function unhappy(c: CustomerCounts): boolean {
  return c.unhappySurveys > 0;
}

/** Every signal that fires, with its numbers (keys in SIGNAL_KEYS order). */
export function evaluateSignals(c: CustomerCounts, riskPAlive: number): FiredSignals {
  const out: FiredSignals = {};
  if (lowPAlive(c, riskPAlive)) out.low_p_alive = { p_alive: c.pAlive as number, threshold: riskPAlive };
  if (frequencyDrop(c)) {
    out.frequency_drop = { recent_days: c.purchaseDaysRecent, earlier_days: c.purchaseDaysBefore, expected: (c.purchaseDaysBefore * 90) / 365 };
  }
  if (risingComplaints(c)) out.rising_complaints = { recent: c.complaintsRecent, earlier: c.complaintsEarlier };
  if (fallingContact(c)) {
    out.falling_contact = {
      recent: c.ticketsRecent + c.surveysRecent,
      earlier: c.ticketsEarlier + c.surveysEarlier,
      recent_tickets: c.ticketsRecent,
      recent_surveys: c.surveysRecent,
      earlier_tickets: c.ticketsEarlier,
      earlier_surveys: c.surveysEarlier,
    };
  }
  if (unhappy(c)) out.unhappy = { surveys: c.unhappySurveys, min_csat: c.unhappyMinCsat, min_nps: c.unhappyMinNps };
  return out;
}

/** Bit of each signal in a mask (SIGNAL_KEYS order). */
export const SIGNAL_BIT: Readonly<Record<SignalKey, number>> = Object.freeze({
  low_p_alive: 1,
  frequency_drop: 2,
  rising_complaints: 4,
  falling_contact: 8,
  unhappy: 16,
});

/** The fired signals as a bit mask (for columnar storage and fast filters). */
export function signalMask(c: CustomerCounts, riskPAlive: number): number {
  return (
    (lowPAlive(c, riskPAlive) ? SIGNAL_BIT.low_p_alive : 0) |
    (frequencyDrop(c) ? SIGNAL_BIT.frequency_drop : 0) |
    (risingComplaints(c) ? SIGNAL_BIT.rising_complaints : 0) |
    (fallingContact(c) ? SIGNAL_BIT.falling_contact : 0) |
    (unhappy(c) ? SIGNAL_BIT.unhappy : 0)
  );
}

/**
 * Risk level: `high` when low_p_alive fires or ≥ 2 signals fire; `medium` when exactly one
 * fires; otherwise `low`.
 */
export function riskLevelOfMask(mask: number): RiskLevel {
  if (mask & SIGNAL_BIT.low_p_alive) return 'high';
  let n = 0;
  for (let m = mask; m; m &= m - 1) n++;
  return n >= 2 ? 'high' : n === 1 ? 'medium' : 'low';
}

export function riskLevel(fired: FiredSignals): RiskLevel {
  let mask = 0;
  for (const k of SIGNAL_KEYS) if (fired[k]) mask |= SIGNAL_BIT[k];
  return riskLevelOfMask(mask);
}

/** The keys set in a mask, in SIGNAL_KEYS order. */
export function signalsOfMask(mask: number): SignalKey[] {
  return SIGNAL_KEYS.filter((k) => mask & SIGNAL_BIT[k]);
}

export const isRiskLevel = (s: unknown): s is RiskLevel => typeof s === 'string' && (RISK_LEVELS as readonly string[]).includes(s);
