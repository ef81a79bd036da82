import { isValidJalaaliDate } from 'jalaali-js';
import { z } from 'zod';
import { instantSchema } from './directive-schema';
import { persianText, toAsciiDigits } from '../lib/persian-text';
import { unitCodeSchema } from './registry-schema';

/**
 * The working calendar's data at the edge: an office's settings, a holiday an administrator adds or
 * corrects, a closure an administrator declares, and the shipped holiday file. The calendar itself
 * (working-calendar.ts) takes plain values so that workflows can use it. These schemas check those values
 * wherever they come in.
 */

const clockTime = z
  .string()
  .transform((s) => toAsciiDigits(s).trim())
  .pipe(z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (24-hour)'));

/** An office's working week; omitted fields keep the defaults (07:30-14:00, Thursday closed, half day until 12:00). */
export const workingCalendarSettingsSchema = z
  .object({
    thursday: z.enum(['closed', 'halfDay', 'working']),
    hours: z.object({ start: clockTime, end: clockTime }).strict(),
    thursdayHalfDayEnd: clockTime,
  })
  .strict()
  .partial()
  .refine((s) => !s.hours || s.hours.start < s.hours.end, {
    path: ['hours', 'end'],
    message: 'must come after the opening time',
  });

/** A Jalali date `yyyy/mm/dd` that exists (Persian, Arabic-Indic or ASCII digits), normalised to ASCII with two-digit month and day. */
export const jalaliDateSchema = z
  .string()
  .transform((s) => toAsciiDigits(s).trim())
  .transform((s, ctx) => {
    const m = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(s);
    if (!m || !isValidJalaaliDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
      ctx.addIssue({ code: 'custom', message: 'must be a Jalali date such as 1405/01/13 that exists' });
      return z.NEVER;
    }
    return `${m[1]}/${m[2].padStart(2, '0')}/${m[3].padStart(2, '0')}`;
  });

export const holidayBases = ['law', 'published', 'computed', 'admin'] as const;

/** One entry of the holiday file, or a holiday an administrator adds (basis `admin` by default). */
export const holidaySchema = z
  .object({
    date: jalaliDateSchema,
    name: persianText(1, 200),
    calendar: z.enum(['solar', 'lunar']).optional(),
    hijri: z
      .string()
      .regex(/^\d{4}\/\d{2}\/\d{2}$/, 'must be a Hijri date yyyy/mm/dd')
      .optional(),
    basis: z.enum(holidayBases).default('admin'),
    ummAlQuraShiftDays: z.number().int().min(-2).max(2).optional(),
    note: z.string().max(500).optional(),
  })
  .strict();
export type HolidayEntry = z.infer<typeof holidaySchema>;

/** The shipped file, domain/data/iran-official-holidays.json: a named source, the years covered, the entries. */
export const holidayFileSchema = z
  .object({
    title: z.string(),
    source: z.object({ authority: z.string().min(10) }).catchall(z.string()),
    fields: z.string().optional(),
    years: z.array(z.number().int().min(1300).max(1499)).min(1),
    holidays: z.array(holidaySchema),
  })
  .strict()
  .superRefine((file, ctx) => {
    file.holidays.forEach((h, i) => {
      if (!file.years.includes(Number(h.date.slice(0, 4)))) {
        ctx.addIssue({
          code: 'custom',
          path: ['holidays', i, 'date'],
          message: `falls outside the years ${file.years.join(', ')}`,
        });
      }
    });
  });

/** A closure as an administrator declares it: a period, all offices or one county, and the reason. */
export const closureInputSchema = z
  .object({
    from: instantSchema,
    until: instantSchema,
    scope: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('all') }).strict(),
      z.object({ kind: z.literal('county'), county: unitCodeSchema }).strict(),
    ]),
    reason: persianText(3, 500),
  })
  .strict()
  .refine((c) => Date.parse(c.from) < Date.parse(c.until), {
    path: ['until'],
    message: 'must come after the start of the closure',
  });
export type ClosureInput = z.infer<typeof closureInputSchema>;
