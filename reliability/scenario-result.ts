import type { TemporalGateway } from '../api/temporal-gateway';
import type { UnitState } from '../workflows/unit-state';
import { checkCounts } from './harness/count-check';

/**
 * What one fault scenario found, in the words of reliability/results.md: how often it ran and injected its
 * fault, how many things it checked, and how many of them were lost or duplicated (the target is zero).
 * `deliveryCopies` counts extra copies of an e-mail with the same Message-ID: Temporal retries a send whose
 * completion a crash kept from being recorded, so a relay can see a message twice (at-least-once delivery
 * with a stable Message-ID, which receiving systems deduplicate). It is reported, never hidden, and is not
 * a duplicated reply or notice.
 */
export interface ScenarioResult {
  scenario: string;
  /** Iterations of the scenario. */
  runs: number;
  /** Faults injected (kills, outages). */
  faults: number;
  /** Items checked (units, replies, messages). */
  checked: number;
  lost: number;
  duplicated: number;
  deliveryCopies: number;
  /** Units the directive counted in another state than their own once the scenario settled (target zero). */
  miscounted: number;
  /** What each count means here, and anything worth knowing (slow recoveries, refusals). */
  notes: string[];
  durationMs: number;
}

/** Sums several results of the same scenario into one row. */
export function mergeResults(results: ScenarioResult[]): ScenarioResult {
  const [first] = results;
  return {
    scenario: first.scenario,
    runs: results.reduce((n, r) => n + r.runs, 0),
    faults: results.reduce((n, r) => n + r.faults, 0),
    checked: results.reduce((n, r) => n + r.checked, 0),
    lost: results.reduce((n, r) => n + r.lost, 0),
    duplicated: results.reduce((n, r) => n + r.duplicated, 0),
    deliveryCopies: results.reduce((n, r) => n + r.deliveryCopies, 0),
    miscounted: results.reduce((n, r) => n + r.miscounted, 0),
    notes: [...new Set(results.flatMap((r) => r.notes))],
    durationMs: results.reduce((n, r) => n + r.durationMs, 0),
  };
}

/**
 * The directive's counts against its units' own states once a scenario has settled, as the fields of a
 * result: every scenario runs it before it ends its directive.
 */
export async function countCheckOf(
  gateway: TemporalGateway,
  directiveId: string,
): Promise<Pick<ScenarioResult, 'miscounted'> & { note: string }> {
  const check = await checkCounts(gateway, directiveId);
  const note = check.agreed
    ? `counts agreed with the units' states ${check.settledMs} ms after the scenario settled`
    : `counts disagreed: directive ${JSON.stringify(check.shown)}, units ${JSON.stringify(check.units)}`;
  return { miscounted: check.miscounted, note };
}

/** The sends of a unit's notice its history records: one is right, none is lost, two is a duplicate. */
export function recordedNotices(state: UnitState) {
  return state.log.filter((t) => t.event.type === 'mailRecorded' && t.event.purpose === 'notice');
}
