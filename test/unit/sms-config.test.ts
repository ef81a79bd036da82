import { channelsFor } from '../../activities/unit-mail';
import { ConfigError } from '../../lib/config';
import { directiveInputSchema } from '../../domain/directive-schema';
import { contactSchema } from '../../domain/registry-schema';
import { describeTransition } from '../../api/dashboard/labels';
import { loadWorkerConfig } from '../../worker/config';
import type { UnitEvent } from '../../workflows/unit-state';

const base = { LINK_SIGNING_KEYS: 'k1:0123456789abcdef0123456789abcdef', SMTP_URL: 'smtp://127.0.0.1:1025' };

describe('SMS configuration of the worker', () => {
  test('When SMS_URL is unset, then the worker sends no SMS; when set, its account settings are read with their defaults', () => {
    expect(loadWorkerConfig(base).SMS_URL).toBeUndefined();
    const config = loadWorkerConfig({
      ...base,
      SMS_URL: 'smpp://farman:s3cret@smpp.provider.example:2775',
      SMS_RATE_PER_SECOND: '30',
      SMS_RECEIPTS: 'false',
    });
    expect(config).toMatchObject({
      SMS_URL: 'smpp://farman:s3cret@smpp.provider.example:2775',
      SMS_SOURCE_ADDRESS: 'Farman',
      SMS_RATE_PER_SECOND: 30,
      SMS_WINDOW: 20,
      SMS_RECEIPTS: false,
    });
  });

  test('When SMS_URL is not an smpp:// URL with credentials, then the worker refuses to start, naming the variable but not its value', () => {
    for (const url of ['http://x:y@host:2775', 'smpp://host:2775', 'smpp://a:b@host']) {
      const err = (() => {
        try {
          loadWorkerConfig({ ...base, SMS_URL: url });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect(err!.message).toContain('SMS_URL');
      expect(err!.message).not.toContain(url);
    }
  });
});

describe('Which channels a message goes on', () => {
  const person = contactSchema.parse({ title: 'بخشدار', name: 'علی', email: 'a@example.org', mobile: '09121112233' });
  const smsPerson = contactSchema.parse({ ...person, channels: ['sms'] });

  test('When the registry names no channel, then e-mail; when the directive asks SMS for urgent messages, then SMS too at urgent and immediate only', () => {
    expect([...channelsFor(person, 'urgent', false, true)]).toEqual(['email']);
    expect([...channelsFor(person, 'urgent', true, true)]).toEqual(['email', 'sms']);
    expect([...channelsFor(person, 'immediate', true, true)]).toEqual(['email', 'sms']);
    expect([...channelsFor(person, 'normal', true, true)]).toEqual(['email']);
  });

  test('When SMS is not set up or the person has no mobile, then an SMS-only person is mailed', () => {
    expect([...channelsFor(smsPerson, 'normal', false, true)]).toEqual(['sms']);
    expect([...channelsFor(smsPerson, 'normal', false, false)]).toEqual(['email']);
    const noMobile = contactSchema.parse({ title: 'بخشدار', name: 'علی', email: 'a@example.org' });
    expect([...channelsFor(noMobile, 'urgent', true, true)]).toEqual(['email']);
  });

  test('When a directive is issued with smsForUrgent, then the schema keeps it; omitted, it stays absent', () => {
    const body = {
      title: 'دستور آزمون',
      body: 'متن',
      targets: { mode: 'all' },
      acknowledgeBy: new Date(Date.now() + 3_600_000).toISOString(),
      reportBy: new Date(Date.now() + 7_200_000).toISOString(),
    };
    expect(directiveInputSchema.parse({ ...body, smsForUrgent: true }).smsForUrgent).toBe(true);
    expect(directiveInputSchema.parse(body).smsForUrgent).toBeUndefined();
    expect(directiveInputSchema.safeParse({ ...body, smsForUrgent: 'yes' }).success).toBe(false);
  });
});

describe("What the dashboard says of a unit's texts", () => {
  const at = '2026-12-06T08:00:00.000Z';
  const line = (event: UnitEvent) => describeTransition({ seq: 2, at, by: { kind: 'system', id: 'farman' }, event });

  test('When a notice went by e-mail and SMS, then its line says which channel carried it; a fallback is named', () => {
    const recipient = { role: 'head' as const, name: 'علی', title: 'بخشدار', email: 'a@example.org' };
    const text = line({
      type: 'mailRecorded',
      purpose: 'notice',
      kind: 'notice',
      delivered: true,
      messageId: '<m>',
      recipient,
      channels: [
        { channel: 'sms', delivered: false, to: '+989121112233', reference: 'sms.notice.w', error: 'refused' },
        { channel: 'email', delivered: true, to: 'a@example.org', reference: '<m>', fallback: true },
      ],
    });
    expect(text).toContain('پیامک: تحویل نشد');
    expect(text).toContain('رایانامه (جایگزین): تحویل شد');
    expect(
      line({ type: 'mailRecorded', purpose: 'notice', kind: 'notice', delivered: true, messageId: '<m>', recipient }),
    ).not.toContain('پیامک');
  });

  test("When a receipt is recorded, then its line gives the message, the part and the state with the SMSC's time", () => {
    const text = line({
      type: 'smsReceipt',
      purpose: 'reminder-1',
      reference: 'sms.reminder-1.w',
      smscId: 'x',
      part: 1,
      state: 'expired',
      doneAt: at,
      error: '000',
    });
    expect(text).toContain('«یادآوری»');
    expect(text).toContain('بخش ۲');
    expect(text).toContain('منقضی شد و نرسید');
    expect(text).toContain('۱۴۰۵/۰۹/۱۵');
  });
});
