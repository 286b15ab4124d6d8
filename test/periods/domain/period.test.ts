import fc from 'fast-check';
import {
  addDays,
  addMonths,
  compareDates,
  comparePeriods,
  dayBefore,
  daysBetween,
  daysInMonth,
  firstDay,
  formatDate,
  formatPeriod,
  InvalidDateError,
  InvalidPeriodError,
  isLeapYear,
  isLocalDate,
  isPeriod,
  lastDay,
  MAX_PERIOD_SPAN,
  nextPeriod,
  parseDate,
  parsePeriod,
  periodOfDate,
  periodsBetween,
  previousPeriod,
  yearAgoPeriod,
} from '../../../src/periods/domain/period';

/** Any valid period 0001-01 … 9999-12. */
const periodArb = fc
  .record({ year: fc.integer({ min: 1, max: 9999 }), month: fc.integer({ min: 1, max: 12 }) })
  .map(formatPeriod);

/** A day between 1000 and 9990, with its reference instant for comparison with Date.UTC. */
const DAY_MS = 86_400_000;
const refDayArb = fc.integer({
  min: Date.UTC(1000, 0, 1) / DAY_MS,
  max: Date.UTC(9990, 11, 31) / DAY_MS,
});
/** ISO day of a day number through the platform's UTC calendar (the reference implementation). */
const isoDay = (dayNumber: number) => new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);

describe('calendar facts', () => {
  it.each([
    [2024, true],
    [2023, false],
    [2000, true], // divisible by 400
    [1900, false], // century not divisible by 400
    [2100, false],
    [1600, true],
    [4, true],
  ])('isLeapYear(%i) is %s', (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
  });

  it('knows the length of every month', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2023, m))).toEqual([
      31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
  });
});

describe('parsePeriod', () => {
  it.each([
    ['2024-02', { year: 2024, month: 2 }],
    ['0001-01', { year: 1, month: 1 }],
    ['9999-12', { year: 9999, month: 12 }],
    ['1999-10', { year: 1999, month: 10 }],
  ])('parses %s', (s, parts) => {
    expect(parsePeriod(s)).toEqual(parts);
    expect(isPeriod(s)).toBe(true);
  });

  it.each(['2024-13', '2024-00', '0000-05', '2024-1', '24-01', ' 2024-01', '2024-01 ', '2024-01-01', '2024/01', '', 'abcd-ef', '+2024-01', '12024-01'])(
    'rejects %j with an error naming the value',
    (s) => {
      expect(isPeriod(s)).toBe(false);
      expect(() => parsePeriod(s)).toThrow(InvalidPeriodError);
      expect(() => parsePeriod(s)).toThrow(RangeError);
      expect(() => parsePeriod(s)).toThrow(`Invalid period ${JSON.stringify(s)}`);
    },
  );

  it('rejects values that are not strings, naming them', () => {
    expect(isPeriod(202401)).toBe(false);
    expect(() => parsePeriod(202401 as unknown as string)).toThrow('Invalid period 202401 (number)');
    expect(() => parsePeriod(undefined as unknown as string)).toThrow('Invalid period undefined (undefined)');
  });

  it('keeps the bad value on the error', () => {
    try {
      parsePeriod('2024-13');
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidPeriodError);
      expect((e as InvalidPeriodError).value).toBe('2024-13');
    }
  });

  it('formatPeriod pads and checks', () => {
    expect(formatPeriod({ year: 7, month: 3 })).toBe('0007-03');
    expect(() => formatPeriod({ year: 0, month: 3 })).toThrow(RangeError);
    expect(() => formatPeriod({ year: 10000, month: 1 })).toThrow(RangeError);
    expect(() => formatPeriod({ year: 2024, month: 13 })).toThrow(RangeError);
    expect(() => formatPeriod({ year: 2024.5, month: 1 })).toThrow(RangeError);
  });
});

describe('month arithmetic', () => {
  it('previousPeriod crosses January → December of the previous year', () => {
    expect(previousPeriod('2024-01')).toBe('2023-12');
    expect(previousPeriod('2024-03')).toBe('2024-02');
  });

  it('nextPeriod crosses December → January of the next year', () => {
    expect(nextPeriod('2023-12')).toBe('2024-01');
    expect(nextPeriod('2024-02')).toBe('2024-03');
  });

  it('yearAgoPeriod is the same calendar month twelve months back', () => {
    expect(yearAgoPeriod('2024-02')).toBe('2023-02'); // the month of a Feb 29 → a February of 28 days
    expect(yearAgoPeriod('2025-02')).toBe('2024-02');
    expect(yearAgoPeriod('2024-01')).toBe('2023-01');
    expect(yearAgoPeriod('2024-12')).toBe('2023-12');
    expect(lastDay(yearAgoPeriod('2024-02'))).toBe('2023-02-28');
  });

  it('addMonths moves across years both ways', () => {
    expect(addMonths('2024-01', 0)).toBe('2024-01');
    expect(addMonths('2024-01', 25)).toBe('2026-02'); // 24 months = 2 years, +1
    expect(addMonths('2024-01', -13)).toBe('2022-12'); // -12 → 2023-01, -1 more
    expect(addMonths('2024-11', 2)).toBe('2025-01');
  });

  it('addMonths refuses to leave 0001-01 … 9999-12 or to move by a fraction', () => {
    expect(addMonths('9999-11', 1)).toBe('9999-12');
    expect(() => addMonths('9999-12', 1)).toThrow(RangeError);
    expect(addMonths('0001-02', -1)).toBe('0001-01');
    expect(() => addMonths('0001-01', -1)).toThrow(RangeError);
    expect(() => addMonths('2024-01', 0.5)).toThrow('whole number of months');
    expect(() => addMonths('2024-1', 1)).toThrow(InvalidPeriodError);
  });

  it('comparePeriods orders periods', () => {
    expect(comparePeriods('2023-12', '2024-01')).toBe(-1);
    expect(comparePeriods('2024-01', '2024-01')).toBe(0);
    expect(comparePeriods('2024-10', '2024-09')).toBe(1);
  });
});

describe('periodsBetween', () => {
  it('lists both ends and everything between, across a year end', () => {
    expect(periodsBetween('2023-11', '2024-02')).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
  });

  it('a single period', () => {
    expect(periodsBetween('2024-05', '2024-05')).toEqual(['2024-05']);
  });

  it('rejects a reversed range', () => {
    expect(() => periodsBetween('2024-05', '2024-03')).toThrow('Period range 2024-05..2024-03 is reversed');
  });

  it('accepts 240 months and rejects 241', () => {
    // 2005-01 … 2024-12 is 20 years × 12 = 240 months.
    const series = periodsBetween('2005-01', '2024-12');
    expect(series).toHaveLength(MAX_PERIOD_SPAN);
    expect(series[0]).toBe('2005-01');
    expect(series[239]).toBe('2024-12');
    expect(() => periodsBetween('2004-12', '2024-12')).toThrow('holds 241 months; at most 240');
  });

  it('rejects invalid ends', () => {
    expect(() => periodsBetween('2024-00', '2024-03')).toThrow(InvalidPeriodError);
    expect(() => periodsBetween('2024-01', '2024-3')).toThrow(InvalidPeriodError);
  });
});

describe('days of a period', () => {
  it.each([
    ['2024-02', '2024-02-01', '2024-02-29', '2024-01-31'], // leap February
    ['2023-02', '2023-02-01', '2023-02-28', '2023-01-31'],
    ['1900-02', '1900-02-01', '1900-02-28', '1900-01-31'], // not a leap year
    ['2000-02', '2000-02-01', '2000-02-29', '2000-01-31'], // a leap year
    ['2024-03', '2024-03-01', '2024-03-31', '2024-02-29'], // s0 is a Feb 29
    ['2024-04', '2024-04-01', '2024-04-30', '2024-03-31'],
    ['2024-01', '2024-01-01', '2024-01-31', '2023-12-31'], // s0 in the previous year
    ['2024-12', '2024-12-01', '2024-12-31', '2024-11-30'],
  ])('%s: p0 day %s, s1 %s, s0 %s', (p, first, last, before) => {
    expect(firstDay(p)).toBe(first);
    expect(lastDay(p)).toBe(last);
    expect(dayBefore(p)).toBe(before);
  });

  it('dayBefore the first period has no day', () => {
    expect(() => dayBefore('0001-01')).toThrow(RangeError);
  });

  it('rejects invalid periods', () => {
    expect(() => firstDay('2024-13')).toThrow(InvalidPeriodError);
    expect(() => lastDay('x')).toThrow(InvalidPeriodError);
  });
});

describe('local dates', () => {
  it.each(['2024-02-29', '2023-12-31', '0001-01-01', '9999-12-31', '2000-02-29'])('accepts %s', (d) => {
    expect(isLocalDate(d)).toBe(true);
    expect(formatDate(parseDate(d))).toBe(d);
  });

  it.each(['2023-02-29', '1900-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00', '0000-01-01', '2024-1-01', '2024-01-01T00:00:00', ''])(
    'rejects %j with an error naming it',
    (d) => {
      expect(isLocalDate(d)).toBe(false);
      expect(() => parseDate(d)).toThrow(InvalidDateError);
      expect(() => parseDate(d)).toThrow(`Invalid date ${JSON.stringify(d)}`);
    },
  );

  it('formatDate checks the day exists', () => {
    expect(formatDate({ year: 24, month: 2, day: 29 })).toBe('0024-02-29'); // year 24 is a leap year
    expect(() => formatDate({ year: 2023, month: 2, day: 29 })).toThrow(RangeError);
  });

  it('periodOfDate', () => {
    expect(periodOfDate('2024-02-29')).toBe('2024-02');
    expect(periodOfDate('2023-12-31')).toBe('2023-12');
    expect(() => periodOfDate('2023-02-29')).toThrow(InvalidDateError);
  });

  it('addDays crosses month, year and leap-day boundaries', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(addDays('2024-01-01', -1)).toBe('2023-12-31');
    expect(addDays('2024-01-01', 366)).toBe('2025-01-01'); // 2024 has 366 days
    expect(addDays('2023-01-01', 365)).toBe('2024-01-01');
    expect(addDays('2024-06-15', 0)).toBe('2024-06-15');
    expect(addDays('1582-10-04', 1)).toBe('1582-10-05'); // proleptic Gregorian: no 1582 gap
  });

  it('addDays (the INACTIVITY_DAYS window d − N + 1) for N = 180', () => {
    // From 2024-01-03: +28 → Jan 31, +29 → Feb 29, +31 → Mar 31, +30 → Apr 30, +31 → May 31, +30 → Jun 30; 28+29+31+30+31+30 = 179.
    expect(addDays('2024-06-30', -179)).toBe('2024-01-03');
  });

  it('addDays refuses to leave 0001-01-01 … 9999-12-31 or to move by a fraction', () => {
    expect(() => addDays('0001-01-01', -1)).toThrow(RangeError);
    expect(() => addDays('9999-12-31', 1)).toThrow(RangeError);
    expect(() => addDays('2024-01-01', 1.5)).toThrow('whole number of days');
    expect(() => addDays('2024-02-30', 1)).toThrow(InvalidDateError);
  });

  it('daysBetween and compareDates', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2024-03-01', '2024-02-28')).toBe(-2);
    expect(daysBetween('1997-01-01', '1997-09-30')).toBe(272); // CDNOW: 31+28+31+30+31+30+31+31+29
    expect(compareDates('2024-02-29', '2024-03-01')).toBe(-1);
    expect(compareDates('2024-03-01', '2024-03-01')).toBe(0);
    expect(compareDates('2025-01-01', '2024-12-31')).toBe(1);
    expect(() => compareDates('2024-02-30', '2024-03-01')).toThrow(InvalidDateError);
  });
});

describe('invariants', () => {
  it('addDays agrees with the UTC calendar of the platform', () => {
    fc.assert(
      fc.property(refDayArb, fc.integer({ min: -3000, max: 3000 }), (day, n) => {
        expect(addDays(isoDay(day), n)).toBe(isoDay(day + n));
        expect(daysBetween(isoDay(day), isoDay(day + n))).toBe(n);
      }),
    );
  });

  it('compareDates agrees with day order and with string order', () => {
    fc.assert(
      fc.property(refDayArb, refDayArb, (a, b) => {
        const expected = Math.sign(a - b);
        expect(compareDates(isoDay(a), isoDay(b))).toBe(expected);
        expect(Math.sign(isoDay(a).localeCompare(isoDay(b)))).toBe(expected);
      }),
    );
  });

  it('addMonths is invertible and agrees with comparePeriods', () => {
    fc.assert(
      fc.property(periodArb, fc.integer({ min: -600, max: 600 }), (p, n) => {
        fc.pre(p >= '0051-01' && p <= '9949-12'); // keep p ± 600 months inside the calendar
        const q = addMonths(p, n);
        expect(addMonths(q, -n)).toBe(p);
        expect(comparePeriods(q, p)).toBe(Math.sign(n));
      }),
    );
  });

  it('previous/next/year-ago are consistent', () => {
    fc.assert(
      fc.property(periodArb, (p) => {
        fc.pre(p >= '0002-01' && p <= '9999-11');
        expect(nextPeriod(previousPeriod(p))).toBe(p);
        expect(yearAgoPeriod(p)).toBe(addMonths(p, -12));
        expect(yearAgoPeriod(p).slice(5)).toBe(p.slice(5)); // same calendar month
      }),
    );
  });

  it('days of a period: s0 + 1 = p0 day, s1 + 1 = next p0 day, all in the right month', () => {
    fc.assert(
      fc.property(periodArb, (p) => {
        fc.pre(p >= '0001-02' && p <= '9999-11');
        expect(addDays(dayBefore(p), 1)).toBe(firstDay(p));
        expect(addDays(lastDay(p), 1)).toBe(firstDay(nextPeriod(p)));
        expect(periodOfDate(firstDay(p))).toBe(p);
        expect(periodOfDate(lastDay(p))).toBe(p);
        expect(periodOfDate(dayBefore(p))).toBe(previousPeriod(p));
        expect(daysBetween(firstDay(p), lastDay(p)) + 1).toBe(daysInMonth(parsePeriod(p).year, parsePeriod(p).month));
      }),
    );
  });

  it('periodsBetween lists consecutive months, both ends included', () => {
    fc.assert(
      fc.property(periodArb, fc.integer({ min: 0, max: MAX_PERIOD_SPAN - 1 }), (from, span) => {
        fc.pre(from <= '9979-12');
        const to = addMonths(from, span);
        const series = periodsBetween(from, to);
        expect(series).toHaveLength(span + 1);
        expect(series[0]).toBe(from);
        expect(series[series.length - 1]).toBe(to);
        series.slice(1).forEach((p, i) => expect(p).toBe(nextPeriod(series[i])));
      }),
    );
  });

  it('parsePeriod and formatPeriod round-trip', () => {
    fc.assert(fc.property(periodArb, (p) => expect(formatPeriod(parsePeriod(p))).toBe(p)));
  });
});
