import { unitStateAt } from '../../audit/state-at';
import { directiveOutcome, type DirectiveOutcome, type Unreadable } from '../../audit/unit-record';
import type { UnitState } from '../../workflows/unit-state';
import { parseUnitWorkflowId } from '../../workflows/contract';
import { mapBounded } from '../dashboard/map-bounded';
import { NotFound } from '../errors';
import { quote } from '../office/list-directives';
import type { ListedWorkflow, TemporalGateway } from '../temporal-gateway';

/** Which directives a record or the scoreboard covers. */
export interface RecordScope {
  campaign?: string;
  /** Directives issued at or after this instant (ISO). */
  from?: string;
  /** Directives issued before this instant (ISO). */
  to?: string;
}

/** Every unit's outcomes, and the directives found but not readable, per unit code. */
export interface ReadOutcomes {
  byUnit: Map<string, DirectiveOutcome[]>;
  unreadable: Map<string, Unreadable[]>;
}

/** Closed units' outcomes kept in memory: a closed history never changes, so its outcome never does. */
const closedCacheLimit = 50_000;
/**
 * How long a running unit may take to answer before the record calls it unreadable: a record is a summary
 * that can say "partial", so it does not wait the gateway's full deadline for a worker that is down.
 */
const queryTimeoutMs = 5_000;
/** Running units' states kept for `fresh: false` reads, each with the history length it was read at. */
const runningCacheLimit = 20_000;

/**
 * Reads units' outcomes from Temporal: visibility finds the unit workflows (`UnitCode = …`, and the
 * directives of a campaign or period by the directives' own search attributes), a running unit is asked
 * for its state (a query: fresh), and a closed one's history is folded by the same state machine (no worker
 * needed). A unit that cannot be read is reported as unreadable, never silently left out. The only memory
 * kept is the outcome of closed runs, rebuilt from their histories whenever it is missing.
 */
export class RecordReader {
  private readonly closed = new Map<string, DirectiveOutcome>();
  private readonly running = new Map<string, { historyLength: number; state: UnitState }>();

  constructor(
    private readonly gateway: TemporalGateway,
    private readonly taskQueue?: string,
    private readonly concurrency = 16,
  ) {}

  /**
   * Outcomes of one unit (`unitCode`) or of every unit, within the scope. With `fresh: false` (the
   * scoreboard, which reads every unit) a running unit is asked again only when visibility shows its history
   * has grown since it was last read: every transition is a memo upsert, which visibility records with the
   * history's length. Such an answer may trail a reply by visibility's lag (about a second); a unit's own
   * record (`fresh`, the default) always asks the unit.
   */
  async read(
    scope: RecordScope,
    now: number,
    unitCode?: string,
    options: { fresh?: boolean } = {},
  ): Promise<ReadOutcomes> {
    const fresh = options.fresh ?? true;
    const filtered = Boolean(scope.campaign || scope.from || scope.to);
    const directives = await this.directives(scope);
    const unitClauses = [`FarmanKind = 'unit'`];
    if (this.taskQueue) unitClauses.push(`TaskQueue = ${quote(this.taskQueue)}`);
    if (unitCode) unitClauses.push(`UnitCode = ${quote(unitCode)}`);
    if (filtered && directives.size > 0 && directives.size <= 200)
      unitClauses.push(`DirectiveId IN (${[...directives.keys()].map(quote).join(', ')})`);
    const units =
      filtered && directives.size === 0
        ? []
        : await this.gateway.listWorkflows(unitClauses.join(' AND '), 'the unit list');

    // One run per workflow ID, the latest.
    const latest = new Map<string, ListedWorkflow>();
    for (const wf of units) {
      const ids = parseUnitWorkflowId(wf.workflowId);
      if (!ids || (filtered && !directives.has(ids.directiveId))) continue;
      const seen = latest.get(wf.workflowId);
      if (!seen || seen.startTime < wf.startTime) latest.set(wf.workflowId, wf);
    }

    const out: ReadOutcomes = { byUnit: new Map(), unreadable: new Map() };
    await mapBounded([...latest.values()], this.concurrency, async (wf) => {
      const { directiveId, unitCode: code } = parseUnitWorkflowId(wf.workflowId)!;
      try {
        const outcome = await this.outcome(wf, directiveId, code, directives.get(directiveId) ?? null, now, fresh);
        push(out.byUnit, code, outcome);
      } catch (err) {
        push(out.unreadable, code, { directiveId, reason: String((err as Error)?.message ?? err) });
      }
    });
    return out;
  }

  /** The directives in scope, with their campaign (every directive of the task queue when unscoped). */
  private async directives(scope: RecordScope): Promise<Map<string, string | null>> {
    const clauses = [`FarmanKind = 'directive'`];
    if (this.taskQueue) clauses.push(`TaskQueue = ${quote(this.taskQueue)}`);
    if (scope.campaign) clauses.push(`Campaign = ${quote(scope.campaign)}`);
    if (scope.from) clauses.push(`StartTime >= ${quote(scope.from)}`);
    if (scope.to) clauses.push(`StartTime < ${quote(scope.to)}`);
    const listed = await this.gateway.listWorkflows(clauses.join(' AND '), 'the directive list');
    const map = new Map<string, string | null>();
    for (const wf of listed) {
      const m = /^directive:([^/]+)$/.exec(wf.workflowId);
      if (m) map.set(m[1], wf.campaign);
    }
    return map;
  }

  private async outcome(
    wf: ListedWorkflow,
    directiveId: string,
    unitCode: string,
    campaign: string | null,
    now: number,
    fresh: boolean,
  ): Promise<DirectiveOutcome> {
    const cached = this.closed.get(wf.runId);
    if (cached) return { ...cached, campaign };
    if (wf.status === 'RUNNING') {
      const seen = this.running.get(wf.runId);
      // Recomputed with `now`: a deadline may have passed since, with no transition yet.
      if (!fresh && seen && seen.historyLength === wf.historyLength) return directiveOutcome(seen.state, campaign, now);
      try {
        const state = await this.gateway.unitState(directiveId, unitCode, queryTimeoutMs);
        if (this.running.size >= runningCacheLimit && !this.running.has(wf.runId))
          this.running.delete(this.running.keys().next().value!);
        this.running.set(wf.runId, { historyLength: wf.historyLength, state });
        return directiveOutcome(state, campaign, now);
      } catch (err) {
        // It closed since visibility listed it: its history has the answer.
        if (!(err instanceof NotFound)) throw err;
      }
    }
    const state = unitStateAt(
      wf.workflowId,
      await this.gateway.history(wf.workflowId, wf.runId),
      Number.MAX_SAFE_INTEGER,
    );
    if (!state) throw new Error('the history holds no issued transition');
    const outcome = directiveOutcome(state, campaign, now);
    this.running.delete(wf.runId);
    if (!outcome.open) {
      if (this.closed.size >= closedCacheLimit) this.closed.delete(this.closed.keys().next().value!);
      this.closed.set(wf.runId, outcome);
    }
    return outcome;
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
