import { formatJalaliDateTime } from '../lib/jalali';
import { toPersianDigits } from '../lib/persian-text';
import type { SendUnitMailInput, SendUnitMailResult } from '../activities/unit-mail';
import { parseUnitWorkflowId, type DirectiveLogEntry } from '../workflows/contract';
import type { Actor, DirectiveWorkflowInput } from '../workflows/types';
import type { MailRequest, Transition } from '../workflows/unit-state';
import { readHistoryFacts, type HistoryFacts } from './history-facts';
import type { JsonHistory } from './history-json';

/**
 * The auditor's timeline of a directive, built from recorded histories alone (never from a query to the
 * workflow): who issued it, every transition each unit went through with who caused it, and every e-mail
 * with its Message-ID, recipient and outcome as the `sendUnitMail` activity reported it. Each entry carries
 * the ISO instant and the Jalali Tehran time.
 */

export type TimelineKind =
  | 'directive-issued'
  | 'directive-amended'
  | 'directive-cancelled'
  | 'directive-closed'
  | 'directive-completed'
  | 'unit-issued'
  | 'acknowledged'
  | 'report-submitted'
  | 'extension-requested'
  | 'extension-decided'
  | 'deadline-extended'
  | 'report-accepted'
  | 'report-returned'
  | 'exempted'
  | 'amended'
  | 'cancelled'
  | 'closed'
  | 'reminder-due'
  | 'reminder-requested'
  | 'deadline-missed'
  | 'escalation'
  | 'links-revoked'
  | 'sms-receipt'
  | 'mail-sent'
  | 'mail-failed'
  | 'mail-pending';

export type DetailValue = string | number | boolean | null;

export interface TimelineEntry {
  /** ISO-8601 instant (UTC). */
  at: string;
  /** The same instant as Jalali date and Tehran time to the second, Persian digits: «۱۴۰۵/۰۹/۰۷ ساعت ۱۴:۳۰:۰۵». */
  jalali: string;
  workflowId: string;
  /** The unit's code; null for the directive's own entries. */
  unit: string | null;
  kind: TimelineKind;
  /** Who caused it: `office:<id> (<name>)`, `unit:<code>`, `system:farman`; null for e-mails. */
  actor: string | null;
  /** One line, in English, for the command line and the CSV. */
  summary: string;
  details: Record<string, DetailValue>;
  /** The history event the entry was read from. */
  eventId: number;
}

/** One workflow's recorded history, with the workflow ID it ran under. */
export interface SourcedHistory {
  workflowId: string;
  history: JsonHistory;
}

/** Formats an actor as `kind:id (name)`. */
export function formatActor(actor: Actor | undefined): string | null {
  if (!actor) return null;
  return `${actor.kind}:${actor.id}${actor.name ? ` (${actor.name})` : ''}`;
}

/** Jalali date and Tehran time with seconds: deadlines in a scenario can be seconds apart. */
export function jalaliWithSeconds(at: string): string {
  const seconds = Math.floor(Date.parse(at) / 1000) % 60;
  return `${formatJalaliDateTime(at)}:${toPersianDigits(String(seconds).padStart(2, '0'))}`;
}

function entry(
  at: string,
  workflowId: string,
  unit: string | null,
  kind: TimelineKind,
  actor: string | null,
  summary: string,
  details: Record<string, DetailValue>,
  eventId: number,
): TimelineEntry {
  return {
    at: new Date(at).toISOString(),
    jalali: jalaliWithSeconds(at),
    workflowId,
    unit,
    kind,
    actor,
    summary,
    details,
    eventId,
  };
}

const meta = (m: Transition['meta']): Record<string, DetailValue> => ({
  submissionId: m?.submissionId ?? null,
  requestId: m?.requestId ?? null,
  ip: m?.ip ?? null,
});

/** The directive's own entries: issue (with the document's title and deadlines), amendments, cancellation, closing, completion. */
export function directiveEntries(workflowId: string, facts: HistoryFacts): TimelineEntry[] {
  const input = facts.input as DirectiveWorkflowInput | undefined;
  const out: TimelineEntry[] = [];
  for (const recorded of facts.transitions) {
    const t = recorded.value as DirectiveLogEntry | undefined;
    if (!t?.event) continue;
    const actor = formatActor(t.by);
    const e = t.event;
    switch (e.type) {
      case 'issued':
        out.push(
          entry(
            t.at,
            workflowId,
            null,
            'directive-issued',
            actor,
            `directive issued by ${actor}: "${input?.spec.title ?? ''}" to ${e.units} units, acknowledge by ${input?.spec.acknowledgeBy ?? '?'}, report by ${input?.spec.reportBy ?? '?'}`,
            {
              version: e.version,
              units: e.units,
              title: input?.spec.title ?? null,
              priority: input?.spec.priority ?? null,
              acknowledgeBy: input?.spec.acknowledgeBy ?? null,
              reportBy: input?.spec.reportBy ?? null,
              ...meta(t.meta),
            },
            recorded.eventId,
          ),
        );
        break;
      case 'amended':
        out.push(
          entry(
            t.at,
            workflowId,
            null,
            'directive-amended',
            actor,
            `directive amended to version ${e.version} by ${actor}: ${e.changes.join(', ')}`,
            { version: e.version, changes: e.changes.join(', '), ...meta(t.meta) },
            recorded.eventId,
          ),
        );
        break;
      case 'cancelled':
        out.push(
          entry(
            t.at,
            workflowId,
            null,
            'directive-cancelled',
            actor,
            `directive cancelled by ${actor}: ${e.reason}`,
            { reason: e.reason, ...meta(t.meta) },
            recorded.eventId,
          ),
        );
        break;
      case 'closed':
        out.push(
          entry(
            t.at,
            workflowId,
            null,
            'directive-closed',
            actor,
            `directive closed by ${actor}: ${e.reason}`,
            { reason: e.reason, ...meta(t.meta) },
            recorded.eventId,
          ),
        );
        break;
      case 'completed':
        out.push(
          entry(
            t.at,
            workflowId,
            null,
            'directive-completed',
            null,
            'directive completed: every unit is done',
            {},
            recorded.eventId,
          ),
        );
        break;
    }
  }
  return out;
}

/** One e-mail of a unit, as its history tells it. */
interface MailFact {
  request: Pick<MailRequest, 'purpose' | 'kind' | 'to' | 'causeSeq'> | undefined;
  result: SendUnitMailResult | undefined;
  outcome: 'pending' | 'completed' | 'failed';
  at: string;
  eventId: number;
  failure: string | null;
}

/**
 * A unit's e-mails. A unit sends each through a local activity, and its `mailRecorded` transition holds the
 * request and the result. A history whose mail ran as activity tasks (the engine's earliest builds, still
 * readable from an archive) holds them in the activity's events, which also show a message still being sent.
 */
function mailsOf(facts: HistoryFacts): MailFact[] {
  const activities = facts.activities.filter((a) => a.activityType === 'sendUnitMail');
  if (activities.length > 0) {
    return activities.map((m) => ({
      request: (m.input as SendUnitMailInput | undefined)?.request,
      result: m.result as SendUnitMailResult | undefined,
      outcome: m.outcome === 'pending' || m.outcome === 'completed' ? m.outcome : 'failed',
      at: m.finishedAt ?? m.scheduledAt,
      eventId: m.scheduledEventId,
      failure: m.failure,
    }));
  }
  return facts.transitions.flatMap((recorded) => {
    const t = recorded.value as Transition | undefined;
    if (t?.event?.type !== 'mailRecorded') return [];
    const { purpose, kind, to, causeSeq, delivered, messageId, recipient, error } = t.event;
    return [
      {
        request: to === undefined || causeSeq === undefined ? undefined : { purpose, kind, to, causeSeq },
        result: { delivered, messageId, recipient, error },
        outcome: 'completed' as const,
        at: t.at,
        eventId: recorded.eventId,
        failure: error ?? null,
      },
    ];
  });
}

/** A unit's entries: its transitions (except the bookkeeping of sent mail) and its e-mails. */
export function unitEntries(workflowId: string, facts: HistoryFacts): TimelineEntry[] {
  const unit =
    parseUnitWorkflowId(workflowId)?.unitCode ?? (facts.input as { unitCode?: string } | undefined)?.unitCode ?? null;
  const mails = mailsOf(facts);
  /** Recipients of the messages each transition caused, for escalations and decisions. */
  const recipientsBySeq = new Map<number, string[]>();
  for (const { request, result } of mails) {
    if (!request || !result?.recipient) continue;
    recipientsBySeq.set(request.causeSeq, [
      ...(recipientsBySeq.get(request.causeSeq) ?? []),
      `${result.recipient.name} <${result.recipient.email}>`,
    ]);
  }
  const out: TimelineEntry[] = [];
  for (const recorded of facts.transitions) {
    const t = recorded.value as Transition | undefined;
    if (!t?.event || t.event.type === 'mailRecorded') continue;
    const actor = formatActor(t.by);
    const add = (kind: TimelineKind, summary: string, details: Record<string, DetailValue> = {}) =>
      out.push(entry(t.at, workflowId, unit, kind, actor, summary, { seq: t.seq, ...details }, recorded.eventId));
    const e = t.event;
    switch (e.type) {
      case 'issued':
        add(
          'unit-issued',
          `unit notified of version ${e.policy.version}: acknowledge by ${e.policy.acknowledgeBy}, report by ${e.policy.reportBy}`,
          {
            version: e.policy.version,
            acknowledgeBy: e.policy.acknowledgeBy,
            reportBy: e.policy.reportBy,
          },
        );
        break;
      case 'acknowledged':
        add('acknowledged', `acknowledged by ${e.name} (${e.position}) as ${actor}`, {
          name: e.name,
          position: e.position,
          ...meta(t.meta),
        });
        break;
      case 'reportSubmitted':
        add('report-submitted', `report submitted by ${e.name} (${e.position}) as ${actor}`, {
          name: e.name,
          position: e.position,
          fields: Object.keys(e.values).length,
          ...meta(t.meta),
        });
        break;
      case 'extensionRequested':
        add('extension-requested', `extension requested until ${e.until} by ${actor}: ${e.reason}`, {
          requestId: e.requestId,
          until: e.until,
          reason: e.reason,
          ...meta(t.meta),
        });
        break;
      case 'extensionDecided':
        add(
          'extension-decided',
          `extension ${e.approved ? 'approved' : 'refused'} by ${actor}${e.until ? ` until ${e.until}` : ''}`,
          {
            requestId: e.requestId,
            approved: e.approved,
            until: e.until ?? null,
            note: e.note ?? null,
            ...meta(t.meta),
          },
        );
        break;
      case 'deadlineExtended':
        add(
          'deadline-extended',
          `deadline extended by ${actor}${e.acknowledgeBy ? `, acknowledge by ${e.acknowledgeBy}` : ''}${e.reportBy ? `, report by ${e.reportBy}` : ''}: ${e.reason}`,
          {
            acknowledgeBy: e.acknowledgeBy ?? null,
            reportBy: e.reportBy ?? null,
            reason: e.reason,
            ...meta(t.meta),
          },
        );
        break;
      case 'reportAccepted':
        add('report-accepted', `report accepted by ${actor}`, { note: e.note ?? null, ...meta(t.meta) });
        break;
      case 'reportReturned':
        add('report-returned', `report returned by ${actor}: ${e.reason}`, {
          reason: e.reason,
          reportBy: e.reportBy ?? null,
          ...meta(t.meta),
        });
        break;
      case 'exempted':
        add('exempted', `exempted by ${actor}: ${e.reason}`, { reason: e.reason, ...meta(t.meta) });
        break;
      case 'amended':
        add('amended', `amendment to version ${e.policy.version} reached the unit (${e.changes.join(', ')})`, {
          version: e.policy.version,
          changes: e.changes.join(', '),
          ...meta(t.meta),
        });
        break;
      case 'cancelled':
        add('cancelled', `cancelled by ${actor}: ${e.reason}`, { reason: e.reason, ...meta(t.meta) });
        break;
      case 'closed':
        add('closed', `closed by ${actor}: ${e.reason}`, { reason: e.reason, ...meta(t.meta) });
        break;
      case 'reminderDue':
        add('reminder-due', `reminder due before the ${e.obligation} deadline`, {
          obligation: e.obligation,
          key: e.key,
        });
        break;
      case 'remindRequested':
        add('reminder-requested', `reminder requested by ${actor}`, { note: e.note ?? null, ...meta(t.meta) });
        break;
      case 'deadlineMissed':
        add('deadline-missed', `${e.obligation} deadline missed`, { obligation: e.obligation, key: e.key });
        break;
      case 'escalationDue': {
        const recipients = recipientsBySeq.get(t.seq)?.join(', ') ?? null;
        add(
          'escalation',
          `escalation level ${e.level} for the missed ${e.obligation} deadline, to the ${e.notify}${recipients ? `: ${recipients}` : ''}`,
          {
            level: e.level,
            obligation: e.obligation,
            notify: e.notify,
            recipients,
          },
        );
        break;
      }
      case 'linksRevoked':
        add('links-revoked', `reply links revoked by ${actor}`, { ...meta(t.meta) });
        break;
      case 'smsReceipt':
        add('sms-receipt', `SMS receipt for ${e.purpose}, part ${e.part + 1}: ${e.state}`, {
          purpose: e.purpose,
          state: e.state,
          smscId: e.smscId,
          doneAt: e.doneAt,
          error: e.error,
        });
        break;
    }
  }
  for (const m of mails) {
    const { request, result } = m;
    const details: Record<string, DetailValue> = {
      purpose: request?.purpose ?? null,
      mailKind: request?.kind ?? null,
      to: request?.to ?? null,
      causeSeq: request?.causeSeq ?? null,
      messageId: result?.messageId ?? null,
      recipient: result?.recipient ? `${result.recipient.name} <${result.recipient.email}>` : null,
      error: result?.error ?? m.failure,
    };
    const what = `${request?.kind ?? 'e-mail'} (${request?.purpose ?? '?'}) to the ${request?.to ?? '?'}`;
    if (m.outcome === 'pending') {
      out.push(entry(m.at, workflowId, unit, 'mail-pending', null, `${what} being sent`, details, m.eventId));
    } else if (m.outcome === 'completed' && result?.delivered) {
      out.push(
        entry(
          m.at,
          workflowId,
          unit,
          'mail-sent',
          null,
          `${what} sent to ${details.recipient}, Message-ID ${result.messageId}`,
          details,
          m.eventId,
        ),
      );
    } else {
      out.push(
        entry(
          m.at,
          workflowId,
          unit,
          'mail-failed',
          null,
          `${what} not delivered${details.recipient ? ` to ${details.recipient}` : ''}: ${details.error ?? 'unknown'}`,
          details,
          m.eventId,
        ),
      );
    }
  }
  return out;
}

/**
 * The timeline of a set of histories (a directive's own, its shards' and its units'), in time order; entries
 * at the same instant keep the directive first, then the history's own event order. Shard histories add no
 * entries: their units have their own histories. `unit` keeps only that unit's entries and the directive's.
 */
export function buildTimeline(histories: SourcedHistory[], options: { unit?: string } = {}): TimelineEntry[] {
  const all: TimelineEntry[] = [];
  for (const { workflowId, history } of histories) {
    const facts = readHistoryFacts(history);
    if (facts.workflowType === 'directiveWorkflow') all.push(...directiveEntries(workflowId, facts));
    else if (facts.workflowType === 'unitWorkflow') all.push(...unitEntries(workflowId, facts));
  }
  const kept = options.unit ? all.filter((e) => e.unit === null || e.unit === options.unit) : all;
  return kept
    .map((e, i) => ({ e, i }))
    .sort(
      (a, b) =>
        Date.parse(a.e.at) - Date.parse(b.e.at) ||
        (a.e.unit === null ? 0 : 1) - (b.e.unit === null ? 0 : 1) ||
        a.i - b.i,
    )
    .map(({ e }) => e);
}
