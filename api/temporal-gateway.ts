import {
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, type QueryDefinition, type UpdateDefinition } from '@temporalio/common';
import {
  directiveSpecQuery,
  directiveStatusQuery,
  directiveWorkflowId,
  searchAttributes,
  taskQueue,
  unitStateQuery,
  unitSummariesQuery,
  unitWorkflowId,
  type UnitUpdateResult,
} from '../workflows/contract';
import type { DirectiveSpec, DirectiveStatus, DirectiveWorkflowInput, UnitSummary } from '../workflows/types';
import { refusalCodes, summarize, type UnitState } from '../workflows/unit-state';
import { NotFound, Rejected, Unavailable, type FieldIssue } from './errors';

/** How long a request waits for Temporal (and a worker) before answering "try again". */
const callTimeoutMs = 15_000;

/**
 * Told what the gateway got Temporal to record, for metrics. Called only after Temporal accepted: a
 * directive started (not a duplicate), a unit update applied by its workflow (`kind` is the update's name).
 * An observer must not throw; it runs on the request's path.
 */
export interface GatewayObserver {
  directiveStarted(): void;
  unitUpdateRecorded(kind: string): void;
}

/**
 * The API's only door to Temporal: starts directives, reads their state through queries (fresh, unlike
 * visibility), and sends updates with the caller's submission id as the update id, mapping every failure to
 * the API's error vocabulary. A reply either is recorded once or gets an error that says so.
 */
export class TemporalGateway {
  constructor(
    readonly client: Client,
    private readonly options: { taskQueue?: string; shardSize?: number; observer?: GatewayObserver } = {},
  ) {}

  /** Starts a directive. Returns false when a workflow with that id already exists (nothing started). */
  async startDirective(spec: DirectiveSpec, units: string[]): Promise<boolean> {
    const input: DirectiveWorkflowInput = { spec, units, shardSize: this.options.shardSize };
    try {
      await this.call(() =>
        this.client.workflow.start('directiveWorkflow', {
          taskQueue: this.options.taskQueue ?? taskQueue,
          workflowId: directiveWorkflowId(spec.directiveId),
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: searchAttributes.directiveId, value: spec.directiveId },
            { key: searchAttributes.priority, value: spec.priority },
            { key: searchAttributes.kind, value: 'directive' },
          ],
        }),
      );
      this.options.observer?.directiveStarted();
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw err;
    }
  }

  /**
   * The highest directive serial of a Jalali year that the namespace knows, from visibility (which may lag
   * by a moment: callers still rely on Temporal rejecting a duplicate workflow ID).
   */
  async highestDirectiveSerial(year: number): Promise<number> {
    let highest = 0;
    await this.call(async () => {
      for await (const wf of this.client.workflow.list({ query: `FarmanKind = 'directive'` })) {
        const m = /^directive:(\d{4})-(\d{6})$/.exec(wf.workflowId);
        if (m && Number(m[1]) === year) highest = Math.max(highest, Number(m[2]));
      }
    }, 'the directive list');
    return highest;
  }

  directiveStatus(directiveId: string): Promise<DirectiveStatus> {
    return this.query(directiveWorkflowId(directiveId), directiveStatusQuery, `directive ${directiveId}`);
  }

  directiveDocument(directiveId: string) {
    return this.query(directiveWorkflowId(directiveId), directiveSpecQuery, `directive ${directiveId}`);
  }

  unitSummaries(directiveId: string): Promise<UnitSummary[]> {
    return this.query(directiveWorkflowId(directiveId), unitSummariesQuery, `directive ${directiveId}`);
  }

  unitState(directiveId: string, unitCode: string): Promise<UnitState> {
    return this.query(unitWorkflowId(directiveId, unitCode), unitStateQuery, `unit ${unitCode} of directive ${directiveId}`);
  }

  /**
   * Sends a unit update. The update id is the submission id, so a double click, a browser resubmit or a
   * client retry after a crash is recorded once and returns the first result.
   */
  async unitUpdate<A>(directiveId: string, unitCode: string, update: UpdateDefinition<UnitUpdateResult, [A]>, args: A, submissionId: string): Promise<UnitUpdateResult> {
    const workflowId = unitWorkflowId(directiveId, unitCode);
    const handle = this.client.workflow.getHandle(workflowId);
    try {
      const result = await this.call(() => handle.executeUpdate(update, { args: [args], updateId: submissionId }));
      this.options.observer?.unitUpdateRecorded(update.name);
      return result;
    } catch (err) {
      if (err instanceof NotFound) {
        // The workflow has completed. A retry of a reply it recorded gets the first answer again; anything
        // else is told why the unit no longer takes replies.
        const state = await this.unitState(directiveId, unitCode);
        const earlier = state.log.find((t) => t.meta?.submissionId === submissionId);
        if (earlier) return { seq: earlier.seq, state: summarize(state), at: earlier.at };
        throw new Rejected('closed', closedMessage(state));
      }
      throw err;
    }
  }

  /** Sends a directive-wide update (amend, cancel, close). */
  async directiveUpdate<A>(directiveId: string, update: UpdateDefinition<DirectiveStatus, [A]>, args: A, updateId: string): Promise<DirectiveStatus> {
    const handle = this.client.workflow.getHandle(directiveWorkflowId(directiveId));
    try {
      return await this.call(() => handle.executeUpdate(update, { args: [args], updateId }));
    } catch (err) {
      if (err instanceof NotFound) throw new Rejected('closed', `directive ${directiveId} is no longer open`);
      throw err;
    }
  }

  private query<R>(workflowId: string, query: QueryDefinition<R, []>, what: string): Promise<R> {
    return this.call(() => this.client.workflow.getHandle(workflowId).query(query), what);
  }

  /** Runs a Temporal call with a deadline and maps its failures. */
  private async call<R>(fn: () => Promise<R>, what = 'the workflow'): Promise<R> {
    try {
      return await this.client.withDeadline(Date.now() + callTimeoutMs, fn);
    } catch (err) {
      throw mapTemporalError(err, what);
    }
  }
}

function closedMessage(state: UnitState): string {
  switch (state.state) {
    case 'cancelled':
      return 'the directive was cancelled';
    case 'closed':
      return 'the directive was closed';
    default:
      return `the unit is already ${state.state}`;
  }
}

/** Maps Temporal client errors to the API's vocabulary; unknown errors pass through unchanged. */
export function mapTemporalError(err: unknown, what: string): unknown {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const code = refusalCodes.find((c) => c === cause.type) ?? 'not-allowed';
      const issues = (cause.details?.[0] as FieldIssue[] | undefined) ?? [];
      return new Rejected(code, cause.message, Array.isArray(issues) ? issues : []);
    }
    return new Rejected('not-allowed', cause?.message ?? err.message);
  }
  if (err instanceof WorkflowNotFoundError) return new NotFound(`${what} was not found`);
  // A query without a worker to answer it fails as "Failed to query Workflow" around the gRPC deadline error.
  if (err instanceof ServiceError && isGrpcServiceError(err.cause)) return mapTemporalError(err.cause, what);
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return new Unavailable('the system is busy; nothing was recorded yet, please try again');
  if (isGrpcServiceError(err)) {
    const code = err.code as number;
    // 5 NOT_FOUND (also "workflow execution already completed"), 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE.
    if (code === 5) return new NotFound(`${what} was not found`);
    if (code === 4 || code === 14 || code === 8) return new Unavailable('the workflow service is not reachable now; please try again');
  }
  const message = String((err as Error)?.message ?? '');
  if (/already completed/i.test(message)) return new NotFound(`${what} has completed`);
  if (/deadline|unavailable|ECONNREFUSED|connect/i.test(message)) return new Unavailable('the workflow service is not reachable now; please try again');
  return err;
}
