import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  type ChildWorkflowOptions,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActivityOptions, SearchAttributePair, SearchAttributeUpdatePair, UpdateDefinition } from '@temporalio/common';
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
  submitReportUpdate,
  unitChangedSignal,
  unitStateQuery,
  type UnitUpdateResult,
} from './contract';
import type { Actor, DistrictWorkflowInput, RequestMeta, UnitPolicy, UnitSummary } from './types';
import {
  applyTransition,
  checkTransition,
  emptyState,
  isTerminal,
  nextDeadline,
  nextTimerEvent,
  summarize,
  TransitionRejected,
  type MailRequest,
  type Transition,
  type UnitEvent,
  type UnitState,
} from './unit-state';

const mailOptions: ActivityOptions = {
  // Transient SMTP failures retry with backoff; the whole attempt chain is bounded so that a dead relay
  // surfaces as an undeliverable message instead of a workflow that waits forever.
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};
/** Units before revision 2: one activity task per message. */
const activityMail = proxyActivities<ReturnType<typeof createActivities>>(mailOptions);
/**
 * Units of revision 2: the same activity run as a local activity, inside the workflow task that asked for
 * it, its result recorded in a marker. A message to a relay on the same network takes milliseconds, so a
 * whole activity task (three history events, a matching round trip and a second workflow task) per message
 * was most of a unit's fan-out cost (bench/README.md).
 *
 * The price: while an attempt runs, the unit's workflow task stays open, so a reply that arrives meanwhile is
 * answered when the attempt ends (or at the task's heartbeat, 8 s). Attempts are therefore bounded tightly
 * (a healthy relay answers in milliseconds; the transport's connection and greeting timeouts are 10 s), and
 * only the first retry (after 1 s) runs in the task: every later one waits on a durable timer, with the
 * workflow task closed and the failed attempt in the history, so an outage is ridden out as before.
 */
const localMail = proxyLocalActivities<ReturnType<typeof createActivities>>({ ...mailOptions, startToCloseTimeout: '15 seconds', localRetryThreshold: '1 second' });

const system: Actor = { kind: 'system', id: 'farman' };

/** Units started by this version do not send the parent their unchanged initial summary. */
export const skipInitialSummaryPatch = 'skip-initial-summary';
/**
 * Parents started by this version start their units as revision 2: with every search attribute set at start,
 * and told (in their input) to send mail through a local activity, to upsert only the search attributes
 * whose value changed and to keep their deadline timer across changes that do not move the next deadline.
 * The parent's patch decides it once for all its units, because a patch in each unit would cost each unit
 * a search-attribute upsert (the SDK records the patch in `TemporalChangeVersion`).
 */
export const leanUnitsPatch = 'lean-units';
/**
 * Parents started by this version start their units as revision 3: a unit that ends with no message left to
 * send does not signal its parent its final summary, because its completion, in the same workflow task,
 * carries the same summary as its result. When a directive closes, that signal and its acknowledgement were
 * a third of what every unit sent its shard at once; with 500 units closing together, the shard's buffered
 * events passed the server's limit of 100 (`history.maximumBufferedEventsBatch`) and its workflow tasks were
 * force-closed and retried (bench/README.md, the 10,000-unit run of the fifth round).
 */
export const quietEndPatch = 'quiet-end';

/**
 * Units started by this version wait, after telling their parent, for a change after the one they told,
 * not after the state they see when the signal returns: before it, a reply accepted while the signal was in
 * flight was never counted by the parent (issue 22).
 */
export const reportEveryChangePatch = 'report-every-change';

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
  applyTransition(state, { seq: 1, at: state.obligationsSince, by: system, event: { type: 'issued', policy, unitCode } });
  return [...staticAttributes(unitCode, policy), ...stateAttributes(state).filter((p): p is SearchAttributePair => p.value !== null)];
}

/**
 * How a parent starts its units: what to add to each unit's input and its start options. Called by the parent
 * where it starts its units, which is where its patch marker belongs.
 */
export function unitStarts(): {
  input: Pick<DistrictWorkflowInput, 'revision'>;
  options: (childId: string, args: [DistrictWorkflowInput]) => Pick<ChildWorkflowOptions, 'typedSearchAttributes'>;
} {
  if (!patched(leanUnitsPatch)) return { input: {}, options: () => ({}) };
  return { input: { revision: patched(quietEndPatch) ? 3 : 2 }, options: (_id, [unit]) => ({ typedSearchAttributes: unitStartAttributes(unit.unitCode, unit.policy) }) };
}

const attributeText = (value: SearchAttributeUpdatePair['value']): string => JSON.stringify(value instanceof Date ? value.toISOString() : (value ?? null));

/** The key of a timer event: a new key means the next timer moved; the same key, that it did not. */
const timerKey = (due: ReturnType<typeof nextTimerEvent>): string => (due ? `${due.at}:${JSON.stringify(due.event)}` : '');

/**
 * One unit's compliance timeline for one directive: notice, acknowledgement, report, office decision,
 * with reminders before each deadline and escalations after a missed one. Every change is a transition of
 * the pure state machine in `unit-state.ts`, recorded in the history as a memo upsert for the auditors.
 * Completes when the unit is accepted, exempted, cancelled or closed, after its last message is sent.
 */
export async function districtWorkflow(input: DistrictWorkflowInput): Promise<UnitSummary> {
  const lean = (input.revision ?? 1) >= 2;
  const quietEnd = (input.revision ?? 1) >= 3;
  const sendUnitMail = lean ? localMail.sendUnitMail : activityMail.sendUnitMail;
  /** Each search attribute's value as last set (at start or by an upsert), for `lean` upserts of changes only. */
  const shown = new Map(workflowInfo().typedSearchAttributes.getAll().map((p) => [p.key.name, attributeText(p.value)]));
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

  /** Upserts search attributes: all of them before revision 2, since then only those whose value changed. */
  function showAttributes(pairs: SearchAttributeUpdatePair[]): void {
    if (!lean) return upsertSearchAttributes(pairs);
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
          if (!args || typeof args !== 'object' || !args.by) throw ApplicationFailure.create({ message: 'missing arguments', type: 'invalid', nonRetryable: true });
          const generation = (args as { linkGeneration?: unknown }).linkGeneration;
          if (generation !== undefined && generation !== state.linkGeneration) {
            throw ApplicationFailure.create({ message: `link generation ${JSON.stringify(generation)} is not the current one (${state.linkGeneration})`, type: 'link-revoked', nonRetryable: true });
          }
          try {
            checkTransition(state, toEvent(args), new Date().toISOString());
          } catch (err) {
            if (err instanceof TransitionRejected) {
              throw ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: true, details: [err.fields ?? []] });
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

  // Units of revision 2 were started with these by their parent (`unitStarts`).
  if (!lean) showAttributes(staticAttributes(input.unitCode, input.policy));
  // Recorded before any handler exists, so the log always starts with the issue.
  record({ type: 'issued', policy: input.policy, unitCode: input.unitCode }, system);
  // The parent already holds this summary (every unit starts notified, on time, deliverable), so telling it
  // would only cost a signal and a workflow task per unit in the parent's history during the fan-out.
  if (lean || patched(skipInitialSummaryPatch)) lastSentSummary = JSON.stringify({ ...summarize(state), seq: 0 });

  handle(acknowledgeUpdate, (a) => ({ type: 'acknowledged', name: a.name, position: a.position }));
  handle(submitReportUpdate, (a) => ({ type: 'reportSubmitted', name: a.name, position: a.position, values: a.values }));
  handle(requestExtensionUpdate, (a) => ({
    type: 'extensionRequested',
    // The submission id names the request, so the office's decision refers to something stable.
    requestId: a.meta?.submissionId ?? `x${state.extensionRequests.length + 1}`,
    until: a.until,
    reason: a.reason,
  }));
  handle(decideExtensionUpdate, (a) => ({ type: 'extensionDecided', requestId: a.requestId, approved: a.approved, until: a.until, note: a.note }));
  handle(extendDeadlineUpdate, (a) => ({ type: 'deadlineExtended', acknowledgeBy: a.acknowledgeBy, reportBy: a.reportBy, reason: a.reason }));
  handle(acceptReportUpdate, (a) => ({ type: 'reportAccepted', note: a.note }));
  handle(returnReportUpdate, (a) => ({ type: 'reportReturned', reason: a.reason, reportBy: a.reportBy }));
  handle(exemptUpdate, (a) => ({ type: 'exempted', reason: a.reason }));
  handle(remindUpdate, (a) => ({ type: 'remindRequested', note: a.note }));
  handle(revokeLinksUpdate, () => ({ type: 'linksRevoked' }));
  setHandler(amendUnitSignal, (a) => applyCommand({ type: 'amended', policy: a.policy, changes: a.changes }, a.by, a.meta));
  setHandler(cancelUnitSignal, (a) => applyCommand({ type: 'cancelled', reason: a.reason }, a.by, a.meta));
  setHandler(closeUnitSignal, (a) => applyCommand({ type: 'closed', reason: a.reason }, a.by, a.meta));
  setHandler(unitStateQuery, () => state);

  const mailer = deliverMail();
  let endedQuietly = false;
  if (lean) await runTimeline();
  else await runTimelineBeforeRevision2();
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
      // Since revision 3 an end with nothing left to send is told by the completion that follows at once.
      if (quietEnd && isTerminal(state) && outbox.length === 0 && !sending) {
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
        timer.scope.run(() => sleep(delay, { summary: `${due.event.type} due ${new Date(due.at).toISOString()}` })).then(
          () => (timer.fired = true),
          () => undefined, // cancelled: the next event moved
        );
        armed = timer;
      }
      const seq = changeBaseline();
      await condition(() => state.seq !== seq || armed?.fired === true);
      if (armed?.fired) {
        armed = null;
        // Fire what is due now, unless a change in the same task moved it (then the loop re-arms).
        const now = nextTimerEvent(state);
        if (now && timerKey(now) === key && now.at <= Date.now()) record(now.event, system);
      }
    }
    armed?.scope.cancel();
  }

  /**
   * The timeline of units started before revision 2: the timer is re-armed after every change. Kept as it
   * ran, for replay: it checks for the end before reporting, so a unit whose last replies all land while a
   * report is on its way waits for one more change (the parent's close or cancel) before it completes.
   */
  async function runTimelineBeforeRevision2(): Promise<void> {
    while (!isTerminal(state)) {
      await reportToParent();
      const seq = changeBaseline();
      const due = nextTimerEvent(state);
      if (!due) {
        await condition(() => state.seq !== seq);
        continue;
      }
      const delay = due.at - Date.now();
      if (delay > 0) {
        const changed = await condition(() => state.seq !== seq, delay, { summary: `${due.event.type} due ${new Date(due.at).toISOString()}` });
        if (changed) continue;
      }
      record(due.event, system);
    }
  }

  /** The `seq` after which the timeline waits for a change: the one last reported, since the patch. */
  function changeBaseline(): number {
    return patched(reportEveryChangePatch) ? reportedSeq : state.seq;
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
   * Since revision 2 no activity event carries the request, so the record of a message names its recipient
   * role and cause itself, for the audit timeline.
   */
  function mailCause(request: MailRequest): { to?: MailRequest['to']; causeSeq?: number } {
    return lean ? { to: request.to, causeSeq: request.causeSeq } : {};
  }

  /**
   * Sends queued messages one at a time, beside the timeline, so a failing relay never blocks a reply (a
   * local activity's attempt in progress delays the answer to one; see `localMail`).
   */
  async function deliverMail(): Promise<void> {
    for (;;) {
      await condition(() => outbox.length > 0 || stopMailer);
      const request = outbox.shift();
      if (!request) return;
      sending = true;
      try {
        const result = await sendUnitMail({
          workflowId: workflowInfo().workflowId,
          unitCode: input.unitCode,
          policy: state.policy,
          linkGeneration: state.linkGeneration,
          request,
        });
        record({ type: 'mailRecorded', purpose: request.purpose, kind: request.kind, ...result, ...mailCause(request) }, system);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        // Retries ran out (the schedule-to-close bound): record it like a bounce, so the office sees it.
        record(
          { type: 'mailRecorded', purpose: request.purpose, kind: request.kind, delivered: false, messageId: '', recipient: null, error: err.cause?.message ?? err.message, ...mailCause(request) },
          system,
        );
      } finally {
        sending = false;
      }
    }
  }
}
