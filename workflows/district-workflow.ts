import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
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
import type { Actor, DistrictWorkflowInput, RequestMeta, UnitSummary } from './types';
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
} from './unit-state';

const { sendUnitMail } = proxyActivities<ReturnType<typeof createActivities>>({
  // Transient SMTP failures retry with backoff; the whole attempt chain is bounded so that a dead relay
  // surfaces as an undeliverable message instead of a workflow that waits forever.
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const system: Actor = { kind: 'system', id: 'farman' };

/** Units started by this version do not send the parent their unchanged initial summary. */
export const skipInitialSummaryPatch = 'skip-initial-summary';

/**
 * One unit's compliance timeline for one directive: notice, acknowledgement, report, office decision,
 * with reminders before each deadline and escalations after a missed one. Every change is a transition of
 * the pure state machine in `unit-state.ts`, recorded in the history as a memo upsert for the auditors.
 * Completes when the unit is accepted, exempted, cancelled or closed, after its last message is sent.
 */
export async function districtWorkflow(input: DistrictWorkflowInput): Promise<UnitSummary> {
  const state = emptyState(input.unitCode, input.policy, new Date().toISOString());
  const outbox: MailRequest[] = [];
  let sending = false;
  let stopMailer = false;
  let lastSentSummary = '';

  function record(event: UnitEvent, by: Actor, meta?: RequestMeta): Transition {
    const t: Transition = { seq: state.seq + 1, at: new Date().toISOString(), by, meta, event };
    outbox.push(...applyTransition(state, t));
    upsertMemo({ transition: t });
    const deadline = nextDeadline(state);
    upsertSearchAttributes([
      { key: searchAttributes.complianceState, value: state.overdue ? `${state.state}:overdue` : state.state },
      { key: searchAttributes.escalationLevel, value: state.escalationLevel },
      { key: searchAttributes.nextDeadline, value: deadline ? new Date(deadline) : null },
    ]);
    return t;
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

  upsertSearchAttributes([
    { key: searchAttributes.directiveId, value: input.policy.directiveId },
    { key: searchAttributes.unitCode, value: input.unitCode },
    { key: searchAttributes.priority, value: input.policy.priority },
    { key: searchAttributes.kind, value: 'unit' },
  ]);
  // Recorded before any handler exists, so the log always starts with the issue.
  record({ type: 'issued', policy: input.policy, unitCode: input.unitCode }, system);
  // The parent already holds this summary (every unit starts notified, on time, deliverable), so telling it
  // would only cost a signal and a workflow task per unit in the parent's history during the fan-out.
  if (patched(skipInitialSummaryPatch)) lastSentSummary = JSON.stringify({ ...summarize(state), seq: 0 });

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
  while (!isTerminal(state)) {
    await reportToParent();
    const seq = state.seq;
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
  await reportToParent();
  await condition(() => outbox.length === 0 && !sending);
  stopMailer = true;
  await mailer;
  await condition(allHandlersFinished);
  return summarize(state);

  async function reportToParent(): Promise<void> {
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

  /** Sends queued messages one at a time, beside the timeline, so a slow relay never delays a reply. */
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
        record({ type: 'mailRecorded', purpose: request.purpose, kind: request.kind, ...result }, system);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        // Retries ran out (the schedule-to-close bound): record it like a bounce, so the office sees it.
        record(
          { type: 'mailRecorded', purpose: request.purpose, kind: request.kind, delivered: false, messageId: '', recipient: null, error: err.cause?.message ?? err.message },
          system,
        );
      } finally {
        sending = false;
      }
    }
  }
}
