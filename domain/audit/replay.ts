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

/**
 * Replays every target and reports each as deterministic or not. `bundleFor` picks the code: normally the
 * archived bundle of the history's build; a test passes a changed bundle to prove replay catches it.
 * Histories of one build share one replay worker. `progress(done, total)` is called after each history.
 */
export async function replayHistories(
  targets: ReplayTarget[],
  bundleFor: BundleLookup,
  progress: (done: number, total: number) => void = () => {},
): Promise<ReplayOutcome[]> {
  const byBuild = new Map<string, ReplayTarget[]>();
  for (const t of targets) {
    const buildId = lastBuildId(t.history) ?? '';
    byBuild.set(buildId, [...(byBuild.get(buildId) ?? []), t]);
  }
  const outcomes: ReplayOutcome[] = [];
  let done = 0;
  for (const [buildId, group] of byBuild) {
    const code = await bundleFor(buildId);
    if (!code) {
      for (const t of group) {
        outcomes.push({ workflowId: t.workflowId, source: t.source, buildId: buildId || null, deterministic: false, errorName: 'BundleNotFound', error: buildId ? `no archived bundle for build ${buildId}` : 'the history names no build' });
        progress(++done, targets.length);
      }
      continue;
    }
    const histories = group.map((t) => ({ workflowId: t.workflowId, history: historyFromJson(t.history) }));
    let i = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: { code }, replayName: 'farman-audit' }, histories)) {
      const t = group[i++];
      outcomes.push({
        workflowId: t.workflowId,
        source: t.source,
        buildId: buildId || null,
        deterministic: !result.error,
        errorName: result.error ? (result.error).name || result.error.constructor.name : null,
        error: result.error ? (result.error).message : null,
      });
      progress(++done, targets.length);
    }
  }
  return outcomes;
}
