import {
  parseSigningKeys,
  signInboxToken,
  signLinkToken,
  verifyInboxToken,
  verifyLinkToken,
  LinkTokenError,
} from '../../lib/link-token';
import { inboxLinkExpiry } from '../../domain/inbox-link';
import { directiveOutcome, scoreboard, unitRecord, type DirectiveOutcome } from '../../audit/unit-record';
import type { Actor, UnitPolicy } from '../../workflows/types';
import {
  applyTransition,
  checkTransition,
  emptyState,
  nextTimerEvent,
  type Transition,
  type UnitEvent,
  type UnitState,
} from '../../workflows/unit-state';

const t0 = Date.parse('2026-12-01T06:00:00Z');
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
const ms = (minutes: number) => t0 + minutes * 60_000;
const system: Actor = { kind: 'system', id: 'farman' };
const office: Actor = { kind: 'office', id: 'u1' };

function policy(id: string, overrides: Partial<UnitPolicy> = {}): UnitPolicy {
  return {
    directiveId: id,
    version: 1,
    title: `دستور ${id}`,
    priority: 'urgent',
    specRef: 'a'.repeat(64),
    acknowledgeBy: at(60),
    reportBy: at(120),
    reminders: { acknowledge: [30 * 60_000], report: [] },
    escalation: [
      { after: 10 * 60_000, notify: 'deputy' },
      { after: 20 * 60_000, notify: 'governor' },
    ],
    form: [],
    acceptance: 'manual',
    ...overrides,
  };
}

/** A unit driven as its workflow drives it, timers included. */
function unit(
  id: string,
  steps: [minutes: number, event: UnitEvent | 'timers', by?: Actor][],
  p = policy(id),
): UnitState {
  const s = emptyState('THR-TEH-MRK', p, at(0));
  const apply = (event: UnitEvent, minutes: number, by: Actor) => {
    checkTransition(s, event, at(minutes));
    const t: Transition = { seq: s.seq + 1, at: at(minutes), by, event };
    applyTransition(s, t);
  };
  apply({ type: 'issued', policy: p, unitCode: 'THR-TEH-MRK' }, 0, system);
  for (const [minutes, step, by] of steps) {
    for (let due = nextTimerEvent(s); due && due.at <= ms(minutes); due = nextTimerEvent(s))
      apply(due.event, (due.at - t0) / 60_000, system);
    if (step !== 'timers') apply(step, minutes, by ?? { kind: 'unit', id: 'THR-TEH-MRK' });
  }
  return s;
}

const ack: UnitEvent = { type: 'acknowledged', name: 'علی', position: 'بخشدار' };
const report: UnitEvent = { type: 'reportSubmitted', name: 'علی', position: 'بخشدار', values: {} };

describe("A unit's outcome on one directive", () => {
  test('When the unit acknowledges and reports in time, then both are on time and the times run from the issue', () => {
    const o = directiveOutcome(
      unit('1405-000001', [
        [10, ack],
        [50, report],
      ]),
      null,
      ms(200),
    );
    expect(o).toMatchObject({
      acknowledge: 'on-time',
      report: 'on-time',
      acknowledgeMs: 10 * 60_000,
      reportMs: 50 * 60_000,
      reminders: 0,
      highestEscalation: 0,
      open: true,
    });
  });

  test('When a deadline was extended before the unit answered, then on time is measured against the extended deadline', () => {
    const s = unit('1405-000002', [
      [30, { type: 'deadlineExtended', acknowledgeBy: at(90), reason: 'تعطیلی' }, office],
      [80, ack],
      [100, report],
    ]);
    expect(directiveOutcome(s, null, ms(200))).toMatchObject({ acknowledge: 'on-time', report: 'on-time' });
  });

  test('When the unit stays silent past both deadlines, then it never acknowledged, its report is missing and the highest escalation is the governor', () => {
    const o = directiveOutcome(unit('1405-000003', [[200, 'timers']]), null, ms(200));
    expect(o).toMatchObject({
      acknowledge: 'never',
      report: 'missing',
      highestEscalation: 2,
      open: true,
      due: { obligation: 'acknowledge', overdue: true },
    });
  });

  test('When the office returns a report and the unit corrects it late, then the first report counts for timeliness and the return is counted', () => {
    const s = unit('1405-000004', [
      [10, report],
      [20, { type: 'reportReturned', reason: 'ناقص' }, office],
      [150, report],
      [151, { type: 'reportAccepted' }, office],
    ]);
    expect(directiveOutcome(s, 'c1', ms(200))).toMatchObject({
      acknowledge: 'on-time',
      report: 'on-time',
      returned: 1,
      open: false,
      campaign: 'c1',
    });
  });

  test('When the directive is cancelled before any deadline, then nothing was required', () => {
    const s = unit('1405-000005', [[5, { type: 'cancelled', reason: 'لغو' }, office]]);
    expect(directiveOutcome(s, null, ms(500))).toMatchObject({
      acknowledge: 'not-required',
      report: 'not-required',
      open: false,
    });
  });
});

describe('The record across directives and the scoreboard', () => {
  const outcomes: DirectiveOutcome[] = [
    directiveOutcome(
      unit('1405-000011', [
        [10, ack],
        [50, report],
      ]),
      null,
      ms(300),
    ),
    directiveOutcome(
      unit('1405-000012', [
        [70, ack],
        [130, report],
      ]),
      null,
      ms(300),
    ),
    directiveOutcome(unit('1405-000013', [[300, 'timers']]), null, ms(300)),
  ];

  test('When a unit has on-time, late and silent directives, then each figure counts them and names them, and the median and worst times are right', () => {
    const r = unitRecord('THR-TEH-MRK', outcomes);
    expect(r.complete).toBe(true);
    expect(r.figures.received).toEqual({ count: 3, directives: ['1405-000013', '1405-000012', '1405-000011'] });
    expect(r.figures.acknowledgedOnTime.directives).toEqual(['1405-000011']);
    expect(r.figures.acknowledgedLate.directives).toEqual(['1405-000012']);
    expect(r.figures.neverAcknowledged.directives).toEqual(['1405-000013']);
    expect(r.figures.reportMissing.directives).toEqual(['1405-000013']);
    expect(r.timeToAcknowledge).toEqual({ medianMs: 40 * 60_000, worstMs: 70 * 60_000, worstDirective: '1405-000012' });
    expect(r.onTimePercent).toBeCloseTo(33.3, 1);
    expect(r.highestEscalation).toEqual({ level: 2, directives: ['1405-000013'] });
    expect(r.figures.escalated.directives).toEqual(['1405-000013', '1405-000012']);
  });

  test('When a directive could not be read, then the record says it is incomplete and names it', () => {
    const r = unitRecord('THR-TEH-MRK', outcomes.slice(0, 1), [
      { directiveId: '1405-000013', reason: 'deadline exceeded' },
    ]);
    expect(r.complete).toBe(false);
    expect(r.unreadable).toEqual([{ directiveId: '1405-000013', reason: 'deadline exceeded' }]);
    const board = scoreboard([
      { label: { code: 'A', name: 'الف', kind: 'district', county: 'C', countyName: 'ج' }, record: r },
    ]);
    expect(board.complete).toBe(false);
  });

  test('When units are ranked, then the best comes first, the worst is marked, units with nothing due come last, and counties are subtotalled', () => {
    const label = (code: string, county: string) => ({
      code,
      name: code,
      kind: 'district',
      county,
      countyName: county,
    });
    const good = unitRecord('A', outcomes.slice(0, 1));
    const mixed = unitRecord('B', outcomes.slice(0, 2));
    const bad = unitRecord('C', outcomes.slice(2));
    const idle = unitRecord('D', []);
    const board = scoreboard([
      { label: label('C', 'X'), record: bad },
      { label: label('D', 'Y'), record: idle },
      { label: label('A', 'X'), record: good },
      { label: label('B', 'Y'), record: mixed },
    ]);
    expect(board.rows.map((r) => [r.code, r.rank, r.worst])).toEqual([
      ['A', 1, false],
      ['B', 2, false],
      ['C', 3, true],
      ['D', 4, false],
    ]);
    expect(board.counties.find((c) => c.county === 'X')).toMatchObject({
      units: 2,
      figures: { received: 2, reportMissing: 1 },
    });
    const byName = scoreboard(
      board.rows.map((r) => ({ label: r, record: r.record })),
      'received',
      true,
    );
    expect(byName.rows[0].code).toBe('B');
  });
});

describe('Inbox links', () => {
  const keys = parseSigningKeys('k1:0123456789abcdef0123456789abcdef');

  test('When an inbox token is signed, then it verifies as an inbox token only, and a reply token does not open the inbox', () => {
    const inbox = signInboxToken(
      { unitCode: 'THR-TEH-MRK', purpose: 'inbox', generation: 2, expiresAt: ms(100) },
      keys,
    );
    expect(verifyInboxToken(inbox, keys, ms(0))).toEqual({
      unitCode: 'THR-TEH-MRK',
      purpose: 'inbox',
      generation: 2,
      expiresAt: ms(100),
    });
    expect(() => verifyLinkToken(inbox, keys, ms(0))).toThrow(LinkTokenError);
    const reply = signLinkToken(
      { directiveId: '1405-000001', unitCode: 'THR-TEH-MRK', purpose: 'reply', generation: 1, expiresAt: ms(100) },
      keys,
    );
    expect(() => verifyInboxToken(reply, keys, ms(0))).toThrow(LinkTokenError);
    expect(() => verifyInboxToken(inbox, keys, ms(101))).toThrow(expect.objectContaining({ problem: 'expired' }));
  });

  test('When messages go out later or about later deadlines, then the inbox link they carry expires later', () => {
    const grace = 86_400_000;
    expect(inboxLinkExpiry(ms(0), at(120), grace)).toBe(ms(120) + grace);
    expect(inboxLinkExpiry(ms(500), at(120), grace)).toBe(ms(500) + grace);
  });
});
