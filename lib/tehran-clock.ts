/**
 * Tehran's wall clock, read from the ICU time-zone data in Node's `Intl` (including Iran's daylight saving
 * before September 2022), never from a fixed +03:30. Imports nothing, so that workflow code can use it
 * through the working calendar without pulling in zod or Node built-ins.
 */

/** The time zone every Jalali wall-clock value in Farman is expressed in. */
export const tehranTimeZone = 'Asia/Tehran';

// Built once: constructing a DateTimeFormat costs far more than using one.
const tehranClock = new Intl.DateTimeFormat('en-US', {
  timeZone: tehranTimeZone,
  calendar: 'gregory',
  numberingSystem: 'latn',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** Tehran's Gregorian wall clock at an instant, as if it were a UTC time (milliseconds dropped). */
export function tehranWallClockMs(instantMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of tehranClock.formatToParts(new Date(instantMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** Tehran's offset from UTC at an instant, in milliseconds (LMT before 1946 is not a whole minute). */
export function tehranOffsetMs(instantMs: number): number {
  const wholeSecond = instantMs - (((instantMs % 1000) + 1000) % 1000);
  return tehranWallClockMs(wholeSecond) - wholeSecond;
}
