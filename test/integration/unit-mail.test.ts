import { composeUnitMail } from '../../activities/mail/compose';
import type { MailContext } from '../../activities/unit-mail';
import { amendDirective, cancelDirective } from '../../api/directives/amend-directive';
import { verifyLinkToken } from '../../lib/link-token';
import { toPersianDigits } from '../../lib/persian-text';
import { unitWorkflowId } from '../../workflows/contract';
import type { MailKind, MailRequest } from '../../workflows/unit-state';
import { directiveBody, issueViaApi, silentUnitBody, officeActor } from '../support/directives';
import { activityAttempts, failedMailAttempts } from '../../reliability/harness/mail-attempts';
import { eventually, inSeconds, startStack, testSigningKeys, type TestStack } from '../support/stack';
import { linkFrom, mailsFor, noticeLink } from '../../reliability/harness/unit-links';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const payloads = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'];
const persianDeadline = /[۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2} ساعت [۰-۹]{2}:[۰-۹]{2}/;

/** What every message must be: RTL Persian HTML in tables with inline styles, and a text alternative. */
function expectWellFormed(mail: { html: string; text: string }): void {
  expect(mail.html).toContain('<html lang="fa" dir="rtl">');
  expect(mail.html).toMatch(/<table role="presentation"[^>]*style="/);
  expect(mail.html).not.toMatch(/<script|<style|<link/i);
  expect(mail.text.length).toBeGreaterThan(50);
}

describe('Notices', () => {
  test("When a directive goes to N units, then exactly N notices arrive, one per head, each with a link that opens that unit's page", async () => {
    const { id, json } = await issueViaApi(
      stack,
      directiveBody({
        targets: { mode: 'under', parents: ['THR-TEH'] },
        acknowledgeBy: inSeconds(3600),
        reportBy: inSeconds(7200),
      }),
    );
    const n = json.units as number;
    expect(n).toBe(7);
    const codes = stack.registry.resolveTargets({ mode: 'under', parents: ['THR-TEH'] });
    if (!('codes' in codes)) throw new Error('targets did not resolve');
    await eventually(
      async () => {
        const states = await Promise.all(codes.codes.map((c) => stack.gateway.unitState(id, c)));
        return states.every((s) => s.mailSent === 1) ? true : undefined;
      },
      30_000,
      'every notice recorded as sent',
    );
    const notices = stack.sink.messages.filter((m) => m.headers.get('x-farman-directive') === id);
    expect(notices).toHaveLength(n);
    expect(new Set(notices.map((m) => m.messageId)).size).toBe(n);
    for (const code of codes.codes) {
      const [mail] = mailsFor(stack, id, code, 'notice');
      expect(mail.to).toEqual([stack.registry.get(code)!.head.email]);
      expect(mail.messageId).toBe(`<notice.${unitWorkflowId(id, code).replace(/:/g, '=')}@example.org>`);
      expect(mail.subject).toBe('[فوری] دستورالعمل جدید: تعیین محل استقرار صندوق‌های اخذ رأی');
      expectWellFormed(mail);
      expect(mail.text).toMatch(persianDeadline);
      expect(mail.text).toMatch(/(ساعت|دقیقه) مانده\)/);
      const link = linkFrom(mail);
      expect(link.startsWith(`${stack.baseUrl}/u/`)).toBe(true);
      expect(mail.html).toContain(`href="${link}"`);
      const claims = verifyLinkToken(link.split('/u/')[1], testSigningKeys, Date.now());
      expect(claims).toMatchObject({ directiveId: id, unitCode: code, generation: 1 });
      const page = await fetch(link);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(stack.registry.get(code)!.name);
    }
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });

  test('When the directive body and title carry script payloads, then the mail HTML shows them as text', async () => {
    const code = 'THR-TEH-AFT';
    const { id } = await issueViaApi(
      stack,
      directiveBody({
        title: `دستور ${payloads[1]}`,
        body: `متن ${payloads.join(' ')}`,
        targets: { mode: 'list', codes: [code] },
      }),
    );
    await noticeLink(stack, id, code);
    const [mail] = mailsFor(stack, id, code, 'notice');
    for (const p of payloads) expect(mail.html).not.toContain(p);
    expect(mail.html).not.toMatch(/<script|<img/i);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.text).toContain(payloads[0]);
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });

  test('When the office amends a directive, then each unit is told what changed, in Persian', async () => {
    const code = 'THR-REY-KHR';
    const body = directiveBody({
      targets: { mode: 'list', codes: [code] },
      acknowledgeBy: inSeconds(3600),
      reportBy: inSeconds(7200),
    });
    const { id } = await issueViaApi(stack, body);
    await noticeLink(stack, id, code);
    const { targets: _targets, ...rest } = body;
    await amendDirective(stack, id, { ...rest, body: 'متن اصلاح‌شده', reportBy: inSeconds(9000) }, officeActor, {});
    const mail = await eventually(() => mailsFor(stack, id, code, 'amendment-v2')[0], 20_000, 'amendment mail');
    expectWellFormed(mail);
    expect(mail.subject).toContain('اصلاحیه دستورالعمل');
    expect(mail.text).toMatch(/آنچه تغییر کرده است:\n- متن دستورالعمل\n- مهلت ارسال گزارش/);
    expect(mail.text).toContain('متن اصلاح‌شده');
    expect(linkFrom(mail).startsWith(`${stack.baseUrl}/u/`)).toBe(true);
    await cancelDirective(stack, id, 'test over', officeActor, {});
    const cancellation = await eventually(
      () => mailsFor(stack, id, code, 'cancellation')[0],
      20_000,
      'cancellation mail',
    );
    expect(cancellation.text).toContain('test over');
  });
});

describe('Reminders and escalations', () => {
  test('When a unit stays silent, then its head gets a reminder, and after the deadline the deputy and then the governor of its county are mailed', async () => {
    const code = 'THR-SHM-RQS';
    const unit = stack.registry.get(code)!;
    const county = stack.registry.get('THR-SHM')!;
    // The contacts come from the unit's own county.
    expect(unit.escalation).toEqual(county.escalation);
    const { id } = await issueViaApi(stack, silentUnitBody(code, 5, 3));
    const state = await eventually(
      async () => {
        const s = await stack.gateway.unitState(id, code);
        return s.escalationLevel === 2 && s.mailSent >= 4 ? s : undefined;
      },
      30_000,
      'escalation level 2 mailed',
    );
    const reminder = mailsFor(stack, id, code, 'reminder-1')[0];
    expect(reminder.to).toEqual([unit.head.email]);
    expectWellFormed(reminder);
    expect(reminder.subject).toContain('یادآوری مهلت');
    expect(reminder.text).toMatch(/مهلت اعلام وصول برای دستورالعمل زیر .*(ثانیه|دقیقه|کمتر از یک دقیقه) مانده است/);
    expect(linkFrom(reminder).startsWith(`${stack.baseUrl}/u/`)).toBe(true);

    const first = mailsFor(stack, id, code, 'escalation-1-1')[0];
    const second = mailsFor(stack, id, code, 'escalation-2-2')[0];
    expect(first.to).toEqual([county.escalation.deputy.email]);
    expect(second.to).toEqual([county.escalation.governor.email]);
    for (const mail of [first, second]) {
      expectWellFormed(mail);
      expect(mail.text).toContain(unit.name);
      expect(mail.text).toContain(unit.head.name);
      expect(mail.text).toMatch(/گذشته\)/);
      // Escalation contacts are not the unit: they get no reply link.
      expect(mail.text).not.toContain('/u/');
    }
    expect(first.text).toContain(`مرحله ${toPersianDigits(1)}`);
    // The record keeps who each message went to, as the registry said at send time.
    const recorded = state.log.flatMap((t) => (t.event.type === 'mailRecorded' ? [t.event] : []));
    const { title, name, email } = county.escalation.deputy;
    expect(recorded.find((e) => e.purpose === 'escalation-1-1')?.recipient).toEqual({
      role: 'deputy',
      title,
      name,
      email,
    });
    expect(reminder.receivedAt).toBeLessThanOrEqual(first.receivedAt);
    expect(first.receivedAt).toBeLessThanOrEqual(second.receivedAt);
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });
});

describe('Delivery faults', () => {
  test('When the relay is down for several retry intervals and then comes back, then each message arrives exactly once and no workflow fails', async () => {
    const codes = ['THR-ESL-MRK', 'THR-ESL-CHD', 'THR-ESL-AHM'];
    await stack.sink.down();
    try {
      const { id } = await issueViaApi(
        stack,
        directiveBody({ targets: { mode: 'list', codes }, acknowledgeBy: inSeconds(3600), reportBy: inSeconds(7200) }),
      );
      // The outage lasts until every unit's notice has failed at least three times (retries after 1 s, 2 s,
      // the later ones on a durable timer, so the outage is in the history).
      await eventually(
        async () => {
          const attempts = await Promise.all(codes.map((c) => failedMailAttempts(stack.client, unitWorkflowId(id, c))));
          return attempts.every((a) => a >= 3) ? attempts : undefined;
        },
        30_000,
        'three failed attempts per notice',
      );
      expect(mailsFor(stack, id, codes[0])).toHaveLength(0);
      await stack.sink.up();
      await eventually(
        async () => {
          const states = await Promise.all(codes.map((c) => stack.gateway.unitState(id, c)));
          return states.every((s) => s.mailSent === 1) ? true : undefined;
        },
        60_000,
        'notices delivered after the outage',
      );
      const delivered = stack.sink.messages.filter((m) => m.headers.get('x-farman-directive') === id);
      expect(delivered).toHaveLength(codes.length);
      expect(new Set(delivered.map((m) => m.messageId)).size).toBe(codes.length);
      for (const code of codes) {
        const s = await stack.gateway.unitState(id, code);
        expect([s.undeliverable, s.mailFailures]).toEqual([false, 0]);
        const d = await stack.client.workflow.getHandle(unitWorkflowId(id, code)).describe();
        expect(d.status.name).toBe('RUNNING');
      }
      await cancelDirective(stack, id, 'test over', officeActor, {});
    } finally {
      await stack.sink.up().catch(() => undefined);
    }
  });

  test("When the relay refuses a head's address for good (550), then it is recorded as undeliverable after one attempt and the deputy is told", async () => {
    const code = 'THR-SHR-JQN';
    const unit = stack.registry.get(code)!;
    stack.sink.refuse.add(unit.head.email.toLowerCase());
    try {
      const { id } = await issueViaApi(
        stack,
        directiveBody({
          targets: { mode: 'list', codes: [code] },
          acknowledgeBy: inSeconds(3600),
          reportBy: inSeconds(7200),
        }),
      );
      const state = await eventually(
        async () => {
          const s = await stack.gateway.unitState(id, code);
          return s.undeliverable && s.mailSent >= 1 ? s : undefined;
        },
        30_000,
        'undeliverable recorded and the deputy told',
      );
      const failed = state.log.flatMap((t) => (t.event.type === 'mailRecorded' && !t.event.delivered ? [t.event] : []));
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({
        purpose: 'notice',
        delivered: false,
        recipient: { role: 'head', email: unit.head.email },
      });
      expect(failed[0].error).toMatch(/550/);
      expect(state.mailFailures).toBe(1);
      const told = mailsFor(stack, id, code, 'undeliverable-1');
      expect(told).toHaveLength(1);
      expect(told[0].to).toEqual([unit.escalation.deputy.email]);
      expectWellFormed(told[0]);
      expect(told[0].text).toContain(unit.head.email);
      expect(told[0].text).toContain('تحویل نشد');
      // Not retried: every activity of this unit ran exactly once.
      expect(await activityAttempts(stack.client, unitWorkflowId(id, code))).toEqual([1, 1]);
      expect(stack.sink.to(unit.head.email)).toHaveLength(0);
      // The office sees it in the directive's counts.
      await eventually(
        async () => ((await stack.gateway.directiveStatus(id)).undeliverable === 1 ? true : undefined),
        20_000,
        'undeliverable counted',
      );
      await cancelDirective(stack, id, 'test over', officeActor, {});
    } finally {
      stack.sink.refuse.delete(unit.head.email.toLowerCase());
    }
  });
});

describe('Templates', () => {
  test('When any kind of message is composed, then it is RTL Persian HTML with a text alternative, Jalali deadlines with time left, and escaped user text', () => {
    const unit = stack.registry.get('THR-TEH-MRK')!;
    const now = new Date('2026-11-25T08:00:00Z');
    const policy = {
      directiveId: '1405-000001',
      version: 2,
      title: `عنوان ${payloads[1]}`,
      priority: 'immediate' as const,
      specRef: 'a'.repeat(64),
      acknowledgeBy: '2026-11-26T08:00:00.000Z',
      reportBy: '2026-11-28T10:30:00.000Z',
      reminders: { acknowledge: [], report: [] },
      escalation: [],
      form: [],
      acceptance: 'manual' as const,
    };
    const details: Record<MailKind, MailRequest['details']> = {
      notice: {},
      reminder: { obligation: 'report', deadline: policy.reportBy, note: payloads[0] },
      escalation: { level: 2, obligation: 'acknowledge', deadline: '2026-11-24T08:00:00.000Z' },
      undeliverable: { failedPurpose: 'reminder-2', error: `550 ${payloads[0]}` },
      amendment: { changes: ['body', 'reportBy', 'somethingNew'], version: 2 },
      cancellation: { reason: payloads[0] },
      'extension-decision': { approved: true, until: '2026-12-01T10:30:00.000Z', note: payloads[1] },
      'deadline-extended': { acknowledgeBy: policy.acknowledgeBy, reportBy: policy.reportBy, reason: payloads[0] },
      'report-returned': { reason: payloads[0], reportBy: policy.reportBy },
      'report-accepted': { note: payloads[1] },
      exempted: { reason: payloads[0] },
    };
    for (const [kind, d] of Object.entries(details) as [MailKind, MailRequest['details']][]) {
      const role = kind === 'escalation' ? 'governor' : kind === 'undeliverable' ? 'deputy' : 'head';
      const contact = role === 'head' ? unit.head : unit.escalation[role];
      const ctx: MailContext = {
        input: {
          workflowId: 'directive:1405-000001/unit:THR-TEH-MRK',
          unitCode: unit.code,
          policy,
          linkGeneration: 1,
          request: { purpose: kind, kind, to: role, causeSeq: 1, details: d },
        },
        unit,
        recipient: { ...contact, role },
        link: role === 'head' ? 'http://localhost:3000/u/v1.k.p.m' : null,
        document: {
          title: policy.title,
          body: `بدنه ${payloads[0]}`,
          attachments: [{ name: `پیوست ${payloads[1]}.pdf`, sha256: 'b'.repeat(64), size: 10 }],
        },
        now,
      };
      const mail = composeUnitMail(ctx);
      expectWellFormed(mail);
      expect([kind, /<script|<img/i.test(mail.html)]).toEqual([kind, false]);
      expect(mail.subject.startsWith('[آنی] ')).toBe(true);
      expect(mail.text).toContain(contact.name);
      // Messages that end the unit's obligations (cancelled, accepted, exempted) have no deadline left to state.
      if (!['cancellation', 'report-accepted', 'exempted'].includes(kind))
        expect([kind, persianDeadline.test(mail.text) && /(مانده|گذشته)\)/.test(mail.text)]).toEqual([kind, true]);
      if (role === 'head' && !['cancellation', 'exempted'].includes(kind))
        expect([kind, mail.html.includes('href="http://localhost:3000/u/v1.k.p.m"')]).toEqual([kind, true]);
      if (kind === 'amendment') expect(mail.text).toMatch(/- متن دستورالعمل\n- مهلت ارسال گزارش\n- somethingNew/);
      if (kind === 'reminder') expect(mail.text).toContain('۳ روز و ۲ ساعت مانده');
      if (kind === 'escalation') expect(mail.text).toContain('۱ روز گذشته');
      if (kind === 'extension-decision') expect(mail.text).toContain('پذیرفته شد');
    }
  });
});
