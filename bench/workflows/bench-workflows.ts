import {
  allHandlersFinished,
  condition,
  setHandler,
  startChild,
  type ChildWorkflowHandle,
  type Workflow,
} from '@temporalio/workflow';
import {
  benchShardId,
  benchUnitId,
  replyUpdate,
  startedQuery,
  type BenchParentInput,
  type BenchShardInput,
} from './contract';

/**
 * Starts `ids` as children of `workflow` in batches of `batch` start commands (one workflow task each, as
 * Farman's fan-out does), counting started children, then waits for every child to complete.
 */
async function startInBatches(
  workflow: Workflow,
  ids: string[],
  argsOf: (i: number) => unknown[],
  batch: number,
  started: { n: number },
): Promise<void> {
  const handles: ChildWorkflowHandle<Workflow>[] = [];
  for (let i = 0; i < ids.length; i += batch) {
    const slice = ids.slice(i, i + batch);
    const batchHandles = await Promise.all(
      slice.map((workflowId, j) => startChild(workflow, { workflowId, args: argsOf(i + j) })),
    );
    started.n += batchHandles.length;
    handles.push(...batchHandles);
  }
  await Promise.all(handles.map((h) => h.result()));
}

/**
 * B0's unit: waits for one `reply` update and returns. The bare minimum a unit of Farman could be.
 */
export async function benchUnitWorkflow(): Promise<string> {
  let repliedAt: string | null = null;
  setHandler(replyUpdate, () => {
    repliedAt = new Date().toISOString();
    return repliedAt;
  });
  await condition(() => repliedAt !== null);
  await condition(allHandlersFinished);
  return repliedAt!;
}

/** B0's shard: starts its slice of units and waits for them. */
export async function benchShardWorkflow(input: BenchShardInput): Promise<void> {
  const started = { n: 0 };
  setHandler(startedQuery, () => started.n);
  const ids = Array.from({ length: input.count }, (_, i) => benchUnitId(input.runId, input.first + i));
  await startInBatches(benchUnitWorkflow, ids, () => [], input.startBatch, started);
}

/** B0's parent: starts the units directly (up to `shardSize`) or through shards of `shardSize`, and waits. */
export async function benchParentWorkflow(input: BenchParentInput): Promise<void> {
  const started = { n: 0 };
  setHandler(startedQuery, () => started.n);
  if (input.units <= input.shardSize) {
    const ids = Array.from({ length: input.units }, (_, i) => benchUnitId(input.runId, i));
    await startInBatches(benchUnitWorkflow, ids, () => [], input.startBatch, started);
    return;
  }
  const shards = Math.ceil(input.units / input.shardSize);
  const ids = Array.from({ length: shards }, (_, i) => benchShardId(input.runId, i));
  await startInBatches(
    benchShardWorkflow,
    ids,
    (i) => [
      {
        runId: input.runId,
        shardIndex: i,
        first: i * input.shardSize,
        count: Math.min(input.shardSize, input.units - i * input.shardSize),
        startBatch: input.startBatch,
      },
    ],
    input.startBatch,
    started,
  );
}
