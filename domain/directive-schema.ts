import { z } from 'zod';
import { durationSchema, maxDurationMs, parseDuration } from '../lib/duration';
import { formatJalaliDateTime, JalaliDateError, parseJalaliDateTime } from '../lib/jalali';
import { persianText, toAsciiDigits } from '../lib/persian-text';
import { unitCodeSchema } from './registry-schema';
import { deadlineUnionError, workingTimeDeadlineSchema } from './working-deadline';

/**
 * The directive contract at the edge: what the API accepts when the office issues or amends a directive.
 * These schemas are the single source of the API's types; the workflows import only the inferred types.
 */

export const priorities = ['normal', 'urgent', 'immediate'] as const;
export const prioritySchema = z.enum(priorities);
export type Priority = z.infer<typeof prioritySchema>;

/**
 * An instant: an ISO 8601 date-time with an explicit offset, `{ jalali: "1405/09/10 14:30" }` read in
 * Asia/Tehran, or `{ in: "2d" }` (also `3h`, `90m`, `1d12h`): that long after the request is parsed, so an
 * example keeps working on any day. Parsed to an ISO string in UTC so that workflows only ever see absolute
 * instants; {@link shownInstant} gives the resolved value back to the caller.
 */
export const instantSchema = z
  .union([
    z.iso.datetime({ offset: true }),
    z.object({ jalali: z.string().max(40) }).strict(),
    z.object({ in: z.string().max(40) }).strict(),
  ])
  .transform((value, ctx) => {
    if (typeof value === 'string') return new Date(value).toISOString();
    if ('in' in value) {
      const ms = parseDuration(value.in);
      if (ms === undefined || ms <= 0 || ms > maxDurationMs) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a time from now such as 90m, 3h, 2d or 1d12h (at most 366 days)',
        });
        return z.NEVER;
      }
      return new Date(Date.now() + ms).toISOString();
    }
    try {
      return parseJalaliDateTime(toAsciiDigits(value.jalali)).toISOString();
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: err instanceof JalaliDateError ? err.message : 'must be a Jalali date-time such as 1405/09/10 14:30',
      });
      return z.NEVER;
    }
  });

/** A resolved instant as the API shows it back: ISO in UTC and the Jalali Tehran time (Persian digits). */
export function shownInstant(iso: string): { at: string; jalali: string } {
  return { at: iso, jalali: formatJalaliDateTime(iso) };
}
/** A deadline: an instant, or working time from now (`{ workingDays }`, `{ workingHours }`) resolved to one. */
export const deadlineSchema = z.union([instantSchema, workingTimeDeadlineSchema], { error: deadlineUnionError });

export const targetsSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('all') }).strict(),
  z.object({ mode: z.literal('under'), parents: z.array(unitCodeSchema).min(1).max(500) }).strict(),
  z.object({ mode: z.literal('list'), codes: z.array(unitCodeSchema).min(1).max(20_000) }).strict(),
]);
export type Targets = z.infer<typeof targetsSchema>;

export const formFieldTypes = ['text', 'number', 'boolean', 'date', 'choice', 'file'] as const;

export const formFieldSchema = z
  .object({
    key: z.string().regex(/^[a-z][a-zA-Z0-9_]{0,39}$/, 'keys are 1-40 letters, digits or _, starting with a-z'),
    label: persianText(1, 200),
    type: z.enum(formFieldTypes),
    required: z.boolean().default(false),
    /** Choices, for `choice` fields. */
    options: z.array(persianText(1, 100)).min(2).max(30).optional(),
    /** Bounds, for `number` fields. */
    min: z.number().optional(),
    max: z.number().optional(),
    /** Longest text, for `text` fields. */
    maxLength: z.number().int().min(1).max(20_000).optional(),
    /** Most files, for `file` fields. */
    maxFiles: z.number().int().min(1).max(10).optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.type === 'choice' && !f.options)
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'a choice field needs at least two options' });
    if (f.type !== 'choice' && f.options)
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'only choice fields have options' });
    if (f.min !== undefined && f.max !== undefined && f.min > f.max)
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'max must not be below min' });
  });
export type FormField = z.infer<typeof formFieldSchema>;

export const fileRefSchema = z
  .object({
    name: persianText(1, 255),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256'),
    size: z.number().int().min(0),
    contentType: z.string().max(100),
  })
  .strict();
export type FileRef = z.infer<typeof fileRefSchema>;

/** A campaign's id: chosen by the office when it creates the campaign, e.g. `election-1405`. */
export const campaignIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{1,39}$/,
    'a campaign id is 2-40 lower-case letters, digits and dashes, e.g. election-1405',
  );

export const escalationTargets = ['deputy', 'governor'] as const;

export const escalationLevelSchema = z.object({ after: durationSchema, notify: z.enum(escalationTargets) }).strict();

const defaultLadder = [
  { after: 2 * 3_600_000, notify: 'deputy' as const },
  { after: 24 * 3_600_000, notify: 'governor' as const },
];

const directiveFields = z
  .object({
    /** A client-chosen key: repeating a request with the same key returns the directive it created. */
    clientRequestId: z
      .string()
      .min(8)
      .max(100)
      .regex(/^[\w.:-]+$/)
      .optional(),
    title: persianText(3, 200),
    body: persianText(1, 20_000),
    priority: prioritySchema.default('normal'),
    targets: targetsSchema,
    acknowledgeBy: deadlineSchema,
    reportBy: deadlineSchema,
    reminders: z
      .object({
        acknowledge: z.array(durationSchema).max(5).default([]),
        report: z.array(durationSchema).max(5).default([]),
      })
      .strict()
      .default({ acknowledge: [], report: [] }),
    escalation: z.array(escalationLevelSchema).max(5).default(defaultLadder),
    form: z.array(formFieldSchema).max(50).default([]),
    attachments: z.array(fileRefSchema).max(20).default([]),
    /** `automatic` closes a unit as accepted as soon as it reports; `manual` waits for the office. */
    acceptance: z.enum(['manual', 'automatic']).default('manual'),
    /**
     * When the priority is urgent or immediate, every message goes by SMS as well, to every recipient with a
     * mobile, whatever their channels. Omitted in an amendment, the directive keeps what it had.
     */
    smsForUrgent: z.boolean().optional(),
    /** The campaign the directive belongs to; it must exist. */
    campaign: campaignIdSchema.optional(),
  })
  .strict();

/** The body of `POST /api/v1/directives`. Deadlines are checked against the clock at parse time. */
export const directiveInputSchema = directiveFields.superRefine((d, ctx) => checkDirectiveRules(d, ctx, Date.now()));
export type DirectiveInput = z.infer<typeof directiveInputSchema>;
export type DirectiveInputRaw = z.input<typeof directiveInputSchema>;

/** The body of an amendment: the same fields as an issue, minus the targets, which never change. */
export const amendmentInputSchema = directiveFields
  .omit({ targets: true, clientRequestId: true, campaign: true })
  .superRefine((d, ctx) => checkDirectiveRules(d, ctx, Date.now()));
export type AmendmentInput = z.infer<typeof amendmentInputSchema>;

type RuleInput = Pick<DirectiveInput, 'acknowledgeBy' | 'reportBy' | 'escalation' | 'form'>;

function checkDirectiveRules(d: RuleInput, ctx: z.RefinementCtx, now: number): void {
  if (Date.parse(d.acknowledgeBy) <= now)
    ctx.addIssue({ code: 'custom', path: ['acknowledgeBy'], message: 'must be in the future' });
  if (Date.parse(d.reportBy) <= now)
    ctx.addIssue({ code: 'custom', path: ['reportBy'], message: 'must be in the future' });
  if (Date.parse(d.reportBy) < Date.parse(d.acknowledgeBy)) {
    ctx.addIssue({ code: 'custom', path: ['reportBy'], message: 'must not be before the acknowledgement deadline' });
  }
  d.escalation.forEach((level, i) => {
    if (i > 0 && level.after <= d.escalation[i - 1].after) {
      ctx.addIssue({
        code: 'custom',
        path: ['escalation', i, 'after'],
        message: 'each level must come later than the one before',
      });
    }
  });
  const seen = new Set<string>();
  d.form.forEach((f, i) => {
    if (seen.has(f.key))
      ctx.addIssue({ code: 'custom', path: ['form', i, 'key'], message: `duplicate key "${f.key}"` });
    seen.add(f.key);
  });
}
