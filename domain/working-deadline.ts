import { z } from 'zod';
import { defaultWorkingCalendar, resolveWorkingTime, WorkingCalendarError } from './working-calendar';

/**
 * Deadlines given in working time at the edge: `{ "workingDays": 3 }` (the end of the third working day
 * after today) and `{ "workingHours": 4 }`. Each is resolved against the clock when it is parsed, so that
 * what is stored, shown and handed to the workflows is an absolute instant, like every other deadline.
 *
 * The calendar is the default office calendar (07:30-14:00, Thursday closed, the shipped holidays); closures
 * declared later move the resolved instants, not the specification.
 */

/** The longest working-time deadlines: about a working year. Longer values are typos. */
export const maxWorkingDays = 250;
export const maxWorkingHours = maxWorkingDays * 6.5;

const daysError = `must be a whole number of working days from 1 to ${maxWorkingDays}`;
const hoursError = `must be a number of working hours above 0 and at most ${maxWorkingHours}`;

/**
 * `{ "workingDays": n }` or `{ "workingHours": h }`, parsed to an ISO instant in UTC counted from
 * `Date.now()`. Whole days only; hours may have fractions (`0.5` is half an hour).
 */
export const workingTimeDeadlineSchema = z
  .union([
    z
      .object({
        workingDays: z.number({ error: daysError }).int(daysError).min(1, daysError).max(maxWorkingDays, daysError),
      })
      .strict(),
    z
      .object({ workingHours: z.number({ error: hoursError }).positive(hoursError).max(maxWorkingHours, hoursError) })
      .strict(),
  ])
  .transform((spec, ctx) => {
    try {
      return resolveWorkingTime(spec, Date.now(), defaultWorkingCalendar).toISOString();
    } catch (err) {
      if (!(err instanceof WorkingCalendarError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
      return z.NEVER;
    }
  });

const workingTimeKeys = ['workingDays', 'workingHours'];

function innermost(issue: z.core.$ZodIssue | undefined): z.core.$ZodIssue | undefined {
  return issue?.code === 'invalid_union' ? innermost(issue.errors.flat()[0]) : issue;
}

/**
 * The message of a deadline that matches none of its forms, for `z.union(..., { error })`: zod's own says
 * only "Invalid input". An object naming a working-time key gets that form's message; anything else the
 * message of the other forms, whose schemas come first in the union.
 */
export function deadlineUnionError(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const { input } = issue;
  const isWorkingTime = typeof input === 'object' && input !== null && workingTimeKeys.some((k) => k in input);
  const branch = isWorkingTime ? issue.errors[issue.errors.length - 1] : issue.errors.slice(0, -1).flat();
  const leaf = innermost(branch?.[0]);
  const field = isWorkingTime ? leaf?.path.join('.') : undefined;
  return field ? `${field} ${leaf?.message}` : leaf?.message;
}
