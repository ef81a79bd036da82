import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { loadHistories } from '../support/histories';

const histories = loadHistories();
const currentBuild = { workflowBundle: { codePath: process.env.FARMAN_TEST_WORKFLOW_BUNDLE! } };
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

const scenarios = ['happy-path', 'silent-unit', 'extension', 'amendment', 'cancellation', 'sharded'];
const eventTypes = (h: (typeof histories)[number]) => (h.history.events ?? []).map((e) => Number(e.eventType));
const {
  EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: ACTIVITY_TASK_SCHEDULED,
  EVENT_TYPE_MARKER_RECORDED: MARKER_RECORDED,
  EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: SIGNALED,
  EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: SIGNAL_EXTERNAL_INITIATED,
} = temporal.api.enums.v1.EventType;

test('The committed histories cover the main scenarios, directive, shard and unit workflows alike', () => {
  expect(new Set(histories.map((h) => h.scenario))).toEqual(new Set(scenarios));
  expect(histories.some((h) => h.workflowId.includes('/unit:'))).toBe(true);
  expect(histories.some((h) => h.workflowId.includes('/shard:'))).toBe(true);
  expect(histories.some((h) => !h.workflowId.includes('/unit:') && !h.workflowId.includes('/shard:'))).toBe(true);
  // Units send mail as local activities (a marker each), never as activity tasks.
  for (const h of histories.filter((u) => u.workflowId.includes('/unit:'))) {
    expect([
      h.workflowId,
      eventTypes(h).includes(ACTIVITY_TASK_SCHEDULED),
      eventTypes(h).includes(MARKER_RECORDED),
    ]).toEqual([h.workflowId, false, true]);
  }
});

test('When a directive closes its units, then a unit with nothing left to send ends without signalling its shard', () => {
  // The close reaches each unit as a signal; its completion, not a last signal, carries its final summary.
  const signalsAfterClose = histories
    .filter((h) => h.scenario === 'sharded' && h.workflowId.includes('/unit:'))
    .map((h) => {
      const types = eventTypes(h);
      return types.slice(types.lastIndexOf(SIGNALED)).filter((t) => t === Number(SIGNAL_EXTERNAL_INITIATED)).length;
    });
  expect(signalsAfterClose).toEqual([0, 0, 0]);
});

describe('When the current build replays every committed history with its real workflow ID', () => {
  test.each(histories.map((h) => [`${h.scenario} ${h.workflowId}`, h] as const))(
    'then %s is deterministic',
    async (_name, h) => {
      await expect(Worker.runReplayHistory(currentBuild, h.history, h.workflowId)).resolves.toBeUndefined();
    },
  );
});

test('When a changed unit workflow replays a recorded unit history, then replay fails with DeterminismViolationError', async () => {
  const changed = await bundleWorkflowCode({
    workflowsPath: require.resolve(path.join(__dirname, '..', 'fixtures', 'changed-workflows')),
    logger: silent,
  });
  const unit = histories.find((h) => h.scenario === 'silent-unit' && h.workflowId.includes('/unit:'))!;
  await expect(Worker.runReplayHistory({ workflowBundle: changed }, unit.history, unit.workflowId)).rejects.toThrow(
    DeterminismViolationError,
  );
});
