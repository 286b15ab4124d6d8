/**
 * Calendar-month arithmetic for reporting periods (shared/spec/kpi-definitions.md,
 * "Subjects, periods, attribution").
 *
 * A period P is a calendar month written 'YYYY-MM'; its days are local dates 'YYYY-MM-DD'
 * in ORG_TIMEZONE. Everything here works on those strings with integer arithmetic only —
 * no `Date`, so no dependence on the process time zone, and years 0001–9999 behave alike
 * (Date.UTC maps years 0–99 to 1900–1999). Turning a local date into an instant belongs to
 * whoever knows ORG_TIMEZONE, not to this file.
 *
 * Valid periods run from 0001-01 to 9999-12, valid dates from 0001-01-01 to 9999-12-31
 * (proleptic Gregorian calendar); arithmetic that leaves that range throws a RangeError.
 */

/** A calendar month 'YYYY-MM'. */
export type Period = string;
/** A local calendar date 'YYYY-MM-DD'. */
export type LocalDate = string;

export interface YearMonth {
  year: number;
  /** 1–12 */
  month: number;
}

export interface YearMonthDay extends YearMonth {
  /** 1–31 */
  day: number;
}

/** The longest range `periodsBetween` accepts, in months (20 years of a series). */
export const MAX_PERIOD_SPAN = 240;

const MIN_YEAR = 1;
const MAX_YEAR = 9999;

/** A value that is not a 'YYYY-MM' period of 0001-01 … 9999-12. */
export class InvalidPeriodError extends RangeError {
  constructor(readonly value: unknown) {
    super(`Invalid period ${describe(value)}: expected 'YYYY-MM' with a year 0001–9999 and a month 01–12`);
    this.name = 'InvalidPeriodError';
  }
}

/** A date string that does not name a real calendar day. */
export class InvalidDateError extends RangeError {
  constructor(readonly value: unknown) {
    super(`Invalid date ${describe(value)}: expected a calendar day 'YYYY-MM-DD' between 0001-01-01 and 9999-12-31`);
    this.name = 'InvalidDateError';
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${String(value)} (${typeof value})`;
}

// ---------------------------------------------------------------------------------------
// Calendar facts

/** Gregorian leap year: divisible by 4, except centuries not divisible by 400. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Number of days of a month (1–12) of a year; February has 29 in leap years. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
}

// ---------------------------------------------------------------------------------------
// Periods

const PERIOD_RE = /^(\d{4})-(\d{2})$/;

/** Whether `s` is a valid 'YYYY-MM' period (0001-01 … 9999-12). */
export function isPeriod(s: unknown): s is Period {
  if (typeof s !== 'string') return false;
  const m = PERIOD_RE.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  return year >= MIN_YEAR && month >= 1 && month <= 12;
}

/**
 * Parses a 'YYYY-MM' period; throws an InvalidPeriodError naming the value otherwise.
 * Strict: exactly four year digits and two month digits, no surrounding space.
 */
export function parsePeriod(s: string): YearMonth {
  if (!isPeriod(s)) throw new InvalidPeriodError(s);
  return { year: Number(s.slice(0, 4)), month: Number(s.slice(5, 7)) };
}

/** 'YYYY-MM' of a year and month (checked). */
export function formatPeriod({ year, month }: YearMonth): Period {
  if (!Number.isInteger(year) || !Number.isInteger(month) || year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) {
    throw new RangeError(`No period for year ${year}, month ${month}: years run 1–9999 and months 1–12`);
  }
  return `${pad(year, 4)}-${pad(month, 2)}`;
}

/** Months since 0000-01, so that consecutive periods differ by 1. */
function monthIndex(p: Period): number {
  const { year, month } = parsePeriod(p);
  return year * 12 + (month - 1);
}

function periodOfIndex(index: number): Period {
  return formatPeriod({ year: Math.floor(index / 12), month: (index % 12) + 1 });
}

/** -1, 0 or 1 as period a is before, equal to or after period b. */
export function comparePeriods(a: Period, b: Period): -1 | 0 | 1 {
  return sign(monthIndex(a) - monthIndex(b));
}

/** The period n months after p (n may be negative); a RangeError outside 0001-01…9999-12. */
export function addMonths(p: Period, n: number): Period {
  if (!Number.isInteger(n)) throw new RangeError(`addMonths needs a whole number of months, got ${n}`);
  return periodOfIndex(monthIndex(p) + n);
}

/** The calendar month before p (December of the previous year for January). */
export function previousPeriod(p: Period): Period {
  return addMonths(p, -1);
}

/** The calendar month after p. */
export function nextPeriod(p: Period): Period {
  return addMonths(p, 1);
}

/**
 * "A year earlier" is the same calendar month twelve months back (kpi-definitions.md,
 * fine print on Scorecards) — 2024-02 (a leap February) gives 2023-02.
 */
export function yearAgoPeriod(p: Period): Period {
  return addMonths(p, -12);
}

/**
 * Every period from `from` to `to`, both included, in order. Throws when from is after to
 * or when the range holds more than MAX_PERIOD_SPAN (240) periods.
 */
export function periodsBetween(from: Period, to: Period): Period[] {
  const start = monthIndex(from);
  const end = monthIndex(to);
  if (start > end) {
    throw new RangeError(`Period range ${from}..${to} is reversed: 'from' must not be after 'to'`);
  }
  const count = end - start + 1;
  if (count > MAX_PERIOD_SPAN) {
    throw new RangeError(`Period range ${from}..${to} holds ${count} months; at most ${MAX_PERIOD_SPAN} are allowed`);
  }
  return Array.from({ length: count }, (_, i) => periodOfIndex(start + i));
}

/** p0's local day: the first day of P, 'YYYY-MM-01'. */
export function firstDay(p: Period): LocalDate {
  parsePeriod(p);
  return `${p}-01`;
}

/** s1: the last local day of P (28, 29, 30 or 31). */
export function lastDay(p: Period): LocalDate {
  const { year, month } = parsePeriod(p);
  return `${p}-${pad(daysInMonth(year, month), 2)}`;
}

/** s0: the last local day before P, i.e. the last day of the previous month. */
export function dayBefore(p: Period): LocalDate {
  return lastDay(previousPeriod(p));
}

// ---------------------------------------------------------------------------------------
// Local dates

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `s` is a real calendar day 'YYYY-MM-DD' (0001-01-01 … 9999-12-31). */
export function isLocalDate(s: unknown): s is LocalDate {
  if (typeof s !== 'string') return false;
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return year >= MIN_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Parses a 'YYYY-MM-DD' local date; throws an InvalidDateError naming the value otherwise. */
export function parseDate(s: string): YearMonthDay {
  if (!isLocalDate(s)) throw new InvalidDateError(s);
  return { year: Number(s.slice(0, 4)), month: Number(s.slice(5, 7)), day: Number(s.slice(8, 10)) };
}

/** 'YYYY-MM-DD' of a year, month and day (checked). */
export function formatDate({ year, month, day }: YearMonthDay): LocalDate {
  const s = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day) || year > MAX_YEAR || !isLocalDate(s)) {
    throw new RangeError(`No calendar day for year ${year}, month ${month}, day ${day}`);
  }
  return s;
}

/** The period a local date falls in: '2024-02-29' → '2024-02'. */
export function periodOfDate(d: LocalDate): Period {
  parseDate(d);
  return d.slice(0, 7);
}

/** The local date n days after d (n may be negative). */
export function addDays(d: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`addDays needs a whole number of days, got ${n}`);
  return formatDate(civilFromDays(dayNumber(d) + n));
}

/** Whole days from `from` to `to` (negative when `to` is earlier): 2024-02-28 → 2024-03-01 is 2. */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return dayNumber(to) - dayNumber(from);
}

/** -1, 0 or 1 as date a is before, equal to or after date b. */
export function compareDates(a: LocalDate, b: LocalDate): -1 | 0 | 1 {
  return sign(dayNumber(a) - dayNumber(b));
}

/** Days since 1970-01-01 of a local date (H. Hinnant's days_from_civil). */
function dayNumber(d: LocalDate): number {
  const { year, month, day } = parseDate(d);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The calendar day of a day number (H. Hinnant's civil_from_days). */
function civilFromDays(n: number): YearMonthDay {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

// ---------------------------------------------------------------------------------------

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}
