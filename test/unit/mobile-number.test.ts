import { maskMobile, normalizeIranianMobile } from '../../domain/mobile-number';
import { buildRegistry, loadRegistry } from '../../domain/registry';
import { channelsOf, contactSchema, registryFileSchema } from '../../domain/registry-schema';
import { generateRegistry } from '../../scripts/generate-registry';

describe('Iranian mobile numbers', () => {
  test.each([
    '09123456789',
    '0912 345 6789',
    '0912-345-6789',
    '+989123456789',
    '+98 912 345 6789',
    '00989123456789',
    '989123456789',
    '9123456789',
    '۰۹۱۲۳۴۵۶۷۸۹',
    '٠٩١٢٣٤٥٦٧٨٩',
    '(0912) 345-6789',
    '\u200e+98 912 345 6789\u200e',
  ])('When a head writes %j, then it is stored as +989123456789', (text) => {
    expect(normalizeIranianMobile(text)).toBe('+989123456789');
  });

  test.each([
    '02112345678',
    '+982112345678',
    '0912345678',
    '091234567890',
    '+14155550100',
    '',
    'abc',
    '0912 345 678x',
    '+98+9123456789',
  ])('When %j is given, then it is refused as a mobile number', (text) => {
    expect(normalizeIranianMobile(text)).toBeNull();
  });

  test('When a number is masked, then only its last four digits show', () => {
    expect(maskMobile('+989123456789')).toBe('+98••••••6789');
  });
});

describe('Contacts with channels', () => {
  const base = { title: 'بخشدار مرکزی', name: 'علی احمدی', email: 'a@example.org' };

  test('When a contact names no channel, then it is told by e-mail', () => {
    const contact = contactSchema.parse(base);
    expect(channelsOf(contact)).toEqual(['email']);
    expect(contact.mobile).toBeUndefined();
  });

  test('When a contact has a mobile in Persian digits and both channels, then the mobile is canonical', () => {
    const contact = contactSchema.parse({ ...base, mobile: '۰۹۱۲ ۱۱۱ ۲۲۳۳', channels: ['email', 'sms'] });
    expect(contact.mobile).toBe('+989121112233');
    expect(channelsOf(contact)).toEqual(['email', 'sms']);
  });

  test('When a contact asks for SMS without a mobile, a landline, an empty or repeated channel list, then each is refused at its field', () => {
    const issues = (value: unknown) => contactSchema.safeParse(value).error?.issues.map((i) => i.path.join('.'));
    expect(issues({ ...base, channels: ['sms'] })).toEqual(['mobile']);
    expect(issues({ ...base, mobile: '021 1234 5678' })).toEqual(['mobile']);
    expect(issues({ ...base, mobile: '09121112233', channels: [] })).toEqual(['channels']);
    expect(issues({ ...base, mobile: '09121112233', channels: ['sms', 'sms'] })).toEqual(['channels']);
    expect(issues({ ...base, mobile: '09121112233', channels: ['fax'] })).toEqual(['channels.0']);
  });

  test('When the sample registry is loaded, then every district head has a mobile and is told by SMS and e-mail', () => {
    const registry = loadRegistry();
    const districts = registry.recipients().filter((u) => u.kind === 'district');
    expect(districts.length).toBeGreaterThan(10);
    for (const unit of districts) {
      expect(unit.head.mobile).toMatch(/^\+989\d{9}$/);
      expect(channelsOf(unit.head)).toEqual(['email', 'sms']);
    }
  });

  test('When a synthetic registry is generated, then its mobiles are canonical and unique per person', () => {
    const registry = buildRegistry(registryFileSchema.parse(generateRegistry(300, 3)));
    const heads = registry.recipients().map((u) => u.head.mobile);
    expect(heads.every((m) => m && /^\+989\d{9}$/.test(m))).toBe(true);
    expect(new Set(heads).size).toBe(heads.length);
  });
});
