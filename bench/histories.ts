import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJson } from '../audit/history-json';
import { replayHistories } from '../audit/replay';
import { selfAndChildrenCpuSeconds } from './machine';

type History = temporal.api.history.v1.IHistory;
const EventType = temporal.api.enums.v1.EventType;

/** A workflow's history with its ID, as the replayer takes it. */
export interface NamedHistory {
  workflowId: string;
  history: History;
}

/** Runs `task` over `items` with at most `limit` in flight, keeping the results in order. */
export async function inPool<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await task(items[i]);
      }
    }),
  );
  return out;
}

/** Fetches every history (16 at a time) and times it. */
export async function fetchHistories(
  client: Client,
  workflowIds: string[],
  concurrency = 16,
): Promise<{ histories: NamedHistory[]; ms: number }> {
  const t0 = performance.now();
  const histories = await inPool(workflowIds, concurrency, async (workflowId) => ({
    workflowId,
    history: await client.workflow.getHandle(workflowId).fetchHistory(),
  }));
  return { histories, ms: performance.now() - t0 };
}

/** Server timestamps (ms since the epoch) of the `ChildWorkflowExecutionStarted` events in a history. */
export function childStartedTimes(history: History): number[] {
  return (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED)
    .map((e) => tsToMs(e.eventTime));
}

/** Server timestamp of a history's first event (the workflow's start). */
export function startedAt(history: History): number {
  return tsToMs(history.events?.[0]?.eventTime);
}

/** Size facts of a set of histories: the largest per kind, and every failed workflow task with its cause. */
export interface HistoryFacts {
  fetched: number;
  largest: { workflowId: string; events: number };
  /** The largest history of each kind, with its events counted by type (what makes it long). */
  largestByKind: Record<string, { workflowId: string; events: number; byType: Record<string, number> }>;
  /** Workflow tasks that failed (a per-workflow limit hit shows here, e.g. PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED). */
  workflowTaskFailures: { workflowId: string; cause: string }[];
}

/** Kind of a workflow from its ID: `directive`, `shard` or `unit` (also for B0's `bench:` IDs). */
export function kindOf(workflowId: string): string {
  if (/\/unit:/.test(workflowId)) return 'unit';
  if (/\/shard:/.test(workflowId)) return 'shard';
  return 'parent';
}

function countByType(history: History): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const name = (EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

export function historyFacts(histories: NamedHistory[]): HistoryFacts {
  const largestByKind: HistoryFacts['largestByKind'] = {};
  let largest = { workflowId: '', events: 0 };
  const workflowTaskFailures: HistoryFacts['workflowTaskFailures'] = [];
  for (const { workflowId, history } of histories) {
    const events = history.events?.length ?? 0;
    const kind = kindOf(workflowId);
    if (events > (largestByKind[kind]?.events ?? -1))
      largestByKind[kind] = { workflowId, events, byType: countByType(history) };
    if (events > largest.events) largest = { workflowId, events };
    for (const e of history.events ?? []) {
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
        const cause = e.workflowTaskFailedEventAttributes?.cause ?? 0;
        workflowTaskFailures.push({
          workflowId,
          cause: temporal.api.enums.v1.WorkflowTaskFailedCause[cause] ?? String(cause),
        });
      }
    }
  }
  return { fetched: histories.length, largest, largestByKind, workflowTaskFailures };
}

/**
 * Replays every history against the workflow bundle as an auditor's `farman-audit replay --jobs N` does
 * (audit/replay.ts: the histories as the archive's JSON, the real workflow IDs, as children's IDs
 * derive from them, in `processes` replay processes, tuned unless `tune` is false; unset, in this process)
 * and times it, from the fetched histories to the last outcome. Returns the workflows whose replay failed:
 * any is a determinism bug.
 */
export async function replayAll(
  bundlePath: string,
  histories: NamedHistory[],
  processes?: number,
  tune = true,
): Promise<{ ms: number; cpuSeconds: number; failures: string[] }> {
  const cpu0 = selfAndChildrenCpuSeconds();
  const t0 = performance.now();
  const code = readFileSync(bundlePath, 'utf8');
  const targets = histories.map(({ workflowId, history }) => ({
    workflowId,
    history: historyToJson(history),
    source: 'bench',
  }));
  const outcomes = await replayHistories(targets, async () => code, undefined, {
    processes,
    minHistoriesPerProcess: 1,
    tuneProcesses: tune,
  });
  const failures = outcomes.filter((o) => !o.deterministic).map((o) => `${o.workflowId}: ${o.errorName}: ${o.error}`);
  return { ms: performance.now() - t0, cpuSeconds: selfAndChildrenCpuSeconds() - cpu0, failures };
}

/** Where a process spent its CPU while `task` ran: self time per function, from V8's sampling profiler. */
export interface CpuProfileSummary {
  /** Busy time sampled (idle left out). */
  sampledMs: number;
  /** The functions with the most self time, `name file:line`, with their share of the samples. */
  top: { frame: string; ms: number; share: number }[];
  /**
   * The busy time by owner, largest first: each sample goes to the innermost frame on its stack that belongs
   * to an npm package (`nodemailer`, `@temporalio/worker`), to a folder of this repository (`farman
   * activities`), to the workflow bundle or to the sandbox's glue (`vm sandbox`); samples with no such frame
   * (garbage collection, Node's own code) go to the leaf's name. Absent before 2026-11-28T19.
   */
  byOwner?: { owner: string; ms: number; share: number }[];
}

/** Runs `task` under this process's CPU profiler (node:inspector) and summarises where the time went. */
export async function profiled<T>(
  task: () => Promise<T>,
  topN = 12,
): Promise<{ result: T; profile: CpuProfileSummary }> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const result = await task();
    const { profile } = await session.post('Profiler.stop');
    return { result, profile: summarizeProfile(profile, topN) };
  } finally {
    session.disconnect();
  }
}

/** A V8 CPU profile (`.cpuprofile`, or the inspector's `Profiler.stop` answer), as much as is read here. */
interface V8Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time per function of a V8 CPU profile, the `topN` largest first; idle time is left out of the shares. */
export function summarizeProfile(profile: V8Profile, topN = 12): CpuProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<string, number>();
  let sampledMs = 0;
  profile.samples?.forEach((id, i) => {
    const ms = (profile.timeDeltas?.[i] ?? 0) / 1000;
    const frame = byId.get(id)?.callFrame;
    if (frame?.functionName === '(idle)') return;
    const name = frame
      ? `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`
      : '?';
    selfMs.set(name, (selfMs.get(name) ?? 0) + ms);
    sampledMs += ms;
  });
  const shares = (entries: Map<string, number>, n: number) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, ms]) => ({ key, ms: Math.round(ms), share: Math.round((ms / sampledMs) * 1000) / 1000 }));
  const top = shares(selfMs, topN).map(({ key, ...rest }) => ({ frame: key, ...rest }));
  const byOwner = shares(ownerTimes(profile, byId), topN).map(({ key, ...rest }) => ({ owner: key, ...rest }));
  return { sampledMs: Math.round(sampledMs), top, byOwner };
}

const repositoryRoot = `${path.join(__dirname, '..')}/`;

/** Who owns a frame's code: an npm package, a folder of this repository, the workflow bundle; null for Node's. */
export function ownerOf(url: string): string | null {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (inModules) return inModules[1];
  if (/workflow-bundle-[^/]*\.js$/.test(url)) return 'workflow bundle';
  if (url.startsWith('evalmachine')) return 'vm sandbox';
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  // The benchmark's own counter around the sandbox entry (sandbox-calls.ts): the time is its caller's.
  if (file === `${repositoryRoot}bench/sandbox-calls.ts`) return null;
  if (file.startsWith(repositoryRoot)) return `farman ${file.slice(repositoryRoot.length).split('/')[0]}`;
  return null;
}

function ownerTimes(profile: V8Profile, byId: Map<number, V8Profile['nodes'][number]>): Map<string, number> {
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const ownerOfNode = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = ownerOfNode.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const own = ownerOf(node.callFrame.url);
    const parent = parentOf.get(id);
    // No owner up to the root: the leaf's own name, e.g. `(garbage collector)` or a Node internal function.
    const owner = own ?? (parent === undefined ? '' : resolve(parent));
    ownerOfNode.set(id, owner);
    return owner;
  };
  const times = new Map<string, number>();
  profile.samples?.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') return;
    const owner = resolve(id) || frame.functionName || '(anonymous)';
    times.set(owner, (times.get(owner) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  return times;
}
