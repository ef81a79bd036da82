import { formatDuration } from '../../lib/duration';
import type { FileStore } from '../../lib/file-store';
import { JalaliDateError, parseJalaliDateTime } from '../../lib/jalali';
import type { Actor, RequestMeta } from '../../workflows/types';
import { amendDirective, cancelDirective, closeDirective } from '../directives/amend-directive';
import { ValidationFailed, type FieldIssue } from '../errors';
import { parseWith } from '../office/operation';
import { extendBodySchema } from '../office/schemas';
import { extendAllUnits } from '../office/unit-actions';
import {
  commandBody,
  isUnitCommandName,
  runUnitCommand,
  unitCommands,
  type CommandText,
  type UnitCommandName,
} from '../office/unit-commands';
import type { TemporalGateway } from '../temporal-gateway';
import { one } from './query-params';

/** The office's actions on a directive page. Directive-wide ones have no unit; the rest need one. */
export const directiveActions = ['amend', 'cancel', 'close', 'extend-all'] as const;
export type OfficeAction = (typeof directiveActions)[number] | UnitCommandName;

export function parseOfficeAction(value: string): OfficeAction | undefined {
  return directiveActions.find((a) => a === value) ?? (isUnitCommandName(value) ? value : undefined);
}

export interface OfficeActionDeps {
  gateway: TemporalGateway;
  files: FileStore;
}

/** What an action did, for the confirmation shown after the redirect. */
export interface ActionOutcome {
  /** Units the action changed (1 for a unit action). */
  changed: number;
  /** Units it could not change (extend-all skips closed units and reports those that refused). */
  failed: number;
}

type Form = Record<string, unknown>;

/**
 * Runs one office action from a dashboard form, through the same use cases and workflow updates as the
 * API, attributed to `by`. The form's submission id is the update id, so a repeated submission of the
 * same rendered form is applied once. Bad input throws ValidationFailed with the form's field names as
 * paths; a refused transition throws the gateway's Rejected.
 */
export async function runOfficeAction(
  deps: OfficeActionDeps,
  directiveId: string,
  action: OfficeAction,
  form: Form,
  by: Actor,
  meta: RequestMeta,
): Promise<ActionOutcome> {
  const submissionId = one(form.submissionId);
  if (!submissionId || !/^[\w-]{8,100}$/.test(submissionId))
    throw new ValidationFailed([{ path: 'submissionId', message: 'is required' }]);
  const withSubmission = { ...meta, submissionId };
  const unit = () => {
    const code = one(form.unit);
    if (!code) throw new ValidationFailed([{ path: 'unit', message: 'is required' }]);
    return code;
  };
  const done = { changed: 1, failed: 0 };
  switch (action) {
    case 'amend': {
      const { spec } = await deps.gateway.directiveDocument(directiveId);
      const issues: FieldIssue[] = [];
      const acknowledgeBy = jalaliField(form, 'acknowledgeBy', issues) ?? spec.acknowledgeBy;
      const reportBy = jalaliField(form, 'reportBy', issues) ?? spec.reportBy;
      if (issues.length) throw new ValidationFailed(issues);
      // The amendment schema defaults every omitted field, so the ladder and form are sent back as they are.
      const body = {
        title: one(form.title) ?? '',
        body: one(form.body) ?? '',
        priority: one(form.priority) ?? spec.priority,
        acknowledgeBy,
        reportBy,
        reminders: {
          acknowledge: spec.reminders.acknowledge.map(formatDuration),
          report: spec.reminders.report.map(formatDuration),
        },
        escalation: spec.escalation.map((l) => ({ after: formatDuration(l.after), notify: l.notify })),
        form: spec.form,
        attachments: spec.attachments,
        acceptance: spec.acceptance,
        smsForUrgent: spec.smsForUrgent,
      };
      await amendDirective(deps, directiveId, body, by, withSubmission);
      return done;
    }
    case 'cancel':
      await cancelDirective(deps, directiveId, requiredText(form, 'reason'), by, withSubmission);
      return done;
    case 'close':
      await closeDirective(deps, directiveId, requiredText(form, 'reason'), by, withSubmission);
      return done;
    case 'extend-all': {
      const { acknowledgeBy, reportBy, reason } = parseWith(
        extendBodySchema,
        commandBody('extend', formText(form)),
        'form',
      );
      const result = await extendAllUnits(
        deps.gateway,
        directiveId,
        { acknowledgeBy, reportBy, reason },
        by,
        withSubmission,
        submissionId,
      );
      return { changed: result.done.length, failed: result.skipped.length };
    }
    default: {
      const name = action;
      const body = parseWith(unitCommands[name].body, commandBody(name, formText(form)), 'form');
      const target = {
        directiveId,
        unitCode: unit(),
        requestId: name === 'decide-extension' ? requiredText(form, 'requestId') : undefined,
      };
      await runUnitCommand(deps.gateway, name, target, body, by, withSubmission, submissionId);
      return done;
    }
  }
}

/** The text fields of a unit action's form. */
function formText(form: Form): CommandText {
  const fields = ['reason', 'note', 'acknowledgeBy', 'reportBy', 'until', 'decision'] as const;
  return Object.fromEntries(fields.map((f) => [f, one(form[f])]));
}

function requiredText(form: Form, field: string): string {
  const value = one(form[field]);
  if (!value) throw new ValidationFailed([{ path: field, message: 'is required' }]);
  return value;
}

/**
 * Reads an optional Jalali date-time field (Persian, Arabic-Indic or ASCII digits) as an ISO instant;
 * records a field issue when it is present but not a date.
 */
export function jalaliField(form: Form, field: string, issues: FieldIssue[]): string | undefined {
  const text = one(form[field]);
  if (!text) return undefined;
  try {
    return parseJalaliDateTime(text).toISOString();
  } catch (err) {
    issues.push({
      path: field,
      message: err instanceof JalaliDateError ? 'not a valid Jalali date-time' : String(err),
    });
    return undefined;
  }
}
