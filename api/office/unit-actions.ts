import type { UpdateDefinition } from '@temporalio/common';
import { remindUpdate, extendDeadlineUpdate, type UnitUpdateResult } from '../../workflows/contract';
import type { Actor, ComplianceState, RequestMeta } from '../../workflows/types';
import { FarmanError } from '../errors';
import type { TemporalGateway } from '../temporal-gateway';

/** Units that still owe something: their deadlines and reminders still matter. */
const openStates: readonly ComplianceState[] = ['notified', 'acknowledged', 'reported', 'returned'];
/** Units whose report is still due: a reminder makes sense only for these. */
const reportDueStates: readonly ComplianceState[] = ['notified', 'acknowledged', 'returned'];

export interface BulkResult {
  done: string[];
  skipped: { unitCode: string; reason: string }[];
}

/**
 * Sends one update to every unit of a directive in `states`, a few at a time. The update id of each is
 * `<submissionId>:<unit>`, so repeating the whole request (same submission id) applies it once per unit.
 * A unit that refuses (it closed meanwhile, …) is listed as skipped; other failures abort the request.
 */
async function forUnits<A>(
  gateway: TemporalGateway,
  directiveId: string,
  states: readonly ComplianceState[],
  update: UpdateDefinition<UnitUpdateResult, [A]>,
  args: A,
  submissionId: string,
): Promise<BulkResult> {
  const units = (await gateway.unitSummaries(directiveId))
    .filter((u) => states.includes(u.state))
    .map((u) => u.unitCode);
  const result: BulkResult = { done: [], skipped: [] };
  const concurrency = 16;
  for (let i = 0; i < units.length; i += concurrency) {
    await Promise.all(
      units.slice(i, i + concurrency).map(async (code) => {
        try {
          await gateway.unitUpdate(directiveId, code, update, args, `${submissionId}:${code}`);
          result.done.push(code);
        } catch (err) {
          if (!(err instanceof FarmanError) || err.status >= 500) throw err;
          result.skipped.push({ unitCode: code, reason: err.message });
        }
      }),
    );
  }
  result.done.sort();
  return result;
}

/** Extends the deadlines of every open unit of a directive. */
export function extendAllUnits(
  gateway: TemporalGateway,
  directiveId: string,
  change: { acknowledgeBy?: string; reportBy?: string; reason: string },
  by: Actor,
  meta: RequestMeta,
  submissionId: string,
): Promise<BulkResult> {
  return forUnits(gateway, directiveId, openStates, extendDeadlineUpdate, { ...change, by, meta }, submissionId);
}

/** Reminds every unit whose report is still due, now. */
export function remindAllUnits(
  gateway: TemporalGateway,
  directiveId: string,
  note: string | undefined,
  by: Actor,
  meta: RequestMeta,
  submissionId: string,
): Promise<BulkResult> {
  return forUnits(gateway, directiveId, reportDueStates, remindUpdate, { note, by, meta }, submissionId);
}
