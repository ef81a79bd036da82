import type { DirectiveInputRaw } from '../../domain/directive-schema';
import { eventually, inSeconds, type TestStack } from './stack';

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

/**
 * Issues a directive through the real HTTP API, as the office account, and returns its id once every unit's workflow has started
 * (as a district head's link only exists once its notice went out).
 */
export async function issueViaApi(stack: TestStack, body: unknown): Promise<{ status: number; id: string; location: string | null; json: Record<string, unknown> }> {
  const res = await stack.api('/api/v1/directives', { method: 'POST', json: body });
  const json = (await res.json()) as Record<string, unknown>;
  const id = typeof json.id === 'string' ? json.id : '';
  if (res.status < 300) await waitForFanOut(stack, id);
  return { status: res.status, id, location: res.headers.get('location'), json };
}

/** Waits until every unit of the directive has started. */
export async function waitForFanOut(stack: TestStack, id: string, timeoutMs = 300_000): Promise<void> {
  await eventually(async () => {
    const status = await stack.gateway.directiveStatus(id);
    return status.state !== 'fanning-out' ? true : undefined;
  }, timeoutMs, `fan-out of ${id}`);
}

export const unitActor = (code: string) => ({ kind: 'unit' as const, id: code });
export const officeActor = { kind: 'office' as const, id: 'tester', name: 'کارشناس آزمون' };
