import { parseUnitWorkflowId } from '../workflows/contract';
import type { UnitWorkflowInput } from '../workflows/types';
import { foldTransitions, summarize, type Transition, type UnitState } from '../workflows/unit-state';
import { readHistoryFacts } from './history-facts';
import type { JsonHistory } from './history-json';

/**
 * A unit's state as of an instant, rebuilt from the transitions recorded in its history up to and including
 * that instant, by `foldTransitions`: the same `applyTransition` code the workflow itself runs. So the answer
 * is what the workflow knew at that moment, not what an auditor's reimplementation would think it knew.
 */

/** The unit's state at `at` (ms since the epoch), or null when the unit had not been issued yet. */
export function unitStateAt(workflowId: string, history: JsonHistory, at: number): UnitState | null {
  const facts = readHistoryFacts(history);
  if (facts.workflowType !== 'unitWorkflow') throw new NotAUnitHistory(workflowId, facts.workflowType);
  const unitCode =
    parseUnitWorkflowId(workflowId)?.unitCode ?? (facts.input as UnitWorkflowInput | undefined)?.unitCode ?? '';
  const transitions = facts.transitions.map((t) => t.value as Transition).filter((t) => t && typeof t.seq === 'number');
  return foldTransitions(unitCode, transitions, at);
}

/** The rows `audit state` prints: the summary a parent keeps, plus the deadlines and counters at that instant. */
export function stateRows(state: UnitState | null, at: number): { field: string; value: string }[] {
  if (!state) return [{ field: 'state', value: `not issued yet at ${new Date(at).toISOString()}` }];
  const summary = summarize(state);
  const lastAt = state.log.at(-1)?.at ?? null;
  return [
    { field: 'at', value: new Date(at).toISOString() },
    { field: 'unit', value: summary.unitCode },
    { field: 'state', value: summary.state },
    { field: 'overdue', value: summary.overdue ?? 'no' },
    { field: 'escalationLevel', value: String(summary.escalationLevel) },
    { field: 'version', value: String(state.policy.version) },
    { field: 'acknowledgeBy', value: state.policy.acknowledgeBy },
    { field: 'reportBy', value: state.policy.reportBy },
    { field: 'acknowledgedVersion', value: String(state.acknowledgedVersion) },
    {
      field: 'acknowledgedBy',
      value: state.acknowledgedBy ? `${state.acknowledgedBy.name} (${state.acknowledgedBy.position})` : '',
    },
    { field: 'reportedAt', value: state.reportedAt ?? '' },
    { field: 'remindersSent', value: String(state.remindersSent) },
    { field: 'escalationsSent', value: String(state.escalationsSent) },
    { field: 'mailSent', value: String(state.mailSent) },
    { field: 'undeliverable', value: String(summary.undeliverable) },
    { field: 'transitions', value: String(summary.seq) },
    { field: 'lastTransitionAt', value: lastAt ?? '' },
  ];
}

/** The history given to `audit state` is not a unit's. */
export class NotAUnitHistory extends Error {
  override readonly name = 'NotAUnitHistory';
  constructor(workflowId: string, workflowType: string) {
    super(
      `${workflowId} is a ${workflowType || 'unknown workflow'}, not a unit (unitWorkflow): state --at needs a unit's history`,
    );
  }
}
