import { z } from 'zod';
import { directiveInputSchema, type DirectiveInputRaw } from '../../domain/directive-schema';
import { formatJalaliDateTime, parseJalaliDateTime } from '../../lib/jalali';
import { toAsciiDigits } from '../../lib/persian-text';

const at = (text: string) => parseJalaliDateTime(text);
const wall = (iso: string) => toAsciiDigits(formatJalaliDateTime(iso)).replace(' ساعت ', ' ');

function body(overrides: Partial<DirectiveInputRaw>): DirectiveInputRaw {
  return {
    title: 'تعیین محل استقرار صندوق‌های اخذ رأی',
    body: 'محل استقرار صندوق‌ها را تعیین و گزارش کنید.',
    targets: { mode: 'all' },
    acknowledgeBy: { workingHours: 4 },
    reportBy: { workingDays: 3 },
    ...overrides,
  };
}

/** The issues of a body the schema refuses, as `path: message`. */
function refusal(input: DirectiveInputRaw): string[] {
  const parsed = directiveInputSchema.safeParse(input);
  if (parsed.success) throw new Error('expected the body to be refused');
  return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('Deadlines given in working time', () => {
  let clock: jest.SpyInstance<number, []>;
  afterEach(() => clock.mockRestore());
  const issueAt = (text: string) => {
    clock = jest.spyOn(Date, 'now').mockReturnValue(at(text).getTime());
  };

  test('When the office gives 3 working days on a Sunday morning, then the deadline is stored as Wednesday 14:00', () => {
    issueAt('1405/09/15 10:00');
    const parsed = directiveInputSchema.parse(
      body({ acknowledgeBy: { workingHours: 4 }, reportBy: { workingDays: 3 } }),
    );
    expect(wall(parsed.reportBy)).toBe('1405/09/18 14:00');
    expect(wall(parsed.acknowledgeBy)).toBe('1405/09/15 14:00');
    expect(parsed.reportBy).toBe(at('1405/09/18 14:00').toISOString());
  });

  test('When 4 working hours are given at noon on a Wednesday, then they run past Thursday and Friday to Saturday 09:30', () => {
    issueAt('1405/09/18 12:00');
    const parsed = directiveInputSchema.parse(
      body({ acknowledgeBy: { workingHours: 4 }, reportBy: { workingDays: 1 } }),
    );
    expect(wall(parsed.acknowledgeBy)).toBe('1405/09/21 09:30');
    expect(wall(parsed.reportBy)).toBe('1405/09/21 14:00');
  });

  test('When the forms are mixed, then each deadline is resolved on its own and the usual rules still hold', () => {
    issueAt('1405/09/15 10:00');
    const parsed = directiveInputSchema.parse(
      body({ acknowledgeBy: { jalali: '1405/09/16 10:00' }, reportBy: { workingDays: 2 } }),
    );
    expect(wall(parsed.reportBy)).toBe('1405/09/17 14:00');
    expect(refusal(body({ acknowledgeBy: { workingDays: 5 }, reportBy: { workingHours: 1 } }))).toEqual([
      'reportBy: must not be before the acknowledgement deadline',
    ]);
  });

  test('When a working-time deadline is malformed, then the message names the form, not just "Invalid input"', () => {
    issueAt('1405/09/15 10:00');
    const [zero] = refusal(body({ reportBy: { workingDays: 0 } }));
    expect(zero).toBe('reportBy: workingDays must be a whole number of working days from 1 to 250');
    const [half] = refusal(body({ reportBy: { workingDays: 1.5 } }));
    expect(half).toBe(zero);
    const [both] = refusal(body({ reportBy: { workingDays: 1, workingHours: 2 } }));
    expect(both).toMatch(/^reportBy: /);
  });

  test('When a Jalali deadline is wrong, then its own message still comes through', () => {
    issueAt('1405/09/15 10:00');
    expect(refusal(body({ reportBy: { jalali: '1405/12/30 10:00' } }))).toEqual([
      expect.stringMatching(/^reportBy: .*1405 is not a leap year/),
    ]);
  });

  test('When the API document is generated, then it shows the working-time forms of a deadline', () => {
    const doc = JSON.stringify(z.toJSONSchema(directiveInputSchema, { io: 'input', unrepresentable: 'any' }));
    expect(doc).toContain('"workingDays"');
    expect(doc).toContain('"workingHours"');
  });
});
