import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  type ChildWorkflowOptions,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributePair, SearchAttributeUpdatePair, UpdateDefinition } from '@temporalio/common';
import type { createActivities } from '../activities';
import {
  acceptReportUpdate,
  acknowledgeUpdate,
  amendUnitSignal,
  cancelUnitSignal,
  closeUnitSignal,
  decideExtensionUpdate,
  exemptUpdate,
  extendDeadlineUpdate,
  remindUpdate,
  requestExtensionUpdate,
  returnReportUpdate,
  revokeLinksUpdate,
  searchAttributes,
  smsReceiptSignal,
  submitReportUpdate,
  unitChangedSignal,
  unitStateQuery,
  type UnitUpdateResult,
} from './contract';
import type { Actor, RequestMeta, UnitPolicy, UnitSummary, UnitWorkflowInput } from './types';
import {
  applyTransition,
  checkTransition,
  emptyState,
  isTerminal,
  nextDeadline,
  nextTimerEvent,
  summarize,
  TransitionRejected,
  type RefusalCode,
  type MailRequest,
  type Transition,
  type UnitEvent,
  type UnitState,
} from './unit-state';

/**
 * Mail runs as a local activity, inside the workflow task that asked for it, its result recorded in a
 * marker: a whole activity task per message (three events, a matching round trip, a second workflow task)
 * was most of a unit's fan-out cost. While an attempt runs the unit's task stays open, so a reply that
 * arrives meanwhile waits for it: attempts are bounded tightly (the transport's connection and greeting
 * timeouts are 10 s) and only the first retry runs in the task; later ones wait on durable timers, so a
 * relay outage is ridden out. The whole chain is bounded, so a dead relay ends as an undeliverable message.
 */
const mail = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '6 hours',
  localRetryThreshold: '1 second',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const system: Actor = { kind: 'system', id: 'farman' };

/** The search attributes that describe a unit's state now. */
function stateAttributes(state: UnitState): SearchAttributeUpdatePair[] {
  const deadline = nextDeadline(state);
  return [
    { key: searchAttributes.complianceState, value: state.overdue ? `${state.state}:overdue` : state.state },
    { key: searchAttributes.escalationLevel, value: state.escalationLevel },
    { key: searchAttributes.nextDeadline, value: deadline ? new Date(deadline) : null },
  ];
}

function staticAttributes(unitCode: string, policy: UnitPolicy): SearchAttributePair[] {
  return [
    { key: searchAttributes.directiveId, value: policy.directiveId },
    { key: searchAttributes.unitCode, value: unitCode },
    { key: searchAttributes.priority, value: policy.priority },
    { key: searchAttributes.kind, value: 'unit' },
  ];
}

/**
 * Every search attribute of a unit just issued, for its parent to start it with: the unit then has nothing
 * to upsert in its first workflow task (each upsert is a visibility write on the server).
 */
export function unitStartAttributes(unitCode: string, policy: UnitPolicy): SearchAttributePair[] {
  const state = emptyState(unitCode, policy, new Date(0).toISOString());
  applyTransition(state, {
    seq: 1,
    at: state.obligationsSince,
    by: system,
    event: { type: 'issued', policy, unitCode },
  });
  return [
    ...staticAttributes(unitCode, policy),
    ...stateAttributes(state).filter((p): p is SearchAttributePair => p.value !== null),
  ];
}

/** The start options of a unit: every search attribute set at start, so its first task upserts none. */
export function unitStartOptions(
  _childId: string,
  [unit]: [UnitWorkflowInput],
): Pick<ChildWorkflowOptions, 'typedSearchAttributes'> {
  return { typedSearchAttributes: unitStartAttributes(unit.unitCode, unit.policy) };
}

const attributeText = (value: SearchAttributeUpdatePair['value']): string =>
  JSON.stringify(value instanceof Date ? value.toISOString() : (value ?? null));

/** The key of a timer event: a new key means the next timer moved; the same key, that it did not. */
const timerKey = (due: ReturnType<typeof nextTimerEvent>): string =>
  due ? `${due.at}:${JSON.stringify(due.event)}` : '';

/**
 * One unit's compliance timeline for one directive: notice, acknowledgement, report, office decision,
 * with reminders before each deadline and escalations after a missed one. Every change is a transition of
 * the pure state machine in `unit-state.ts`, recorded in the history as a memo upsert for the auditors.
 * Completes when the unit is accepted, exempted, cancelled or closed, after its last message is sent.
 */
export async function unitWorkflow(input: UnitWorkflowInput): Promise<UnitSummary> {
  /** Each search attribute's value as last set (at start or by an upsert), so only changes are upserted. */
  const shown = new Map(
    workflowInfo()
      .typedSearchAttributes.getAll()
      .map((p) => [p.key.name, attributeText(p.value)]),
  );
  const state = emptyState(input.unitCode, input.policy, new Date().toISOString());
  const outbox: MailRequest[] = [];
  let sending = false;
  let stopMailer = false;
  let lastSentSummary = '';
  /**
   * The `seq` of the state the parent was last told (or found unchanged). The timeline waits for a change
   * after this one, never after the state it sees when the signal returns: a reply accepted while the
   * signal was in flight must be reported too.
   */
  let reportedSeq = 0;

  function record(event: UnitEvent, by: Actor, meta?: RequestMeta): Transition {
    const t: Transition = { seq: state.seq + 1, at: new Date().toISOString(), by, meta, event };
    outbox.push(...applyTransition(state, t));
    upsertMemo({ transition: t });
    showAttributes(stateAttributes(state));
    return t;
  }

  /** Upserts the search attributes whose value changed (each upsert is a visibility write). */
  function showAttributes(pairs: SearchAttributeUpdatePair[]): void {
    const changed = pairs.filter((p) => shown.get(p.key.name) !== attributeText(p.value));
    if (changed.length === 0) return;
    for (const p of changed) shown.set(p.key.name, attributeText(p.value));
    upsertSearchAttributes(changed);
  }

  /** Registers an update whose validator runs the state machine's check, so bad replies never enter history. */
  function handle<A extends { by: Actor; meta?: RequestMeta }>(
    def: UpdateDefinition<UnitUpdateResult, [A]>,
    toEvent: (args: NoInfer<A>) => UnitEvent,
  ): void {
    setHandler(
      def,
      (args: A): UnitUpdateResult => {
        const t = record(toEvent(args), args.by, args.meta);
        if (t.event.type === 'reportSubmitted' && state.policy.acceptance === 'automatic') {
          record({ type: 'reportAccepted', note: 'accepted automatically' }, system);
        }
        return { seq: t.seq, state: summarize(state), at: t.at };
      },
      {
        validator: (args: A) => {
          if (!args || typeof args !== 'object' || !args.by)
            throw ApplicationFailure.create({ message: 'missing arguments', type: 'invalid', nonRetryable: true });
          const generation = (args as { linkGeneration?: unknown }).linkGeneration;
          if (generation !== undefined && generation !== state.linkGeneration) {
            throw ApplicationFailure.create({
              message: `link generation ${JSON.stringify(generation)} is not the current one (${state.linkGeneration})`,
              type: 'link-revoked' satisfies RefusalCode,
              nonRetryable: true,
            });
          }
          try {
            checkTransition(state, toEvent(args), new Date().toISOString());
          } catch (err) {
            if (err instanceof TransitionRejected) {
              throw ApplicationFailure.create({
                message: err.message,
                type: err.code,
                nonRetryable: true,
                details: [err.fields ?? []],
              });
            }
            throw err;
          }
        },
      },
    );
  }

  /** Directive-wide commands from the parent; one that no longer applies (the unit closed) is ignored. */
  function applyCommand(event: UnitEvent, by: Actor, meta?: RequestMeta): void {
    try {
      checkTransition(state, event, new Date().toISOString());
      record(event, by, meta);
    } catch (err) {
      if (!(err instanceof TransitionRejected)) throw err;
      log.info('command ignored', { unit: input.unitCode, event: event.type, reason: err.message });
    }
  }

  // Recorded before any handler exists, so the log always starts with the issue.
  record({ type: 'issued', policy: input.policy, unitCode: input.unitCode }, system);
  // The parent already holds this summary (every unit starts notified, on time, deliverable), so telling it
  // would only cost a signal and a workflow task per unit in the parent's history during the fan-out.
  lastSentSummary = JSON.stringify({ ...summarize(state), seq: 0 });

  handle(acknowledgeUpdate, (a) => ({ type: 'acknowledged', name: a.name, position: a.position }));
  handle(submitReportUpdate, (a) => ({
    type: 'reportSubmitted',
    name: a.name,
    position: a.position,
    values: a.values,
  }));
  handle(requestExtensionUpdate, (a) => ({
    type: 'extensionRequested',
    // The submission id names the request, so the office's decision refers to something stable.
    requestId: a.meta?.submissionId ?? `x${state.extensionRequests.length + 1}`,
    until: a.until,
    reason: a.reason,
  }));
  handle(decideExtensionUpdate, (a) => ({
    type: 'extensionDecided',
    requestId: a.requestId,
    approved: a.approved,
    until: a.until,
    note: a.note,
  }));
  handle(extendDeadlineUpdate, (a) => ({
    type: 'deadlineExtended',
    acknowledgeBy: a.acknowledgeBy,
    reportBy: a.reportBy,
    reason: a.reason,
  }));
  handle(acceptReportUpdate, (a) => ({ type: 'reportAccepted', note: a.note }));
  handle(returnReportUpdate, (a) => ({ type: 'reportReturned', reason: a.reason, reportBy: a.reportBy }));
  handle(exemptUpdate, (a) => ({ type: 'exempted', reason: a.reason }));
  handle(remindUpdate, (a) => ({ type: 'remindRequested', note: a.note }));
  handle(revokeLinksUpdate, () => ({ type: 'linksRevoked' }));
  setHandler(amendUnitSignal, (a) =>
    applyCommand({ type: 'amended', policy: a.policy, changes: a.changes }, a.by, a.meta),
  );
  setHandler(cancelUnitSignal, (a) => applyCommand({ type: 'cancelled', reason: a.reason }, a.by, a.meta));
  setHandler(closeUnitSignal, (a) => applyCommand({ type: 'closed', reason: a.reason }, a.by, a.meta));
  setHandler(smsReceiptSignal, (r) => applyCommand({ ...r, type: 'smsReceipt' }, system));
  setHandler(unitStateQuery, () => state);

  const mailer = deliverMail();
  let endedQuietly = false;
  await runTimeline();
  if (!endedQuietly) await reportToParent();
  await condition(() => outbox.length === 0 && !sending);
  stopMailer = true;
  await mailer;
  await condition(allHandlersFinished);
  return summarize(state);

  /**
   * Reports each change to the parent and fires the timer events. The deadline timer is armed for the next
   * timer event and kept until that event moves: a change that does not move it (a sent message, an
   * acknowledgement when the next event is the report's reminder) leaves the timer alone.
   */
  async function runTimeline(): Promise<void> {
    type Armed = { key: string; scope: CancellationScope; fired: boolean };
    let armed: Armed | null = null;
    for (;;) {
      // An end with nothing left to send is told by the completion that follows at once: with 500 units
      // closing together, a last signal each would pass the server's 100 buffered events of their parent.
      if (isTerminal(state) && outbox.length === 0 && !sending) {
        endedQuietly = true;
        break;
      }
      await reportToParent();
      // Checked after the report, not before: replies may end the unit while the signal is on its way.
      if (isTerminal(state)) break;
      const due = nextTimerEvent(state);
      const key = timerKey(due);
      if (armed && armed.key !== key) {
        armed.scope.cancel();
        armed = null;
      }
      if (due && !armed) {
        const delay = due.at - Date.now();
        if (delay <= 0) {
          record(due.event, system);
          continue;
        }
        const timer: Armed = { key, scope: new CancellationScope(), fired: false };
        timer.scope
          .run(() => sleep(delay, { summary: `${due.event.type} due ${new Date(due.at).toISOString()}` }))
          .then(
            () => (timer.fired = true),
            () => undefined, // cancelled: the next event moved
          );
        armed = timer;
      }
      await condition(() => state.seq !== reportedSeq || armed?.fired === true);
      if (armed?.fired) {
        armed = null;
        // Fire what is due now, unless a change in the same task moved it (then the loop re-arms).
        const now = nextTimerEvent(state);
        if (now && timerKey(now) === key && now.at <= Date.now()) record(now.event, system);
      }
    }
    armed?.scope.cancel();
  }

  async function reportToParent(): Promise<void> {
    reportedSeq = state.seq;
    const summary = summarize(state);
    const key = JSON.stringify({ ...summary, seq: 0 });
    if (key === lastSentSummary) return;
    lastSentSummary = key;
    try {
      await getExternalWorkflowHandle(input.parentWorkflowId).signal(unitChangedSignal, summary);
    } catch (err) {
      // The parent also receives the final summary as this workflow's result, which corrects a lost one.
      log.warn('could not signal parent', { parent: input.parentWorkflowId, error: String(err) });
    }
  }

  /**
   * Sends queued messages one at a time, beside the timeline, so a failing relay never blocks a reply (a
   * local activity's attempt in progress delays the answer to one; see `mail`).
   */
  async function deliverMail(): Promise<void> {
    for (;;) {
      await condition(() => outbox.length > 0 || stopMailer);
      const request = outbox.shift();
      if (!request) return;
      sending = true;
      try {
        const result = await mail.sendUnitMail({
          workflowId: workflowInfo().workflowId,
          unitCode: input.unitCode,
          policy: state.policy,
          linkGeneration: state.linkGeneration,
          request,
        });
        record(
          {
            type: 'mailRecorded',
            purpose: request.purpose,
            kind: request.kind,
            ...result,
            to: request.to,
            causeSeq: request.causeSeq,
          },
          system,
        );
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        // Retries ran out (the schedule-to-close bound): record it like a bounce, so the office sees it.
        record(
          {
            type: 'mailRecorded',
            purpose: request.purpose,
            kind: request.kind,
            delivered: false,
            messageId: '',
            recipient: null,
            error: err.cause?.message ?? err.message,
            to: request.to,
            causeSeq: request.causeSeq,
          },
          system,
        );
      } finally {
        sending = false;
      }
    }
  }
}
