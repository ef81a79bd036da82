import { z } from 'zod';
import { campaignIdSchema, instantSchema, prioritySchema } from '../../domain/directive-schema';
import { parseJalaliDateTime } from '../../lib/jalali';
import { persianText } from '../../lib/persian-text';
import { unitCodeSchema } from '../../domain/registry-schema';

/**
 * The office API's request schemas (besides the directive itself, in domain/directive-schema.ts). They
 * validate the requests and generate the OpenAPI document, so the two cannot disagree.
 */

export const directiveIdSchema = z.string().regex(/^\d{4}-\d{6}$/, 'a directive id looks like 1405-000042');

export const directiveStates = ['fanning-out', 'open', 'completed', 'cancelled', 'closed'] as const;

/** A submission id: names one action so that a retry is recorded once (the Temporal update id). */
export const submissionIdSchema = z
  .string()
  .regex(/^[\w.:-]{8,100}$/, 'a submission id is 8-100 letters, digits, _ . : or -');

const reason = persianText(1, 2_000);
const note = persianText(1, 2_000).optional();

/** Fields every action body may carry. The `Idempotency-Key` header is an alternative to `submissionId`. */
const actionFields = { submissionId: submissionIdSchema.optional() };

export const directiveParamsSchema = z.object({ id: directiveIdSchema });
export const unitParamsSchema = z.object({ id: directiveIdSchema, code: unitCodeSchema });
export const extensionParamsSchema = z.object({
  id: directiveIdSchema,
  code: unitCodeSchema,
  requestId: z.string().min(1).max(120),
});

export const cancelBodySchema = z.object({ reason, ...actionFields }).strict();
export const closeBodySchema = z.object({ reason: persianText(1, 2_000).default('بسته شد'), ...actionFields }).strict();

export const extendBodySchema = z
  .object({ acknowledgeBy: instantSchema.optional(), reportBy: instantSchema.optional(), reason, ...actionFields })
  .strict()
  .superRefine((b, ctx) => {
    if (!b.acknowledgeBy && !b.reportBy)
      ctx.addIssue({ code: 'custom', path: ['reportBy'], message: 'give a new acknowledgeBy, reportBy or both' });
  });

export const decisionBodySchema = z
  .object({ approved: z.boolean(), until: instantSchema.optional(), note, ...actionFields })
  .strict();
export const acceptBodySchema = z.object({ note, ...actionFields }).strict();
export const returnBodySchema = z.object({ reason, reportBy: instantSchema.optional(), ...actionFields }).strict();
export const exemptBodySchema = z.object({ reason, ...actionFields }).strict();
export const remindBodySchema = z.object({ note, ...actionFields }).strict();
export const revokeLinksBodySchema = z.object({ ...actionFields }).strict();

/** A date bound for the list: an ISO date-time with offset, or a Jalali date (and time) in Tehran. */
export const dateBound = z.string().transform((text, ctx) => {
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const parsed = z.iso.datetime({ offset: true }).safeParse(text);
    if (parsed.success) return new Date(text).toISOString();
  } else {
    try {
      return parseJalaliDateTime(text).toISOString();
    } catch {
      // fall through to the issue below
    }
  }
  ctx.addIssue({ code: 'custom', message: 'must be an ISO date-time with offset or a Jalali date such as 1405/09/10' });
  return z.NEVER;
});

export const listQuerySchema = z
  .object({
    /** One state or several, comma-separated. */
    state: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()))
      .pipe(z.array(z.enum(directiveStates)).min(1))
      .optional(),
    priority: prioritySchema.optional(),
    /** Words that must all appear in the title (or the id). */
    text: z.string().trim().min(1).max(200).optional(),
    /** Issued at or after this instant. */
    issuedFrom: dateBound.optional(),
    /** Issued before this instant. */
    issuedTo: dateBound.optional(),
    /** Only directives of this campaign. */
    campaign: campaignIdSchema.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    /** `nextCursor` of the previous page. */
    cursor: directiveIdSchema.optional(),
  })
  .strict();
export type ListQuery = z.infer<typeof listQuerySchema>;

/** An RFC 9457 problem document, as every error of the API is. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const countsSchema = z.record(z.string(), z.number().int());

export const directiveStatusSchema = z.object({
  directiveId: z.string(),
  version: z.number().int(),
  state: z.enum(directiveStates),
  total: z.number().int(),
  started: z.number().int(),
  counts: countsSchema,
  overdue: z.number().int(),
  undeliverable: z.number().int(),
  escalations: countsSchema,
  shards: z.array(z.string()),
});

export const listItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  priority: prioritySchema,
  issuedAt: z.string(),
  campaign: z.string().nullable(),
  acknowledgeBy: z.string(),
  reportBy: z.string(),
  state: z.enum(directiveStates),
  compliancePercent: z.number(),
  status: directiveStatusSchema,
  href: z.string(),
});

export const listResponseSchema = z.object({ items: z.array(listItemSchema), nextCursor: z.string().nullable() });

export const unitActionResultSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  state: z.object({
    unitCode: z.string(),
    state: z.string(),
    overdue: z.string().nullable(),
    escalationLevel: z.number().int(),
    undeliverable: z.boolean(),
    seq: z.number().int(),
  }),
});

export const bulkActionResultSchema = z.object({
  done: z.array(z.string()),
  skipped: z.array(z.object({ unitCode: z.string(), reason: z.string() })),
});

const shownInstantSchema = z.object({ at: z.string(), jalali: z.string() });
export const issueResultSchema = z.object({
  id: z.string(),
  created: z.boolean(),
  units: z.number().int(),
  href: z.string(),
  /** The deadlines as resolved (a relative `{ in }` becomes an instant at issue time), with their Jalali form. */
  acknowledgeBy: shownInstantSchema,
  reportBy: shownInstantSchema,
});
