import { readFileSync } from 'node:fs';
import type { ChannelOutcome, SendUnitMailResult } from '../../activities/unit-mail';
import type { DeliveryReceipt } from '../../activities/sms/delivery-receipt';
import type { ReceivedSms } from '../../activities/sms/dev-smsc';
import { splitSms } from '../../activities/sms/sms-text';
import { cancelDirective } from '../../api/directives/amend-directive';
import { formatJalaliDate } from '../../lib/jalali';
import { sampleRegistryPath } from '../../domain/registry';
import { registryFileSchema, type RegistryFile } from '../../domain/registry-schema';
import type { UnitEvent } from '../../workflows/unit-state';
import { directiveBody, issueViaApi, officeActor } from '../support/directives';
import { eventually, inSeconds, startStack, type TestStack } from '../support/stack';

/**
 * Stories of SMS against a real SMPP server (the sink) and a real Temporal server: district heads are told
 * by text as well as by e-mail, with a short link; a person the SMSC cannot reach is mailed instead, and
 * the reverse; an SMSC restart in the middle of a fan-out loses nothing.
 */

const longName = 'بخش مرکزی و روستاهای پیرامون آن در حوزه هماهنگی امور انتخابات و نظارت بر شعب اخذ رأی شهرستان تهران';

function testRegistry(): RegistryFile {
  const file = JSON.parse(readFileSync(sampleRegistryPath, 'utf8')) as RegistryFile;
  const district = (code: string, name: string, head: RegistryFile['units'][number]['head']) => ({
    code,
    name,
    kind: 'district' as const,
    parent: 'THR-TEH',
    head,
  });
  file.units.push(
    district('THR-TEH-LNG', longName, {
      title: 'بخشدار',
      name: 'مریم احمدی',
      email: 'lng@example.org',
      mobile: '0912 000 2001',
      channels: ['email', 'sms'],
    }),
    district('THR-TEH-SMS', 'بخش پیامکی', {
      title: 'بخشدار',
      name: 'رضا کریمی',
      email: 'sms-only@example.org',
      mobile: '+98 912 000 2002',
      channels: ['sms'],
    }),
    district('THR-TEH-EML', 'بخش رایانامه', {
      title: 'بخشدار',
      name: 'سارا نوری',
      email: 'bounce@example.org',
      mobile: '۰۹۱۲۰۰۰۲۰۰۳',
      channels: ['email'],
    }),
  );
  // Parsed as a registry file is at load: the mobiles in their written forms become canonical.
  return registryFileSchema.parse(file);
}

let stack: TestStack;
const receipts: DeliveryReceipt[] = [];
beforeAll(async () => {
  stack = await startStack({ registry: testRegistry(), sms: true });
  stack.smsClient!.onReceipt((r) => receipts.push(r));
});
afterAll(async () => {
  await stack?.stop();
});

type MailRecord = Extract<UnitEvent, { type: 'mailRecorded' }> & Partial<Pick<SendUnitMailResult, 'channels'>>;

/** The unit's recorded messages of a kind, once `count` of them are recorded. */
async function recorded(id: string, code: string, kind: string, count = 1): Promise<MailRecord[]> {
  return eventually(
    async () => {
      const state = await stack.gateway.unitState(id, code);
      const records = state.log
        .map((t) => t.event)
        .filter((e): e is MailRecord => e.type === 'mailRecorded' && e.kind === kind);
      return records.length >= count ? records : undefined;
    },
    60_000,
    `${count} ${kind} recorded for ${code}`,
  );
}

const smsOf = (record: MailRecord): ChannelOutcome => record.channels!.find((c) => c.channel === 'sms')!;
/** The message the sink reassembled from the parts of one recorded SMS. */
const received = (outcome: ChannelOutcome): ReceivedSms =>
  stack.smsSink!.messages.find((m) => m.parts.some((p) => p.smscId === outcome.smscIds![0]))!;
const shortLinkIn = (text: string) => /https?:\/\/\S+\/s\/[A-Za-z0-9_-]{11}/.exec(text)?.[0];

describe('SMS to district heads', () => {
  test('When a directive is issued, then a head told by SMS and e-mail gets both, the SMS in one UCS-2 part with the unit, what is due, the Jalali deadline and a short link', async () => {
    const code = 'THR-TEH-MRK';
    const reportBy = inSeconds(7200);
    const { id } = await issueViaApi(
      stack,
      directiveBody({ targets: { mode: 'list', codes: [code] }, acknowledgeBy: inSeconds(3600), reportBy }),
    );
    const [notice] = await recorded(id, code, 'notice');
    expect(notice.delivered).toBe(true);
    expect(notice.channels!.map((c) => [c.channel, c.delivered])).toEqual([
      ['email', true],
      ['sms', true],
    ]);
    const sms = smsOf(notice);
    expect(sms.to).toBe('+989120000105');
    expect(sms.reference).toBe(`sms.notice.${notice.messageId.slice(8).split('@')[0].replace(/=/g, ':')}`);
    const message = received(sms);
    expect(message.parts).toHaveLength(1);
    expect(message.parts[0].dataCoding).toBe(8);
    expect(message.text).toContain('بخش مرکزی');
    expect(message.text).toContain('گزارش');
    expect(message.text).toContain(formatJalaliDate(reportBy));
    expect(shortLinkIn(message.text)?.startsWith(`${stack.baseUrl}/s/`)).toBe(true);
    expect(stack.sink.to(stack.registry.get(code)!.head.email)).toHaveLength(1);

    // The SMSC's delivery receipt comes back on the session, is read, and is recorded in the unit's history.
    const receipt = await eventually(() => receipts.find((r) => r.smscId === sms.smscIds![0]), 10_000, 'receipt');
    expect(receipt.state).toBe('delivered');
    const dlr = await eventually(
      async () => {
        const state = await stack.gateway.unitState(id, code);
        return state.log.map((t) => t.event).find((e) => e.type === 'smsReceipt');
      },
      10_000,
      'receipt recorded',
    );
    expect(dlr).toMatchObject({
      type: 'smsReceipt',
      purpose: 'notice',
      reference: sms.reference,
      smscId: sms.smscIds![0],
      part: 0,
      state: 'delivered',
      error: '000',
    });
    expect(Date.parse((dlr as { doneAt: string }).doneAt)).toBeGreaterThan(Date.now() - 120_000);
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });

  test('When a head opens the short link, then it leads to the unit page; after the office revokes the links it is refused, and the new SMS link works', async () => {
    const code = 'THR-TEH-KAN';
    const { id } = await issueViaApi(
      stack,
      directiveBody({
        targets: { mode: 'list', codes: [code] },
        acknowledgeBy: inSeconds(3600),
        reportBy: inSeconds(7200),
      }),
    );
    const [notice] = await recorded(id, code, 'notice');
    const link = shortLinkIn(received(smsOf(notice)).text)!;

    const first = await fetch(link, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toMatch(/^\/u\/v1\./);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const page = await fetch(`${stack.baseUrl}${first.headers.get('location')}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('بخش کن');
    // A GET changes nothing: the unit is still only notified.
    expect((await stack.gateway.unitState(id, code)).state).toBe('notified');

    const revoke = await stack.api(`/api/v1/directives/${id}/units/${code}/revoke-links`, {
      method: 'POST',
      json: {},
      headers: { 'idempotency-key': `revoke-${id}` },
    });
    expect(revoke.status).toBeLessThan(300);
    const notices = await recorded(id, code, 'notice', 2);
    const again = await fetch(link, { redirect: 'manual' });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('پیوند باطل شده است');
    const fresh = shortLinkIn(received(smsOf(notices[1])).text)!;
    expect(fresh).not.toBe(link);
    expect((await fetch(fresh, { redirect: 'manual' })).status).toBe(303);
    expect((await fetch(`${stack.baseUrl}/s/AAAAAAAAAAA`, { redirect: 'manual' })).status).toBe(404);
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });

  test('When a reminder to a unit with a long name does not fit one part, then it goes in three concatenated parts that the SMSC reassembles', async () => {
    const code = 'THR-TEH-LNG';
    const { id } = await issueViaApi(
      stack,
      directiveBody({
        targets: { mode: 'list', codes: [code] },
        acknowledgeBy: inSeconds(4),
        reportBy: inSeconds(600),
        reminders: { acknowledge: [3], report: [] },
      }),
    );
    const [reminder] = await recorded(id, code, 'reminder');
    const sms = smsOf(reminder);
    expect(sms.parts).toBe(3);
    const message = received(sms);
    expect(message.parts.map((p) => p.concat?.seq)).toEqual([1, 2, 3]);
    expect(message.parts.map((p) => p.concat?.total)).toEqual([3, 3, 3]);
    expect(message.parts.every((p) => p.text.length <= 67 && p.dataCoding === 8)).toBe(true);
    expect(message.text).toContain(longName);
    expect(message.text).toContain('اعلام وصول');
    expect(splitSms(message.text).parts).toEqual(message.parts.map((p) => p.text));
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });
});

describe('Falling back to the other channel', () => {
  test("When the SMSC refuses an SMS-only head's number for good, then the notice is mailed instead and recorded as delivered by e-mail", async () => {
    const code = 'THR-TEH-SMS';
    stack.smsSink!.refuse.add('989120002002');
    const { id } = await issueViaApi(
      stack,
      directiveBody({
        targets: { mode: 'list', codes: [code] },
        acknowledgeBy: inSeconds(3600),
        reportBy: inSeconds(7200),
      }),
    );
    const [notice] = await recorded(id, code, 'notice');
    expect(notice.delivered).toBe(true);
    expect(notice.channels!.map((c) => [c.channel, c.delivered, c.fallback ?? false])).toEqual([
      ['sms', false, false],
      ['email', true, true],
    ]);
    expect(notice.channels![0].error).toContain('ESME_RINVDSTADR');
    expect(stack.sink.to('sms-only@example.org')).toHaveLength(1);
    expect(stack.smsSink!.to('+989120002002')).toHaveLength(0);
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });

  test("When the mail relay bounces an e-mail-only head, then the notice goes by SMS to the registry's mobile", async () => {
    const code = 'THR-TEH-EML';
    stack.sink.refuse.add('bounce@example.org');
    const { id } = await issueViaApi(
      stack,
      directiveBody({
        targets: { mode: 'list', codes: [code] },
        acknowledgeBy: inSeconds(3600),
        reportBy: inSeconds(7200),
      }),
    );
    const [notice] = await recorded(id, code, 'notice');
    expect(notice.delivered).toBe(true);
    expect(notice.channels!.map((c) => [c.channel, c.delivered, c.fallback ?? false])).toEqual([
      ['email', false, false],
      ['sms', true, true],
    ]);
    expect(stack.smsSink!.to('+989120002003')).toHaveLength(1);
    // Nothing was undeliverable, so the deputy is not told.
    expect((await stack.gateway.unitState(id, code)).undeliverable).toBe(false);
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });
});

describe('An SMSC outage', () => {
  test('When the SMSC restarts in the middle of a fan-out, then every head told by SMS gets the notice once it is back, and none twice past what the protocol can tell', async () => {
    const sink = stack.smsSink!;
    const before = sink.messages.length;
    const res = await stack.api('/api/v1/directives', {
      method: 'POST',
      json: directiveBody({ targets: { mode: 'all' }, acknowledgeBy: inSeconds(3600), reportBy: inSeconds(7200) }),
    });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { id: string }).id;
    await eventually(() => (sink.messages.length > before + 3 ? true : undefined), 60_000, 'the first texts');
    await sink.down();
    const downAt = sink.messages.length;
    await new Promise((r) => setTimeout(r, 4000));
    await sink.up();

    const smsHeads = stack.registry
      .recipients()
      .filter((u) => u.head.channels?.includes('sms') && !sink.refuse.has(u.head.mobile!.slice(1)));
    await eventually(
      async () => {
        const states = await Promise.all(smsHeads.map((u) => stack.gateway.unitState(id, u.code)));
        return states.every((s) => s.log.some((t) => t.event.type === 'mailRecorded' && t.event.kind === 'notice'))
          ? true
          : undefined;
      },
      120_000,
      'every notice recorded',
    );
    const texts = sink.messages.slice(before);
    const perMobile = new Map<string, number>();
    for (const m of texts) perMobile.set(m.to, (perMobile.get(m.to) ?? 0) + 1);
    for (const unit of smsHeads) expect(perMobile.get(unit.head.mobile!.slice(1)) ?? 0).toBeGreaterThanOrEqual(1);
    const copies = [...perMobile.values()].reduce((a, n) => a + n - 1, 0);
    // A part accepted just as the SMSC went down, whose answer was lost with the session, may be sent again:
    // SMPP gives no way to ask. At most the parts in flight at that moment (one session, at most a few).
    expect(copies).toBeLessThanOrEqual(3);
    expect(sink.messages.length).toBeGreaterThan(downAt);
    await cancelDirective(stack, id, 'test over', officeActor, {});
  });
});
