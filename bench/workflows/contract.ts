import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * The B0 (bare Temporal) baseline's contract: its own task queue, its own workflow IDs and one update. B0 has
 * Farman's fan-out shape (parent, shards of at most 500, one child per unit) and nothing else: no
 * activities, no e-mail, no HTTP, no signals to parents, so the difference to B1 is what Farman adds.
 */

export const benchTaskQueue = 'farman-bench-b0';

/** `bench:<run>`, the parent of one B0 fan-out. */
export function benchParentId(runId: string): string {
  return `bench:${runId}`;
}

/** `bench:<run>/shard:<n>`. */
export function benchShardId(runId: string, shardIndex: number): string {
  return `bench:${runId}/shard:${shardIndex}`;
}

/** `bench:<run>/unit:<n>`: the unit's index in the run, so the harness can address it without a lookup. */
export function benchUnitId(runId: string, unitIndex: number): string {
  return `bench:${runId}/unit:${unitIndex}`;
}

export interface BenchParentInput {
  runId: string;
  units: number;
  /** Children per shard; above this many units the parent fans out through shards (Farman's 500). */
  shardSize: number;
  /** Child start commands per workflow task (Farman's 100). */
  startBatch: number;
}

export interface BenchShardInput {
  runId: string;
  shardIndex: number;
  /** Index of the shard's first unit, and how many it starts. */
  first: number;
  count: number;
  startBatch: number;
}

/** The one message a B0 unit waits for; it returns the time the workflow saw it (workflow clock). */
export const replyUpdate = defineUpdate<string, [{ note: string }]>('reply');
/** How many children this parent or shard has started so far (a query: it adds nothing to history). */
export const startedQuery = defineQuery<number>('started');
