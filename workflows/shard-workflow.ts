import {
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  amendUnitSignal,
  cancelUnitSignal,
  closeUnitSignal,
  searchAttributes,
  shardChangedSignal,
  unitChangedSignal,
  unitSummariesQuery,
  unitWorkflowId,
} from './contract';
import { unitStartOptions, unitWorkflow } from './unit-workflow';
import { FanOut, SummaryBoard } from './fan-out';
import type { ShardWorkflowInput, UnitPolicy, UnitSummary } from './types';

/** Start commands per batch: enough to keep the server busy, few enough to keep each task small. */
const startBatch = 100;
/**
 * How often, at most, a shard tells the directive what changed: once a second per shard, and no more than
 * `directiveSignalsPerSecond` for the whole directive. Each report costs the directive about four history
 * events (the signal and a workflow task), so 20 shards reporting every second through a 10,000-unit
 * fan-out of a few minutes would pass Temporal's 10,240-event warning.
 */
const minFlushIntervalMs = 1_000;
const directiveSignalsPerSecond = 2;

/** The flush interval of one shard of `shardCount`; the same for every shard of a directive. */
export function flushIntervalMs(shardCount = 1): number {
  return Math.max(minFlushIntervalMs, Math.ceil((shardCount / directiveSignalsPerSecond) * 1_000));
}

/**
 * One shard of a large directive: starts and tracks up to `defaultShardSize` unit workflows, forwards the
 * directive's commands to them, and sends the directive the summaries that changed, at most about once a
 * second. Returns every unit's final summary.
 */
export async function shardWorkflow(input: ShardWorkflowInput): Promise<UnitSummary[]> {
  let policy: UnitPolicy = input.policy;
  let stopped: 'cancelled' | 'closed' | null = null;
  const board = new SummaryBoard(input.units);
  const codeOf = new Map(input.units.map((code) => [unitWorkflowId(policy.directiveId, code), code]));
  const fanOut = new FanOut(unitWorkflow, startBatch, (_id, summary) => board.put(summary));
  let finished = false;

  upsertSearchAttributes([
    { key: searchAttributes.directiveId, value: policy.directiveId },
    { key: searchAttributes.kind, value: 'shard' },
  ]);
  setHandler(unitChangedSignal, (summary) => board.put(summary));
  setHandler(unitSummariesQuery, () => [...board.byUnit.values()]);
  setHandler(amendUnitSignal, async (args) => {
    policy = args.policy;
    await fanOut.broadcast(amendUnitSignal, args);
  });
  for (const [signal, outcome] of [
    [cancelUnitSignal, 'cancelled'],
    [closeUnitSignal, 'closed'],
  ] as const) {
    setHandler(signal, async (args) => {
      stopped ??= outcome;
      fanOut.stop();
      await fanOut.broadcast(signal, args);
    });
  }

  const flusher = flushToDirective();
  await fanOut.run(
    [...codeOf.keys()],
    (id) => [{ unitCode: codeOf.get(id)!, policy, parentWorkflowId: workflowInfo().workflowId }],
    unitStartOptions,
  );
  if (stopped)
    board.markUnstarted(
      input.units.filter((c) => !fanOut.started.includes(unitWorkflowId(policy.directiveId, c))),
      stopped,
    );
  finished = true;
  await flusher;
  await condition(allHandlersFinished);
  return [...board.byUnit.values()];

  async function flushToDirective(): Promise<void> {
    const directive = getExternalWorkflowHandle(input.directiveWorkflowId);
    let reportedStarted = 0;
    for (;;) {
      await condition(() => board.changed.size > 0 || fanOut.started.length !== reportedStarted || finished);
      if (finished && board.changed.size === 0) return;
      reportedStarted = fanOut.started.length;
      await directive.signal(shardChangedSignal, {
        shardIndex: input.shardIndex,
        summaries: board.takeChanged(),
        started: reportedStarted,
      });
      if (!finished) await sleep(flushIntervalMs(input.shardCount));
    }
  }
}
