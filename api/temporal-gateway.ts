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
  campaignQuery,
  campaignWorkflowId,
  directiveSpecQuery,
  directiveStatusQuery,
  directiveWorkflowId,
  searchAttributes,
  revokeInboxUpdate,
  taskQueue,
  unitInboxWorkflowId,
  unitStateQuery,
  unitSummariesQuery,
  unitWorkflowId,
  type UnitUpdateResult,
} from '../workflows/contract';
import type {
  Actor,
  CampaignRecord,
  DirectiveSpec,
  DirectiveStatus,
  DirectiveWorkflowInput,
  UnitInboxWorkflowInput,
  UnitSummary,
} from '../workflows/types';
import { refusalCodes, summarize, type UnitState } from '../workflows/unit-state';
import { historyToJson, type JsonHistory } from '../audit/history-json';
import { readInboxGeneration } from '../domain/inbox-link';
import { NotFound, Rejected, Unavailable, type FieldIssue } from './errors';

/** A workflow as visibility lists it. */
export interface ListedWorkflow {
  workflowId: string;
  runId: string;
  /** `RUNNING`, `COMPLETED`, `TERMINATED` … */
  status: string;
  startTime: Date;
  /** Events in the history when visibility last recorded the workflow (each unit transition updates it). */
  historyLength: number;
  /** The Campaign search attribute, when set. */
  campaign: string | null;
  memo: Record<string, unknown>;
}

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
            ...(spec.campaign ? [{ key: searchAttributes.campaign, value: spec.campaign }] : []),
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

  /** Starts a campaign's workflow. Returns false when a campaign with that id already exists. */
  async startCampaign(record: CampaignRecord): Promise<boolean> {
    try {
      await this.call(() =>
        this.client.workflow.start('campaignWorkflow', {
          taskQueue: this.options.taskQueue ?? taskQueue,
          workflowId: campaignWorkflowId(record.id),
          args: [record],
          // The record in the memo too: visibility lists and describe calls return it with no worker.
          memo: { campaign: record },
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: searchAttributes.kind, value: 'campaign' },
            { key: searchAttributes.campaign, value: record.id },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw err;
    }
  }

  /**
   * A campaign's record, from its workflow's memo (a describe call: the server answers, fresh, with no
   * worker); a campaign started without the memo is asked by query. @throws NotFound
   */
  async campaign(campaignId: string): Promise<CampaignRecord> {
    const what = `campaign ${campaignId}`;
    const description = await this.call(
      () => this.client.workflow.getHandle(campaignWorkflowId(campaignId)).describe(),
      what,
    );
    const record = (description.memo as { campaign?: CampaignRecord } | undefined)?.campaign;
    return record ?? this.query(campaignWorkflowId(campaignId), campaignQuery, what);
  }

  /**
   * Workflows matching a visibility query, as ID, run, status and start time. Visibility may trail the
   * workflows by a moment; callers that need the newest state query each workflow.
   */
  async listWorkflows(query: string, what: string): Promise<ListedWorkflow[]> {
    const out: ListedWorkflow[] = [];
    await this.call(async () => {
      for await (const wf of this.client.workflow.list({ query })) {
        const campaign = wf.typedSearchAttributes.get(searchAttributes.campaign) ?? null;
        out.push({
          workflowId: wf.workflowId,
          runId: wf.runId,
          status: wf.status.name,
          startTime: wf.startTime,
          historyLength: wf.historyLength,
          campaign,
          memo: wf.memo ?? {},
        });
      }
    }, what);
    return out;
  }

  /** A workflow run's full history, as JSON (for closed units, which no query should wake a worker for). */
  async history(workflowId: string, runId: string): Promise<JsonHistory> {
    return this.call(
      async () => historyToJson(await this.client.workflow.getHandle(workflowId, runId).fetchHistory()),
      workflowId,
    );
  }

  /** The generation of a unit's inbox links (domain/inbox-link.ts). */
  inboxGeneration(unitCode: string): Promise<number> {
    return this.call(() => readInboxGeneration(this.client, unitInboxWorkflowId(unitCode)), `the inbox of ${unitCode}`);
  }

  /** Revokes every inbox link of a unit issued so far; returns the new generation. */
  async revokeInbox(unitCode: string, by: Actor, updateId: string): Promise<number> {
    const input: UnitInboxWorkflowInput = { unitCode, generation: 1 };
    try {
      await this.call(() =>
        this.client.workflow.start('unitInboxWorkflow', {
          taskQueue: this.options.taskQueue ?? taskQueue,
          workflowId: unitInboxWorkflowId(unitCode),
          args: [input],
          memo: { generation: 1 },
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: searchAttributes.kind, value: 'inbox' },
            { key: searchAttributes.unitCode, value: unitCode },
          ],
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    const handle = this.client.workflow.getHandle(unitInboxWorkflowId(unitCode));
    return this.call(
      () => handle.executeUpdate(revokeInboxUpdate, { args: [{ by }], updateId }),
      `the inbox of ${unitCode}`,
    );
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

  /** A unit's state, by query; `timeoutMs` shortens the wait for a worker (reads that can say "partial"). */
  unitState(directiveId: string, unitCode: string, timeoutMs = callTimeoutMs): Promise<UnitState> {
    return this.query(
      unitWorkflowId(directiveId, unitCode),
      unitStateQuery,
      `unit ${unitCode} of directive ${directiveId}`,
      timeoutMs,
    );
  }

  /**
   * Sends a unit update. The update id is the submission id, so a double click, a browser resubmit or a
   * client retry after a crash is recorded once and returns the first result.
   */
  async unitUpdate<A>(
    directiveId: string,
    unitCode: string,
    update: UpdateDefinition<UnitUpdateResult, [A]>,
    args: A,
    submissionId: string,
  ): Promise<UnitUpdateResult> {
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
  async directiveUpdate<A>(
    directiveId: string,
    update: UpdateDefinition<DirectiveStatus, [A]>,
    args: A,
    updateId: string,
  ): Promise<DirectiveStatus> {
    const handle = this.client.workflow.getHandle(directiveWorkflowId(directiveId));
    try {
      return await this.call(() => handle.executeUpdate(update, { args: [args], updateId }));
    } catch (err) {
      if (err instanceof NotFound) throw new Rejected('closed', `directive ${directiveId} is no longer open`);
      throw err;
    }
  }

  private query<R>(
    workflowId: string,
    query: QueryDefinition<R, []>,
    what: string,
    timeoutMs = callTimeoutMs,
  ): Promise<R> {
    return this.call(() => this.client.workflow.getHandle(workflowId).query(query), what, timeoutMs);
  }

  /** Runs a Temporal call with a deadline and maps its failures. */
  private async call<R>(fn: () => Promise<R>, what = 'the workflow', timeoutMs = callTimeoutMs): Promise<R> {
    try {
      return await this.client.withDeadline(Date.now() + timeoutMs, fn);
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
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError)
    return new Unavailable('the system is busy; nothing was recorded yet, please try again');
  if (isGrpcServiceError(err)) {
    const code = err.code as number;
    // 5 NOT_FOUND (also "workflow execution already completed"), 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE.
    if (code === 5) return new NotFound(`${what} was not found`);
    if (code === 4 || code === 14 || code === 8)
      return new Unavailable('the workflow service is not reachable now; please try again');
  }
  const message = String((err as Error)?.message ?? '');
  if (/already completed/i.test(message)) return new NotFound(`${what} has completed`);
  if (/deadline|unavailable|ECONNREFUSED|connect/i.test(message))
    return new Unavailable('the workflow service is not reachable now; please try again');
  return err;
}
