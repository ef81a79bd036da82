import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import {
  acceptReportUpdate,
  decideExtensionUpdate,
  exemptUpdate,
  extendDeadlineUpdate,
  remindUpdate,
  returnReportUpdate,
  revokeLinksUpdate,
  type UnitUpdateResult,
} from '../../workflows/contract';
import type { Actor, RequestMeta } from '../../workflows/types';
import type { TemporalGateway } from '../temporal-gateway';
import {
  acceptBodySchema,
  decisionBodySchema,
  exemptBodySchema,
  extendBodySchema,
  remindBodySchema,
  returnBodySchema,
  revokeLinksBodySchema,
} from './schemas';

/** What a command needs besides its body: the extension request it decides, for `decide-extension`. */
export interface CommandTarget {
  requestId?: string;
}

/** One office action on one unit: the body it takes and the workflow update it sends. */
export interface UnitCommand<S extends z.ZodType, A extends { by: Actor; meta?: RequestMeta }> {
  /** The API's route below `/directives/{id}/units/{code}/`, its operation id and summary. */
  route: { path: string; operationId: string; summary: string };
  body: S;
  update: UpdateDefinition<UnitUpdateResult, [A]>;
  /** The update's arguments from the parsed body; the caller adds who and the request's metadata. */
  args: (body: z.infer<S>, target: CommandTarget) => NoInfer<Omit<A, 'by' | 'meta'>>;
}

const command = <S extends z.ZodType, A extends { by: Actor; meta?: RequestMeta }>(c: UnitCommand<S, A>) => c;

/**
 * The office's actions on one unit, defined once: the API's routes, the dashboard's forms and the CLI all
 * validate a body with these schemas and send these updates, so the surfaces cannot drift apart.
 */
export const unitCommands = {
  extend: command({
    route: { path: 'extend', operationId: 'extendUnit', summary: "Extend one unit's deadlines." },
    body: extendBodySchema,
    update: extendDeadlineUpdate,
    args: (b) => ({ acknowledgeBy: b.acknowledgeBy, reportBy: b.reportBy, reason: b.reason }),
  }),
  'decide-extension': command({
    route: {
      path: 'extension-requests/{requestId}/decision',
      operationId: 'decideExtension',
      summary: "Approve or refuse a unit's extension request.",
    },
    body: decisionBodySchema,
    update: decideExtensionUpdate,
    args: (b, target) => ({
      requestId: target.requestId ?? '',
      approved: b.approved,
      until: b.approved ? b.until : undefined,
      note: b.note,
    }),
  }),
  accept: command({
    route: { path: 'accept', operationId: 'acceptReport', summary: "Accept a unit's report." },
    body: acceptBodySchema,
    update: acceptReportUpdate,
    args: (b) => ({ note: b.note }),
  }),
  return: command({
    route: {
      path: 'return',
      operationId: 'returnReport',
      summary: "Return a unit's report for correction (optionally with a new report deadline).",
    },
    body: returnBodySchema,
    update: returnReportUpdate,
    args: (b) => ({ reason: b.reason, reportBy: b.reportBy }),
  }),
  exempt: command({
    route: { path: 'exempt', operationId: 'exemptUnit', summary: 'Exempt a unit from the directive.' },
    body: exemptBodySchema,
    update: exemptUpdate,
    args: (b) => ({ reason: b.reason }),
  }),
  remind: command({
    route: { path: 'remind', operationId: 'remindUnit', summary: 'Remind one unit now.' },
    body: remindBodySchema,
    update: remindUpdate,
    args: (b) => ({ note: b.note }),
  }),
  'revoke-links': command({
    route: {
      path: 'revoke-links',
      operationId: 'revokeUnitLinks',
      summary: "Revoke the unit's e-mailed links (a new link goes out with the next message).",
    },
    body: revokeLinksBodySchema,
    update: revokeLinksUpdate,
    args: () => ({}),
  }),
};

export type UnitCommandName = keyof typeof unitCommands;

export const unitCommandNames = Object.keys(unitCommands) as UnitCommandName[];

export function isUnitCommandName(value: string): value is UnitCommandName {
  return Object.hasOwn(unitCommands, value);
}

/**
 * Sends a unit command whose body was parsed with its schema, attributed to `by`; the submission id is the
 * update id, so a retried request is recorded once.
 */
export function runUnitCommand(
  gateway: TemporalGateway,
  name: UnitCommandName,
  at: { directiveId: string; unitCode: string } & CommandTarget,
  body: unknown,
  by: Actor,
  meta: RequestMeta,
  submissionId: string,
): Promise<UnitUpdateResult> {
  const c = unitCommands[name] as unknown as UnitCommand<z.ZodType, { by: Actor; meta?: RequestMeta }>;
  return gateway.unitUpdate(at.directiveId, at.unitCode, c.update, { ...c.args(body, at), by, meta }, submissionId);
}

/** The text fields a person fills in for a unit command, on the dashboard's form or the CLI's options. */
export interface CommandText {
  reason?: string;
  note?: string;
  /** Jalali date-times (Persian or ASCII digits), read in Asia/Tehran. */
  acknowledgeBy?: string;
  reportBy?: string;
  until?: string;
  decision?: string;
}

/**
 * A command's body from what a person typed, to be checked by the command's schema like an API body:
 * date-times become `{ jalali }` instants, a decision (approve or reject) becomes `approved`, and empty
 * fields are left out so the schema names what is missing.
 */
export function commandBody(name: UnitCommandName, fields: CommandText): Record<string, unknown> {
  const text = (v: string | undefined) => v?.trim() || undefined;
  const instant = (v: string | undefined) => (text(v) ? { jalali: text(v) } : undefined);
  switch (name) {
    case 'extend':
      return {
        acknowledgeBy: instant(fields.acknowledgeBy),
        reportBy: instant(fields.reportBy),
        reason: text(fields.reason),
      };
    case 'decide-extension': {
      const approved = fields.decision === 'approve' ? true : fields.decision === 'reject' ? false : undefined;
      return { approved, until: instant(fields.until), note: text(fields.note) };
    }
    case 'return':
      return { reason: text(fields.reason), reportBy: instant(fields.reportBy) };
    case 'exempt':
      return { reason: text(fields.reason) };
    case 'accept':
    case 'remind':
      return { note: text(fields.note) };
    case 'revoke-links':
      return {};
  }
}
