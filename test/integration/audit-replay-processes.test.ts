import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { historyToJson } from '../../domain/audit/history-json';
import { replayHistories, type ReplayTarget } from '../../domain/audit/replay';
import { loadHistories } from '../support/histories';

/**
 * Replay across processes (the auditor's `farman-audit replay --jobs N`) must give the very outcomes of a
 * replay in one process, in the order asked, and must never drop a history when a process dies.
 */

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
const currentCode = readFileSync(process.env.FARMAN_TEST_WORKFLOW_BUNDLE!, 'utf8');

/** The committed histories of both unit revisions, as the JSON the archive holds. */
const targets: ReplayTarget[] = loadHistories().map((h) => ({ workflowId: h.workflowId, history: historyToJson(h.history), source: h.file }));

const inProcesses = { processes: 3, minHistoriesPerProcess: 1 };
const summary = (outcomes: Awaited<ReturnType<typeof replayHistories>>) => outcomes.map((o) => [o.workflowId, o.deterministic, o.errorName]);

test('When histories are replayed in 3 processes, then every outcome equals the replay in this process, in the order given, for the current and for a changed build', async () => {
  expect(targets.length).toBeGreaterThan(20);
  const changed = (await bundleWorkflowCode({ workflowsPath: require.resolve(path.join(__dirname, '..', 'fixtures', 'changed-workflows')), logger: silent })).code;
  const spreadOutcomes = new Map<string, Awaited<ReturnType<typeof replayHistories>>>();
  for (const [name, code] of [['current', currentCode], ['changed', changed]] as const) {
    const progress: number[] = [];
    const here = await replayHistories(targets, async () => code);
    const spread = await replayHistories(targets, async () => code, (done) => progress.push(done), inProcesses);
    expect(summary(spread)).toEqual(summary(here));
    expect(spread.map((o) => o.workflowId)).toEqual(targets.map((t) => t.workflowId));
    expect(progress).toEqual(targets.map((_t, i) => i + 1));
    spreadOutcomes.set(name, spread);
  }
  // The current build replays everything; the changed one is caught: every unit history fails, directives and
  // shards do not.
  expect(spreadOutcomes.get('current')!.every((o) => o.deterministic)).toBe(true);
  const kinds = (name: string) => new Set(spreadOutcomes.get(name)!.map((o) => `${o.workflowId.includes('/unit:')}:${o.errorName}`));
  expect(kinds('changed')).toEqual(new Set(['true:DeterminismViolationError', 'false:null']));
});

test('When a replay process dies, then each of its histories is reported as failed, none is lost', async () => {
  const outcomes = await replayHistories(targets, async () => 'throw new Error("this bundle does not load")', undefined, inProcesses);
  expect(outcomes).toHaveLength(targets.length);
  expect(new Set(outcomes.map((o) => `${o.deterministic}:${o.errorName}`))).toEqual(new Set(['false:ReplayProcessFailed']));
  expect(outcomes[0].error).toMatch(/exited \(1\)/);
});
