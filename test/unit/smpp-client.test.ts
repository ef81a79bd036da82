import { parseDeliveryReceipt, type DeliveryReceipt } from '../../activities/sms/delivery-receipt';
import { PermanentSmsError, SmppClient, SmsUnavailableError } from '../../activities/sms/smpp-client';
import { splitSms } from '../../activities/sms/sms-text';
import { startDevSmsc } from '../../scripts/dev-smsc';
import { freePort } from '../../worker/temporal-server';
import { eventually } from '../support/stack';
import { SmppSink } from '../../reliability/harness/smpp-sink';

let sink: SmppSink;
let client: SmppClient;
const receipts: DeliveryReceipt[] = [];
const events: string[] = [];

beforeEach(async () => {
  sink = await SmppSink.start({ receiptDelayMs: 10 });
  client = new SmppClient({
    url: sink.url,
    sourceAddress: 'Farman',
    ratePerSecond: 500,
    bindWaitMs: 1500,
    log: (e) => events.push(e),
  });
  client.onReceipt((r) => receipts.push(r));
  receipts.length = 0;
  events.length = 0;
});
afterEach(async () => {
  await client.close();
  await sink.down();
});

const notice = 'بخش مرکزی: گزارش تا ۱۴۰۵/۰۹/۱۹ farman.example.org/s/AbCdEfGhIjK';

describe('The SMPP client against a real SMPP server', () => {
  test('When a one-part Persian notice is sent, then the SMSC receives it as UCS-2 and its receipt comes back parsed as delivered', async () => {
    const sent = await client.send({ reference: 'sms.notice.w1', to: '+989121112233', text: notice });
    expect(sent.smscIds).toHaveLength(1);
    const [message] = sink.to('+989121112233');
    expect(message.text).toBe(notice);
    expect(message.parts[0].dataCoding).toBe(8);
    expect(message.parts[0].concat).toBeNull();
    expect(message.from).toBe('Farman');
    const receipt = await eventually(() => receipts.find((r) => r.smscId === sent.smscIds[0]), 5000, 'receipt');
    expect(receipt.state).toBe('delivered');
    expect(receipt.doneAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(client.isBound).toBe(true);
  });

  test('When a text needs three parts, then each carries the same concatenation reference and the SMSC reassembles the text', async () => {
    const text = `یادآوری: ${'گزارش اقدامات واحد '.repeat(9)}`.trim();
    expect(splitSms(text).parts).toHaveLength(3);
    const sent = await client.send({ reference: 'sms.reminder-1.w2', to: '09121112234'.replace(/^0/, '+98'), text });
    expect(sent.smscIds).toHaveLength(3);
    const [message] = sink.to('+989121112234');
    expect(message.text).toBe(text);
    expect(message.parts.map((p) => p.concat?.seq)).toEqual([1, 2, 3]);
    expect(new Set(message.parts.map((p) => p.concat?.ref)).size).toBe(1);
  });

  test('When an attempt already sent some parts, then only the missing parts are sent again', async () => {
    const text = 'ب'.repeat(150);
    const sent = await client.send(
      { reference: 'sms.x.w3', to: '+989121112235', text },
      { sentParts: new Map([[0, 'earlier-id']]) },
    );
    expect(sent.smscIds[0]).toBe('earlier-id');
    expect(sink.parts.filter((p) => p.to === '989121112235').map((p) => p.concat?.seq)).toEqual([2, 3]);
  });

  test('When the SMSC throttles, then the client backs off and the message still goes through once', async () => {
    sink.throttleNext = 3;
    await client.send({ reference: 'sms.t.w4', to: '+989121112236', text: notice });
    expect(sink.throttled).toBe(3);
    expect(sink.to('+989121112236')).toHaveLength(1);
    expect(events.filter((e) => e === 'throttled')).toHaveLength(3);
  });

  test('When the SMSC refuses the number, then the send fails permanently', async () => {
    sink.refuse.add('989121112237');
    await expect(client.send({ reference: 'sms.r.w5', to: '+989121112237', text: notice })).rejects.toBeInstanceOf(
      PermanentSmsError,
    );
  });

  test('When the SMSC restarts, then a send during the outage fails as unavailable and the client re-binds by itself afterwards', async () => {
    await client.send({ reference: 'sms.a.w6', to: '+989121112238', text: notice });
    await sink.down();
    await expect(client.send({ reference: 'sms.b.w6', to: '+989121112238', text: notice })).rejects.toBeInstanceOf(
      SmsUnavailableError,
    );
    await sink.up();
    await eventually(() => (client.isBound ? true : undefined), 10_000, 're-bind');
    await client.send({ reference: 'sms.c.w6', to: '+989121112238', text: notice });
    expect(sink.to('+989121112238')).toHaveLength(2);
    expect(events).toContain('dropped');
  });

  test('When the credentials are wrong, then the bind is refused and a send fails as unavailable', async () => {
    const wrong = new SmppClient({
      url: sink.url.replace('sink-pass', 'wrong'),
      sourceAddress: 'Farman',
      ratePerSecond: 10,
      bindWaitMs: 500,
    });
    await expect(wrong.send({ reference: 'sms.w.w7', to: '+989121112239', text: notice })).rejects.toBeInstanceOf(
      SmsUnavailableError,
    );
    await wrong.close();
  });

  test('When the rate is 50 per second, then 20 parts take at least 380 ms', async () => {
    const slow = new SmppClient({ url: sink.url, sourceAddress: '+98100020', ratePerSecond: 50 });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        slow.send({ reference: `sms.rate.${i}`, to: '+989121112240', text: notice }),
      ),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    await slow.close();
  });
});

describe('The dev SMSC page', () => {
  test('When the dev SMSC has received a three-part message, then its page shows it once, reassembled and escaped', async () => {
    const dev = await startDevSmsc({ smppPort: await freePort(), webPort: await freePort() });
    const sender = new SmppClient({
      url: `smpp://farman:dev@127.0.0.1:${dev.smsc.options.port}`,
      sourceAddress: 'Farman',
      ratePerSecond: 100,
    });
    const text = `<b>${'پیام بلند '.repeat(18)}</b>`;
    await sender.send({ reference: 'sms.page.1', to: '+989121112241', text });
    const port = (dev.web.address() as { port: number }).port;
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(page).toContain(text.replace('<b>', '&lt;b&gt;').replace('</b>', '&lt;/b&gt;'));
    expect(page).toContain('3 part(s)');
    await sender.close();
    await dev.stop();
  });
});

describe('Delivery receipts', () => {
  test('When receipts come in the usual text forms, then state, time and error are read from the text or the TLVs', () => {
    const text =
      'id:0123456789 sub:001 dlvrd:000 submit date:2612061030 done date:261206103512 stat:UNDELIV err:034 text:x';
    expect(parseDeliveryReceipt({ esm_class: 4, short_message: { message: text } })).toEqual({
      smscId: '0123456789',
      state: 'failed',
      stat: 'UNDELIV',
      doneAt: '2026-12-06T10:35:12.000Z',
      error: '034',
    });
    expect(
      parseDeliveryReceipt({ esm_class: 4, short_message: { message: 'ID:abc Stat:expired Done Date:2612061030' } })
        ?.state,
    ).toBe('expired');
    expect(
      parseDeliveryReceipt({
        esm_class: 4,
        short_message: { message: 'stat:DELIVRD' },
        receipted_message_id: 'tlv-id',
        message_state: 2,
      }),
    ).toMatchObject({ smscId: 'tlv-id', state: 'delivered' });
    expect(parseDeliveryReceipt({ esm_class: 0, short_message: { message: text } })).toBeNull();
    expect(parseDeliveryReceipt({ esm_class: 4, short_message: { message: 'no id here' } })).toBeNull();
  });
});
