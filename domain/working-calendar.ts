import { isValidJalaaliDate, toGregorian } from 'jalaali-js';
import shippedHolidays from './data/iran-official-holidays.json';
import { tehranOffsetMs } from '../lib/tehran-clock';

/**
 * Iran's working calendar: when government offices work, and arithmetic in working time. Pure (no I/O, no
 * clock, no zod) so that workflow code may import it: every function takes the instants it needs.
 *
 * Time is Asia/Tehran's wall clock, read from the ICU time-zone data in `Intl` (Iran kept daylight saving
 * until September 2022 and +03:30 all year since). A civil day works in one period (the office's hours),
 * unless it is Friday, an official holiday, or Thursday at an office that closes on Thursday; a Thursday
 * half day ends early; declared closures cut any part of any day. The arithmetic walks civil days one by
 * one, so every function is linear in the number of days it spans.
 *
 * Hazard for workflows: {@link defaultWorkingCalendar} and {@link officialHolidays} come from a data file
 * that administrators correct. A workflow that computes with them would decide differently on replay after
 * a correction. Workflows should build a calendar from data in their input or history, or ask an activity.
 */

/** What an office does on Thursday: close, work a half day (until `thursdayHalfDayEnd`), or work a full day. */
export type ThursdayRule = 'closed' | 'halfDay' | 'working';

/** One office's working week. Times are Tehran wall-clock `HH:MM`, 24-hour. */
export interface WorkingCalendarSettings {
  thursday: ThursdayRule;
  /** Opening and closing time on a full working day; `end` is exclusive. */
  hours: { start: string; end: string };
  /** Closing time on a Thursday half day. */
  thursdayHalfDayEnd: string;
}

/** Offices work 07:30-14:00, Saturday to Wednesday; Thursday is closed unless the office says otherwise. */
export const defaultWorkingCalendarSettings: WorkingCalendarSettings = {
  thursday: 'closed',
  hours: { start: '07:30', end: '14:00' },
  thursdayHalfDayEnd: '12:00',
};

/** An official holiday: a Tehran civil day given as a Jalali date `yyyy/mm/dd`. */
export interface Holiday {
  date: string;
  name: string;
  /** `law` (fixed solar dates), `published` (from the official calendar), `computed` (not yet checked), `admin`. */
  basis?: string;
}

/** Who a closure applies to: every office, or the offices of one county (by its registry code). */
export type ClosureScope = { kind: 'all' } | { kind: 'county'; county: string };

/**
 * Offices closed at short notice (air pollution, heat, power), from `from` until `until` (exclusive), both
 * ISO-8601 instants with a zone. The id is what units' histories refer to when their deadlines move.
 */
export interface Closure {
  id: string;
  from: string;
  until: string;
  scope: ClosureScope;
  reason: string;
}

/** Bad calendar data (a holiday that is not a date, hours the wrong way round) or a calendar with no working time. */
export class WorkingCalendarError extends Error {
  override readonly name = 'WorkingCalendarError';
}

/** What the functions accept as an instant: a `Date`, epoch milliseconds, or an ISO-8601 string with a zone. */
export type InstantInput = Date | number | string;

/** The official holidays shipped with Farman and the Jalali years they cover (domain/data/iran-official-holidays.json). */
export const officialHolidays: readonly Holiday[] = shippedHolidays.holidays;
export const officialHolidayYears: readonly number[] = shippedHolidays.years;

const minuteMs = 60_000;
const dayMs = 86_400_000;
/** How far the search for a working period goes before giving up: a year of closures is a data error. */
const maxEmptyDays = 400;

/** The Tehran civil day of an instant, as the UTC midnight of the same calendar date (a "day key"). */
function dayOf(instantMs: number): number {
  return Math.floor((instantMs + tehranOffsetMs(instantMs)) / dayMs) * dayMs;
}

/**
 * The instant at which Tehran's clock shows `minute` minutes past midnight of `day`. Iran's clocks moved at
 * midnight, never inside working hours, so the offset a few hours earlier settles it.
 */
function instantAt(day: number, minute: number): number {
  const wall = day + minute * minuteMs;
  const guess = wall - tehranOffsetMs(wall - 4 * 3_600_000);
  return wall - tehranOffsetMs(guess);
}

function toMs(instant: InstantInput): number {
  if (typeof instant === 'string' && !/T.*(Z|[+-]\d{2}:?\d{2})$/i.test(instant.trim())) {
    throw new WorkingCalendarError(`"${instant}" is not an ISO-8601 instant with a time zone`);
  }
  const ms = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) throw new WorkingCalendarError(`${String(instant)} is not a valid instant`);
  return ms;
}

function minutesOf(text: string, what: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59)
    throw new WorkingCalendarError(`${what} "${text}" is not a time HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The civil day of a Jalali `yyyy/mm/dd`, as a day key. */
function jalaliDay(date: string): number {
  const m = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(date);
  const [jy, jm, jd] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
  if (!m || !isValidJalaaliDate(jy, jm, jd))
    throw new WorkingCalendarError(`holiday date "${date}" is not a Jalali date yyyy/mm/dd`);
  const g = toGregorian(jy, jm, jd);
  return Date.UTC(g.gy, g.gm - 1, g.gd);
}

type Period = [start: number, end: number];

export interface WorkingCalendarOptions {
  settings?: Partial<WorkingCalendarSettings>;
  /** Defaults to {@link officialHolidays}; pass `[]` for a calendar without holidays. */
  holidays?: readonly Holiday[];
  /** Closures declared so far; those scoped to another county are ignored. */
  closures?: readonly Closure[];
  /** The county this calendar is for (a registry code); without it only `all` closures apply. */
  county?: string;
}

/**
 * One office's working calendar. Immutable: `withClosure` and `withoutClosure` return new calendars.
 * Every function returns instants as `Date` and durations in milliseconds.
 */
export class WorkingCalendar {
  readonly settings: WorkingCalendarSettings;
  readonly holidays: readonly Holiday[];
  readonly closures: readonly Closure[];
  readonly county: string | undefined;
  private readonly holidayDays: Set<number>;
  private readonly closedPeriods: Period[];
  private readonly open: number;
  private readonly close: number;
  private readonly halfDayClose: number;

  /** @throws WorkingCalendarError for a malformed setting, holiday or closure. */
  constructor(options: WorkingCalendarOptions = {}) {
    this.settings = { ...defaultWorkingCalendarSettings, ...options.settings };
    this.holidays = options.holidays ?? officialHolidays;
    this.closures = options.closures ?? [];
    this.county = options.county;
    this.open = minutesOf(this.settings.hours.start, 'opening time');
    this.close = minutesOf(this.settings.hours.end, 'closing time');
    this.halfDayClose = minutesOf(this.settings.thursdayHalfDayEnd, 'Thursday half-day closing time');
    if (this.open >= this.close) throw new WorkingCalendarError('the opening time must come before the closing time');
    if (this.halfDayClose <= this.open || this.halfDayClose > this.close) {
      throw new WorkingCalendarError(
        'the Thursday half day must end after opening time and no later than closing time',
      );
    }
    this.holidayDays = new Set(this.holidays.map((h) => jalaliDay(h.date)));
    this.closedPeriods = this.closures
      .filter((c) => this.applies(c))
      .map((c): Period => {
        const period: Period = [toMs(c.from), toMs(c.until)];
        if (period[0] >= period[1]) throw new WorkingCalendarError(`closure ${c.id} ends before it starts`);
        return period;
      })
      .sort((a, b) => a[0] - b[0]);
  }

  /** Whether a closure covers this calendar's offices. */
  applies(closure: Closure): boolean {
    return closure.scope.kind === 'all' || closure.scope.county === this.county;
  }

  /** This calendar plus one more closure (replacing a closure with the same id). */
  withClosure(closure: Closure): WorkingCalendar {
    return new WorkingCalendar({
      ...this.options(),
      closures: [...this.closures.filter((c) => c.id !== closure.id), closure],
    });
  }

  /** This calendar without the closure of that id (a lifted closure). */
  withoutClosure(id: string): WorkingCalendar {
    return new WorkingCalendar({ ...this.options(), closures: this.closures.filter((c) => c.id !== id) });
  }

  private options(): WorkingCalendarOptions {
    return { settings: this.settings, holidays: this.holidays, closures: this.closures, county: this.county };
  }

  /** The official holidays on the Tehran civil day of an instant (several may share a day). */
  holidaysOn(instant: InstantInput): Holiday[] {
    const day = dayOf(toMs(instant));
    return this.holidays.filter((h) => jalaliDay(h.date) === day);
  }

  /** The working periods of a civil day (a day key), closures cut out, in order. */
  private periods(day: number): Period[] {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 5 || this.holidayDays.has(day)) return [];
    if (weekday === 4 && this.settings.thursday === 'closed') return [];
    const closeMinute = weekday === 4 && this.settings.thursday === 'halfDay' ? this.halfDayClose : this.close;
    let periods: Period[] = [[instantAt(day, this.open), instantAt(day, closeMinute)]];
    for (const [from, until] of this.closedPeriods) {
      if (until <= periods[0]?.[0] || from >= periods[periods.length - 1]?.[1]) continue;
      periods = periods.flatMap(([s, e]): Period[] => {
        if (until <= s || from >= e) return [[s, e]];
        const kept: Period[] = [];
        if (from > s) kept.push([s, from]);
        if (until < e) kept.push([until, e]);
        return kept;
      });
      if (periods.length === 0) break;
    }
    return periods;
  }

  /** Whether offices are at work at this instant (the closing minute itself is outside). */
  isWorkingInstant(instant: InstantInput): boolean {
    const t = toMs(instant);
    return this.periods(dayOf(t)).some(([s, e]) => s <= t && t < e);
  }

  /** Whether the Tehran civil day of this instant has any working time. */
  isWorkingDay(instant: InstantInput): boolean {
    return this.periods(dayOf(toMs(instant))).length > 0;
  }

  /**
   * When a notice due at `instant` may go out: `instant` itself during working time, else the start of the
   * next working period (a reminder due at 22:00 goes at 07:30 of the next working day).
   * @throws WorkingCalendarError when no working time follows within 400 days.
   */
  nextWorkingStart(instant: InstantInput): Date {
    const t = toMs(instant);
    let day = dayOf(t);
    for (let i = 0; i <= maxEmptyDays; i++, day += dayMs) {
      for (const [s, e] of this.periods(day)) {
        if (t < e) return new Date(Math.max(s, t));
      }
    }
    throw new WorkingCalendarError(`no working time within ${maxEmptyDays} days after ${new Date(t).toISOString()}`);
  }

  /**
   * The end of the n-th working day after the day of `from` (the day of issue never counts, whatever the
   * hour): issued on a Wednesday with Thursday closed, 3 working days end on Monday at closing time. A day
   * counts if any of it is working time; a Thursday half day ends at its early close, a day cut by a closure
   * at its last working minute.
   * @throws WorkingCalendarError for n that is not a positive whole number, or a year without working days.
   */
  addWorkingDays(from: InstantInput, n: number): Date {
    if (!Number.isInteger(n) || n < 1)
      throw new WorkingCalendarError(`a number of working days must be a whole number from 1, not ${n}`);
    let day = dayOf(toMs(from));
    let left = n;
    let empty = 0;
    while (empty <= maxEmptyDays) {
      day += dayMs;
      const periods = this.periods(day);
      if (periods.length === 0) {
        empty++;
        continue;
      }
      empty = 0;
      if (--left === 0) return new Date(periods[periods.length - 1][1]);
    }
    throw new WorkingCalendarError(`no working day within ${maxEmptyDays} days`);
  }

  /**
   * The instant at which `ms` milliseconds of working time have passed since `from`. Working time that runs
   * out exactly at closing time gives the closing time, not the next opening. Zero gives `from`.
   * @throws WorkingCalendarError for a negative or non-finite amount, or a year without working time.
   */
  addWorkingTime(from: InstantInput, ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new WorkingCalendarError(`working time must be zero or more, not ${ms}`);
    const t = toMs(from);
    if (ms === 0) return new Date(t);
    let left = ms;
    let day = dayOf(t);
    let empty = 0;
    while (empty <= maxEmptyDays) {
      const periods = this.periods(day);
      empty = periods.length === 0 ? empty + 1 : 0;
      for (const [s, e] of periods) {
        if (e <= t) continue;
        const start = Math.max(s, t);
        if (left <= e - start) return new Date(start + left);
        left -= e - start;
      }
      day += dayMs;
    }
    throw new WorkingCalendarError(`no working time within ${maxEmptyDays} days`);
  }

  /** {@link addWorkingTime} in hours (fractions allowed): `{ "workingHours": 4 }`. */
  addWorkingHours(from: InstantInput, hours: number): Date {
    return this.addWorkingTime(from, hours * 3_600_000);
  }

  /**
   * The working time between two instants, in milliseconds: the time-to-acknowledge and time-to-report
   * figures. Negative when `b` comes before `a`.
   */
  workingTimeBetween(a: InstantInput, b: InstantInput): number {
    const from = toMs(a);
    const to = toMs(b);
    if (to < from) return -this.workingTimeBetween(to, from);
    let total = 0;
    for (let day = dayOf(from), last = dayOf(to); day <= last; day += dayMs) {
      for (const [s, e] of this.periods(day)) total += Math.max(0, Math.min(e, to) - Math.max(s, from));
    }
    return total;
  }

  /**
   * Where a deadline goes when `closure` is declared: later by the working time the closure takes away
   * before it. The working time from the closure's start to the deadline, counted without the closure, is
   * counted again with it. A deadline before the closure, a closure in another county, or one that covers
   * no working time before the deadline leaves the deadline where it is; a deadline never moves earlier.
   * This calendar may or may not already hold the closure.
   */
  shiftForClosure(deadline: InstantInput, closure: Closure): Date {
    const due = toMs(deadline);
    const start = toMs(closure.from);
    if (!this.applies(closure) || due <= start) return new Date(due);
    const without = this.withoutClosure(closure.id);
    const withIt = without.withClosure(closure);
    const available = without.workingTimeBetween(start, due);
    if (available === withIt.workingTimeBetween(start, due)) return new Date(due);
    return new Date(Math.max(due, withIt.addWorkingTime(start, available).getTime()));
  }
}

/** A deadline given in working time: the end of the n-th working day, or n working hours from now. */
export type WorkingTimeSpec = { workingDays: number } | { workingHours: number };

/**
 * The instant a working-time deadline stands for when given at `now`: `{ workingDays: 3 }` is the end of the
 * third working day after today, `{ workingHours: 4 }` four working hours from `now` (or from the next
 * opening, outside working hours).
 * @throws WorkingCalendarError as {@link WorkingCalendar.addWorkingDays} and {@link WorkingCalendar.addWorkingHours}.
 */
export function resolveWorkingTime(spec: WorkingTimeSpec, now: InstantInput, calendar: WorkingCalendar): Date {
  return 'workingDays' in spec
    ? calendar.addWorkingDays(now, spec.workingDays)
    : calendar.addWorkingHours(now, spec.workingHours);
}

/** The calendar of an office with the default settings, the shipped holidays and no closures. */
export const defaultWorkingCalendar = new WorkingCalendar();
