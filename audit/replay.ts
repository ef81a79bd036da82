import { fork } from 'node:child_process';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { readHistoryFacts } from './history-facts';
import { historyFromJson, type JsonHistory } from './history-json';

/**
 * Replays recorded histories against workflow code, as the worker would on a cache miss, to prove that the
 * code reproduces every recorded command. Each history is replayed with the bundle of the build that ran it
 * (the last build id stamped in its workflow-task events), under its real workflow ID, since children's IDs
 * derive from it.
 */

export interface ReplayTarget {
  workflowId: string;
  history: JsonHistory;
  /** Where the history came from, for the report: an archive file, a path, or `live`. */
  source: string;
}

export interface ReplayOutcome {
  workflowId: string;
  source: string;
  buildId: string | null;
  deterministic: boolean;
  /** The error's class name, e.g. `DeterminismViolationError`, or null when it replayed cleanly. */
  errorName: string | null;
  error: string | null;
}

/** Finds the code of a build; null when it is not available (the outcome then says so). */
export type BundleLookup = (buildId: string) => Promise<string | null>;

/** The build that last ran a history, which is the code that must be able to replay all of it. */
export function lastBuildId(history: JsonHistory): string | null {
  return readHistoryFacts(history).buildIds.at(-1) ?? null;
}

export interface ReplayOptions {
  /**
   * Replay in up to this many processes of their own (replay-process.ts); unset: in this process. The SDK's
   * replayer runs workflow code on its process's main thread, so only processes put more cores to work on a
   * large directive, and a process that only replays can drop costs this one must keep (replay-tuning.ts).
   */
  processes?: number;
  /** Fewer histories than this per process are replayed in fewer processes (or here): a process takes ~1 s to start. */
  minHistoriesPerProcess?: number;
  /**
   * A replay process that reports no history for this long, its start included, is stopped (default 60 s,
   * several times a whole large directive's replay): the history it was on is reported `ReplayTimedOut`, the rest of its share `ReplayProcessFailed`. Histories
   * replayed in this process have no deadline.
   */
  historyTimeoutMs?: number;
  /** False: replay processes keep the SDK's sandbox settings (replay-tuning.ts), to measure what tuning buys. */
  tuneProcesses?: boolean;
}

/** What `replayHistories` sends a replay process (replay-process.ts), and what the process answers. */
export interface ReplayJob {
  code: string;
  /** Apply `tuneProcessForReplay` before replaying. */
  tune: boolean;
  targets: { index: number; workflowId: string; history: JsonHistory }[];
}
export type ReplayJobMessage = { type: 'result'; index: number; errorName: string | null; error: string | null };

type Indexed = ReplayTarget & { index: number };
type OnResult = (index: number, errorName: string | null, error: string | null) => void;

/**
 * Replays every target and reports each as deterministic or not, in the order of `targets`. `bundleFor`
 * picks the code: normally the archived bundle of the history's build; a test passes a changed bundle to
 * prove replay catches it. Histories of one build share one replay worker per process. `progress(done,
 * total)` is called after each history.
 */
export async function replayHistories(
  targets: ReplayTarget[],
  bundleFor: BundleLookup,
  progress: (done: number, total: number) => void = () => {},
  options: ReplayOptions = {},
): Promise<ReplayOutcome[]> {
  const byBuild = new Map<string, Indexed[]>();
  targets.forEach((t, index) => {
    const buildId = lastBuildId(t.history) ?? '';
    byBuild.set(buildId, [...(byBuild.get(buildId) ?? []), { ...t, index }]);
  });
  const outcomes: ReplayOutcome[] = new Array<ReplayOutcome>(targets.length);
  let done = 0;
  for (const [buildId, group] of byBuild) {
    const onResult: OnResult = (index, errorName, error) => {
      const t = targets[index];
      outcomes[index] = {
        workflowId: t.workflowId,
        source: t.source,
        buildId: buildId || null,
        deterministic: errorName === null,
        errorName,
        error,
      };
      progress(++done, targets.length);
    };
    const code = await bundleFor(buildId);
    if (!code) {
      for (const t of group)
        onResult(
          t.index,
          'BundleNotFound',
          buildId ? `no archived bundle for build ${buildId}` : 'the history names no build',
        );
      continue;
    }
    const processes = Math.min(
      options.processes ?? 0,
      Math.floor(group.length / (options.minHistoriesPerProcess ?? 25)),
    );
    if (processes >= 1)
      await replayInProcesses(
        { code, tune: options.tuneProcesses ?? true },
        group,
        processes,
        options.historyTimeoutMs ?? 60_000,
        onResult,
      );
    else await replayInThisProcess(code, group, onResult);
  }
  return outcomes;
}

/**
 * Replays `targets` in one replay worker of this process, reporting each by its index as it finishes (and
 * waiting for the report when it returns a promise: a replay process's IPC send).
 */
export async function replayInThisProcess(
  code: string,
  targets: ReplayJob['targets'],
  onResult: (index: number, errorName: string | null, error: string | null) => void | Promise<void>,
): Promise<void> {
  const histories = targets.map((t) => ({ workflowId: t.workflowId, history: historyFromJson(t.history) }));
  let i = 0;
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { code }, replayName: 'farman-audit' },
    histories,
  )) {
    const error = result.error;
    await onResult(
      targets[i++].index,
      error ? error.name || error.constructor.name : null,
      error ? error.message : null,
    );
  }
}

/** The replay process's script, as this module runs: TypeScript in a checkout, JavaScript once built. */
const processScript = path.join(__dirname, `replay-process${path.extname(__filename)}`);

type JobSettings = Omit<ReplayJob, 'targets'>;

/**
 * Splits the histories over `processes` replay processes by their events, largest first, each to the
 * process with the fewest events so far (a shard's history can hold as many events as 200 units'), then
 * replays each share in the order given.
 */
async function replayInProcesses(
  settings: JobSettings,
  group: Indexed[],
  processes: number,
  historyTimeoutMs: number,
  onResult: OnResult,
): Promise<void> {
  const parts = Array.from({ length: processes }, () => ({ events: 0, targets: [] as Indexed[] }));
  for (const t of [...group].sort((a, b) => b.history.events.length - a.history.events.length)) {
    const lightest = parts.reduce((min, p) => (p.events < min.events ? p : min));
    lightest.events += t.history.events.length;
    lightest.targets.push(t);
  }
  await Promise.all(
    parts.map((part) =>
      replayInProcess(
        settings,
        part.targets.sort((a, b) => a.index - b.index),
        historyTimeoutMs,
        onResult,
      ),
    ),
  );
}

/**
 * One replay process; histories it did not answer for (it crashed, or was stopped at a history's deadline)
 * are reported as failed, never dropped. It replays its share in order, so the first unanswered history is
 * the one it was on.
 */
function replayInProcess(
  settings: JobSettings,
  part: Indexed[],
  historyTimeoutMs: number,
  onResult: OnResult,
): Promise<void> {
  return new Promise((resolve) => {
    const child = fork(processScript, [], {
      execArgv: processScript.endsWith('.ts') ? ['-r', require.resolve('@swc-node/register')] : [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const pending = new Set(part.map((t) => t.index));
    let stderr = '';
    let stalled = false;
    const deadline = () =>
      setTimeout(() => {
        stalled = true;
        child.kill('SIGKILL');
      }, historyTimeoutMs);
    let timer = deadline();
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
    child.on('message', (m: ReplayJobMessage) => {
      clearTimeout(timer);
      timer = deadline();
      if (pending.delete(m.index)) onResult(m.index, m.errorName, m.error);
    });
    // 'close' comes after the IPC channel is drained, so every result sent before the exit has arrived.
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      const seconds = `${historyTimeoutMs / 1000} s`;
      const exited = `the replay process exited (${exitCode ?? signal})${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`;
      [...pending].forEach((index, i) => {
        if (stalled && i === 0)
          onResult(
            index,
            'ReplayTimedOut',
            `the replay of this history did not finish within ${seconds}; its process was stopped`,
          );
        else if (stalled)
          onResult(
            index,
            'ReplayProcessFailed',
            `not replayed: its process was stopped when an earlier history passed the ${seconds} deadline`,
          );
        else onResult(index, 'ReplayProcessFailed', `${exited} before replaying this history`);
      });
      resolve();
    });
    const job: ReplayJob = {
      ...settings,
      targets: part.map((t) => ({ index: t.index, workflowId: t.workflowId, history: t.history })),
    };
    child.send(job);
  });
}
