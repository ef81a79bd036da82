import type { Actor, UnitPolicy } from '../../workflows/types';
import {
  applyTransition,
  checkTransition,
  emptyState,
  foldTransitions,
  nextTimerEvent,
  TransitionRejected,
  type Transition,
  type UnitEvent,
  type UnitState,
} from '../../workflows/unit-state';

const t0 = Date.parse('2026-12-01T06:00:00Z');
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
const system: Actor = { kind: 'system', id: 'farman' };
const unit: Actor = { kind: 'unit', id: 'THR-TEH-MRK' };

function policy(overrides: Partial<UnitPolicy> = {}): UnitPolicy {
  return {
    directiveId: '1405-000001',
    version: 1,
    title: 'دستورالعمل آزمون',
    priority: 'urgent',
    specRef: 'a'.repeat(64),
    acknowledgeBy: at(60),
    reportBy: at(120),
    reminders: { acknowledge: [30 * 60_000], report: [] },
    escalation: [
      { after: 10 * 60_000, notify: 'deputy' },
      { after: 20 * 60_000, notify: 'governor' },
    ],
    form: [{ key: 'stations', label: 'تعداد شعب', type: 'number', required: true, min: 0 }],
    acceptance: 'manual',
    ...overrides,
  };
}

/** A unit driven like the workflow drives it: each event checked, applied and logged in order. */
class Driver {
  readonly log: Transition[] = [];
  readonly mail: string[] = [];
  readonly state: UnitState;
  constructor(p = policy()) {
    this.state = emptyState('THR-TEH-MRK', p, at(0));
    this.apply({ type: 'issued', policy: p, unitCode: 'THR-TEH-MRK' }, 0, system);
  }
  apply(event: UnitEvent, minutes: number, by: Actor = unit): void {
    checkTransition(this.state, event, at(minutes));
    const t: Transition = { seq: this.state.seq + 1, at: at(minutes), by, event };
    this.log.push(t);
    this.mail.push(...applyTransition(this.state, t).map((m) => `${m.purpose}->${m.to}`));
  }
  /** Fires every timer event due up to `minutes`, as the workflow's timer loop would. */
  runTimersUntil(minutes: number): void {
    for (
      let due = nextTimerEvent(this.state);
      due && due.at <= t0 + minutes * 60_000;
      due = nextTimerEvent(this.state)
    ) {
      this.apply(due.event, (due.at - t0) / 60_000, system);
    }
  }
}

describe('The unit state machine', () => {
  test('When a unit stays silent, then the reminder, the missed deadline and both escalation levels come in order', () => {
    const d = new Driver();
    d.runTimersUntil(200);
    expect(d.log.map((t) => `${t.event.type}@${(Date.parse(t.at) - t0) / 60_000}`)).toEqual([
      'issued@0',
      'reminderDue@30',
      'deadlineMissed@60',
      'escalationDue@70',
      'escalationDue@80',
      // The report deadline is missed too, but the ladder already runs for the first miss: no second ladder.
      'deadlineMissed@120',
    ]);
    expect(d.mail).toEqual(['notice->head', 'reminder-1->head', 'escalation-1-1->deputy', 'escalation-2-2->governor']);
    expect(d.state.overdue).toBe('acknowledge');
    expect(d.state.escalationLevel).toBe(2);
  });

  test('When the deadline is extended before it passes, then nothing fires at the old deadline', () => {
    const d = new Driver();
    d.apply({ type: 'deadlineExtended', acknowledgeBy: at(100), reason: 'عذر موجه' }, 10, { kind: 'office', id: 'u1' });
    d.runTimersUntil(99);
    // The old deadline's reminder (at 30) and miss (at 60) never fire; the new deadline's reminder does (at 70).
    expect(d.log.map((t) => `${t.event.type}@${(Date.parse(t.at) - t0) / 60_000}`)).toEqual([
      'issued@0',
      'deadlineExtended@10',
      'reminderDue@70',
    ]);
    expect(d.state.overdue).toBeNull();
  });

  test('When a late unit acknowledges, then it is no longer overdue and its escalation level resets', () => {
    const d = new Driver();
    d.runTimersUntil(75);
    expect(d.state.escalationLevel).toBe(1);
    d.apply({ type: 'acknowledged', name: 'رضا احمدی', position: 'بخشدار' }, 76);
    expect(d.state.overdue).toBeNull();
    expect(d.state.escalationLevel).toBe(0);
    expect(d.state.state).toBe('acknowledged');
  });

  test('When a report breaks the form, then the transition is refused with field paths', () => {
    const d = new Driver();
    expect(() => d.apply({ type: 'reportSubmitted', name: 'x', position: 'y', values: { stations: -1 } }, 5)).toThrow(
      TransitionRejected,
    );
    try {
      checkTransition(
        d.state,
        { type: 'reportSubmitted', name: 'x', position: 'y', values: { stations: 'many' } },
        at(5),
      );
    } catch (err) {
      expect((err as TransitionRejected).fields).toEqual([{ path: 'values.stations', message: 'must be a number' }]);
    }
    expect(d.log).toHaveLength(1);
  });

  test('When an amendment arrives after a report, then the unit must acknowledge again and the report becomes the draft', () => {
    const d = new Driver();
    d.apply({ type: 'reportSubmitted', name: 'x', position: 'y', values: { stations: 4 } }, 5);
    d.apply({ type: 'amended', policy: policy({ version: 2, title: 'اصلاحیه' }), changes: ['title'] }, 6, {
      kind: 'office',
      id: 'u1',
    });
    expect(d.state.state).toBe('notified');
    expect(d.state.draft).toEqual({ stations: 4 });
    expect(d.state.report).toBeNull();
    expect(d.mail).toContain('amendment-v2->head');
    expect(() => d.apply({ type: 'amended', policy: policy({ version: 2 }), changes: [] }, 7, system)).toThrow(
      'not newer',
    );
  });

  test('When a notice bounces, then the unit is undeliverable and the deputy is told at once', () => {
    const d = new Driver();
    d.apply(
      {
        type: 'mailRecorded',
        purpose: 'notice',
        kind: 'notice',
        delivered: false,
        messageId: '<n@x>',
        recipient: null,
        error: '550',
      },
      1,
      system,
    );
    expect(d.state.undeliverable).toBe(true);
    expect(d.mail).toContain('undeliverable-1->deputy');
  });

  test('When a cancelled unit gets a reply, then it is refused as closed with the reason', () => {
    const d = new Driver();
    d.apply({ type: 'cancelled', reason: 'لغو' }, 3, { kind: 'office', id: 'u1' });
    expect(() => checkTransition(d.state, { type: 'acknowledged', name: 'a', position: 'b' }, at(4))).toThrow(
      'the directive was cancelled',
    );
    expect(nextTimerEvent(d.state)).toBeNull();
  });

  test('When the recorded transitions are folded up to an instant, then the state equals the live state at that instant', () => {
    const d = new Driver();
    d.runTimersUntil(65);
    const live = JSON.parse(JSON.stringify(d.state)) as UnitState;
    d.runTimersUntil(200);
    d.apply({ type: 'acknowledged', name: 'a', position: 'b' }, 201);
    expect(foldTransitions('THR-TEH-MRK', d.log, t0 + 65 * 60_000)).toEqual(live);
  });
});
