import type {
  Actor,
  ComplianceState,
  EscalationTarget,
  ReportValues,
  RequestMeta,
  UnitPolicy,
  UnitSummary,
} from './types';
import { validateReport } from './report-form';
import type { MailKind, SmsDeliveryState } from '../domain/mail-kind';

/**
 * One unit's compliance timeline as a pure state machine. The unit workflow folds every transition
 * through `applyTransition`, and records each transition in its history (as a memo upsert), so an auditor
 * can rebuild the state at any instant with this same code. Nothing here may read a clock or random
 * numbers: every time comes in with the transition.
 */

export type Obligation = 'acknowledge' | 'report';

/** Recipients of a message: the unit's head or one of its escalation contacts. */
export type MailRecipientRole = 'head' | EscalationTarget;

export type { MailKind } from '../domain/mail-kind';

export type UnitEvent =
  | { type: 'issued'; policy: UnitPolicy; unitCode: string }
  | { type: 'acknowledged'; name: string; position: string }
  | { type: 'reportSubmitted'; values: ReportValues; name: string; position: string }
  | { type: 'extensionRequested'; requestId: string; until: string; reason: string }
  | { type: 'extensionDecided'; requestId: string; approved: boolean; until?: string; note?: string }
  | { type: 'deadlineExtended'; acknowledgeBy?: string; reportBy?: string; reason: string }
  | { type: 'reportAccepted'; note?: string }
  | { type: 'reportReturned'; reason: string; reportBy?: string }
  | { type: 'exempted'; reason: string }
  | { type: 'amended'; policy: UnitPolicy; changes: string[] }
  | { type: 'cancelled'; reason: string }
  | { type: 'closed'; reason: string }
  | { type: 'reminderDue'; obligation: Obligation; key: string }
  | { type: 'deadlineMissed'; obligation: Obligation; key: string }
  | { type: 'escalationDue'; obligation: Obligation; level: number; notify: EscalationTarget; key: string }
  | { type: 'remindRequested'; note?: string }
  | { type: 'linksRevoked' }
  | SmsReceiptEvent
  | {
      type: 'mailRecorded';
      purpose: string;
      kind: MailKind;
      delivered: boolean;
      messageId: string;
      recipient: { role: MailRecipientRole; name: string; title: string; email: string } | null;
      error?: string;
      /** Who the message was for and which transition caused it; recorded since mail became a local activity. */
      to?: MailRecipientRole;
      causeSeq?: number;
      /** What each channel did (e-mail, SMS, a fallback); absent for a message that went by e-mail alone. */
      channels?: MailChannelRecord[];
    };

/** One channel's outcome of a message, as the mail activity returns it (activities/unit-mail.ts). */
export interface MailChannelRecord {
  channel: 'email' | 'sms';
  /** The mail relay or the SMSC accepted it (a delivery receipt may tell more later). */
  delivered: boolean;
  /** The e-mail address or the mobile number (E.164) it went to. */
  to: string;
  /** The Message-ID or the SMS reference, both deterministic per unit and purpose. */
  reference: string;
  error?: string;
  /** Sent because the person's own channels had failed for good. */
  fallback?: boolean;
  /** SMS only: the parts and the SMSC's id of each. */
  parts?: number;
  smscIds?: string[];
}

/**
 * The SMSC's delivery receipt for one part of a unit's text message: delivered, failed or expired, with the
 * SMSC's own time. Recorded as it arrives (a signal from the worker that holds the SMPP session); it changes
 * no state, so a late or repeated receipt is harmless.
 */
export interface SmsReceiptEvent {
  type: 'smsReceipt';
  purpose: string;
  reference: string;
  smscId: string;
  part: number;
  state: SmsDeliveryState;
  /** The SMSC's time of the final state, ISO, or null. */
  doneAt: string | null;
  error: string | null;
}

export type UnitEventType = UnitEvent['type'];

/** A recorded transition: the event, when it was applied, by whom and with what request metadata. */
export interface Transition {
  seq: number;
  at: string;
  by: Actor;
  meta?: RequestMeta;
  event: UnitEvent;
}

export interface ReportRecord {
  values: ReportValues;
  submittedAt: string;
  by: Actor;
  name: string;
  position: string;
  version: number;
}

export interface ExtensionRequest {
  requestId: string;
  requestedAt: string;
  until: string;
  reason: string;
  by: Actor;
  decision?: { approved: boolean; until?: string; note?: string; at: string; by: Actor };
}

/** A message the workflow must send because of a transition; `purpose` makes its Message-ID. */
export interface MailRequest {
  purpose: string;
  kind: MailKind;
  to: MailRecipientRole;
  /** The transition that caused it. */
  causeSeq: number;
  /** Kind-specific details for the template (reason, new deadline, changes…). */
  details: Record<string, string | number | boolean | string[] | null>;
}

export interface UnitState {
  unitCode: string;
  policy: UnitPolicy;
  state: ComplianceState;
  /** The state a closed unit was in when the directive closed. */
  closedFrom: ComplianceState | null;
  /** Version of the directive last acknowledged, or 0. */
  acknowledgedVersion: number;
  acknowledgedAt: string | null;
  acknowledgedBy: { name: string; position: string } | null;
  /** The report currently submitted (state reported/accepted). */
  report: ReportRecord | null;
  /** The last report, kept as a draft when an amendment or a return re-opens the report. */
  draft: ReportValues | null;
  reportedAt: string | null;
  /** When the current obligations began: issue, or the last amendment. */
  obligationsSince: string;
  overdue: Obligation | null;
  escalationLevel: number;
  remindersSent: number;
  escalationsSent: number;
  /** Keys of timer events already applied (reminders, missed deadlines, escalation levels). */
  fired: string[];
  extensionRequests: ExtensionRequest[];
  linkGeneration: number;
  undeliverable: boolean;
  mailFailures: number;
  mailSent: number;
  seq: number;
  log: Transition[];
}

/**
 * Why a unit refuses a reply or an action, one vocabulary from the state machine through the workflow's
 * update failure (its `type`) to the API (api/errors.ts) and the pages: `closed` (the unit's work is over),
 * `not-allowed` (not in this state), `invalid` (bad fields), `unknown` (names nothing the unit has),
 * `link-revoked` (the reply came through a link of an older generation).
 */
export const refusalCodes = ['closed', 'not-allowed', 'invalid', 'unknown', 'link-revoked'] as const;
export type RefusalCode = (typeof refusalCodes)[number];

export class TransitionRejected extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly fields?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'TransitionRejected';
  }
}

export const terminalStates: readonly ComplianceState[] = ['accepted', 'exempted', 'cancelled', 'closed'];

export function isTerminal(s: UnitState): boolean {
  return terminalStates.includes(s.state);
}

/** The state before any transition; the `issued` transition fills it. */
export function emptyState(unitCode: string, policy: UnitPolicy, at: string): UnitState {
  return {
    unitCode,
    policy,
    state: 'notified',
    closedFrom: null,
    acknowledgedVersion: 0,
    acknowledgedAt: null,
    acknowledgedBy: null,
    report: null,
    draft: null,
    reportedAt: null,
    obligationsSince: at,
    overdue: null,
    escalationLevel: 0,
    remindersSent: 0,
    escalationsSent: 0,
    fired: [],
    extensionRequests: [],
    linkGeneration: 1,
    undeliverable: false,
    mailFailures: 0,
    mailSent: 0,
    seq: 0,
    log: [],
  };
}

const reportOpenStates: readonly ComplianceState[] = ['notified', 'acknowledged', 'returned'];

function pending(s: UnitState, obligation: Obligation): boolean {
  if (isTerminal(s)) return false;
  if (obligation === 'acknowledge') return s.acknowledgedVersion !== s.policy.version;
  return reportOpenStates.includes(s.state);
}

function deadlineOf(s: UnitState, obligation: Obligation): string {
  return obligation === 'acknowledge' ? s.policy.acknowledgeBy : s.policy.reportBy;
}

const missKey = (obligation: Obligation, deadline: string) => `miss:${obligation}@${deadline}`;

function isMissed(s: UnitState, obligation: Obligation): boolean {
  return pending(s, obligation) && s.fired.includes(missKey(obligation, deadlineOf(s, obligation)));
}

/** Recomputes the derived overdue flag and the current escalation level after a transition. */
function refreshOverdue(s: UnitState): void {
  const missed = (['acknowledge', 'report'] as const).find((o) => isMissed(s, o)) ?? null;
  if (missed !== s.overdue) s.escalationLevel = 0;
  s.overdue = missed;
  if (missed) {
    const prefix = `esc:${missed}@${deadlineOf(s, missed)}#`;
    s.escalationLevel = s.fired.filter((k) => k.startsWith(prefix)).length;
  }
}

/**
 * Checks whether an event may be applied now. Throws `TransitionRejected` with the reason; returns nothing
 * when the event is allowed. Workflow update validators call this, so it must stay synchronous.
 */
export function checkTransition(s: UnitState, event: UnitEvent, at: string): void {
  const closedReason = () =>
    s.state === 'cancelled'
      ? 'the directive was cancelled'
      : s.state === 'closed'
        ? 'the directive was closed'
        : `the unit is already ${s.state}`;
  switch (event.type) {
    case 'acknowledged':
      if (isTerminal(s)) throw new TransitionRejected('closed', closedReason());
      if (s.acknowledgedVersion === s.policy.version)
        throw new TransitionRejected('not-allowed', `version ${s.policy.version} is already acknowledged`);
      requireText(event.name, 'name');
      requireText(event.position, 'position');
      return;
    case 'reportSubmitted': {
      if (isTerminal(s)) throw new TransitionRejected('closed', closedReason());
      if (!reportOpenStates.includes(s.state))
        throw new TransitionRejected('not-allowed', 'a report is already submitted and awaits the office');
      requireText(event.name, 'name');
      requireText(event.position, 'position');
      const problems = validateReport(s.policy.form, event.values);
      if (problems.length > 0) throw new TransitionRejected('invalid', 'the report has invalid fields', problems);
      return;
    }
    case 'extensionRequested':
      if (isTerminal(s)) throw new TransitionRejected('closed', closedReason());
      if (!pending(s, 'report'))
        throw new TransitionRejected('not-allowed', 'nothing is due, so there is nothing to extend');
      if (s.extensionRequests.some((r) => !r.decision))
        throw new TransitionRejected('not-allowed', 'an extension request is already waiting for a decision');
      if (Date.parse(event.until) <= Math.max(Date.parse(at), Date.parse(s.policy.reportBy))) {
        throw new TransitionRejected('invalid', 'the requested date must be later than the current report deadline', [
          { path: 'until', message: 'must be later than the current report deadline' },
        ]);
      }
      requireText(event.reason, 'reason');
      return;
    case 'extensionDecided': {
      if (isTerminal(s)) throw new TransitionRejected('closed', closedReason());
      const request = s.extensionRequests.find((r) => r.requestId === event.requestId);
      if (!request) throw new TransitionRejected('unknown', `no extension request ${event.requestId}`);
      if (request.decision) throw new TransitionRejected('not-allowed', 'this request is already decided');
      if (event.approved) {
        const until = event.until ?? request.until;
        if (Date.parse(until) <= Date.parse(at))
          throw new TransitionRejected('invalid', 'the new deadline must be in the future', [
            { path: 'until', message: 'must be in the future' },
          ]);
      }
      return;
    }
    case 'deadlineExtended':
      if (isTerminal(s)) throw new TransitionRejected('closed', closedReason());
      if (!event.acknowledgeBy && !event.reportBy)
        throw new TransitionRejected('invalid', 'give a new acknowledgement or report deadline');
      for (const [field, value] of [
        ['acknowledgeBy', event.acknowledgeBy],
        ['reportBy', event.reportBy],
      ] as const) {
        if (value && Date.parse(value) <= Date.parse(at))
          throw new TransitionRejected('invalid', `${field} must be in the future`, [
            { path: field, message: 'must be in the future' },
          ]);
      }
      if (Date.parse(event.reportBy ?? s.policy.reportBy) < Date.parse(event.acknowledgeBy ?? s.policy.acknowledgeBy)) {
        throw new TransitionRejected('invalid', 'the report deadline must not be before the acknowledgement deadline', [
          { path: 'reportBy', message: 'must not be before the acknowledgement deadline' },
        ]);
      }
      return;
    case 'reportAccepted':
    case 'reportReturned':
      if (isTerminal(s)) throw new TransitionRejected('closed', closedReason());
      if (s.state !== 'reported')
        throw new TransitionRejected('not-allowed', 'there is no submitted report to decide on');
      if (event.type === 'reportReturned') {
        requireText(event.reason, 'reason');
        if (event.reportBy && Date.parse(event.reportBy) <= Date.parse(at))
          throw new TransitionRejected('invalid', 'the new deadline must be in the future', [
            { path: 'reportBy', message: 'must be in the future' },
          ]);
      }
      return;
    case 'exempted':
    case 'cancelled':
    case 'closed':
      if (isTerminal(s)) throw new TransitionRejected('closed', closedReason());
      return;
    case 'amended':
      if (isTerminal(s)) throw new TransitionRejected('closed', closedReason());
      if (event.policy.version <= s.policy.version)
        throw new TransitionRejected(
          'not-allowed',
          `version ${event.policy.version} is not newer than ${s.policy.version}`,
        );
      return;
    case 'remindRequested':
    case 'linksRevoked':
      if (isTerminal(s)) throw new TransitionRejected('closed', closedReason());
      return;
    default:
      return;
  }
}

function requireText(value: string, field: string): void {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new TransitionRejected('invalid', `${field} is required`, [{ path: field, message: 'is required' }]);
  }
}

/**
 * Applies a transition to the state, in place, and returns the messages it calls for. The caller must have
 * checked it with `checkTransition` (timer and mail events need no check).
 */
export function applyTransition(s: UnitState, t: Transition): MailRequest[] {
  const e = t.event;
  const mail: MailRequest[] = [];
  const send = (kind: MailKind, purpose: string, to: MailRecipientRole, details: MailRequest['details'] = {}) =>
    mail.push({ kind, purpose, to, causeSeq: t.seq, details });
  s.seq = t.seq;
  s.log.push(t);
  switch (e.type) {
    case 'issued':
      s.policy = e.policy;
      s.obligationsSince = t.at;
      send('notice', 'notice', 'head');
      break;
    case 'acknowledged':
      s.acknowledgedVersion = s.policy.version;
      s.acknowledgedAt = t.at;
      s.acknowledgedBy = { name: e.name, position: e.position };
      if (s.state === 'notified') s.state = 'acknowledged';
      break;
    case 'reportSubmitted':
      if (s.acknowledgedVersion !== s.policy.version) {
        // Submitting the report is the strongest acknowledgement there is.
        s.acknowledgedVersion = s.policy.version;
        s.acknowledgedAt = t.at;
        s.acknowledgedBy = { name: e.name, position: e.position };
      }
      s.report = {
        values: e.values,
        submittedAt: t.at,
        by: t.by,
        name: e.name,
        position: e.position,
        version: s.policy.version,
      };
      s.draft = null;
      s.reportedAt = t.at;
      s.state = 'reported';
      break;
    case 'extensionRequested':
      s.extensionRequests.push({
        requestId: e.requestId,
        requestedAt: t.at,
        until: e.until,
        reason: e.reason,
        by: t.by,
      });
      break;
    case 'extensionDecided': {
      const request = s.extensionRequests.find((r) => r.requestId === e.requestId);
      const until = e.approved ? (e.until ?? request?.until) : undefined;
      if (request) request.decision = { approved: e.approved, until, note: e.note, at: t.at, by: t.by };
      if (until) moveDeadlines(s, { reportBy: until });
      send('extension-decision', `extension-decision-${e.requestId}`, 'head', {
        approved: e.approved,
        until: until ?? null,
        note: e.note ?? null,
      });
      break;
    }
    case 'deadlineExtended':
      moveDeadlines(s, { acknowledgeBy: e.acknowledgeBy, reportBy: e.reportBy });
      send('deadline-extended', `deadline-extended-${t.seq}`, 'head', {
        acknowledgeBy: s.policy.acknowledgeBy,
        reportBy: s.policy.reportBy,
        reason: e.reason,
      });
      break;
    case 'reportAccepted':
      s.state = 'accepted';
      send('report-accepted', 'report-accepted', 'head', { note: e.note ?? null });
      break;
    case 'reportReturned':
      s.draft = s.report?.values ?? null;
      s.report = null;
      s.state = 'returned';
      if (e.reportBy) moveDeadlines(s, { reportBy: e.reportBy });
      send('report-returned', `report-returned-${t.seq}`, 'head', { reason: e.reason, reportBy: s.policy.reportBy });
      break;
    case 'exempted':
      s.state = 'exempted';
      send('exempted', 'exempted', 'head', { reason: e.reason });
      break;
    case 'amended': {
      const wasReported = s.state === 'reported';
      s.policy = e.policy;
      s.obligationsSince = t.at;
      if (wasReported) {
        s.draft = s.report?.values ?? null;
        s.report = null;
      }
      s.state = 'notified';
      send('amendment', `amendment-v${e.policy.version}`, 'head', { changes: e.changes, version: e.policy.version });
      break;
    }
    case 'cancelled':
      s.state = 'cancelled';
      send('cancellation', 'cancellation', 'head', { reason: e.reason });
      break;
    case 'closed':
      s.closedFrom = s.state;
      s.state = 'closed';
      break;
    case 'reminderDue':
      s.fired.push(e.key);
      s.remindersSent += 1;
      send('reminder', `reminder-${s.remindersSent}`, 'head', {
        obligation: e.obligation,
        deadline: deadlineOf(s, e.obligation),
      });
      break;
    case 'remindRequested':
      s.remindersSent += 1;
      send('reminder', `reminder-${s.remindersSent}`, 'head', {
        obligation: pending(s, 'acknowledge') ? 'acknowledge' : 'report',
        deadline: pending(s, 'acknowledge') ? s.policy.acknowledgeBy : s.policy.reportBy,
        note: e.note ?? null,
      });
      break;
    case 'deadlineMissed':
      s.fired.push(e.key);
      break;
    case 'escalationDue':
      s.fired.push(e.key);
      s.escalationsSent += 1;
      send('escalation', `escalation-${e.level}-${s.escalationsSent}`, e.notify, {
        level: e.level,
        obligation: e.obligation,
        deadline: deadlineOf(s, e.obligation),
      });
      break;
    case 'smsReceipt':
      break;
    case 'linksRevoked':
      s.linkGeneration += 1;
      send('notice', `notice-g${s.linkGeneration}`, 'head');
      break;
    case 'mailRecorded':
      if (e.delivered) s.mailSent += 1;
      else {
        s.mailFailures += 1;
        if (e.recipient?.role !== 'deputy' && e.kind !== 'undeliverable') {
          s.undeliverable = true;
          // The escalation ladder is told at once: a head who cannot be reached cannot comply.
          send('undeliverable', `undeliverable-${s.mailFailures}`, 'deputy', {
            failedPurpose: e.purpose,
            error: e.error ?? null,
          });
        }
      }
      break;
  }
  refreshOverdue(s);
  return mail;
}

function moveDeadlines(s: UnitState, to: { acknowledgeBy?: string; reportBy?: string }): void {
  s.policy = {
    ...s.policy,
    acknowledgeBy: to.acknowledgeBy ?? s.policy.acknowledgeBy,
    reportBy: to.reportBy ?? s.policy.reportBy,
  };
}

/**
 * The next timer-driven event and when it is due, or null when nothing is scheduled. Moving a deadline
 * changes the keys, so nothing fires at an old deadline and the new deadline gets its own reminders.
 */
export function nextTimerEvent(s: UnitState): { at: number; event: UnitEvent } | null {
  if (isTerminal(s)) return null;
  let best: { at: number; event: UnitEvent } | null = null;
  const consider = (at: number, event: UnitEvent) => {
    if (!best || at < best.at) best = { at, event };
  };
  const since = Date.parse(s.obligationsSince);
  for (const obligation of ['acknowledge', 'report'] as const) {
    if (!pending(s, obligation)) continue;
    // A report that is already in covers the acknowledgement obligation of the same version.
    const deadline = deadlineOf(s, obligation);
    const deadlineMs = Date.parse(deadline);
    s.policy.reminders[obligation].forEach((offset, i) => {
      const key = `rem:${obligation}@${deadline}#${i}`;
      const at = deadlineMs - offset;
      if (offset > 0 && at >= since && !s.fired.includes(key)) consider(at, { type: 'reminderDue', obligation, key });
    });
    const miss = missKey(obligation, deadline);
    if (!s.fired.includes(miss)) {
      consider(deadlineMs, { type: 'deadlineMissed', obligation, key: miss });
      continue;
    }
    if (s.overdue !== obligation) continue;
    s.policy.escalation.forEach((level, i) => {
      const key = `esc:${obligation}@${deadline}#${i + 1}`;
      if (!s.fired.includes(key))
        consider(deadlineMs + level.after, {
          type: 'escalationDue',
          obligation,
          level: i + 1,
          notify: level.notify,
          key,
        });
    });
  }
  return best;
}

/** The summary a parent keeps for this unit. */
export function summarize(s: UnitState): UnitSummary {
  return {
    unitCode: s.unitCode,
    state: s.state,
    overdue: s.overdue,
    escalationLevel: s.escalationLevel,
    undeliverable: s.undeliverable,
    seq: s.seq,
  };
}

/** The next deadline still ahead of the unit, for the NextDeadline search attribute. */
export function nextDeadline(s: UnitState): string | null {
  if (pending(s, 'acknowledge')) return s.policy.acknowledgeBy;
  if (pending(s, 'report')) return s.policy.reportBy;
  return null;
}

/** Rebuilds a unit's state from its recorded transitions, up to and including `until` when given. */
export function foldTransitions(unitCode: string, transitions: Transition[], until?: number): UnitState | null {
  let state: UnitState | null = null;
  for (const t of transitions) {
    if (until !== undefined && Date.parse(t.at) > until) break;
    if (!state) {
      if (t.event.type !== 'issued') continue;
      state = emptyState(unitCode, t.event.policy, t.at);
    }
    applyTransition(state, t);
  }
  return state;
}
