import { applyTransition, emptyState, type UnitState } from '../../workflows/unit-state';

/**
 * How many of the unit's messages are still waiting to be sent: the messages its transitions called for
 * minus those recorded as sent or failed (`mailRecorded`). Derived from the recorded log with the same pure
 * state machine the workflow runs, so it needs nothing new from the workflow. Above zero for long, it means
 * the relay is slow or down: the workflow keeps retrying, and the office sees the delay here.
 */
export function pendingMail(state: UnitState): number {
  const [first] = state.log;
  if (!first || first.event.type !== 'issued') return 0;
  const replay = emptyState(state.unitCode, first.event.policy, first.at);
  let requested = 0;
  let recorded = 0;
  for (const t of state.log) {
    // applyTransition only reads the transition (and appends it to the throwaway replay's log).
    requested += applyTransition(replay, t).length;
    if (t.event.type === 'mailRecorded') recorded += 1;
  }
  return Math.max(0, requested - recorded);
}
