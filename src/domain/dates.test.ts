import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { AppError } from './errors.ts';
import {
  addDays,
  addMonths,
  dateProblem,
  daysBetween,
  daysInMonth,
  endOfMonth,
  fromDayNumber,
  isLeapYear,
  isTimeZone,
  makeDate,
  maxDate,
  MAX_DATE,
  minDate,
  MIN_DATE,
  parseDate,
  startOfMonth,
  toDayNumber,
  todayIn,
} from './dates.ts';

describe('calendar basics', () => {
  it.each([
    [2024, true], // divisible by 4
    [2026, false],
    [1900, false], // divisible by 100 but not by 400
    [2000, true], // divisible by 400
    [2100, false],
  ])('%i is a leap year: %s', (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
  });

  it.each([
    [2024, 2, 29],
    [2026, 2, 28],
    [1900, 2, 28],
    [2026, 4, 30],
    [2026, 12, 31],
  ])('%i-%i has %i days', (year, month, days) => {
    expect(daysInMonth(year, month)).toBe(days);
  });
});

describe('dateProblem / parseDate', () => {
  it.each([
    ['2026-02-30', '"2026-02-30" is not a day of 2026-02'], // February 2026 has 28 days
    ['2025-02-29', '"2025-02-29" is not a day of 2025-02'], // 2025 is not a leap year
    ['2100-02-29', '"2100-02-29" is not a day of 2100-02'], // nor is 2100
    ['2026-04-31', '"2026-04-31" is not a day of 2026-04'],
    ['2026-01-00', '"2026-01-00" is not a day of 2026-01'],
    ['2026-13-01', '"2026-13-01" has no month 13'],
    ['2026-00-10', '"2026-00-10" has no month 0'],
    ['2026/3/1', '"2026/3/1" is not a date in the form YYYY-MM-DD'],
    ['2026-3-1', '"2026-3-1" is not a date in the form YYYY-MM-DD'],
    ['2026-03-01T00:00:00Z', '"2026-03-01T00:00:00Z" is not a date in the form YYYY-MM-DD'],
    ['', '"" is not a date in the form YYYY-MM-DD'],
    ['0226-03-01', '"0226-03-01" is outside 1900-01-01..2199-12-31'], // the typo the range is there to catch
    ['1899-12-31', '"1899-12-31" is outside 1900-01-01..2199-12-31'],
    ['2200-01-01', '"2200-01-01" is outside 1900-01-01..2199-12-31'],
  ])('%j: %s', (text, problem) => {
    expect(dateProblem(text)).toBe(problem);
    try {
      parseDate(text, 'invoice.documentDate');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const appError = error as AppError;
      expect(appError.code).toBe('INVALID_DATE');
      expect(appError.message).toBe(`invoice.documentDate: ${problem}`);
      expect(appError.details).toEqual([{ field: 'invoice.documentDate', message: problem }]);
    }
  });

  it.each(['2024-02-29', '2000-02-29', '2026-12-31', MIN_DATE, MAX_DATE])('accepts %s', (text) => {
    expect(dateProblem(text)).toBeNull();
    expect(parseDate(text)).toBe(text);
  });
});

describe('day numbers', () => {
  it.each([
    ['1970-01-01', 0],
    ['1970-01-02', 1],
    ['1969-12-31', -1],
    ['2000-01-01', 10957], // 30 years × 365 + 7 leap days (1972…1996) = 10950 + 7
    ['2000-03-01', 11017], // 10957 + 31 (January) + 29 (February 2000 is a leap month)
    ['1900-01-01', -25567], // 70 years × 365 + 17 leap days (1904…1968; 1900 is not leap) = 25550 + 17
    // 1970-01-01..2200-01-01 is 230 years × 365 + 56 leap days (57 multiples of 4 in 1972…2196, less 2100)
    // = 83950 + 56 = 84006, so 2199-12-31 is day 84005.
    ['2199-12-31', 84005],
  ])('%s is day %i', (date, dayNumber) => {
    expect(toDayNumber(date)).toBe(dayNumber);
    expect(fromDayNumber(dayNumber)).toBe(date);
  });

  const first = toDayNumber(MIN_DATE);
  const last = toDayNumber(MAX_DATE);

  it('fromDayNumber and toDayNumber are inverse over 1900..2199 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), (dayNumber) => {
        const date = fromDayNumber(dayNumber);
        expect(dateProblem(date)).toBeNull();
        expect(toDayNumber(date)).toBe(dayNumber);
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2199 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, rawDay) => {
          const date = makeDate(year, month, Math.min(rawDay, daysInMonth(year, month)));
          expect(fromDayNumber(toDayNumber(date))).toBe(date);
          // An independent oracle: Date.UTC counts milliseconds from the same epoch (only here, never in the code).
          expect(toDayNumber(date)).toBe(Date.UTC(year, month - 1, Math.min(rawDay, daysInMonth(year, month))) / 86_400_000);
        },
      ),
    );
  });

  it('counts every day of 1900..2199 exactly once, in calendar order', () => {
    let expected = first;
    for (let year = 1900; year <= 2199; year++) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= daysInMonth(year, month); day++) {
          const date = makeDate(year, month, day);
          if (toDayNumber(date) !== expected || fromDayNumber(expected) !== date) {
            expect.fail(`${date} should be day ${expected}`);
          }
          expected++;
        }
      }
    }
    expect(expected - 1).toBe(last);
    // 300 years × 365 = 109500, plus 73 leap days: 75 multiples of 4 in 1900…2196, less 1900 and 2100 (2000 is
    // leap, being divisible by 400). 109500 + 73 = 109573 days.
    expect(last - first + 1).toBe(109573);
  });
});

describe('addDays / daysBetween', () => {
  it.each([
    ['2026-12-31', 1, '2027-01-01'],
    ['2024-02-28', 1, '2024-02-29'], // leap day
    ['2026-02-28', 1, '2026-03-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2024-01-01', 365, '2024-12-31'], // 2024 has 366 days
    ['2026-01-20', 0, '2026-01-20'],
    ['2026-01-31', 30, '2026-03-02'], // 28 days of February take it to 2026-02-28 (+28), then +2
  ])('%s + %i days = %s', (date, days, result) => {
    expect(addDays(date, days)).toBe(result);
    expect(daysBetween(date, result)).toBe(days);
  });

  it.each([
    // Days are counted on the calendar, so a 23- or 25-hour day across a DST switch is still one day.
    ['2026-03-08', '2026-03-09', 1], // US clocks spring forward on 2026-03-08
    ['2026-03-29', '2026-03-30', 1], // EU clocks spring forward on 2026-03-29
    ['2026-10-25', '2026-10-26', 1], // EU clocks fall back on 2026-10-25
    ['2026-11-01', '2026-11-02', 1], // US clocks fall back on 2026-11-01
    ['2026-03-01', '2026-04-01', 31], // all of March, DST inside
    ['2026-01-01', '2027-01-01', 365],
    ['2024-01-01', '2025-01-01', 366],
    ['2026-03-31', '2026-02-28', -31], // earlier `to` is negative: 3 days of March + 28 of February
    ['2026-03-09', '2026-03-08', -1],
  ])('%s → %s is %i days', (from, to, days) => {
    expect(daysBetween(from, to)).toBe(days);
  });
});

describe('addMonths (clamps to the last day of the target month)', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'], // no February 31: clamps to 28
    ['2024-01-31', 1, '2024-02-29'], // leap year: clamps to 29
    ['2024-02-29', 12, '2025-02-28'], // a year after a leap day
    ['2024-02-29', 48, '2028-02-29'], // four years later the day exists again
    ['2026-05-31', 1, '2026-06-30'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-12-15', 1, '2027-01-15'], // across the year end
    ['2026-01-15', -1, '2025-12-15'],
    ['2026-01-31', -13, '2024-12-31'], // 13 months back: December 2024
    ['2026-01-20', 0, '2026-01-20'],
    ['2026-01-31', 25, '2028-02-29'], // 2026-01 + 25 months = 2028-02, a leap February
  ])('%s + %i months = %s', (date, months, result) => {
    expect(addMonths(date, months)).toBe(result);
  });
});

describe('endOfMonth / startOfMonth / minDate / maxDate', () => {
  it.each([
    ['2026-02-10', '2026-02-28', '2026-02-01'],
    ['2024-02-01', '2024-02-29', '2024-02-01'],
    ['2100-02-15', '2100-02-28', '2100-02-01'],
    ['2000-02-15', '2000-02-29', '2000-02-01'],
    ['2026-04-05', '2026-04-30', '2026-04-01'],
    ['2026-12-31', '2026-12-31', '2026-12-01'],
  ])('%s: month ends %s, starts %s', (date, end, start) => {
    expect(endOfMonth(date)).toBe(end);
    expect(startOfMonth(date)).toBe(start);
  });

  it('orders ISO dates as strings', () => {
    expect(minDate('2026-03-31', '2026-12-01')).toBe('2026-03-31');
    expect(maxDate('2026-03-31', '2026-12-01')).toBe('2026-12-01');
  });
});

describe('todayIn (the business date in a time zone at a given instant)', () => {
  it.each([
    ['Asia/Shanghai', '2026-03-31T17:00:00Z', '2026-04-01'], // 17:00 UTC + 8 h = 01:00 on April 1 in Shanghai
    ['Asia/Shanghai', '2026-03-31T15:59:59Z', '2026-03-31'], // 23:59:59 in Shanghai
    ['Asia/Shanghai', '2026-03-31T16:00:00Z', '2026-04-01'], // midnight in Shanghai
    ['UTC', '2026-03-31T17:00:00Z', '2026-03-31'],
    ['America/New_York', '2026-03-08T04:59:59Z', '2026-03-07'], // EST (UTC-5): 23:59:59 on March 7
    ['America/New_York', '2026-03-08T05:00:00Z', '2026-03-08'], // midnight EST, the day clocks spring forward
    ['America/New_York', '2026-07-01T03:59:59Z', '2026-06-30'], // EDT (UTC-4): 23:59:59 on June 30
    ['Pacific/Kiritimati', '2026-12-31T10:00:00Z', '2027-01-01'], // UTC+14: 00:00 on New Year's Day
  ])('%s at %s is %s', (zone, instant, date) => {
    expect(todayIn(zone, new Date(instant))).toBe(date);
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
