import { writeFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import path from 'node:path';
import { amendDirective, cancelDirective } from '../../api/directives/amend-directive';
import { Rejected } from '../../api/errors';
import { formatJalaliDateTime, jalaliYear } from '../../lib/jalali';
import {
  acceptReportUpdate,
  acknowledgeUpdate,
  directiveWorkflowId,
  extendDeadlineUpdate,
  searchAttributes,
  submitReportUpdate,
  unitWorkflowId,
} from '../../workflows/contract';
import type { DirectiveStatus } from '../../workflows/types';
import { directiveBody, issueViaApi, silentUnitBody, officeActor, unitActor } from '../support/directives';
import { eventually, inSeconds, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  // Serial 1 is this file's: other stacks start at random serials (seedDirectiveIds).
  stack = await startStack({ firstDirectiveSerial: 1 });
});
afterAll(async () => {
  await stack?.stop();
});

const ack = (id: string, code: string, submissionId: string) =>
  stack.gateway.unitUpdate(
    id,
    code,
    acknowledgeUpdate,
    { name: 'رضا احمدی', position: 'بخشدار', by: unitActor(code) },
    submissionId,
  );
const report = (id: string, code: string, submissionId: string, stations = 12) =>
  stack.gateway.unitUpdate(
    id,
    code,
    submitReportUpdate,
    { name: 'رضا احمدی', position: 'بخشدار', values: { stations, inspected: true }, by: unitActor(code) },
    submissionId,
  );

async function directiveResult(id: string): Promise<DirectiveStatus> {
  return stack.client.workflow.getHandle(directiveWorkflowId(id)).result();
}

describe('Issuing a directive', () => {
  test('When the office sends an invalid directive, then it gets 400 problem+json with field paths and nothing starts', async () => {
    const cases: [unknown, string][] = [
      [directiveBody({ targets: { mode: 'list', codes: [] } }), 'targets.codes'],
      [directiveBody({ targets: { mode: 'list', codes: ['THR-XXX-NOPE'] } }), 'targets.codes.0'],
      [directiveBody({ acknowledgeBy: '2020-01-01T00:00:00Z' }), 'acknowledgeBy'],
      [directiveBody({ acknowledgeBy: inSeconds(100), reportBy: inSeconds(50) }), 'reportBy'],
      [
        directiveBody({
          escalation: [
            { after: '2h', notify: 'deputy' },
            { after: '1h', notify: 'governor' },
          ],
        }),
        'escalation.1.after',
      ],
      [directiveBody({ escalation: [{ after: 'soon', notify: 'deputy' }] }), 'escalation.0.after'],
      [directiveBody({ form: [{ key: 'x', label: 'انتخاب', type: 'choice', required: true }] }), 'form.0.options'],
      [directiveBody({ title: 'ع'.repeat(201) }), 'title'],
      [directiveBody({ body: 'ب'.repeat(20_001) }), 'body'],
      [directiveBody({ acknowledgeBy: { jalali: '1405/12/31 10:00' } as never }), 'acknowledgeBy'],
    ];
    for (const [body, path] of cases) {
      const res = await stack.api('/api/v1/directives', { method: 'POST', json: body });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { errors: { path: string }[] };
      expect(problem.errors.map((e) => e.path)).toContain(path);
    }
    const malformed = await stack.api('/api/v1/directives', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"title": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    // Nothing started: the first directive this stack accepts still gets serial 1.
    const ok = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes: ['THR-TEH-AFT'] } }));
    expect(ok.status).toBe(201);
    expect(ok.id).toBe(`${jalaliYear(new Date())}-000001`);
    await cancelDirective(stack, ok.id, 'test over', officeActor, {});
  });

  test('When the serial counter is behind the namespace (a restored data directory), then issuing skips past the taken ids', async () => {
    const first = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes: ['THR-TEH-AFT'] } }));
    const year = jalaliYear(new Date());
    writeFileSync(path.join(stack.dataDir, 'directives', `serial-${year}`), '0');
    const next = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes: ['THR-TEH-AFT'] } }));
    expect(next.status).toBe(201);
    expect(Number(next.id.slice(5))).toBeGreaterThan(Number(first.id.slice(5)));
    for (const id of [first.id, next.id]) await cancelDirective(stack, id, 'test over', officeActor, {});
  });

  test('When a directive is issued with a Jalali deadline and a client request id, then a repeat returns the original', async () => {
    const body = directiveBody({
      clientRequestId: 'req-0000-jalali',
      reportBy: { jalali: '1499/01/01 10:00' } as never,
    });
    const first = await issueViaApi(stack, body);
    const again = await issueViaApi(stack, body);
    expect(first.status).toBe(201);
    expect(first.location).toBe(`/api/v1/directives/${first.id}`);
    expect(again.status).toBe(200);
    expect(again.id).toBe(first.id);
    const detail = (await (await stack.api(first.location!)).json()) as { reportBy: string; units: unknown[] };
    expect(detail.reportBy).toBe('2120-03-21T06:30:00.000Z');
    expect(detail.units).toHaveLength(2);
    await cancelDirective(stack, first.id, 'test over', officeActor, {});
  });

  test('When a directive is issued with deadlines relative to now and repeated, then both answers show the instants of the first issue', async () => {
    const body = directiveBody({
      clientRequestId: 'req-0000-relative',
      acknowledgeBy: { in: '2h' } as never,
      reportBy: { in: '2d' } as never,
    });
    const before = Date.now();
    const first = await issueViaApi(stack, body);
    expect(first.status).toBe(201);
    const shown = first.json.acknowledgeBy as { at: string; jalali: string };
    expect(Date.parse(shown.at) - before).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(Date.parse(shown.at) - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);
    expect(shown.jalali).toBe(formatJalaliDateTime(shown.at));
    const again = await issueViaApi(stack, body);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ ...first.json, created: false });
    await cancelDirective(stack, first.id, 'test over', officeActor, {});
  });
});

describe('A directive to several units', () => {
  test('When every unit acknowledges and reports and the office accepts, then the directive completes with every unit accepted', async () => {
    const codes = ['THR-TEH-MRK', 'THR-TEH-KAN', 'THR-REY-MRK'];
    const { id } = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes } }));
    const listed = await eventually(
      async () => {
        const found: string[] = [];
        for await (const wf of stack.client.workflow.list({ query: `DirectiveId = '${id}' AND FarmanKind = 'unit'` }))
          found.push(wf.workflowId);
        return found.length === codes.length ? found : undefined;
      },
      30_000,
      'one child per unit in visibility',
    );
    expect(listed.sort()).toEqual(codes.map((c) => unitWorkflowId(id, c)).sort());

    for (const code of codes) {
      await ack(id, code, `ack-${code}`);
      const result = await report(id, code, `rep-${code}`);
      expect(result.state.state).toBe('reported');
      await stack.gateway.unitUpdate(id, code, acceptReportUpdate, { by: officeActor }, `accept-${code}`);
    }
    const summary = await directiveResult(id);
    expect(summary.state).toBe('completed');
    expect(summary.counts.accepted).toBe(3);
    const unit = await stack.gateway.unitState(id, 'THR-TEH-MRK');
    expect(unit.log.map((t) => t.event.type)).toEqual(
      expect.arrayContaining(['issued', 'acknowledged', 'reportSubmitted', 'reportAccepted']),
    );
    expect(unit.report?.values).toEqual({ stations: 12, inspected: true });
    expect(unit.log.find((t) => t.event.type === 'reportAccepted')?.by).toEqual(officeActor);
  });

  test('When a unit is issued, then its first workflow task records the issue, arms one deadline timer and sends the notice in-task, with its search attributes set at start', async () => {
    const codes = ['THR-SHM-LVS', 'THR-REY-KHR'];
    const { id } = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes } }));
    const handle = stack.client.workflow.getHandle(unitWorkflowId(id, codes[0]));
    await eventually(
      async () => ((await stack.gateway.unitState(id, codes[0])).mailSent === 1 ? true : undefined),
      20_000,
      'notice sent',
    );
    const events = (await handle.fetchHistory()).events ?? [];
    const type = (e: (typeof events)[number]) =>
      temporal.api.enums.v1.EventType[e.eventType!].replace('EVENT_TYPE_', '');
    // One workflow task: no activity task, no search-attribute upsert, no patch marker, no timer re-armed
    // after the notice is recorded (the mail marker is the local activity's).
    expect(events.slice(0, 8).map(type)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'WORKFLOW_PROPERTIES_MODIFIED',
      'TIMER_STARTED',
      'MARKER_RECORDED',
      'WORKFLOW_PROPERTIES_MODIFIED',
    ]);
    expect(events[6].markerRecordedEventAttributes?.markerName).toBe('core_local_activity');
    const attributes = async () => (await handle.describe()).typedSearchAttributes;
    const { acknowledgeBy } = (await stack.gateway.unitState(id, codes[0])).policy;
    const before = await attributes();
    expect(before.get(searchAttributes.complianceState)).toBe('notified');
    expect(before.get(searchAttributes.unitCode)).toBe(codes[0]);
    expect(before.get(searchAttributes.directiveId)).toBe(id);
    expect(before.get(searchAttributes.escalationLevel)).toBe(0);
    expect(before.get(searchAttributes.nextDeadline)?.toISOString()).toBe(new Date(acknowledgeBy).toISOString());
    // A change that moves the state is still upserted, and only what changed.
    await ack(id, codes[0], `ack-attrs-${id}`);
    const upserts = ((await handle.fetchHistory()).events ?? []).filter(
      (e) => e.upsertWorkflowSearchAttributesEventAttributes,
    );
    expect(
      upserts.map((e) =>
        Object.keys(e.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes!.indexedFields!).sort(),
      ),
    ).toEqual([['ComplianceState', 'NextDeadline']]);
    await eventually(
      async () => ((await attributes()).get(searchAttributes.complianceState) === 'acknowledged' ? true : undefined),
      20_000,
      'visibility updated',
    );
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });

  test('When a unit stays silent, then it gets its reminder, then escalation level 1 (deputy), then level 2 (governor)', async () => {
    const code = 'THR-SHM-MRK';
    const { id } = await issueViaApi(stack, silentUnitBody(code, 4, 2));
    const unit = stack.registry.get(code)!;
    const state = await eventually(
      async () => {
        const s = await stack.gateway.unitState(id, code);
        return s.escalationLevel === 2 && s.mailSent >= 4 ? s : undefined;
      },
      30_000,
      'escalation level 2',
    );
    const events = state.log.map((t) => t.event.type).filter((t) => t !== 'mailRecorded');
    expect(events).toEqual(['issued', 'reminderDue', 'deadlineMissed', 'escalationDue', 'escalationDue']);
    expect(state.overdue).toBe('acknowledge');
    expect(stack.sink.to(unit.head.email).map((m) => m.headers.get('x-farman-purpose'))).toEqual([
      'notice',
      'reminder-1',
    ]);
    expect(
      stack.sink.to(unit.escalation.deputy.email).some((m) => m.headers.get('x-farman-purpose') === 'escalation-1-1'),
    ).toBe(true);
    expect(
      stack.sink.to(unit.escalation.governor.email).some((m) => m.headers.get('x-farman-purpose') === 'escalation-2-2'),
    ).toBe(true);
    // The order is the ladder's: reminder before the deadline, then level 1, then level 2.
    const times = ['reminderDue', 'deadlineMissed', 'escalationDue'].map((type) =>
      Date.parse(state.log.find((t) => t.event.type === type)!.at),
    );
    expect(times).toEqual([...times].sort((a, b) => a - b));
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });

  test('When the office extends a deadline, then nothing fires at the old one and the new one gets its own reminder', async () => {
    const code = 'THR-SHM-LVS';
    const oldDeadline = inSeconds(3);
    const { id } = await issueViaApi(
      stack,
      directiveBody({
        targets: { mode: 'list', codes: [code] },
        acknowledgeBy: oldDeadline,
        reportBy: inSeconds(60),
        reminders: { acknowledge: [4], report: [] },
        escalation: [{ after: 1, notify: 'deputy' }],
      }),
    );
    const newDeadline = inSeconds(10);
    await stack.gateway.unitUpdate(
      id,
      code,
      extendDeadlineUpdate,
      { acknowledgeBy: newDeadline, reason: 'عذر موجه', by: officeActor },
      `extend-${id}`,
    );
    // The reminder for the new deadline is due 4 s before it, after the old deadline has passed.
    const state = await eventually(
      async () => {
        const s = await stack.gateway.unitState(id, code);
        return s.remindersSent === 1 ? s : undefined;
      },
      30_000,
      'the reminder for the new deadline',
    );
    expect(Date.now()).toBeGreaterThan(Date.parse(oldDeadline));
    expect(state.policy.acknowledgeBy).toBe(newDeadline);
    expect(state.overdue).toBeNull();
    expect(state.log.some((t) => t.event.type === 'deadlineMissed' || t.event.type === 'escalationDue')).toBe(false);
    expect(state.log.find((t) => t.event.type === 'reminderDue')?.event).toMatchObject({
      key: `rem:acknowledge@${newDeadline}#0`,
    });
    const purposes = stack.sink
      .withHeader('x-farman-unit', code)
      .map((m) => m.headers.get('x-farman-purpose') as string);
    expect(purposes.filter((p) => /^(escalation|undeliverable)/.test(p))).toEqual([]);
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });

  test('When a directive is amended, then units must acknowledge again and a submitted report is kept as the draft', async () => {
    const codes = ['THR-REY-KHR', 'THR-REY-FSH'];
    const original = directiveBody({ targets: { mode: 'list', codes } });
    const { id } = await issueViaApi(stack, original);
    await ack(id, codes[0], 'amend-ack-0');
    await report(id, codes[0], 'amend-rep-0', 31);
    const { targets: _targets, ...fields } = original;
    const status = await amendDirective(
      stack,
      id,
      { ...fields, title: 'تعیین محل صندوق‌ها (اصلاحیه)' },
      officeActor,
      {},
    );
    expect(status.version).toBe(2);
    const amended = await eventually(
      async () => {
        const s = await stack.gateway.unitState(id, codes[0]);
        return s.policy.version === 2 ? s : undefined;
      },
      20_000,
      'the amendment to reach the unit',
    );
    expect(amended.state).toBe('notified');
    expect(amended.acknowledgedVersion).toBe(1);
    expect(amended.draft).toEqual({ stations: 31, inspected: true });
    expect(amended.log.find((t) => t.event.type === 'amended')?.event).toMatchObject({ changes: ['title'] });
    const again = await ack(id, codes[0], 'amend-ack-1');
    expect(again.state.state).toBe('acknowledged');
    const other = await stack.gateway.unitState(id, codes[1]);
    expect(other.policy.version).toBe(2);
    await eventually(
      () => (stack.sink.withHeader('x-farman-purpose', 'amendment-v2').length === 2 ? true : undefined),
      20_000,
      'two amendment e-mails',
    );
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });

  test('When a directive is cancelled, then every open unit closes as cancelled and later replies are rejected', async () => {
    const codes = ['THR-TEH-AG-EDU', 'THR-TEH-AG-ELC', 'THR-TEH-AG-TEL'];
    const { id } = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes } }));
    await ack(id, codes[0], 'cancel-ack-0');
    await report(id, codes[0], 'cancel-rep-0');
    await stack.gateway.unitUpdate(id, codes[0], acceptReportUpdate, { by: officeActor }, 'cancel-accept-0');
    const status = await cancelDirective(stack, id, 'برگزاری انتخابات به تعویق افتاد', officeActor, {});
    expect(status.state).toBe('cancelled');
    const summary = await directiveResult(id);
    expect(summary.state).toBe('cancelled');
    expect(summary.counts).toMatchObject({ accepted: 1, cancelled: 2 });
    await expect(ack(id, codes[1], 'after-cancel')).rejects.toThrow(Rejected);
    await expect(ack(id, codes[1], 'after-cancel')).rejects.toMatchObject({
      code: 'closed',
      message: 'the directive was cancelled',
    });
    // Cancelling is idempotent: a repeat answers with the same outcome; an amendment is refused.
    await expect(cancelDirective(stack, id, 'again', officeActor, {})).resolves.toMatchObject({ state: 'cancelled' });
    const { targets: _targets, ...fields } = directiveBody();
    await expect(
      amendDirective(stack, id, { ...fields, title: 'اصلاحیه دیرهنگام' }, officeActor, {}),
    ).rejects.toMatchObject({ code: 'closed' });
  });

  test('When the same reply is sent five times at once and again later, then it is recorded once and every answer agrees', async () => {
    const code = 'THR-SHM-RQS';
    const { id } = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes: [code] } }));
    const answers = await Promise.all(Array.from({ length: 5 }, () => ack(id, code, 'dup-ack-1')));
    const again = await ack(id, code, 'dup-ack-1');
    for (const a of [...answers, again]) expect(a.seq).toBe(answers[0].seq);
    // A different submission of the same reply is refused: the unit has already acknowledged.
    await expect(ack(id, code, 'dup-ack-2')).rejects.toMatchObject({ code: 'not-allowed' });
    const state = await stack.gateway.unitState(id, code);
    expect(state.log.filter((t) => t.event.type === 'acknowledged')).toHaveLength(1);
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });

  test('When a report breaks the form, then it is rejected with field paths and nothing is recorded', async () => {
    const code = 'THR-TEH-AG-POL';
    const { id } = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes: [code] } }));
    const bad = stack.gateway.unitUpdate(
      id,
      code,
      submitReportUpdate,
      { name: 'x', position: 'y', values: { stations: -3, extra: 1 }, by: unitActor(code) },
      'bad-rep',
    );
    await expect(bad).rejects.toMatchObject({ code: 'invalid' });
    await expect(bad).rejects.toHaveProperty(
      'issues',
      expect.arrayContaining([
        { path: 'values.stations', message: 'must be at least 0' },
        { path: 'values.extra', message: 'is not a field of this form' },
      ]),
    );
    const state = await stack.gateway.unitState(id, code);
    expect(state.log.map((t) => t.event.type).filter((t) => t !== 'mailRecorded')).toEqual(['issued']);
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });
});
