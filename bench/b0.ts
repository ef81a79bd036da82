import type { Client } from '@temporalio/client';
import { benchParentWorkflow } from './workflows/bench-workflows';
import {
  benchParentId,
  benchShardId,
  benchTaskQueue,
  benchUnitId,
  replyUpdate,
  startedQuery,
} from './workflows/contract';
import { childStartedTimes, fetchHistories } from './histories';

/** One fan-out's timing: from the start request to the last child's start, on the server's clock. */
export interface FanOutTiming {
  units: number;
  /** Request → the last unit workflow started (server event time of its ChildWorkflowExecutionStarted). */
  allStartedMs: number;
  /** Request → the fan-out's end: B0 the same as `allStartedMs`, B1 the last notice accepted by the sink. */
  fanOutMs: number;
  unitsPerSecond: number;
}

/**
 * B0, bare Temporal: the same parent → shards (≤ shardSize) → unit shape as Farman, on its own task queue,
 * where each unit only waits for one update. The harness drives it with the plain client.
 */
export class BareFanOut {
  constructor(
    private readonly client: Client,
    private readonly shardSize: number,
    private readonly startBatch = 100,
  ) {}

  /** Starts a parent of `units` children and waits until all have started; times it from server events. */
  async fanOut(runId: string, units: number, timeoutMs: number): Promise<FanOutTiming> {
    const t0 = Date.now();
    await this.client.workflow.start(benchParentWorkflow, {
      taskQueue: benchTaskQueue,
      workflowId: benchParentId(runId),
      args: [{ runId, units, shardSize: this.shardSize, startBatch: this.startBatch }],
    });
    const sharded = units > this.shardSize;
    const shards = sharded ? Math.ceil(units / this.shardSize) : 0;
    const trackers = sharded
      ? Array.from({ length: shards }, (_, i) => benchShardId(runId, i))
      : [benchParentId(runId)];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await Promise.all(
        trackers.map((id) =>
          this.client.workflow
            .getHandle(id)
            .query(startedQuery)
            .catch(() => 0),
        ),
      );
      if (counts.reduce((a, b) => a + b, 0) >= units) break;
      if (Date.now() > deadline)
        throw new Error(
          `B0 fan-out ${runId}: ${counts.reduce((a, b) => a + b, 0)}/${units} started after ${timeoutMs} ms`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
    const { histories } = await fetchHistories(this.client, trackers);
    const last = Math.max(...histories.flatMap((h) => childStartedTimes(h.history)));
    const ms = last - t0;
    return { units, allStartedMs: ms, fanOutMs: ms, unitsPerSecond: units / (ms / 1000) };
  }

  /** Sends unit `i` of a run its one update and returns the latency of the completed update in ms. */
  async reply(runId: string, i: number): Promise<number> {
    const handle = this.client.workflow.getHandle(benchUnitId(runId, i));
    const t0 = performance.now();
    await this.client.withDeadline(Date.now() + 30_000, () =>
      handle.executeUpdate(replyUpdate, { args: [{ note: 'ok' }], updateId: `reply-${runId}-${i}` }),
    );
    return performance.now() - t0;
  }

  /** Ends a run: terminating the parent terminates its shards and units (parent close policy). */
  async discard(runId: string): Promise<void> {
    await this.client.workflow
      .getHandle(benchParentId(runId))
      .terminate('benchmark run finished')
      .catch(() => undefined);
  }
}
