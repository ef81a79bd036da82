import { isLeapJalaaliYear, jalaaliMonthLength, toGregorian, toJalaali } from 'jalaali-js';
import { toAsciiDigits, toPersianDigits } from './persian-text';
import { tehranOffsetMs, tehranTimeZone, tehranWallClockMs } from './tehran-clock';

/**
 * Persian (Jalali) calendar helpers. Every wall-clock value here is Asia/Tehran; workflows and records keep
 * absolute instants only, and these functions are the single place where an instant becomes «۱۴۰۵/۰۹/۰۷
 * ساعت ۱۴:۳۰» and back.
 *
 * Calendar arithmetic comes from jalaali-js in both directions, so that formatting and parsing can never
 * disagree with each other. The time zone (including Iran's daylight saving before 2022) comes from the ICU
 * data in Node's Intl, never from a fixed +03:30.
 */

/** The time zone every Jalali wall-clock value in Farman is expressed in (defined in tehran-clock.ts). */
export { tehranTimeZone };

/**
 * Jalali years accepted by {@link parseJalaliDateTime}. Outside this range an input is almost surely a typo
 * (e.g. `405/09/10`), and in this range jalaali-js agrees day for day with the ICU Persian calendar that
 * pages may use through `Intl` (they part ways at 1502/1503).
 */
export const supportedJalaliYears = { min: 1300, max: 1499 } as const;

/** A malformed or non-existent Jalali date-time, or an instant that is not a valid date. */
export class JalaliDateError extends Error {
  override readonly name = 'JalaliDateError';
}

/** The Jalali calendar date and Tehran wall-clock time of an instant. Months and days count from 1. */
export interface JalaliParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/**
 * Accepts a `Date` or an ISO-8601 instant string. A string must carry `Z` or an offset: `new Date()` would
 * read `2025-01-01T10:00` in the server's own zone, which silently shifts deadlines.
 */
function toInstant(instant: Date | string): Date {
  if (typeof instant === 'string' && !/T.*(Z|[+-]\d{2}:?\d{2})$/i.test(instant.trim())) {
    throw new JalaliDateError(`"${instant}" is not an ISO-8601 instant with a time zone (Z or ±hh:mm)`);
  }
  const date = typeof instant === 'string' ? new Date(instant.trim()) : instant;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new JalaliDateError(`${String(instant)} is not a valid instant`);
  }
  return date;
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * The Jalali date and Tehran wall-clock time of an instant. Seconds are truncated, never rounded, so an
 * instant one second before a deadline never shows the deadline's minute.
 * @throws JalaliDateError for an invalid `Date` or a string that is not an instant with a zone.
 */
export function toJalaliParts(instant: Date | string): JalaliParts {
  const wall = new Date(tehranWallClockMs(toInstant(instant).getTime()));
  const { jy, jm, jd } = toJalaali(wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate());
  return { year: jy, month: jm, day: jd, hour: wall.getUTCHours(), minute: wall.getUTCMinutes() };
}

/**
 * The Jalali year in Tehran at an instant, e.g. 1405; directive IDs such as `1405-000123` are built from it.
 * Near Nowruz the year follows Tehran's wall clock, not UTC's.
 */
export function jalaliYear(instant: Date | string): number {
  return toJalaliParts(instant).year;
}

/**
 * Formats an instant as a Tehran date with Persian digits, e.g. «۱۴۰۵/۰۹/۰۷». The output holds no
 * LRM/RLM marks (it is built from numbers, not from Intl's display string), so it compares and embeds safely.
 */
export function formatJalaliDate(instant: Date | string): string {
  const p = toJalaliParts(instant);
  return toPersianDigits(`${p.year}/${two(p.month)}/${two(p.day)}`);
}

/**
 * Formats an instant as a Tehran date and time with Persian digits, e.g. «۱۴۰۵/۰۹/۰۷ ساعت ۱۴:۳۰» (24-hour,
 * no bidi marks). {@link parseJalaliDateTime} reads this form back to the same minute.
 */
export function formatJalaliDateTime(instant: Date | string): string {
  const p = toJalaliParts(instant);
  return `${formatJalaliDate(instant)} ساعت ${toPersianDigits(`${two(p.hour)}:${two(p.minute)}`)}`;
}

/**
 * Says in Persian how far a deadline is from `now`, in its two largest units: «۲ روز و ۳ ساعت مانده»,
 * «۴۵ دقیقه مانده», «۳ ساعت گذشته» once the deadline has passed, and «کمتر از یک دقیقه مانده» inside the
 * last minute. Parts are truncated, so the time left is never overstated. `now` is a parameter rather than
 * the clock so that callers (and workflows) decide what "now" is.
 */
export function formatTimeLeft(deadline: Date | string, now: Date | string): string {
  const diff = toInstant(deadline).getTime() - toInstant(now).getTime();
  const suffix = diff >= 0 ? 'مانده' : 'گذشته';
  const totalMinutes = Math.floor(Math.abs(diff) / minuteMs);
  if (totalMinutes < 1) return `کمتر از یک دقیقه ${suffix}`;
  const days = Math.floor(totalMinutes / (dayMs / minuteMs));
  const hours = Math.floor((totalMinutes % (dayMs / minuteMs)) / 60);
  const minutes = totalMinutes % 60;
  const parts: [number, string][] =
    days > 0
      ? [
          [days, 'روز'],
          [hours, 'ساعت'],
        ]
      : hours > 0
        ? [
            [hours, 'ساعت'],
            [minutes, 'دقیقه'],
          ]
        : [[minutes, 'دقیقه']];
  const words = parts.filter(([n]) => n > 0).map(([n, unit]) => `${toPersianDigits(n)} ${unit}`);
  return `${words.join(' و ')} ${suffix}`;
}

// Date, then optionally a time after whitespace (with an optional comma and «ساعت», as Intl and
// formatJalaliDateTime write it) or after `T`. The date separator must be used consistently.
const dateTimePattern =
  /^(\d{4})([/-])(\d{1,2})\2(\d{1,2})(?:(?:[,،]?\s+(?:ساعت\s+)?|T)(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Reads a Jalali date and optional time as Tehran wall-clock time and returns the instant. Accepts Persian,
 * Arabic-Indic and ASCII digits and the forms `1405/09/10 14:30`, `1405-09-10T14:30`, `۱۴۰۵/۹/۱۰ ۰۸:۰۵`,
 * `1405/09/10` (midnight), an optional `:ss`, and the output of {@link formatJalaliDateTime}; bidi marks are
 * ignored. A wall time repeated when daylight saving ended (before 2022) gives the earlier instant.
 * @throws JalaliDateError with an English message for text in another form, a year outside
 *   {@link supportedJalaliYears}, month 13, day 31 of months 7-11, Esfand 30 outside leap years, hour 24+,
 *   minute 60+, or a wall time skipped when clocks moved forward.
 */
export function parseJalaliDateTime(text: string): Date {
  const cleaned = toAsciiDigits(text)
    .replace(/[\u200e\u200f\u061c]/g, '')
    .trim();
  const m = dateTimePattern.exec(cleaned);
  if (!m) {
    throw new JalaliDateError(
      `"${text}" is not a Jalali date-time; expected a form such as 1405/09/10 14:30, 1405-09-10T14:30 or 1405/09/10`,
    );
  }
  const [year, month, day] = [m[1], m[3], m[4]].map(Number);
  const [hour, minute, second] = [m[5], m[6], m[7]].map((v) => (v === undefined ? 0 : Number(v)));
  const fail = (why: string) => new JalaliDateError(`"${text}" is not a valid Jalali date-time: ${why}`);

  if (year < supportedJalaliYears.min || year > supportedJalaliYears.max) {
    throw fail(`year ${year} is outside the supported range ${supportedJalaliYears.min}-${supportedJalaliYears.max}`);
  }
  if (month < 1 || month > 12) throw fail(`month ${month} does not exist (months are 1-12)`);
  const monthLength = jalaaliMonthLength(year, month);
  if (day < 1 || day > monthLength) {
    const leapNote = month === 12 ? ` (${year} is ${isLeapJalaaliYear(year) ? '' : 'not '}a leap year)` : '';
    throw fail(`day ${day} does not exist: month ${month} of ${year} has ${monthLength} days${leapNote}`);
  }
  if (hour > 23) throw fail(`hour ${hour} is out of range 0-23`);
  if (minute > 59) throw fail(`minute ${minute} is out of range 0-59`);
  if (second > 59) throw fail(`second ${second} is out of range 0-59`);

  const g = toGregorian(year, month, day);
  const wallMs = Date.UTC(g.gy, g.gm - 1, g.gd, hour, minute, second);
  // Offset changes are months apart, so the offsets a day before and after cover every candidate; a
  // candidate is real only if Tehran's clock shows this wall time at it.
  const candidates = [...new Set([tehranOffsetMs(wallMs - dayMs), tehranOffsetMs(wallMs + dayMs)])]
    .map((offset) => wallMs - offset)
    .filter((instantMs) => tehranWallClockMs(instantMs) === wallMs)
    .sort((a, b) => a - b);
  if (candidates.length === 0) {
    throw fail(`${two(hour)}:${two(minute)} did not occur in ${tehranTimeZone} that day (clocks moved forward)`);
  }
  return new Date(candidates[0]);
}
