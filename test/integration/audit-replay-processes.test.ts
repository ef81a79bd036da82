import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { JsonHistory } from '../../domain/audit/history-json';
import { replayHistories, type ReplayTarget } from '../../domain/audit/replay';
import { historiesDir } from '../support/histories';

/**
 * Replay across processes (the auditor's `farman-audit replay --jobs N`) must give the very outcomes of a
 * replay in one process, in the order asked, and must never drop a history when a process dies.
 */

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
const currentCode = readFileSync(process.env.FARMAN_TEST_WORKFLOW_BUNDLE!, 'utf8');

/** The committed histories of both unit revisions, as the JSON the archive holds. */
const targets: ReplayTarget[] = readdirSync(historiesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(path.join(historiesDir, d.name))
      .filter((f) => f.endsWith('.json'))
      .map((f) => {
        const { workflowId, history } = JSON.parse(readFileSync(path.join(historiesDir, d.name, f), 'utf8')) as { workflowId: string; history: JsonHistory };
        return { workflowId, history, source: `${d.name}/${f}` };
      }),
  );

const inProcesses = { processes: 3, minHistoriesPerProcess: 1 };
const summary = (outcomes: Awaited<ReturnType<typeof replayHistories>>) => outcomes.map((o) => [o.workflowId, o.deterministic, o.errorName]);

test('When histories are replayed in 3 processes, then every outcome equals the replay in this process, in the order given, for the current and for a changed build', async () => {
  expect(targets.length).toBeGreaterThan(20);
  const changed = (await bundleWorkflowCode({ workflowsPath: require.resolve(path.join(__dirname, '..', 'fixtures', 'changed-workflows')), logger: silent })).code;
  for (const code of [currentCode, changed]) {
    const progress: number[] = [];
    const here = await replayHistories(targets, async () => code);
    const spread = await replayHistories(targets, async () => code, (done) => progress.push(done), inProcesses);
    expect(summary(spread)).toEqual(summary(here));
    expect(spread.map((o) => o.workflowId)).toEqual(targets.map((t) => t.workflowId));
    expect(progress).toEqual(targets.map((_t, i) => i + 1));
  }
  // The changed build is caught: every unit history fails, directives and shards do not.
  const changedOutcomes = await replayHistories(targets, async () => changed, undefined, inProcesses);
  expect(new Set(changedOutcomes.map((o) => `${o.workflowId.includes('/unit:')}:${o.errorName}`))).toEqual(new Set(['true:DeterminismViolationError', 'false:null']));
  expect(summary(await replayHistories(targets, async () => currentCode, undefined, inProcesses)).every(([, deterministic]) => deterministic)).toBe(true);
});

test('When a replay process dies, then each of its histories is reported as failed, none is lost', async () => {
  const outcomes = await replayHistories(targets, async () => 'throw new Error("this bundle does not load")', undefined, inProcesses);
  expect(outcomes).toHaveLength(targets.length);
  expect(new Set(outcomes.map((o) => `${o.deterministic}:${o.errorName}`))).toEqual(new Set(['false:ReplayProcessFailed']));
  expect(outcomes[0].error).toMatch(/exited \(1\)/);
});
