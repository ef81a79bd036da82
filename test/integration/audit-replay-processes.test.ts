import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { historyToJson } from '../../audit/history-json';
import { lastBuildId, replayHistories, type ReplayTarget } from '../../audit/replay';
import { loadHistories } from '../support/histories';

/**
 * Replay across processes (the auditor's `farman-audit replay --jobs N`) must give the very outcomes of a
 * replay in one process, in the order asked, and must never drop a history when a process dies or stalls.
 * Replay processes run tuned (audit/replay-tuning.ts), so the first test also proves that tuning
 * changes no outcome, a determinism violation included.
 */

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
const currentCode = readFileSync(process.env.FARMAN_TEST_WORKFLOW_BUNDLE!, 'utf8');

/** The committed histories, as the JSON the archive holds. */
const targets: ReplayTarget[] = loadHistories().map((h) => ({
  workflowId: h.workflowId,
  history: historyToJson(h.history),
  source: h.file,
}));

const inProcesses = { processes: 3, minHistoriesPerProcess: 1 };
const summary = (outcomes: Awaited<ReturnType<typeof replayHistories>>) =>
  outcomes.map((o) => [o.workflowId, o.deterministic, o.errorName]);

test('When histories are replayed in 3 processes, then every outcome equals the replay in this process, in the order given, for the current and for a changed build', async () => {
  expect(targets.length).toBeGreaterThan(10);
  const changed = (
    await bundleWorkflowCode({
      workflowsPath: require.resolve(path.join(__dirname, '..', 'fixtures', 'changed-workflows')),
      logger: silent,
    })
  ).code;
  const spreadOutcomes = new Map<string, Awaited<ReturnType<typeof replayHistories>>>();
  for (const [name, code] of [
    ['current', currentCode],
    ['changed', changed],
  ] as const) {
    const progress: number[] = [];
    const here = await replayHistories(targets, async () => code);
    const spread = await replayHistories(
      targets,
      async () => code,
      (done) => progress.push(done),
      inProcesses,
    );
    expect(summary(spread)).toEqual(summary(here));
    expect(spread.map((o) => o.workflowId)).toEqual(targets.map((t) => t.workflowId));
    expect(progress).toEqual(targets.map((_t, i) => i + 1));
    spreadOutcomes.set(name, spread);
  }
  // The current build replays everything; the changed one is caught: every unit history fails, directives and
  // shards do not.
  expect(spreadOutcomes.get('current')!.every((o) => o.deterministic)).toBe(true);
  const kinds = (name: string) =>
    new Set(spreadOutcomes.get(name)!.map((o) => `${o.workflowId.includes('/unit:')}:${o.errorName}`));
  expect(kinds('changed')).toEqual(new Set(['true:DeterminismViolationError', 'false:null']));
});

test('When a replay process dies, then each of its histories is reported as failed, none is lost', async () => {
  const outcomes = await replayHistories(
    targets,
    async () => 'throw new Error("this bundle does not load")',
    undefined,
    inProcesses,
  );
  expect(outcomes).toHaveLength(targets.length);
  expect(new Set(outcomes.map((o) => `${o.deterministic}:${o.errorName}`))).toEqual(
    new Set(['false:ReplayProcessFailed']),
  );
  expect(outcomes[0].error).toMatch(/exited \(1\)/);
});

test('When a history never finishes replaying, then its process is stopped at the deadline and every history of it is reported, none lost', async () => {
  const hanging = (
    await bundleWorkflowCode({
      workflowsPath: require.resolve(path.join(__dirname, '..', 'fixtures', 'hanging-workflows')),
      logger: silent,
    })
  ).code;
  // Four unit histories of one build, so that they share one replay (histories are grouped by build).
  const byBuild = new Map<string | null, ReplayTarget[]>();
  for (const t of targets.filter((x) => x.workflowId.includes('/unit:'))) {
    const build = lastBuildId(t.history);
    byBuild.set(build, [...(byBuild.get(build) ?? []), t]);
  }
  const units = [...byBuild.values()].sort((a, b) => b.length - a.length)[0].slice(0, 4);
  expect(units).toHaveLength(4);
  const outcomes = await replayHistories(units, async () => hanging, undefined, {
    processes: 2,
    minHistoriesPerProcess: 1,
    historyTimeoutMs: 3_000,
  });
  expect(outcomes.map((o) => o.workflowId)).toEqual(units.map((u) => u.workflowId));
  // Each process stalls on the first history of its share; the rest of its share is reported as not replayed.
  const named = (name: string) => outcomes.filter((o) => o.errorName === name);
  expect([named('ReplayTimedOut').length, named('ReplayProcessFailed').length]).toEqual([2, 2]);
  expect(named('ReplayTimedOut').every((o) => /did not finish within 3 s/.test(o.error!))).toBe(true);
  expect(named('ReplayProcessFailed').every((o) => /earlier history passed the 3 s deadline/.test(o.error!))).toBe(
    true,
  );
});

test("When a process is tuned for replay, then the SDK hook is found and stopped, and only the replayer's never-firing timeout is dropped", () => {
  const script = `
    const vm = require('node:vm');
    const { tuneProcessForReplay, replayerSandboxTimeoutMs } = require('./audit/replay-tuning');
    const tuning = tuneProcessForReplay();
    const context = vm.createContext({});
    const answer = new vm.Script('6 * 7').runInContext(context, { timeout: replayerSandboxTimeoutMs });
    let other = 'ran to the end';
    try { new vm.Script('for (;;) {}').runInContext(context, { timeout: 200 }); } catch (err) { other = err.code; }
    process.stdout.write(JSON.stringify({ tuning, answer, other }));`;
  const out = execFileSync(process.execPath, ['-r', require.resolve('@swc-node/register'), '-e', script], {
    cwd: path.join(__dirname, '..', '..'),
    encoding: 'utf8',
  });
  expect(JSON.parse(out)).toEqual({
    tuning: { watchdogDropped: true, stackTraceHookStopped: true },
    answer: 42,
    other: 'ERR_SCRIPT_EXECUTION_TIMEOUT',
  });
});
