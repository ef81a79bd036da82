import type { Priority } from '../domain/directive-schema';
import type { ComplianceState } from '../workflows/types';
import {
  applyTransition,
  emptyState,
  isTerminal,
  nextDeadline,
  type Obligation,
  type UnitState,
} from '../workflows/unit-state';

/**
 * A unit's record across directives (کارنامه واحد), computed by pure functions from the unit workflows'
 * recorded transitions: first what each directive's log says about the unit (`directiveOutcome`), then the
 * figures across directives (`unitRecord`) and the ranking of units (`scoreboard`). Nothing here reads a
 * clock: `now` comes in, and only decides whether an open obligation is already missed.
 *
 * Definitions (the HQ's questions, made exact):
 * - An obligation is met on time when its first fulfilment (for the acknowledgement: an acknowledgement or a
 *   report, which acknowledges too) is at or before the deadline in effect at that moment (extensions count).
 * - It is never met (acknowledgement) or missing (report) when the unit's timer recorded the deadline as
 *   missed, or the deadline has passed while the unit is still open, and it was not fulfilled.
 * - It is not required when the unit ended (exempted, cancelled, closed) before its deadline without it.
 * - Times to acknowledge and report run from the unit's issue to the first fulfilment, in wall-clock time.
 */

export type AcknowledgeOutcome = 'on-time' | 'late' | 'never' | 'pending' | 'not-required';
export type ReportOutcome = 'on-time' | 'late' | 'missing' | 'pending' | 'not-required';

/** What one directive's history says about one unit. */
export interface DirectiveOutcome {
  directiveId: string;
  unitCode: string;
  title: string;
  priority: Priority;
  campaign: string | null;
  issuedAt: string;
  state: ComplianceState;
  acknowledge: AcknowledgeOutcome;
  acknowledgedAt: string | null;
  /** Issue to first acknowledgement, in ms; null when not acknowledged. */
  acknowledgeMs: number | null;
  report: ReportOutcome;
  reportedAt: string | null;
  /** Issue to first report, in ms; null when never reported. */
  reportMs: number | null;
  /** Times the office returned the unit's report for correction. */
  returned: number;
  /** Reminders the unit needed (scheduled and requested by the office). */
  reminders: number;
  /** Highest escalation level any missed deadline reached (0: none). */
  highestEscalation: number;
  /** Open now: not accepted, exempted, cancelled or closed. */
  open: boolean;
  /** For an open unit: the obligation due next and its deadline, and whether it is overdue now. */
  due: { obligation: Obligation; deadline: string; overdue: boolean } | null;
  acknowledgeBy: string;
  reportBy: string;
}

/** Reads one unit workflow's state (its log is what counts) into the directive's outcome for the unit. */
export function directiveOutcome(state: UnitState, campaign: string | null, now: number): DirectiveOutcome {
  let replay: UnitState | null = null;
  let issuedAt: string | null = null;
  let ack: { at: string; deadline: string } | null = null;
  let rep: { at: string; deadline: string } | null = null;
  const missed = { acknowledge: false, report: false };
  let returned = 0;
  let reminders = 0;
  let highestEscalation = 0;
  for (const t of state.log) {
    if (!replay) {
      if (t.event.type !== 'issued') continue;
      replay = emptyState(state.unitCode, t.event.policy, t.at);
      issuedAt = t.at;
    }
    const e = t.event;
    // The deadlines in effect when the transition happened, before it applies.
    const { acknowledgeBy, reportBy } = replay.policy;
    if (!ack && (e.type === 'acknowledged' || e.type === 'reportSubmitted'))
      ack = { at: t.at, deadline: acknowledgeBy };
    if (!rep && e.type === 'reportSubmitted') rep = { at: t.at, deadline: reportBy };
    if (e.type === 'reportReturned') returned += 1;
    if (e.type === 'reminderDue' || e.type === 'remindRequested') reminders += 1;
    if (e.type === 'escalationDue') highestEscalation = Math.max(highestEscalation, e.level);
    if (e.type === 'deadlineMissed') missed[e.obligation] = true;
    applyTransition(replay, t);
  }
  const final = replay ?? state;
  const open = !isTerminal(final);
  const since = issuedAt ?? final.obligationsSince;
  const passed = (deadline: string) => open && Date.parse(deadline) < now;

  let acknowledge: AcknowledgeOutcome;
  if (ack) acknowledge = Date.parse(ack.at) <= Date.parse(ack.deadline) ? 'on-time' : 'late';
  else if (missed.acknowledge || passed(final.policy.acknowledgeBy)) acknowledge = 'never';
  else acknowledge = open ? 'pending' : 'not-required';

  let report: ReportOutcome;
  if (rep) report = Date.parse(rep.at) <= Date.parse(rep.deadline) ? 'on-time' : 'late';
  else if (missed.report || passed(final.policy.reportBy)) report = 'missing';
  else report = open ? 'pending' : 'not-required';

  const next = open ? nextDeadline(final) : null;
  const obligation: Obligation = final.acknowledgedVersion !== final.policy.version ? 'acknowledge' : 'report';
  return {
    directiveId: final.policy.directiveId,
    unitCode: final.unitCode,
    title: final.policy.title,
    priority: final.policy.priority,
    campaign,
    issuedAt: since,
    state: final.state,
    acknowledge,
    acknowledgedAt: ack?.at ?? null,
    acknowledgeMs: ack ? Date.parse(ack.at) - Date.parse(since) : null,
    report,
    reportedAt: rep?.at ?? null,
    reportMs: rep ? Date.parse(rep.at) - Date.parse(since) : null,
    returned,
    reminders,
    highestEscalation,
    open,
    due: next ? { obligation, deadline: next, overdue: final.overdue !== null || Date.parse(next) < now } : null,
    acknowledgeBy: final.policy.acknowledgeBy,
    reportBy: final.policy.reportBy,
  };
}

/** A count and the directives behind it, so every figure can link to them. */
export interface Figure {
  count: number;
  directives: string[];
}

/** Median and worst of a duration, with the directive of the worst. */
export interface DurationFigure {
  medianMs: number | null;
  worstMs: number | null;
  worstDirective: string | null;
}

export const figureNames = [
  'received',
  'acknowledgedOnTime',
  'acknowledgedLate',
  'neverAcknowledged',
  'reportedOnTime',
  'reportedLate',
  'reportMissing',
  'returned',
  'remindersNeeded',
  'escalated',
  'openNow',
] as const;
export type FigureName = (typeof figureNames)[number];

/** A directive that was found for the unit but whose state could not be read. */
export interface Unreadable {
  directiveId: string;
  reason: string;
}

export interface UnitRecord {
  unitCode: string;
  /** False when some directive could not be read: then every figure is a lower bound, and says so. */
  complete: boolean;
  unreadable: Unreadable[];
  figures: Record<FigureName, Figure>;
  timeToAcknowledge: DurationFigure;
  timeToReport: DurationFigure;
  /** Highest escalation level reached on any directive, and the directives that reached it. */
  highestEscalation: { level: number; directives: string[] };
  /**
   * Obligations met on time, as a percentage of those that fell due (met on time, late, or never); null when
   * none fell due yet.
   */
  onTimePercent: number | null;
  /** Open directives, most urgent (earliest deadline) first. */
  open: DirectiveOutcome[];
  directives: DirectiveOutcome[];
}

function durations(outcomes: DirectiveOutcome[], pick: (o: DirectiveOutcome) => number | null): DurationFigure {
  const values = outcomes
    .map((o) => ({ ms: pick(o), id: o.directiveId }))
    .filter((v): v is { ms: number; id: string } => v.ms !== null);
  if (values.length === 0) return { medianMs: null, worstMs: null, worstDirective: null };
  const sorted = values.map((v) => v.ms).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
  const worst = values.reduce((a, b) => (b.ms > a.ms ? b : a));
  return { medianMs, worstMs: worst.ms, worstDirective: worst.id };
}

/** Orders open directives: earliest deadline first, then priority (immediate before urgent before normal). */
export function byUrgency(a: DirectiveOutcome, b: DirectiveOutcome): number {
  const rank: Record<Priority, number> = { immediate: 0, urgent: 1, normal: 2 };
  const da = a.due ? Date.parse(a.due.deadline) : Infinity;
  const db = b.due ? Date.parse(b.due.deadline) : Infinity;
  return da - db || rank[a.priority] - rank[b.priority] || a.directiveId.localeCompare(b.directiveId);
}

/** The unit's figures across the given directives (newest first in `directives`). */
export function unitRecord(unitCode: string, outcomes: DirectiveOutcome[], unreadable: Unreadable[] = []): UnitRecord {
  const sorted = [...outcomes].sort((a, b) => b.directiveId.localeCompare(a.directiveId));
  const figure = (test: (o: DirectiveOutcome) => boolean): Figure => {
    const directives = sorted.filter(test).map((o) => o.directiveId);
    return { count: directives.length, directives };
  };
  const returned = figure((o) => o.returned > 0);
  const reminders = figure((o) => o.reminders > 0);
  const figures: Record<FigureName, Figure> = {
    received: figure(() => true),
    acknowledgedOnTime: figure((o) => o.acknowledge === 'on-time'),
    acknowledgedLate: figure((o) => o.acknowledge === 'late'),
    neverAcknowledged: figure((o) => o.acknowledge === 'never'),
    reportedOnTime: figure((o) => o.report === 'on-time'),
    reportedLate: figure((o) => o.report === 'late'),
    reportMissing: figure((o) => o.report === 'missing'),
    returned,
    // The count is the number of reminders; the directives are those that needed one.
    remindersNeeded: { count: sorted.reduce((n, o) => n + o.reminders, 0), directives: reminders.directives },
    escalated: figure((o) => o.highestEscalation > 0),
    openNow: figure((o) => o.open),
  };
  const level = Math.max(0, ...sorted.map((o) => o.highestEscalation));
  const met = figures.acknowledgedOnTime.count + figures.reportedOnTime.count;
  const due =
    met +
    figures.acknowledgedLate.count +
    figures.neverAcknowledged.count +
    figures.reportedLate.count +
    figures.reportMissing.count;
  return {
    unitCode,
    complete: unreadable.length === 0,
    unreadable,
    figures,
    timeToAcknowledge: durations(sorted, (o) => o.acknowledgeMs),
    timeToReport: durations(sorted, (o) => o.reportMs),
    highestEscalation: {
      level,
      directives: level > 0 ? sorted.filter((o) => o.highestEscalation === level).map((o) => o.directiveId) : [],
    },
    onTimePercent: due === 0 ? null : Math.round((met / due) * 1000) / 10,
    open: sorted.filter((o) => o.open).sort(byUrgency),
    directives: sorted,
  };
}

/** What the scoreboard needs to know of a unit besides its record (from the registry). */
export interface UnitLabel {
  code: string;
  name: string;
  kind: string;
  county: string | null;
  countyName: string | null;
}

export interface ScoreboardRow extends UnitLabel {
  record: UnitRecord;
  /** Position by on-time percentage (best first; units with nothing due yet come last). */
  rank: number;
  /** Among the worst: the lowest on-time percentage below 100, or never acknowledged / missing reports. */
  worst: boolean;
}

export interface CountySubtotal {
  county: string | null;
  countyName: string | null;
  units: number;
  figures: Record<FigureName, number>;
  onTimePercent: number | null;
}

export const scoreboardSortKeys = ['rank', 'name', 'onTime', ...figureNames] as const;
export type ScoreboardSortKey = (typeof scoreboardSortKeys)[number];

/**
 * Ranks units by their on-time percentage (best first, ties by fewer missed obligations, then code), marks
 * the worst, sorts by the key asked for, and adds per-county subtotals. Complete is false when any unit's
 * record is.
 */
export function scoreboard(
  units: { label: UnitLabel; record: UnitRecord }[],
  sort: ScoreboardSortKey = 'rank',
  descending = false,
): { rows: ScoreboardRow[]; counties: CountySubtotal[]; complete: boolean } {
  const missedOf = (r: UnitRecord) =>
    r.figures.neverAcknowledged.count +
    r.figures.reportMissing.count +
    r.figures.acknowledgedLate.count +
    r.figures.reportedLate.count;
  const ranked = [...units].sort((a, b) => {
    const pa = a.record.onTimePercent ?? -1;
    const pb = b.record.onTimePercent ?? -1;
    if ((a.record.onTimePercent === null) !== (b.record.onTimePercent === null))
      return a.record.onTimePercent === null ? 1 : -1;
    return pb - pa || missedOf(a.record) - missedOf(b.record) || a.label.code.localeCompare(b.label.code);
  });
  const scored = ranked.filter((u) => u.record.onTimePercent !== null).map((u) => u.record.onTimePercent!);
  const lowest = scored.length ? Math.min(...scored) : null;
  const rows: ScoreboardRow[] = ranked.map((u, i) => ({
    ...u.label,
    record: u.record,
    rank: i + 1,
    worst:
      (lowest !== null && lowest < 100 && u.record.onTimePercent === lowest) ||
      u.record.figures.neverAcknowledged.count + u.record.figures.reportMissing.count > 0,
  }));
  const value = (r: ScoreboardRow): number | string => {
    if (sort === 'rank') return r.rank;
    if (sort === 'name') return r.name;
    if (sort === 'onTime') return r.record.onTimePercent ?? -1;
    return r.record.figures[sort].count;
  };
  rows.sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const c = typeof va === 'string' ? va.localeCompare(String(vb), 'fa') : va - (vb as number);
    return (descending ? -c : c) || a.rank - b.rank;
  });
  const byCounty = new Map<string, CountySubtotal>();
  for (const r of rows) {
    const key = r.county ?? '';
    const sub = byCounty.get(key) ?? {
      county: r.county,
      countyName: r.countyName,
      units: 0,
      figures: Object.fromEntries(figureNames.map((f) => [f, 0])) as Record<FigureName, number>,
      onTimePercent: null,
    };
    sub.units += 1;
    for (const f of figureNames) sub.figures[f] += r.record.figures[f].count;
    byCounty.set(key, sub);
  }
  const counties = [...byCounty.values()].map((c) => {
    const met = c.figures.acknowledgedOnTime + c.figures.reportedOnTime;
    const due =
      met + c.figures.acknowledgedLate + c.figures.neverAcknowledged + c.figures.reportedLate + c.figures.reportMissing;
    return { ...c, onTimePercent: due === 0 ? null : Math.round((met / due) * 1000) / 10 };
  });
  counties.sort((a, b) => (a.countyName ?? '').localeCompare(b.countyName ?? '', 'fa'));
  return { rows, counties, complete: units.every((u) => u.record.complete) };
}
