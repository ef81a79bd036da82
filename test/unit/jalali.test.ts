import {
  formatJalaliDate,
  formatJalaliDateTime,
  formatTimeLeft,
  JalaliDateError,
  jalaliYear,
  parseJalaliDateTime,
  toJalaliParts,
} from '../../lib/jalali';
import { toPersianDigits } from '../../lib/persian-text';

const bidiMarks = /[\u200e\u200f\u061c]/;
const two = (n: number) => String(n).padStart(2, '0');
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** Catches the JalaliDateError a parse must throw and returns its message. */
function rejection(text: string): string {
  try {
    parseJalaliDateTime(text);
  } catch (err) {
    if (err instanceof JalaliDateError) return err.message;
    throw err;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

/** What ICU itself says, the way the FIELD-NOTES recommend, with its bidi marks removed. */
const icu = new Intl.DateTimeFormat('fa-IR-u-ca-persian', {
  timeZone: 'Asia/Tehran',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
function icuDateTime(instant: Date): string {
  const p = Object.fromEntries(icu.formatToParts(instant).map((x) => [x.type, x.value.replace(/[\u200e\u200f]/g, '')]));
  return `${p.year}/${p.month}/${p.day} ساعت ${p.hour}:${p.minute}`;
}

describe('showing an instant in the Jalali calendar, Tehran time', () => {
  test('When an instant is formatted, then it reads «۱۴۰۵/۰۹/۰۷ ساعت ۱۴:۳۰» with Persian digits and no bidi marks', () => {
    const instant = new Date('2026-11-28T11:00:00Z');
    expect(formatJalaliDateTime(instant)).toBe('۱۴۰۵/۰۹/۰۷ ساعت ۱۴:۳۰');
    expect(formatJalaliDate(instant)).toBe('۱۴۰۵/۰۹/۰۷');
    expect(formatJalaliDateTime('2026-11-28T11:00:00.000Z')).toBe('۱۴۰۵/۰۹/۰۷ ساعت ۱۴:۳۰');
    expect(formatJalaliDateTime(instant)).not.toMatch(bidiMarks);
    expect(formatJalaliDateTime(instant)).not.toMatch(/[0-9]/);
  });

  test('When Nowruz begins at Tehran midnight, then the year changes there and not at UTC midnight', () => {
    expect(jalaliYear('2025-03-20T20:29:59Z')).toBe(1403);
    expect(formatJalaliDateTime('2025-03-20T20:29:59Z')).toBe('۱۴۰۳/۱۲/۳۰ ساعت ۲۳:۵۹');
    expect(jalaliYear('2025-03-20T20:30:00Z')).toBe(1404);
    expect(toJalaliParts('2025-03-20T20:30:00Z')).toEqual({ year: 1404, month: 1, day: 1, hour: 0, minute: 0 });
  });

  test('When an instant falls in the daylight-saving years before 2022, then Tehran was at +04:30', () => {
    expect(toJalaliParts(new Date('2021-06-01T12:00:00Z'))).toEqual({
      year: 1400,
      month: 3,
      day: 11,
      hour: 16,
      minute: 30,
    });
    expect(toJalaliParts(new Date('2024-06-01T12:00:00Z'))).toEqual({
      year: 1403,
      month: 3,
      day: 12,
      hour: 15,
      minute: 30,
    });
  });

  test('When instants across 1300-1499 are formatted, then they agree with ICU’s Persian calendar minute for minute', () => {
    const mismatches: string[] = [];
    for (let t = Date.UTC(1921, 3, 1); t < Date.UTC(2120, 0, 1); t += 4 * day + 7 * hour + 13 * minute) {
      const instant = new Date(t);
      const ours = formatJalaliDateTime(instant);
      if (ours !== icuDateTime(instant))
        mismatches.push(`${instant.toISOString()}: ${ours} vs ${icuDateTime(instant)}`);
    }
    expect(mismatches).toEqual([]);
  });

  test('When a string without a time zone or an invalid date is given, then it is refused rather than guessed', () => {
    expect(() => formatJalaliDate('2025-01-01T10:00')).toThrow(JalaliDateError);
    expect(() => formatJalaliDate('2025-01-01')).toThrow(JalaliDateError);
    expect(() => formatJalaliDate(new Date('nonsense'))).toThrow(JalaliDateError);
    expect(formatJalaliDate('2025-01-01T10:00+03:30')).toBe('۱۴۰۳/۱۰/۱۲');
  });
});

describe('reading a Jalali date-time typed by a person', () => {
  test.each([
    ['1405/09/10 14:30', '2026-12-01T11:00:00.000Z'],
    ['1405-09-10T14:30', '2026-12-01T11:00:00.000Z'],
    ['۱۴۰۵/۹/۱۰ ۰۸:۰۵', '2026-12-01T04:35:00.000Z'],
    ['١٤٠٥/٠٩/١٠ ١٤:٣٠', '2026-12-01T11:00:00.000Z'],
    ['1405/09/10', '2026-11-30T20:30:00.000Z'],
    ['  1405/09/10 14:30:45 ', '2026-12-01T11:00:45.000Z'],
    ['۱۴۰۵/۰۹/۱۰ ساعت ۱۴:۳۰', '2026-12-01T11:00:00.000Z'],
    ['\u200f۱۴۰۵/۹/۱۰،\u200f ۱۴:۳۰', '2026-12-01T11:00:00.000Z'],
    ['1403/12/30 23:59', '2025-03-20T20:29:00.000Z'],
    ['1400/03/11 16:30', '2021-06-01T12:00:00.000Z'],
  ])('When «%s» is read, then it is the Tehran instant %s', (text, iso) => {
    expect(parseJalaliDateTime(text).toISOString()).toBe(iso);
  });

  test('When the same date is typed with Persian, Arabic-Indic or ASCII digits, then all three give one instant', () => {
    const forms = ['۱۴۰۴/۰۱/۰۱ ۰۹:۰۵', '١٤٠٤/٠١/٠١ ٠٩:٠٥', '1404/01/01 09:05', '۱۴۰۴/1/٠١ 09:۰۵'];
    const instants = forms.map((f) => parseJalaliDateTime(f).getTime());
    expect(new Set(instants).size).toBe(1);
  });

  test('When every day of 1402-1406 is formatted after being read, then the text comes back unchanged', () => {
    const monthLength = (y: number, m: number) => (m <= 6 ? 31 : m <= 11 ? 30 : y === 1403 ? 30 : 29);
    const texts: string[] = [];
    for (let y = 1402; y <= 1406; y++) {
      for (let m = 1; m <= 12; m++) {
        for (let d = 1; d <= monthLength(y, m); d++) {
          for (const [h, min] of [
            [0, 0],
            [8, 5],
            [14, 30],
            [23, 59],
          ]) {
            texts.push(toPersianDigits(`${y}/${two(m)}/${two(d)} ساعت ${two(h)}:${two(min)}`));
          }
        }
      }
    }
    expect(texts).toHaveLength(4 * (365 * 5 + 1));
    expect(texts.filter((text) => formatJalaliDateTime(parseJalaliDateTime(text)) !== text)).toEqual([]);
  });

  test('When leap-year Esfand 30 of 1403 is read, then it exists, and the next day is 1404/01/01', () => {
    const esfand30 = parseJalaliDateTime('1403/12/30');
    expect(formatJalaliDate(esfand30)).toBe('۱۴۰۳/۱۲/۳۰');
    expect(formatJalaliDate(new Date(esfand30.getTime() + day))).toBe('۱۴۰۴/۰۱/۰۱');
  });

  test('When instants from 1325 to 1499 are formatted and read back, then each returns to the same minute', () => {
    // From 1946 on: before it Tehran kept local mean time (+03:25:44), which no whole minute can show.
    const mismatches: string[] = [];
    for (let t = Date.UTC(1946, 0, 1, 0, 7); t < Date.UTC(2120, 0, 1); t += 5 * day + 11 * hour + 17 * minute) {
      const back = parseJalaliDateTime(formatJalaliDateTime(new Date(t))).getTime();
      // In the hour repeated when daylight saving ended, the earlier instant is returned, by contract.
      if (back !== t && t - back !== hour) mismatches.push(new Date(t).toISOString());
    }
    expect(mismatches).toEqual([]);
  });

  test('When a wall time is repeated as daylight saving ended, then the earlier instant is chosen', () => {
    expect(parseJalaliDateTime('1390/06/30 23:30').toISOString()).toBe('2011-09-21T19:00:00.000Z');
    expect(parseJalaliDateTime('1390/06/31 00:30').toISOString()).toBe('2011-09-21T21:00:00.000Z');
  });
});

describe('refusing dates that do not exist or cannot be read', () => {
  test('When Esfand 30 is typed for a year that is not leap, then the message says so', () => {
    expect(rejection('1405/12/30')).toBe(
      '"1405/12/30" is not a valid Jalali date-time: day 30 does not exist: month 12 of 1405 has 29 days (1405 is not a leap year)',
    );
    expect(rejection('1404/12/30 10:00')).toContain('1404 is not a leap year');
  });

  test.each(['1405/07/31', '1405/08/31', '1405/09/31', '1405/10/31', '1405/11/31'])(
    'When %s is typed, then it is refused: months 7-11 have 30 days',
    (text) => {
      expect(rejection(text)).toMatch(/day 31 does not exist: month \d+ of 1405 has 30 days$/);
    },
  );

  test('When the 31st of a spring or summer month is typed, then it is accepted', () => {
    expect(formatJalaliDate(parseJalaliDateTime('1405/06/31'))).toBe('۱۴۰۵/۰۶/۳۱');
  });

  test.each([
    ['1405/13/01', 'month 13 does not exist (months are 1-12)'],
    ['1405/00/10', 'month 0 does not exist'],
    ['1405/09/00', 'day 0 does not exist'],
    ['1405/09/10 25:00', 'hour 25 is out of range 0-23'],
    ['1405/09/10 24:00', 'hour 24 is out of range 0-23'],
    ['1405/09/10 14:60', 'minute 60 is out of range 0-59'],
    ['1405/09/10 14:30:61', 'second 61 is out of range 0-59'],
    ['1200/01/01', 'year 1200 is outside the supported range 1300-1499'],
    ['1390/01/02 00:30', '00:30 did not occur in Asia/Tehran that day (clocks moved forward)'],
  ])('When «%s» is typed, then it is refused: %s', (text, why) => {
    expect(rejection(text)).toContain(why);
  });

  test.each(['', 'فردا', '1405/09/10 14', '1405/09-10', '05/09/10', '1405/9/10T', '1405.09.10', '2025-01-01T10:00Z'])(
    'When «%s» is typed, then it is refused as not a Jalali date-time',
    (text) => {
      expect(rejection(text)).toContain('is not a Jalali date-time; expected a form such as 1405/09/10 14:30');
    },
  );

  test('When a date is refused, then the error is a JalaliDateError in English', () => {
    expect(() => parseJalaliDateTime('1405/13/01')).toThrow(JalaliDateError);
    expect(rejection('1405/13/01')).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('saying how much time is left', () => {
  const now = new Date('2026-11-28T10:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);

  test.each([
    [2 * day + 3 * hour + 5 * minute, '۲ روز و ۳ ساعت مانده'],
    [1 * day, '۱ روز مانده'],
    [1 * day + 59 * minute, '۱ روز مانده'],
    [3 * hour + 20 * minute, '۳ ساعت و ۲۰ دقیقه مانده'],
    [45 * minute + 59_000, '۴۵ دقیقه مانده'],
    [59_000, 'کمتر از یک دقیقه مانده'],
    [0, 'کمتر از یک دقیقه مانده'],
    [-3 * hour, '۳ ساعت گذشته'],
    [-(12 * day + 1 * hour), '۱۲ روز و ۱ ساعت گذشته'],
    [-30_000, 'کمتر از یک دقیقه گذشته'],
  ])('When the deadline is %i ms from now, then it reads «%s»', (offset, text) => {
    expect(formatTimeLeft(at(offset), now)).toBe(text);
  });

  test('When the deadline and now are ISO strings, then they are read as instants', () => {
    expect(formatTimeLeft('2026-11-28T10:45:00Z', '2026-11-28T10:00:00Z')).toBe('۴۵ دقیقه مانده');
  });
});
