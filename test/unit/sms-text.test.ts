import { composeUnitSms, type SmsContext } from '../../activities/sms/compose-sms';
import { concatenationUdh, encodingOf, smsLength, splitSms } from '../../activities/sms/sms-text';
import { loadRegistry } from '../../domain/registry';
import type { UnitPolicy } from '../../workflows/types';
import type { MailRequest } from '../../workflows/unit-state';

describe('SMS parts', () => {
  test('When a Persian text has 70 characters, then it is one UCS-2 part; at 71 it becomes two parts of at most 67', () => {
    const seventy = 'س'.repeat(70);
    expect(splitSms(seventy)).toEqual({ encoding: 'ucs2', parts: [seventy] });
    const split = splitSms(`${seventy}ب`);
    expect(split.parts).toHaveLength(2);
    expect(split.parts.every((p) => p.length <= 67)).toBe(true);
    expect(split.parts.join('')).toBe(`${seventy}ب`);
  });

  test('When a Latin text is all GSM 03.38, then it goes as GSM-7: 160 alone, 153 per part, extension characters counting twice', () => {
    expect(encodingOf('Report due 1405/09/20 https://x.example.org/s/abc')).toBe('gsm7');
    expect(smsLength('a{b}')).toBe(6);
    expect(splitSms('a'.repeat(160)).parts).toHaveLength(1);
    const parts = splitSms('a'.repeat(161)).parts;
    expect(parts.map((p) => p.length)).toEqual([153, 8]);
    // An escape sequence is never cut: the part ends before the `{` rather than in its middle.
    expect(splitSms(`${'a'.repeat(152)}{${'a'.repeat(20)}`).parts[0]).toBe('a'.repeat(152));
  });

  test('When a text is cut, then a surrogate pair is never split and a cut prefers a space near the end', () => {
    const text = `${'س'.repeat(66)}😀${'ب'.repeat(10)}`;
    const { parts } = splitSms(text);
    expect(parts[0]).toBe('س'.repeat(66));
    expect(parts.join('')).toBe(text);
    const words = Array.from({ length: 30 }, (_, i) => `واژه${i}`).join(' ');
    for (const part of splitSms(words).parts.slice(0, -1)) expect(part.endsWith(' ')).toBe(true);
  });

  test('When a concatenation header is made, then it is the 6-byte 8-bit-reference UDH', () => {
    expect([...concatenationUdh(0x1a2, 3, 2)]).toEqual([5, 0, 3, 0xa2, 3, 2]);
  });
});

describe('SMS texts of a unit', () => {
  const registry = loadRegistry();
  const unit = registry.get('THR-TEH-MRK')!;
  const policy: UnitPolicy = {
    directiveId: '1405-000123',
    version: 1,
    title: 'تعیین محل استقرار صندوق‌های اخذ رأی',
    priority: 'urgent',
    specRef: 'x',
    acknowledgeBy: '2026-12-08T10:30:00.000Z',
    reportBy: '2026-12-10T10:30:00.000Z',
    reminders: { acknowledge: [], report: [] },
    escalation: [],
    form: [],
    acceptance: 'manual',
  };
  const ctx = (
    kind: MailRequest['kind'],
    details: MailRequest['details'] = {},
    shortLink: string | null = 'https://farman.example.org/s/AbCdEfGhIjK',
    name = unit.name,
  ): SmsContext => ({
    input: {
      workflowId: 'w',
      unitCode: unit.code,
      policy,
      linkGeneration: 1,
      request: { purpose: kind, kind, to: 'head', causeSeq: 1, details },
    },
    unit: { ...unit, name },
    recipient: { ...unit.head, role: 'head' },
    shortLink,
  });

  test('When a notice is composed for a district, then it fits one part and states the unit, what is due, the Jalali deadline and the link', () => {
    const text = composeUnitSms(ctx('notice'));
    expect(splitSms(text)).toEqual({ encoding: 'ucs2', parts: [text] });
    expect(text).toContain(unit.name);
    expect(text).toContain('گزارش');
    expect(text).toContain('۱۴۰۵/۰۹/۱۹');
    expect(text.endsWith(' farman.example.org/s/AbCdEfGhIjK')).toBe(true);
  });

  test('When a reminder and an escalation are composed, then each fits one part and names its obligation', () => {
    const reminder = composeUnitSms(ctx('reminder', { obligation: 'acknowledge', deadline: policy.acknowledgeBy }));
    expect(reminder).toContain('اعلام وصول');
    expect(reminder).toContain('۱۴۰۵/۰۹/۱۷');
    expect(splitSms(reminder).parts).toHaveLength(1);
    const escalation = composeUnitSms(
      ctx('escalation', { obligation: 'report', level: 1, deadline: policy.reportBy }, null),
    );
    expect(escalation).toContain(unit.name);
    expect(escalation).not.toContain('http');
    expect(splitSms(escalation).parts).toHaveLength(1);
  });

  test('When no wording fits one part (a long unit name), then the fewest parts are used, the fullest wording among them', () => {
    const long = 'اداره کل امور اجتماعی و فرهنگی و هماهنگی دستگاه‌های اجرایی شهرستان تهران';
    const text = composeUnitSms(
      ctx(
        'reminder',
        { obligation: 'report', deadline: policy.reportBy },
        'https://farman.example.org/s/AbCdEfGhIjK',
        long,
      ),
    );
    const { parts } = splitSms(text);
    expect(parts.length).toBeGreaterThan(1);
    expect(text).toContain(long);
    expect(parts.every((p) => p.length <= 67)).toBe(true);
  });

  test('When another kind of message is composed, then it names the kind and the unit', () => {
    const text = composeUnitSms(ctx('cancellation'));
    expect(text).toContain('لغو دستورالعمل');
    expect(text).toContain(unit.name);
  });
});
