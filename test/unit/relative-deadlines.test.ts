import { directiveInputSchema, instantSchema, shownInstant } from '../../domain/directive-schema';
import { parseJalaliDateTime } from '../../lib/jalali';

const base = {
  title: 'دستور آزمایشی',
  body: 'متن دستور',
  targets: { mode: 'all' },
};

describe('Deadlines relative to now', () => {
  it('When a deadline is { in: "2d" }, "3h" or "90m", then it resolves to that long after parsing', () => {
    for (const [text, ms] of [
      ['2d', 2 * 86_400_000],
      ['3h', 3 * 3_600_000],
      ['90m', 90 * 60_000],
      ['1d12h', 36 * 3_600_000],
    ] as const) {
      const before = Date.now();
      const at = Date.parse(instantSchema.parse({ in: text }));
      expect(at).toBeGreaterThanOrEqual(before + ms);
      expect(at).toBeLessThanOrEqual(Date.now() + ms);
    }
  });

  it('When a relative deadline is zero, negative, too long or not a duration, then it is refused with the form to use', () => {
    for (const text of ['0m', '-2d', '400d', 'tomorrow', '']) {
      const r = instantSchema.safeParse({ in: text });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0].message).toMatch(/time from now such as 90m, 3h, 2d/);
    }
  });

  it('When a directive uses relative deadlines, then it passes the "in the future" rule on any day', () => {
    const d = directiveInputSchema.parse({
      ...base,
      acknowledgeBy: { in: '2m' },
      reportBy: { in: '1h' },
      reminders: { acknowledge: ['1m'], report: ['50m'] },
    });
    expect(Date.parse(d.reportBy)).toBeGreaterThan(Date.parse(d.acknowledgeBy));
    expect(d.reminders.acknowledge).toEqual([60_000]);
  });

  it('When the API shows a resolved instant back, then its Jalali form reads back to the same minute', () => {
    const shown = shownInstant('2026-12-01T10:30:00.000Z');
    expect(shown.at).toBe('2026-12-01T10:30:00.000Z');
    expect(shown.jalali).toBe('۱۴۰۵/۰۹/۱۰ ساعت ۱۴:۰۰');
    expect(parseJalaliDateTime(shown.jalali).toISOString()).toBe(shown.at);
  });
});
