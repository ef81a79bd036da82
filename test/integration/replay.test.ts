import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { loadHistories } from '../support/histories';

const histories = loadHistories();
const currentBuild = { workflowBundle: { codePath: process.env.FARMAN_TEST_WORKFLOW_BUNDLE! } };
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

const mainScenarios = ['happy-path', 'silent-unit', 'extension', 'amendment', 'cancellation'];
const eventTypes = (h: (typeof histories)[number]) => (h.history.events ?? []).map((e) => Number(e.eventType));
const {
  EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: ACTIVITY_TASK_SCHEDULED,
  EVENT_TYPE_MARKER_RECORDED: MARKER_RECORDED,
  EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: SIGNALED,
  EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: SIGNAL_EXTERNAL_INITIATED,
} = temporal.api.enums.v1.EventType;
/** Unit revisions since 2 (local-activity mail), by the suffix their histories were recorded under. */
const leanSuffixes = ['.lean-units', '.quiet-end'];

test('The committed histories cover the main scenarios in every unit revision, directive, shard and unit workflows alike', () => {
  expect(new Set(histories.map((h) => h.scenario))).toEqual(new Set([...mainScenarios, ...leanSuffixes.flatMap((suffix) => [...mainScenarios, 'sharded'].map((s) => `${s}${suffix}`))]));
  expect(histories.some((h) => h.workflowId.includes('/unit:'))).toBe(true);
  expect(histories.some((h) => h.workflowId.includes('/shard:'))).toBe(true);
  expect(histories.some((h) => !h.workflowId.includes('/unit:') && !h.workflowId.includes('/shard:'))).toBe(true);
  // Units before revision 2 sent mail as activity tasks; since, as local activities (a marker each).
  const units = histories.filter((h) => h.workflowId.includes('/unit:'));
  for (const h of units) {
    const lean = leanSuffixes.some((suffix) => h.scenario.endsWith(suffix));
    expect([h.scenario, eventTypes(h).includes(ACTIVITY_TASK_SCHEDULED)]).toEqual([h.scenario, !lean]);
    if (lean) expect([h.scenario, eventTypes(h).includes(MARKER_RECORDED)]).toEqual([h.scenario, true]);
  }
});

test('When a directive closes its units, then a unit of revision 3 ends without signalling its shard, where one of revision 2 signalled it', () => {
  // The close reaches each unit as a signal; what the unit sends its parent after it is what changed.
  const signalsAfterClose = (scenario: string) =>
    histories
      .filter((h) => h.scenario === scenario && h.workflowId.includes('/unit:'))
      .map((h) => {
        const types = eventTypes(h);
        return types.slice(types.lastIndexOf(SIGNALED)).filter((t) => t === Number(SIGNAL_EXTERNAL_INITIATED)).length;
      });
  expect(signalsAfterClose('sharded.lean-units')).toEqual([1, 1, 1]);
  expect(signalsAfterClose('sharded.quiet-end')).toEqual([0, 0, 0]);
});

describe('When the current build replays every committed history with its real workflow ID', () => {
  test.each(histories.map((h) => [`${h.scenario} ${h.workflowId}`, h] as const))('then %s is deterministic', async (_name, h) => {
    await expect(Worker.runReplayHistory(currentBuild, h.history, h.workflowId)).resolves.toBeUndefined();
  });
});

test('When a changed district workflow replays a recorded unit history, then replay fails with DeterminismViolationError', async () => {
  const changed = await bundleWorkflowCode({ workflowsPath: require.resolve(path.join(__dirname, '..', 'fixtures', 'changed-workflows')), logger: silent });
  const unit = histories.find((h) => h.scenario === 'silent-unit' && h.workflowId.includes('/unit:'))!;
  await expect(Worker.runReplayHistory({ workflowBundle: changed }, unit.history, unit.workflowId)).rejects.toThrow(DeterminismViolationError);
});
