import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { loadHistories } from '../support/histories';

const histories = loadHistories();
const currentBuild = { workflowBundle: { codePath: process.env.FARMAN_TEST_WORKFLOW_BUNDLE! } };
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

test('The committed histories cover the main scenarios, directive and unit workflows alike', () => {
  expect(new Set(histories.map((h) => h.scenario))).toEqual(new Set(['happy-path', 'silent-unit', 'extension', 'amendment', 'cancellation']));
  expect(histories.some((h) => h.workflowId.includes('/unit:'))).toBe(true);
  expect(histories.some((h) => !h.workflowId.includes('/unit:'))).toBe(true);
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
