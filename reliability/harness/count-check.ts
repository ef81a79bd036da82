import type { TemporalGateway } from '../../api/temporal-gateway';
import type { ComplianceState } from '../../workflows/types';

export type StateCounts = Partial<Record<ComplianceState, number>>;

export interface CountCheck {
  /** Whether the directive's counts came to equal the units' own states within the time allowed. */
  agreed: boolean;
  /** The directive's counts (its status query), non-zero states only. */
  shown: StateCounts;
  /** An independent count: each unit's state, asked of the unit's own workflow. */
  units: StateCounts;
  /** Units counted in a different state by the directive than by themselves (0 when agreed). */
  miscounted: number;
  /** How long after the check started the two agreed (or the time allowed, when they never did). */
  settledMs: number;
}

const nonZero = (counts: StateCounts): StateCounts =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => (n ?? 0) > 0));

/** The directive's counts and the units' own states, side by side. */
export async function countsBothWays(
  gateway: TemporalGateway,
  directiveId: string,
  codes?: string[],
): Promise<{ shown: StateCounts; units: StateCounts }> {
  codes ??= (await gateway.unitSummaries(directiveId)).map((s) => s.unitCode);
  const states = await Promise.all(codes.map((code) => gateway.unitState(directiveId, code)));
  const units: StateCounts = {};
  for (const s of states) units[s.state] = (units[s.state] ?? 0) + 1;
  const status = await gateway.directiveStatus(directiveId);
  return { shown: nonZero(status.counts), units };
}

/** Units a count differs by: half the sum of the differences per state. */
function difference(a: StateCounts, b: StateCounts): number {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as ComplianceState[]);
  let sum = 0;
  for (const k of keys) sum += Math.abs((a[k] ?? 0) - (b[k] ?? 0));
  return sum / 2;
}

/**
 * Polls until the directive's counts equal an independent count of its units' states, for at most
 * `timeoutMs`: the check that every change of a unit reaches the counts its parents show. `codes` are the
 * directive's units (all of them, read from the directive, when not given).
 */
export async function checkCounts(
  gateway: TemporalGateway,
  directiveId: string,
  codes?: string[],
  timeoutMs = 15_000,
): Promise<CountCheck> {
  const started = Date.now();
  for (;;) {
    const both = await countsBothWays(gateway, directiveId, codes);
    const miscounted = difference(both.shown, both.units);
    const settledMs = Date.now() - started;
    if (miscounted === 0 || settledMs >= timeoutMs) return { agreed: miscounted === 0, ...both, miscounted, settledMs };
    await new Promise((r) => setTimeout(r, 100));
  }
}
