/**
 * How numbers, periods and instants appear in PDF reports. Pure and locale-independent (no
 * Intl, no host settings): the same value always prints the same characters, so the same
 * snapshot gives the same bytes on every machine.
 *
 * Rounding: half away from zero on the value's shortest decimal form (decimal.js), so 82.25
 * with one decimal is "82.3" and 1.005 with two is "1.01" — what a reader rounding by hand
 * expects, unlike `toFixed` on the binary double. Values themselves are never rounded
 * anywhere else (shared/spec/kpi-definitions.md, "Values are returned unrounded"); only what
 * is printed is.
 */
import Decimal from 'decimal.js';
import { KPI_CATALOGUE, type KpiKey, type KpiUnit, type Perspective } from '../../kpis/domain/kpi-catalogue';

/** What a missing value (null) prints as. */
export const NO_VALUE = '–';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Perspective names as reports print them. */
export const PERSPECTIVE_LABELS: Readonly<Record<Perspective, string>> = {
  financial: 'Financial',
  customer: 'Customer',
  internal_process: 'Internal process',
  learning_growth: 'Learning & growth',
};

/**
 * `value` rounded half away from zero to `decimals`, with a thousands separator (",") in the
 * integer part and "-" for negatives; a result that rounds to zero never prints "-0".
 */
export function formatNumber(value: number, decimals: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot format ${value}`);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10) throw new RangeError(`decimals must be 0…10, got ${decimals}`);
  const fixed = new Decimal(value).toFixed(decimals, Decimal.ROUND_HALF_UP);
  const negative = fixed.startsWith('-');
  const digits = negative ? fixed.slice(1) : fixed;
  const [int, frac] = digits.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const body = frac === undefined ? grouped : `${grouped}.${frac}`;
  return negative && /[1-9]/.test(body) ? `-${body}` : body;
}

/** The suffix a unit prints with (after a space, except "%"). */
function unitSuffix(unit: KpiUnit): string {
  switch (unit) {
    case '%':
      return '%';
    case 'seconds':
      return ' s';
    case 'minutes':
      return ' min';
    case 'hours':
      return ' h';
    default:
      // currency (the organisation's, no symbol), counts, scores, NPS and the CES scale
      return '';
  }
}

/** A KPI value (or a target) as the KPI prints: its catalogue decimals and unit; "–" for null. */
export function formatKpiValue(key: KpiKey, value: number | null): string {
  if (value === null) return NO_VALUE;
  const def = KPI_CATALOGUE[key];
  return `${formatNumber(value, def.displayDecimals)}${unitSuffix(def.unit)}`;
}

/**
 * A change of a KPI (value − earlier value) with its sign: "+1.5 pp" for percentages
 * (percentage points), "-30 s", "+0" when unchanged after rounding; "–" for null.
 */
export function formatKpiDelta(key: KpiKey, delta: number | null): string {
  if (delta === null) return NO_VALUE;
  const def = KPI_CATALOGUE[key];
  const n = formatNumber(delta, def.displayDecimals);
  const signed = n.startsWith('-') ? n : /[1-9]/.test(n) ? `+${n}` : `±${n}`;
  const unit = def.unit === '%' ? ' pp' : unitSuffix(def.unit);
  return `${signed}${unit}`;
}

/** A numerator or denominator of a KPI's footnote: counts as whole numbers, sums with the KPI's decimals. */
export function formatRatioPart(key: KpiKey, part: 'numerator' | 'denominator', value: number | null): string {
  if (value === null) return NO_VALUE;
  const def = KPI_CATALOGUE[key];
  // a percentage counts on both sides, a mean's denominator counts; a mean's numerator is a sum
  const decimals = def.kind === 'mean' && part === 'numerator' ? def.displayDecimals : 0;
  return formatNumber(value, decimals);
}

/** A score (KPI, perspective or composite; 0…cap) with one decimal; "–" for null. */
export function formatScore(score: number | null): string {
  return score === null ? NO_VALUE : formatNumber(score, 1);
}

/** A share 0…1 (coverage) as a whole percentage, e.g. 0.8 → "80%". */
export function formatShare(share: number): string {
  return `${formatNumber(share * 100, 0)}%`;
}

/** A whole count with thousands separators. */
export function formatCount(n: number): string {
  return formatNumber(n, 0);
}

/** 'YYYY-MM' → 'October 2026'. */
export function periodLabel(period: string): string {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!m) throw new RangeError(`not a period: ${period}`);
  return `${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/** 'YYYY-MM' → 'Oct 26' (chart axis labels). */
export function shortPeriodLabel(period: string): string {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!m) throw new RangeError(`not a period: ${period}`);
  return `${MONTHS[Number(m[2]) - 1].slice(0, 3)} ${m[1].slice(2)}`;
}

/** An instant on the organisation's wall clock (worked out by the caller, e.g. in SQL). */
export interface LocalInstant {
  /** 'YYYY-MM-DD' */
  date: string;
  /** 'HH:MM' */
  time: string;
  zone: string;
}

/** 'YYYY-MM-DD HH:MM zone', e.g. '2026-11-01 14:00 Asia/Shanghai'. */
export function formatLocalInstant(i: LocalInstant): string {
  return `${i.date} ${i.time} ${i.zone}`;
}
