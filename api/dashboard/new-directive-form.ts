import { randomUUID } from 'node:crypto';
import { formFieldTypes, type DirectiveInputRaw, type FormField } from '../../domain/directive-schema';
import { formatJalaliDateTime } from '../../lib/jalali';
import { toAsciiDigits } from '../../lib/persian-text';
import type { DirectiveTemplate } from '../../domain/templates/election-directives';
import type { FieldIssue } from '../errors';
import { jalaliField } from './office-actions';
import { many, one } from './query-params';

/**
 * The "new directive" form without JavaScript: what the office typed (kept as text so a re-render shows it
 * exactly), its conversion to the API's directive input, and the mapping of the API's field paths back to
 * the form's fields.
 */

export const ladderUnits = ['m', 'h', 'd'] as const;
export type LadderUnit = (typeof ladderUnits)[number];
export interface LadderStep {
  amount: string;
  unit: LadderUnit;
}
export interface EscalationStep extends LadderStep {
  notify: 'deputy' | 'governor';
}
export interface FieldRow {
  key: string;
  label: string;
  type: FormField['type'];
  required: boolean;
  /** Choices separated by «،» or commas. */
  options: string;
}

/** How a deadline is typed: a Jalali date-time, or a number of working days or working hours from issue. */
export const deadlineKinds = ['jalali', 'workingDays', 'workingHours'] as const;
export type DeadlineKind = (typeof deadlineKinds)[number];

export interface NewDirectiveValues {
  clientRequestId: string;
  template?: string;
  title: string;
  body: string;
  priority: string;
  acceptance: string;
  targetMode: 'all' | 'under' | 'list';
  counties: string[];
  units: string[];
  acknowledgeBy: string;
  acknowledgeByKind: DeadlineKind;
  reportBy: string;
  reportByKind: DeadlineKind;
  remAck: LadderStep[];
  remRep: LadderStep[];
  esc: EscalationStep[];
  fields: FieldRow[];
  /** Files already uploaded with this form (kept across re-renders as hidden fields `sha256 name`). */
  attachments: { sha256: string; name: string }[];
}

/** Rows each ladder shows; empty rows are ignored. */
export const ladderRows = 3;

const blankStep = (): LadderStep => ({ amount: '', unit: 'h' });
const padSteps = <T>(steps: T[], blank: () => T): T[] => [
  ...steps,
  ...Array.from({ length: Math.max(0, ladderRows - steps.length) }, blank),
];
const blankField = (): FieldRow => ({ key: '', label: '', type: 'text', required: false, options: '' });

/** A Tehran wall-clock time `hours` from now, rounded up to the hour, as the form shows it. */
function proposedDeadline(now: Date, hours: number): string {
  const t = new Date(now.getTime() + hours * 3_600_000);
  t.setUTCMinutes(t.getUTCMinutes() >= 30 ? 90 : 30, 0, 0); // Tehran is UTC+03:30: whole Tehran hours are :30 UTC.
  return formatJalaliDateTime(t);
}

/** A fresh form, optionally prefilled from a template; deadlines are proposed from `now`. */
export function initialValues(template: DirectiveTemplate | undefined, now = new Date()): NewDirectiveValues {
  return {
    clientRequestId: `dash-${randomUUID()}`,
    template: template?.id,
    title: template?.title ?? '',
    body: template?.body ?? '',
    priority: template?.priority ?? 'urgent',
    acceptance: 'manual',
    targetMode: 'under',
    counties: [],
    units: [],
    acknowledgeBy: proposedDeadline(now, 24),
    acknowledgeByKind: 'jalali',
    reportBy: proposedDeadline(now, 72),
    reportByKind: 'jalali',
    remAck: padSteps([{ amount: '2', unit: 'h' }], blankStep),
    remRep: padSteps([{ amount: '1', unit: 'd' }], blankStep),
    esc: padSteps<EscalationStep>(
      [
        { amount: '2', unit: 'h', notify: 'deputy' },
        { amount: '24', unit: 'h', notify: 'governor' },
      ],
      () => ({ ...blankStep(), notify: 'governor' }),
    ),
    fields: (template?.form ?? []).map((f): FieldRow => ({
      key: f.key,
      label: f.label,
      type: f.type,
      required: f.required,
      options: (f.options ?? []).join('، '),
    })),
    attachments: [],
  };
}

const unitOf = (v: unknown): LadderUnit => ladderUnits.find((u) => u === one(v)) ?? 'h';
const kindOf = (v: unknown): DeadlineKind => deadlineKinds.find((k) => k === one(v)) ?? 'jalali';

/** Reads the posted form back into values; `addField` adds one empty report-form row. */
export function readValues(body: Record<string, unknown>): NewDirectiveValues {
  const steps = (prefix: string) =>
    Array.from({ length: ladderRows }, (_, i) => ({
      amount: one(body[`${prefix}.${i}.amount`]) ?? '',
      unit: unitOf(body[`${prefix}.${i}.unit`]),
    }));
  const count = Math.min(50, Math.max(0, Number(one(body.fieldCount) ?? 0) || 0));
  const fields = Array.from({ length: count }, (_, i): FieldRow => {
    const type = formFieldTypes.find((t) => t === one(body[`f.${i}.type`])) ?? 'text';
    return {
      key: one(body[`f.${i}.key`]) ?? '',
      label: one(body[`f.${i}.label`]) ?? '',
      type,
      required: one(body[`f.${i}.required`]) === 'on',
      options: one(body[`f.${i}.options`]) ?? '',
    };
  });
  const mode = one(body.targetMode);
  return {
    clientRequestId: one(body.clientRequestId) ?? `dash-${randomUUID()}`,
    template: one(body.template),
    title: typeof body.title === 'string' ? body.title : '',
    body: typeof body.body === 'string' ? body.body : '',
    priority: one(body.priority) ?? 'normal',
    acceptance: one(body.acceptance) === 'automatic' ? 'automatic' : 'manual',
    targetMode: mode === 'all' || mode === 'list' ? mode : 'under',
    counties: many(body.county),
    units: many(body.unit),
    acknowledgeBy: one(body.acknowledgeBy) ?? '',
    acknowledgeByKind: kindOf(body.acknowledgeByKind),
    reportBy: one(body.reportBy) ?? '',
    reportByKind: kindOf(body.reportByKind),
    remAck: steps('remAck'),
    remRep: steps('remRep'),
    esc: steps('esc').map((s, i) => ({
      ...s,
      notify: one(body[`esc.${i}.notify`]) === 'deputy' ? 'deputy' : 'governor',
    })),
    fields,
    attachments: many(body.attachment).flatMap((a) => {
      const m = /^([0-9a-f]{64}) (.+)$/s.exec(a);
      return m ? [{ sha256: m[1], name: m[2] }] : [];
    }),
  };
}

/** The values with one more empty report-form row (the "add field" button). */
export function withExtraField(values: NewDirectiveValues): NewDirectiveValues {
  return { ...values, fields: [...values.fields, blankField()] };
}

/** Rows to render: at least one, so an empty form still offers a row. */
export function fieldRowsToRender(values: NewDirectiveValues): FieldRow[] {
  return values.fields.length > 0 ? values.fields : [blankField()];
}

/**
 * Converts the form to the API's directive input. Dates are read here (so their errors name the form's
 * fields); everything else is left to the API's schema, and `toFormField` maps its paths back. Empty ladder
 * and report-form rows are dropped; `*Index` remember which form row each kept entry came from.
 */
export function toDirectiveInput(
  v: NewDirectiveValues,
  now = new Date(),
): { input: DirectiveInputRaw; issues: FieldIssue[]; escIndex: number[]; fieldIndex: number[] } {
  const issues: FieldIssue[] = [];
  // Working time goes to the schema as typed (it resolves it and says what is wrong with it); a Jalali
  // date is read here so that its errors name the form's field.
  const deadline = (
    field: 'acknowledgeBy' | 'reportBy',
    kind: DeadlineKind,
    text: string,
  ): DirectiveInputRaw['reportBy'] => {
    if (!text) issues.push({ path: field, message: 'is required' });
    if (kind === 'workingDays') return { workingDays: Number(toAsciiDigits(text).trim() || NaN) };
    if (kind === 'workingHours') return { workingHours: Number(toAsciiDigits(text).trim() || NaN) };
    const iso = jalaliField({ [field]: text }, field, issues);
    // The schema says this too, but only once every other field parses; saying it now shows all date errors at once.
    if (iso && Date.parse(iso) <= now.getTime()) issues.push({ path: field, message: 'must be in the future' });
    return iso ?? '';
  };
  const acknowledgeBy = deadline('acknowledgeBy', v.acknowledgeByKind, v.acknowledgeBy);
  const reportBy = deadline('reportBy', v.reportByKind, v.reportBy);
  const duration = (s: LadderStep, field: string): string | null => {
    const amount = toAsciiDigits(s.amount).trim();
    if (!/^\d{1,4}$/.test(amount) || Number(amount) === 0) {
      issues.push({ path: field, message: 'must be a duration' });
      return null;
    }
    return `${Number(amount)}${s.unit}`;
  };
  const ladder = (steps: LadderStep[], field: string) =>
    steps
      .flatMap((s, i) => (s.amount.trim() ? [duration(s, `${field}.${i}`)] : []))
      .filter((d): d is string => d !== null);
  const escIndex: number[] = [];
  const escalation = v.esc.flatMap((s, i) => {
    if (!s.amount.trim()) return [];
    const after = duration(s, `esc.${i}`);
    if (!after) return [];
    escIndex.push(i);
    return [{ after, notify: s.notify }];
  });
  const fieldIndex: number[] = [];
  const form = v.fields.flatMap((f, i) => {
    if (!f.key.trim() && !f.label.trim()) return [];
    fieldIndex.push(i);
    const options = f.options
      .split(/[،,\n]/)
      .map((o) => o.trim())
      .filter(Boolean);
    return [
      {
        key: f.key.trim(),
        label: f.label,
        type: f.type,
        required: f.required,
        ...(f.type === 'choice' || options.length ? { options } : {}),
      },
    ];
  });
  const targets =
    v.targetMode === 'all'
      ? { mode: 'all' as const }
      : v.targetMode === 'under'
        ? { mode: 'under' as const, parents: v.counties }
        : { mode: 'list' as const, codes: v.units };
  return {
    input: {
      clientRequestId: v.clientRequestId,
      title: v.title,
      body: v.body,
      priority: v.priority as DirectiveInputRaw['priority'],
      acceptance: v.acceptance as DirectiveInputRaw['acceptance'],
      targets,
      acknowledgeBy,
      reportBy,
      reminders: { acknowledge: ladder(v.remAck, 'remAck'), report: ladder(v.remRep, 'remRep') },
      escalation,
      form,
      // Type and size come from the upload's record (resolveAttachments); these are placeholders.
      attachments: v.attachments.map((a) => ({ ...a, size: 0, contentType: 'application/octet-stream' })),
    },
    issues,
    escIndex,
    fieldIndex,
  };
}

/**
 * The form field an API issue belongs to: `targets.codes.3` → `targets`, `escalation.1.after` → `esc.N`
 * (N the form row it came from), `form.2.options` → `f.N.options`, and so on; `(form)` when none fits.
 */
export function toFormField(path: string, escIndex: number[], fieldIndex: number[]): string {
  const parts = path.split('.');
  switch (parts[0]) {
    case 'title':
    case 'body':
    case 'priority':
    case 'acknowledgeBy':
    case 'reportBy':
    case 'acceptance':
      return parts[0];
    case 'targets':
      return 'targets';
    case 'attachments':
    case 'file':
      return 'attachments';
    case 'reminders':
      return parts[1] === 'acknowledge' ? 'remAck' : 'remRep';
    case 'escalation':
      return parts[1] !== undefined ? `esc.${escIndex[Number(parts[1])] ?? parts[1]}` : 'esc';
    case 'form': {
      if (parts[1] === undefined) return 'fields';
      const row = fieldIndex[Number(parts[1])] ?? Number(parts[1]);
      return ['key', 'label', 'options', 'type'].includes(parts[2]) ? `f.${row}.${parts[2]}` : `f.${row}`;
    }
    case 'remAck':
    case 'remRep':
      return parts[0];
    case 'esc':
    case 'f':
      return path;
    default:
      return '(form)';
  }
}
