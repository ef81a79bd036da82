import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseInstant, readHistoryFile } from '../../audit/audit-commands';
import { readHistoryFacts } from '../../audit/history-facts';
import { historyFromJson } from '../../audit/history-json';
import { unitStateAt } from '../../audit/state-at';
import { buildTimeline, type TimelineEntry } from '../../audit/timeline';
import { loadRegistry } from '../../domain/registry';

// The committed histories of the replay suite (test/histories/), read as an auditor would read an archive.
const scenario = (name: string) => {
  const dir = path.join(__dirname, '..', 'histories', name);
  return Promise.all(readdirSync(dir).map((f) => readHistoryFile(path.join(dir, f))));
};
const step = (e: TimelineEntry) => `${e.kind}${e.details.purpose ? ` ${e.details.purpose}` : ''}`;

const silentUnit = ['silent-unit'];

test.each(silentUnit)(
  'When the silent unit’s recorded histories (%s) are read, then the timeline is reminder, missed deadline, two escalations with their recipients, then the cancellation',
  async (name) => {
    const timeline = buildTimeline(await scenario(name));
    expect(timeline.map(step)).toEqual([
      'directive-issued',
      'unit-issued',
      'mail-sent notice',
      'reminder-due',
      'mail-sent reminder-1',
      'deadline-missed',
      'escalation',
      'mail-sent escalation-1-1',
      'escalation',
      'mail-sent escalation-2-2',
      'directive-cancelled',
      'cancelled',
      'mail-sent cancellation',
      'directive-completed',
    ]);
    const unit = loadRegistry().get('THR-SHM-MRK')!;
    expect(
      timeline.filter((e) => e.kind === 'escalation').map((e) => [e.details.notify, e.details.recipients]),
    ).toEqual([
      ['deputy', `${unit.escalation.deputy.name} <${unit.escalation.deputy.email}>`],
      ['governor', `${unit.escalation.governor.name} <${unit.escalation.governor.email}>`],
    ]);
    expect(timeline.find((e) => e.kind === 'directive-cancelled')!.actor).toBe('office:tester (کارشناس آزمون)');
    expect(timeline.map((e) => Date.parse(e.at))).toEqual(timeline.map((e) => Date.parse(e.at)).sort((a, b) => a - b));
  },
);

test.each(silentUnit)(
  'When the silent unit’s state (%s) is asked at recorded instants, then it was not yet overdue at the reminder and overdue at level 1 when the first escalation e-mail went out',
  async (name) => {
    const histories = await scenario(name);
    const unit = histories.find((h) => h.workflowId.includes('/unit:'))!;
    const timeline = buildTimeline([unit]);
    const at = (purpose: string) => Date.parse(timeline.find((e) => e.details.purpose === purpose)!.at);
    expect(unitStateAt(unit.workflowId, unit.history, at('reminder-1'))).toMatchObject({
      state: 'notified',
      overdue: null,
      escalationLevel: 0,
      remindersSent: 1,
    });
    expect(unitStateAt(unit.workflowId, unit.history, at('escalation-1-1'))).toMatchObject({
      overdue: 'acknowledge',
      escalationLevel: 1,
    });
    expect(unitStateAt(unit.workflowId, unit.history, at('escalation-2-2'))).toMatchObject({
      overdue: 'acknowledge',
      escalationLevel: 2,
    });
    expect(
      unitStateAt(unit.workflowId, unit.history, Date.parse(readHistoryFacts(unit.history).startTime) - 1),
    ).toBeNull();
    expect(unitStateAt(unit.workflowId, unit.history, Date.now())).toMatchObject({ state: 'cancelled', overdue: null });
  },
);

test('When an extension scenario is read, then the extension, the reply and the decision each name who made them', async () => {
  const timeline = buildTimeline(await scenario('extension'));
  expect(timeline.find((e) => e.kind === 'deadline-extended')).toMatchObject({
    actor: 'office:tester (کارشناس آزمون)',
  });
  expect(timeline.find((e) => e.kind === 'report-submitted')!.actor).toBe('unit:THR-SHM-LVS');
  expect(timeline.find((e) => e.kind === 'report-accepted')!.actor).toBe('office:tester (کارشناس آزمون)');
});

test('When instants are given as ISO, Jalali with Persian digits, or now, then they are read; a zoneless ISO time is refused', () => {
  expect(parseInstant('2026-11-28T10:00:00Z')).toBe(Date.parse('2026-11-28T10:00:00Z'));
  expect(parseInstant('۱۴۰۵/۰۹/۰۷ ۱۳:۳۰')).toBe(Date.parse('2026-11-28T10:00:00Z'));
  expect(Math.abs(parseInstant('now') - Date.now())).toBeLessThan(5_000);
  expect(() => parseInstant('2026-11-28T10:00:00')).toThrow('needs a zone');
  expect(() => parseInstant('yesterday')).toThrow('neither an ISO instant nor a Jalali date-time');
});

test('When a history is converted to protobuf for replay, then every event converts, the older PascalCase event names too, and a non-history is refused', async () => {
  const [directive] = await scenario('happy-path');
  const proto = historyFromJson(directive.history);
  expect(proto.events!.length).toBe(directive.history.events.length);
  const pascal = {
    events: directive.history.events.map((e) => ({
      ...e,
      eventType: e.eventType
        .replace(/^EVENT_TYPE_/, '')
        .toLowerCase()
        .replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase()),
    })),
  };
  expect(historyFromJson(pascal).events!.map((e) => e.eventType)).toEqual(proto.events!.map((e) => e.eventType));
  expect(() => historyFromJson({ nothing: true })).toThrow('not a Temporal history');
});
