import type { DirectiveInputRaw } from '../../domain/directive-schema';
import { inSeconds } from './wait';

/** A valid directive body for tests; override what the story needs. */
export function directiveBody(overrides: Partial<DirectiveInputRaw> = {}): DirectiveInputRaw {
  return {
    title: 'تعیین محل استقرار صندوق‌های اخذ رأی',
    body: 'محل استقرار صندوق‌ها را تعیین و گزارش کنید.',
    priority: 'urgent',
    targets: { mode: 'list', codes: ['THR-TEH-MRK', 'THR-TEH-KAN'] },
    acknowledgeBy: inSeconds(60),
    reportBy: inSeconds(120),
    reminders: { acknowledge: [], report: [] },
    escalation: [],
    form: [
      { key: 'stations', label: 'تعداد شعب', type: 'number', required: true, min: 0 },
      { key: 'inspected', label: 'همه بازدید شده‌اند', type: 'boolean', required: false },
    ],
    ...overrides,
  };
}

/**
 * A directive to one unit that will stay silent: its acknowledgement is due in `ackInSeconds`, a reminder
 * goes `reminderSeconds` before that, and the ladder escalates 1 s (deputy) and 2 s (governor) after it.
 */
export function silentUnitBody(code: string, ackInSeconds = 4, reminderSeconds = 2): DirectiveInputRaw {
  return directiveBody({
    targets: { mode: 'list', codes: [code] },
    acknowledgeBy: inSeconds(ackInSeconds),
    reportBy: inSeconds(600),
    reminders: { acknowledge: [reminderSeconds], report: [] },
    escalation: [
      { after: 1, notify: 'deputy' },
      { after: 2, notify: 'governor' },
    ],
  });
}

export const unitActor = (code: string) => ({ kind: 'unit' as const, id: code });
export const officeActor = { kind: 'office' as const, id: 'tester', name: 'کارشناس آزمون' };
