import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isLeapJalaaliYear } from 'jalaali-js';
import shipped from '../../domain/data/iran-official-holidays.json';
import { formatJalaliDateTime, JalaliDateError, parseJalaliDateTime } from '../../lib/jalali';
import { toAsciiDigits } from '../../lib/persian-text';
import { tehranOffsetMs } from '../../lib/tehran-clock';
import {
  closureInputSchema,
  holidayFileSchema,
  holidaySchema,
  workingCalendarSettingsSchema,
} from '../../domain/working-calendar-schema';
import {
  type Closure,
  defaultWorkingCalendar,
  officialHolidayYears,
  WorkingCalendar,
  WorkingCalendarError,
} from '../../domain/working-calendar';
import { computeLunarHolidays } from '../../scripts/lunar-holidays';

const hour = 3_600_000;
/** A Tehran wall-clock instant written the way people write it. */
const at = (text: string) => parseJalaliDateTime(text);
/** An instant back as ASCII `1405/09/16 07:30`, to compare with what a person expects. */
const wall = (d: Date) => toAsciiDigits(formatJalaliDateTime(d)).replace(' ساعت ', ' ');

describe('Asia/Tehran in the time-zone data in use', () => {
  test('When Iran still kept daylight saving (2021, 2022), then summer was +04:30; since 2023 it is +03:30 all year', () => {
    expect(tehranOffsetMs(Date.UTC(2021, 5, 15)) / hour).toBe(4.5);
    expect(tehranOffsetMs(Date.UTC(2022, 5, 15)) / hour).toBe(4.5);
    expect(tehranOffsetMs(Date.UTC(2022, 11, 15)) / hour).toBe(3.5);
    expect(tehranOffsetMs(Date.UTC(2023, 5, 15)) / hour).toBe(3.5);
    expect(tehranOffsetMs(Date.UTC(2026, 5, 15)) / hour).toBe(3.5);
  });

  test('When a working day fell in the summer of 2022, then it opened at 07:30 Tehran time, 03:00 UTC', () => {
    const calendar = new WorkingCalendar({ holidays: [] });
    // 1401/04/25 = 2022-07-16, a Saturday under daylight saving.
    expect(calendar.nextWorkingStart('2022-07-16T00:00:00Z').toISOString()).toBe('2022-07-16T03:00:00.000Z');
    // The same day of 2026 opens at 04:00 UTC.
    expect(calendar.nextWorkingStart('2026-07-18T00:00:00Z').toISOString()).toBe('2026-07-18T04:00:00.000Z');
  });
});

describe('Reminders outside working hours', () => {
  const calendar = new WorkingCalendar({ holidays: [] });

  test('When a reminder is due at 22:00 on a Sunday, then it goes out at 07:30 on Monday', () => {
    expect(calendar.isWorkingInstant(at('1405/09/15 22:00'))).toBe(false);
    expect(wall(calendar.nextWorkingStart(at('1405/09/15 22:00')))).toBe('1405/09/16 07:30');
  });

  test('When it is due at 22:00 on a Wednesday, then Thursday (closed) and Friday are skipped', () => {
    expect(wall(calendar.nextWorkingStart(at('1405/09/18 22:00')))).toBe('1405/09/21 07:30');
  });

  test('When it is due during working hours, then it goes at once; the closing minute is outside', () => {
    expect(calendar.nextWorkingStart(at('1405/09/15 10:00'))).toEqual(at('1405/09/15 10:00'));
    expect(calendar.isWorkingInstant(at('1405/09/15 07:30'))).toBe(true);
    expect(calendar.isWorkingInstant(at('1405/09/15 13:59'))).toBe(true);
    expect(calendar.isWorkingInstant(at('1405/09/15 14:00'))).toBe(false);
  });
});

describe('Deadlines in working days', () => {
  test('When 3 working days are given on a Monday before a holiday, then Friday and the holiday do not count', () => {
    const calendar = new WorkingCalendar({ holidays: [{ date: '1405/10/01', name: 'ولادت امام علی (ع)' }] });
    // Mon 1405/09/30 issue; Tue 10/01 holiday; Wed 10/02 (1); Thu closed; Fri; Sat 10/05 (2); Sun 10/06 (3).
    expect(wall(calendar.addWorkingDays(at('1405/09/30 10:00'), 3))).toBe('1405/10/06 14:00');
  });

  test('When the year turns (Esfand 29 and Nowruz in the shipped data), then the deadline lands after Nowruz', () => {
    // Wed 1405/12/26; Thu, Fri; Sat 12/29 holiday; 1406/01/01-04 Nowruz; Thu 01/05 closed; Fri 01/06.
    expect(wall(defaultWorkingCalendar.addWorkingDays(at('1405/12/26 10:00'), 3))).toBe('1406/01/09 14:00');
  });

  test('When the year is a leap year (1403), then Esfand 30 is a working day of its own', () => {
    expect(isLeapJalaaliYear(1403)).toBe(true);
    const calendar = new WorkingCalendar({
      holidays: [{ date: '1403/12/29', name: 'روز ملی شدن صنعت نفت ایران' }],
      settings: { thursday: 'working' },
    });
    // Tue 1403/12/28; Wed 12/29 holiday; Thu 12/30 (1); Fri 1404/01/01; Sat 01/02 (2).
    expect(wall(calendar.addWorkingDays(at('1403/12/28 10:00'), 1))).toBe('1403/12/30 14:00');
    expect(wall(calendar.addWorkingDays(at('1403/12/28 10:00'), 2))).toBe('1404/01/02 14:00');
  });

  test('When the years 1404 to 1406 are not leap years, then they end on Esfand 29 and Esfand 30 does not exist', () => {
    for (const year of [1404, 1405, 1406]) {
      expect(isLeapJalaaliYear(year)).toBe(false);
      expect(() => parseJalaliDateTime(`${year}/12/30`)).toThrow(JalaliDateError);
    }
    const calendar = new WorkingCalendar({ holidays: [] });
    // Thu 1405/12/27 closed, Fri 12/28, Sat 12/29 (1), then Sun 1406/01/01 (2).
    expect(wall(calendar.addWorkingDays(at('1405/12/26 10:00'), 2))).toBe('1406/01/01 14:00');
  });

  test('When a number of days is not a positive whole number, then it is refused', () => {
    expect(() => defaultWorkingCalendar.addWorkingDays(at('1405/09/15 10:00'), 0)).toThrow(WorkingCalendarError);
    expect(() => defaultWorkingCalendar.addWorkingDays(at('1405/09/15 10:00'), 1.5)).toThrow(WorkingCalendarError);
  });
});

describe('Thursday', () => {
  const halfDay = new WorkingCalendar({ holidays: [], settings: { thursday: 'halfDay' } });

  test('When an office works a half day on Thursday, then it works 07:30-12:00 and a day ending on Thursday ends at 12:00', () => {
    expect(halfDay.isWorkingInstant(at('1405/09/19 11:59'))).toBe(true);
    expect(halfDay.isWorkingInstant(at('1405/09/19 12:00'))).toBe(false);
    expect(wall(halfDay.addWorkingDays(at('1405/09/18 10:00'), 1))).toBe('1405/09/19 12:00');
    expect(wall(halfDay.nextWorkingStart(at('1405/09/19 12:30')))).toBe('1405/09/21 07:30');
  });

  test('When working hours run over a Thursday half day, then only its four and a half hours count', () => {
    // Wed 13:00-14:00 is 1 h, Thursday gives 4.5 h: 4 h end on Thursday at 10:30; 6 h run into Saturday.
    expect(wall(halfDay.addWorkingHours(at('1405/09/18 13:00'), 4))).toBe('1405/09/19 10:30');
    expect(wall(halfDay.addWorkingHours(at('1405/09/18 13:00'), 6))).toBe('1405/09/21 08:00');
  });

  test('When Thursday is closed (the default) or working, then it gives nothing or a full day', () => {
    expect(defaultWorkingCalendar.isWorkingDay(at('1405/09/19 10:00'))).toBe(false);
    expect(
      new WorkingCalendar({ holidays: [], settings: { thursday: 'working' } }).isWorkingInstant(at('1405/09/19 13:30')),
    ).toBe(true);
  });
});

describe('Working hours and working time', () => {
  const calendar = new WorkingCalendar({ holidays: [] });

  test('When 4 working hours start at noon on a Wednesday, then they end at 09:30 on Saturday', () => {
    expect(wall(calendar.addWorkingHours(at('1405/09/18 12:00'), 4))).toBe('1405/09/21 09:30');
  });

  test('When working time runs out exactly at closing, then the deadline is the closing time, not the next opening', () => {
    expect(wall(calendar.addWorkingHours(at('1405/09/15 07:30'), 6.5))).toBe('1405/09/15 14:00');
    expect(calendar.addWorkingHours(at('1405/09/15 22:00'), 0)).toEqual(at('1405/09/15 22:00'));
  });

  test('When a unit acknowledges the next morning, then time to acknowledge counts working hours only', () => {
    // Sunday 12:00-14:00 (2 h) and Monday 07:30-09:00 (1.5 h).
    expect(calendar.workingTimeBetween(at('1405/09/15 12:00'), at('1405/09/16 09:00'))).toBe(3.5 * hour);
    expect(calendar.workingTimeBetween(at('1405/09/16 09:00'), at('1405/09/15 12:00'))).toBe(-3.5 * hour);
    // Wednesday evening to Saturday before opening: nothing.
    expect(calendar.workingTimeBetween(at('1405/09/18 15:00'), at('1405/09/21 07:00'))).toBe(0);
  });

  test('When adding and measuring working time, then each undoes the other', () => {
    const from = at('1405/09/15 09:17');
    for (const hours of [0.5, 3, 6.5, 20, 100]) {
      const to = calendar.addWorkingHours(from, hours);
      expect(calendar.workingTimeBetween(from, to)).toBe(hours * hour);
    }
  });

  test('When the span is two years, then the arithmetic stays quick (linear in days)', () => {
    const started = Date.now();
    const total = defaultWorkingCalendar.workingTimeBetween(at('1405/01/01'), at('1407/01/01'));
    const end = defaultWorkingCalendar.addWorkingTime(at('1405/01/01'), total);
    expect(defaultWorkingCalendar.workingTimeBetween(at('1405/01/01'), end)).toBe(total);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('Closures', () => {
  const calendar = new WorkingCalendar({ holidays: [], county: 'THR' });
  const sunday: Closure = {
    id: 'closure-1',
    from: at('1405/09/15 00:00').toISOString(),
    until: at('1405/09/16 00:00').toISOString(),
    scope: { kind: 'all' },
    reason: 'آلودگی هوا',
  };

  test('When offices close for a whole Sunday, then a Monday deadline moves to Tuesday, by the 6.5 hours lost', () => {
    expect(wall(calendar.shiftForClosure(at('1405/09/16 14:00'), sunday))).toBe('1405/09/17 14:00');
    expect(wall(calendar.shiftForClosure(at('1405/09/15 10:00'), sunday))).toBe('1405/09/16 10:00');
  });

  test('When the deadline comes before the closure, or the closure is in another county, then it does not move', () => {
    expect(calendar.shiftForClosure(at('1405/09/14 14:00'), sunday)).toEqual(at('1405/09/14 14:00'));
    const elsewhere: Closure = { ...sunday, id: 'closure-2', scope: { kind: 'county', county: 'SHM' } };
    expect(calendar.shiftForClosure(at('1405/09/16 14:00'), elsewhere)).toEqual(at('1405/09/16 14:00'));
    const here: Closure = { ...elsewhere, scope: { kind: 'county', county: 'THR' } };
    expect(wall(calendar.shiftForClosure(at('1405/09/16 14:00'), here))).toBe('1405/09/17 14:00');
  });

  test('When the calendar already holds the closure, then the shift is the same', () => {
    expect(calendar.withClosure(sunday).shiftForClosure(at('1405/09/16 14:00'), sunday)).toEqual(
      at('1405/09/17 14:00'),
    );
  });

  test('When a closure covers only the afternoon, then only that time is lost and the day stays a working day', () => {
    const afternoon: Closure = { ...sunday, from: at('1405/09/15 11:00').toISOString() };
    const closed = calendar.withClosure(afternoon);
    expect(closed.isWorkingInstant(at('1405/09/15 10:59'))).toBe(true);
    expect(closed.isWorkingInstant(at('1405/09/15 11:00'))).toBe(false);
    expect(wall(closed.addWorkingDays(at('1405/09/14 10:00'), 1))).toBe('1405/09/15 11:00');
    expect(wall(calendar.shiftForClosure(at('1405/09/15 13:00'), afternoon))).toBe('1405/09/16 09:30');
  });

  test('When closures leave no working time for over a year, then the calendar says so instead of looping', () => {
    const year: Closure = { ...sunday, until: at('1406/12/01').toISOString() };
    expect(() => calendar.withClosure(year).nextWorkingStart(at('1405/09/15 10:00'))).toThrow(WorkingCalendarError);
  });
});

describe('The shipped holiday data', () => {
  test('When the data is read, then it names its source and every date is a real Jalali date of the years it covers', () => {
    const file = holidayFileSchema.safeParse(shipped);
    expect(file.success ? [] : file.error.issues).toEqual([]);
    expect(shipped.source.authority).toMatch(/Council for Public Culture/);
    expect(officialHolidayYears).toEqual([1405, 1406]);
    const broken = holidayFileSchema.safeParse({
      ...shipped,
      holidays: [...shipped.holidays, { date: '1407/01/01', name: 'نوروز', basis: 'law' }],
    });
    expect(broken.success ? [] : broken.error.issues.map((i) => i.message)).toEqual([
      'falls outside the years 1405, 1406',
    ]);
  });

  test('When a lunar date is marked computed, then it is the Umm al-Qura date (shifted where the data says so)', () => {
    const ummAlQura = new Map(
      officialHolidayYears.flatMap((y) => computeLunarHolidays(y)).map((l) => [l.hijri, l.date]),
    );
    const computed = shipped.holidays.filter((h) => h.basis === 'computed');
    expect(computed.length).toBeGreaterThan(0);
    for (const h of computed) {
      const shift = 'ummAlQuraShiftDays' in h ? Number(h.ummAlQuraShiftDays) : 0;
      const expected = ummAlQura.get(h.hijri!);
      expect(expected).toBeDefined();
      const expectedMs = at(expected!).getTime() + shift * 24 * hour;
      expect([h.hijri, h.date]).toEqual([h.hijri, wall(new Date(expectedMs)).slice(0, 10)]);
    }
  });

  test('When the official calendar is used, then Nowruz, Esfand 29 and the published Eid al-Fitr 1447 are holidays', () => {
    for (const date of [
      '1405/01/01',
      '1405/01/04',
      '1405/01/13',
      '1405/03/14',
      '1405/11/22',
      '1405/12/29',
      '1406/01/01',
    ]) {
      expect(defaultWorkingCalendar.isWorkingDay(at(`${date} 10:00`))).toBe(false);
    }
    expect(defaultWorkingCalendar.holidaysOn(at('1405/01/01 10:00')).map((h) => h.name)).toContain('عید سعید فطر');
    expect(defaultWorkingCalendar.isWorkingDay(at('1405/09/15 10:00'))).toBe(true);
  });
});

describe('Calendar data at the edge', () => {
  test('When an administrator adds a holiday in Persian digits, then it is normalised and marked admin; a date that does not exist is refused', () => {
    expect(holidaySchema.parse({ date: '۱۴۰۵/۹/۲۵', name: 'تعطیلی اعلام‌شده' })).toEqual({
      date: '1405/09/25',
      name: 'تعطیلی اعلام‌شده',
      basis: 'admin',
    });
    expect(holidaySchema.safeParse({ date: '1405/12/30', name: 'x' }).success).toBe(false);
  });

  test('When a closure is declared, then it needs a period that runs forwards, a scope and a reason', () => {
    const closure = closureInputSchema.parse({
      from: { jalali: '1405/09/15 00:00' },
      until: { jalali: '1405/09/16 00:00' },
      scope: { kind: 'county', county: 'THR-TEH' },
      reason: 'آلودگی هوا',
    });
    expect(closure.from).toBe(at('1405/09/15 00:00').toISOString());
    const calendar = new WorkingCalendar({ holidays: [], county: 'THR-TEH' });
    expect(wall(calendar.shiftForClosure(at('1405/09/16 14:00'), { ...closure, id: 'c1' }))).toBe('1405/09/17 14:00');
    const backwards = closureInputSchema.safeParse({ ...closure, from: closure.until, until: closure.from });
    expect(backwards.success ? [] : backwards.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'until: must come after the start of the closure',
    ]);
  });

  test('When an office sets its week, then times are checked and omitted fields keep the defaults', () => {
    const settings = workingCalendarSettingsSchema.parse({ thursday: 'halfDay', thursdayHalfDayEnd: '۱۲:۳۰' });
    expect(new WorkingCalendar({ holidays: [], settings }).isWorkingInstant(at('1405/09/19 12:15'))).toBe(true);
    expect(workingCalendarSettingsSchema.safeParse({ hours: { start: '14:00', end: '08:00' } }).success).toBe(false);
    expect(workingCalendarSettingsSchema.safeParse({ hours: { start: '7:30', end: '14:00' } }).success).toBe(false);
  });
});

describe('Use from workflow code', () => {
  /** Every module specifier reachable from a source file through relative imports (type-only imports skipped). */
  function reachableImports(file: string, seen = new Set<string>()): Set<string> {
    const source = readFileSync(file, 'utf8');
    for (const [, typeOnly, spec] of source.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'([^']+)'/gm)) {
      if (typeOnly || seen.has(spec)) continue;
      seen.add(spec);
      if (spec.startsWith('.') && !spec.endsWith('.json'))
        reachableImports(`${path.resolve(path.dirname(file), spec)}.ts`, seen);
    }
    return seen;
  }

  test('When a workflow imports the calendar, then nothing it pulls in is zod or a Node built-in', () => {
    const imports = [...reachableImports(path.join(__dirname, '../../domain/working-calendar.ts'))];
    const forbidden = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'zod']);
    expect(imports.filter((spec) => forbidden.has(spec))).toEqual([]);
    expect(imports).toEqual(expect.arrayContaining(['jalaali-js', '../lib/tehran-clock']));
  });
});

describe('Bad settings', () => {
  test('When hours run backwards or a holiday is not a date, then the calendar refuses them by name', () => {
    expect(() => new WorkingCalendar({ settings: { hours: { start: '14:00', end: '07:30' } } })).toThrow(
      /opening time/,
    );
    expect(() => new WorkingCalendar({ holidays: [{ date: '1405/12/30', name: 'x' }] })).toThrow(/1405\/12\/30/);
    expect(() => new WorkingCalendar({ settings: { thursdayHalfDayEnd: '15:00' } })).toThrow(/half day/);
  });
});
