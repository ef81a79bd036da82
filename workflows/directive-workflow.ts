import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import {
  amendUnitSignal,
  amendUpdate,
  cancelUnitSignal,
  cancelUpdate,
  closeUnitSignal,
  closeUpdate,
  defaultShardSize,
  directiveSpecQuery,
  directiveStatusQuery,
  searchAttributes,
  shardChangedSignal,
  shardWorkflowId,
  unitChangedSignal,
  unitSummariesQuery,
  unitWorkflowId,
  type CancelArgs,
  type DirectiveLogEntry,
} from './contract';
import { unitStartOptions, unitWorkflow } from './unit-workflow';
import { FanOut, SummaryBoard } from './fan-out';
import { shardWorkflow } from './shard-workflow';
import {
  complianceStates,
  type ComplianceState,
  type DirectiveSpec,
  type DirectiveState,
  type DirectiveStatus,
  type DirectiveWorkflowInput,
  type UnitPolicy,
} from './types';

const startBatch = 100;

/** The part of a directive that its units need; the body and attachments stay in the file store. */
export function policyOf(spec: DirectiveSpec): UnitPolicy {
  const {
    directiveId,
    version,
    title,
    priority,
    specRef,
    acknowledgeBy,
    reportBy,
    reminders,
    escalation,
    form,
    acceptance,
  } = spec;
  return {
    directiveId,
    version,
    title,
    priority,
    specRef,
    acknowledgeBy,
    reportBy,
    reminders,
    escalation,
    form,
    acceptance,
  };
}

/**
 * A directive from issue to its last unit: fans out one `unitWorkflow` per target unit (through shard
 * workflows above `shardSize` units), forwards amendments, cancellation and closing, answers the status
 * query from the summaries its children send, and completes with the final counts.
 */
export async function directiveWorkflow(input: DirectiveWorkflowInput): Promise<DirectiveStatus> {
  let spec = input.spec;
  let state: DirectiveState = 'fanning-out';
  // Handlers change `state` behind the control-flow analysis' back; read it through this.
  const current = (): DirectiveState => state;
  const shardSize = input.shardSize ?? defaultShardSize;
  const board = new SummaryBoard(input.units);
  const directLog: DirectiveLogEntry[] = [];
  const sharded = input.units.length > shardSize;
  const shardUnits: string[][] = [];
  if (sharded)
    for (let i = 0; i < input.units.length; i += shardSize) shardUnits.push(input.units.slice(i, i + shardSize));
  const shardIds = shardUnits.map((_, i) => shardWorkflowId(spec.directiveId, i));
  let startedUnits = 0;

  function record(event: DirectiveLogEntry['event'], by = spec.issuedBy, meta?: DirectiveLogEntry['meta']): void {
    const entry: DirectiveLogEntry = { seq: directLog.length + 1, at: new Date().toISOString(), by, meta, event };
    directLog.push(entry);
    upsertMemo({ transition: entry });
  }

  function status(): DirectiveStatus {
    const counts = Object.fromEntries(complianceStates.map((s) => [s, 0])) as Record<ComplianceState, number>;
    const escalations: Record<string, number> = {};
    let overdue = 0;
    let undeliverable = 0;
    for (const s of board.byUnit.values()) {
      counts[s.state] += 1;
      if (s.overdue) overdue += 1;
      if (s.undeliverable) undeliverable += 1;
      if (s.escalationLevel > 0) escalations[s.escalationLevel] = (escalations[s.escalationLevel] ?? 0) + 1;
    }
    const started = sharded ? startedUnits : unitFanOut.started.length;
    return {
      directiveId: spec.directiveId,
      version: spec.version,
      state,
      total: input.units.length,
      started,
      counts,
      overdue,
      undeliverable,
      escalations,
      shards: shardIds,
    };
  }

  const rejectIfClosed = () => {
    if (state === 'cancelled' || state === 'closed' || state === 'completed') {
      throw ApplicationFailure.create({
        message: `the directive is already ${state}`,
        type: 'closed',
        nonRetryable: true,
      });
    }
  };

  const unitFanOut = new FanOut(unitWorkflow, startBatch, (_id, summary) => board.put(summary));
  const shardFanOut = new FanOut(shardWorkflow, startBatch, (_id, summaries) => summaries.forEach((s) => board.put(s)));
  const shardStarted = new Map<number, number>();

  async function broadcast<A extends unknown[]>(signal: SignalDefinition<A>, ...args: A): Promise<void> {
    await (sharded ? shardFanOut.broadcast(signal, ...args) : unitFanOut.broadcast(signal, ...args));
  }

  setHandler(unitChangedSignal, (summary) => board.put(summary));
  setHandler(shardChangedSignal, ({ shardIndex, summaries, started }) => {
    summaries.forEach((s) => board.put(s));
    shardStarted.set(shardIndex, started);
    startedUnits = [...shardStarted.values()].reduce((a, b) => a + b, 0);
  });
  setHandler(directiveStatusQuery, status);
  setHandler(unitSummariesQuery, () => [...board.byUnit.values()]);
  setHandler(directiveSpecQuery, () => ({ spec, log: directLog }));

  setHandler(
    amendUpdate,
    async (args) => {
      spec = args.spec;
      record({ type: 'amended', version: spec.version, changes: args.changes }, args.by, args.meta);
      await broadcast(amendUnitSignal, { policy: policyOf(spec), changes: args.changes, by: args.by, meta: args.meta });
      return status();
    },
    {
      validator: (args) => {
        rejectIfClosed();
        if (args.spec.version !== spec.version + 1) {
          throw ApplicationFailure.create({
            message: `expected version ${spec.version + 1}`,
            type: 'not-allowed',
            nonRetryable: true,
          });
        }
      },
    },
  );
  setHandler(cancelUpdate, (args) => stopAll('cancelled', cancelUnitSignal, args), {
    validator: (_args: CancelArgs) => rejectIfClosed(),
  });
  setHandler(closeUpdate, (args) => stopAll('closed', closeUnitSignal, args), {
    validator: (_args: CancelArgs) => rejectIfClosed(),
  });

  /** Cancels or closes the directive: no more units start, and every open unit is told. */
  async function stopAll(
    outcome: 'cancelled' | 'closed',
    signal: SignalDefinition<[CancelArgs]>,
    args: CancelArgs,
  ): Promise<DirectiveStatus> {
    state = outcome;
    record({ type: outcome, reason: args.reason }, args.by, args.meta);
    unitFanOut.stop();
    shardFanOut.stop();
    await broadcast(signal, { reason: args.reason, by: args.by, meta: args.meta });
    return status();
  }

  upsertSearchAttributes([
    { key: searchAttributes.directiveId, value: spec.directiveId },
    { key: searchAttributes.priority, value: spec.priority },
    { key: searchAttributes.kind, value: 'directive' },
    { key: searchAttributes.complianceState, value: state },
  ]);
  record({ type: 'issued', version: spec.version, units: input.units.length }, spec.issuedBy, spec.issuedMeta);

  const parentWorkflowId = workflowInfo().workflowId;
  if (sharded) {
    const indexOf = new Map(shardIds.map((id, i) => [id, i]));
    await runUntilDone(
      shardFanOut.run(shardIds, (id) => [
        {
          directiveWorkflowId: parentWorkflowId,
          shardIndex: indexOf.get(id)!,
          policy: policyOf(spec),
          units: shardUnits[indexOf.get(id)!],
          shardCount: shardUnits.length,
        },
      ]),
      () => startedUnits >= input.units.length,
    );
  } else {
    const codeOf = new Map(input.units.map((code) => [unitWorkflowId(spec.directiveId, code), code]));
    await runUntilDone(
      unitFanOut.run(
        [...codeOf.keys()],
        (id) => [{ unitCode: codeOf.get(id)!, policy: policyOf(spec), parentWorkflowId }],
        unitStartOptions,
      ),
      () => unitFanOut.started.length >= input.units.length,
    );
    if (current() === 'cancelled' || current() === 'closed') {
      const started = new Set(unitFanOut.started);
      board.markUnstarted(
        input.units.filter((c) => !started.has(unitWorkflowId(spec.directiveId, c))),
        current() as 'cancelled' | 'closed',
      );
    }
  }
  if (current() === 'open' || current() === 'fanning-out') state = 'completed';
  record({ type: 'completed' });
  upsertSearchAttributes([{ key: searchAttributes.complianceState, value: state }]);
  await condition(allHandlersFinished);
  return status();

  /**
   * Waits for the fan-out to finish, moving the directive from fanning-out to open once every unit has
   * started (unless it was cancelled or closed first).
   */
  async function runUntilDone(fanning: Promise<void>, allStarted: () => boolean): Promise<void> {
    let done = false;
    const finished = fanning.then(() => {
      done = true;
    });
    await condition(() => allStarted() || done || current() !== 'fanning-out');
    if (current() === 'fanning-out') {
      state = 'open';
      upsertSearchAttributes([{ key: searchAttributes.complianceState, value: state }]);
    }
    await finished;
  }
}
