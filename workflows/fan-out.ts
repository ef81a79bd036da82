import {
  condition,
  getExternalWorkflowHandle,
  log,
  startChild,
  type ChildWorkflowOptions,
  type SignalDefinition,
  type Workflow,
} from '@temporalio/workflow';
import type { UnitSummary } from './types';

/**
 * Starts and tracks a set of child workflows (units, or shards of units) on behalf of a directive or a
 * shard. Children start in batches so that a 500-child fan-out never has more than one batch of start
 * commands in flight, and commands broadcast to the children wait for the batch in flight, so a child
 * started with an old policy still receives the amendment.
 */
export class FanOut<W extends Workflow> {
  /** IDs of children started so far, in start order. */
  readonly started: string[] = [];
  private readonly open = new Set<string>();
  private starting = false;
  private stopped = false;

  constructor(
    private readonly workflow: W,
    private readonly batchSize: number,
    /** Called with each child's result when it completes. */
    private readonly onResult: (childId: string, result: Awaited<ReturnType<W>>) => void,
  ) {}

  /**
   * Starts every child not yet started (unless `stop` was called), then waits for all to complete.
   * `argsOf` is called at start time, so children started after an amendment get the new version; `optionsOf`
   * adds start options (search attributes) to each child.
   */
  async run(
    children: string[],
    argsOf: (childId: string) => Parameters<W>,
    optionsOf: (
      childId: string,
      args: Parameters<W>,
    ) => Pick<ChildWorkflowOptions, 'typedSearchAttributes'> = () => ({}),
  ): Promise<void> {
    const done: Promise<void>[] = [];
    for (let i = 0; i < children.length && !this.stopped; i += this.batchSize) {
      const batch = children.slice(i, i + this.batchSize);
      this.starting = true;
      const handles = await Promise.all(
        batch.map((workflowId) => {
          const args = argsOf(workflowId);
          return startChild(this.workflow as Workflow, { workflowId, args, ...optionsOf(workflowId, args) });
        }),
      );
      this.starting = false;
      for (const handle of handles) {
        this.started.push(handle.workflowId);
        this.open.add(handle.workflowId);
        done.push(
          handle.result().then(
            (result) => {
              this.open.delete(handle.workflowId);
              this.onResult(handle.workflowId, result as Awaited<ReturnType<W>>);
            },
            (err: unknown) => {
              this.open.delete(handle.workflowId);
              log.error('child workflow failed', { childId: handle.workflowId, error: String(err) });
            },
          ),
        );
      }
    }
    await Promise.all(done);
  }

  /** No more children are started; those not started yet stay unstarted. */
  stop(): void {
    this.stopped = true;
  }

  /** Signals every open child, after the start batch in flight (if any) has started. */
  async broadcast<A extends unknown[]>(signal: SignalDefinition<A>, ...args: A): Promise<void> {
    await condition(() => !this.starting);
    const targets = [...this.open];
    for (let i = 0; i < targets.length; i += this.batchSize) {
      await Promise.all(
        targets.slice(i, i + this.batchSize).map((id) =>
          getExternalWorkflowHandle(id)
            .signal(signal, ...args)
            .catch((err: unknown) => log.warn('signal to child failed', { childId: id, error: String(err) })),
        ),
      );
    }
  }
}

/** Keeps the newest summary per unit: a summary with a lower `seq` than the one held is stale. */
export class SummaryBoard {
  readonly byUnit = new Map<string, UnitSummary>();
  readonly changed = new Set<string>();

  constructor(units: string[]) {
    for (const unitCode of units) {
      this.byUnit.set(unitCode, {
        unitCode,
        state: 'notified',
        overdue: null,
        escalationLevel: 0,
        undeliverable: false,
        seq: 0,
      });
    }
  }

  put(summary: UnitSummary): void {
    const held = this.byUnit.get(summary.unitCode);
    if (!held || summary.seq < held.seq) return;
    this.byUnit.set(summary.unitCode, summary);
    this.changed.add(summary.unitCode);
  }

  /** Summaries changed since the last call, then forgets them. */
  takeChanged(): UnitSummary[] {
    const out = [...this.changed].map((code) => this.byUnit.get(code)!);
    this.changed.clear();
    return out;
  }

  /** Units not yet in a terminal state are marked with the given state (used when fan-out stops early). */
  markUnstarted(units: string[], state: UnitSummary['state']): void {
    for (const unitCode of units) {
      const held = this.byUnit.get(unitCode);
      if (held && held.seq === 0) this.put({ ...held, state, seq: 1 });
    }
  }
}
