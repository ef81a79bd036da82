import fc from 'fast-check';

/**
 * Generators of hostile requests against the office API and the unit pages. Every request they make is
 * invalid by construction: it carries at least one "breaking" part (a field that no schema accepts), and
 * may carry "decorations" that are legal but tricky (Arabic ي/ك mixed into Persian text, Persian digits,
 * path-traversal file names). So the right answer to each is a 4xx with a clear message and no change.
 */

/** One generated request: `kind` names its class for the counts; `body` is sent as is. */
export interface HostileRequest {
  kind: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string | FormData;
  /** What makes it invalid, for the failure message. */
  breaking: string;
}

/**
 * Where the requests go: a directive with two open units, their mailed links, a third unit whose report the
 * office accepted (no report is taken from it any more), and the office's token.
 */
export interface FuzzContext {
  directiveId: string;
  unitCodes: string[];
  /** Path of each unit's page (`/u/<token>`), by code. */
  links: Record<string, string>;
  /** The unit whose report was accepted, and the path of its page. */
  accepted: { code: string; link: string };
  officeToken: string;
  origin: string;
}

const bidi = ['\u202E', '\u202D', '\u202A', '\u2066', '\u2067', '\u2069', '\u0000', '\u001B'];
const arabicMixed = ['كيك', 'ي', 'ك', 'مديريت بحران', 'كاركنان يگان'];
const hugeString = (n: number) => 'ش'.repeat(n);

/** Jalali dates that do not exist (Esfand 30 of a common year, day 31 of an autumn month, month 13…). */
export const impossibleJalali = [
  '1404/12/30 10:00',
  '1405/07/31 12:00',
  '1405/13/01 09:00',
  '1405/00/10',
  '1405/02/32',
  '0000/00/00 00:00',
  '۱۴۰۴/۱۲/۳۰ ۱۰:۰۰',
  '1405/12/31',
  '1405/06/31 25:00',
  '1405/06/10 12:61',
];

const traversalNames = [
  '../../../etc/passwd',
  '..\\..\\windows\\system32\\cmd.exe',
  '/etc/shadow',
  '%2e%2e%2f%2e%2e%2fpasswd',
  'فایل/../../x.pdf',
  'a\u0000.pdf',
  '....//....//x.pdf',
];

/** Text with a trick in it: a bidi override or control, or an empty or oversized value, or a wrong type. */
const badText = (max: number): fc.Arbitrary<{ value: unknown; why: string }> =>
  fc.oneof(
    fc
      .tuple(fc.constantFrom(...bidi), fc.constantFrom(...arabicMixed))
      .map(([c, t]) => ({ value: `${t}${c}عنوان`, why: `control U+${c.codePointAt(0)!.toString(16)}` })),
    fc.constant({ value: '', why: 'empty' }),
    fc.constant({ value: '   \n\t ', why: 'blank' }),
    fc.integer({ min: max + 1, max: max + 5_000 }).map((n) => ({ value: hugeString(n), why: `${n} characters` })),
    fc
      .oneof(
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.string(), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
      )
      .map((v) => ({ value: v, why: `type ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}` })),
  );

/** `badText` limited to what a form can carry: strings only. */
const badFormText = (max: number) =>
  badText(max).filter((t): t is { value: string; why: string } => typeof t.value === 'string');

const badInstant = fc.oneof(
  fc.constantFrom(...impossibleJalali).map((j) => ({ value: { jalali: j }, why: `impossible Jalali ${j}` })),
  fc.constantFrom('2020-01-01T00:00:00Z', '1999-12-31T23:59:59+03:30').map((v) => ({ value: v, why: 'in the past' })),
  fc
    .constantFrom('not a date', '2026-13-45T99:99:99Z', '', '1e308', '2026-11-30')
    .map((v) => ({ value: v, why: `unreadable ${v}` })),
  fc
    .oneof(fc.double(), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(-1), fc.constant(1e308))
    .map((v) => ({ value: v, why: `number ${v}` })),
);

const badDuration = fc.oneof(
  fc
    .constantFrom('400d', '-5s', 'abc', '1y', '99999999999d', '', '5 minutes', '1e309')
    .map((v) => ({ value: v, why: `duration ${v}` })),
  fc.constantFrom(-1, 1e12, Number.NaN).map((v) => ({ value: v, why: `duration ${v}` })),
);

/** A valid directive body for `POST /api/v1/directives` (times from now); only its mutations break it. */
export function validDirective(codes: string[]): Record<string, unknown> {
  const at = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  return {
    title: 'گزارش آمادگی شعب',
    body: 'وضعیت شعب را گزارش کنید.',
    priority: 'urgent',
    targets: { mode: 'list', codes },
    acknowledgeBy: at(86_400),
    reportBy: at(2 * 86_400),
    reminders: { acknowledge: ['1h'], report: [] },
    escalation: [{ after: '2h', notify: 'deputy' }],
    form: [
      { key: 'stations', label: 'تعداد شعب', type: 'number', required: true, min: 0, max: 10_000 },
      { key: 'lastVisit', label: 'تاریخ آخرین بازدید', type: 'date' },
      { key: 'note', label: 'توضیح', type: 'text', maxLength: 5_000 },
      { key: 'plan', label: 'فهرست محل‌ها', type: 'file', maxFiles: 2 },
    ],
  };
}

/** One mutation of a directive body that no schema accepts. */
const directiveBreak: fc.Arbitrary<{ apply: (b: Record<string, unknown>) => void; why: string }> = fc.oneof(
  badText(200).map((t) => ({
    apply: (b: Record<string, unknown>) => void (b.title = t.value),
    why: `title: ${t.why}`,
  })),
  fc.integer({ min: 20_001, max: 60_000 }).map((n) => ({
    apply: (b: Record<string, unknown>) => void (b.body = hugeString(n)),
    why: `body of ${n} characters`,
  })),
  fc
    .constantFrom('\u202Eمتن', 'متن\u2066')
    .map((v) => ({ apply: (b: Record<string, unknown>) => void (b.body = v), why: 'bidi in body' })),
  fc
    .string({ maxLength: 12 })
    .filter((s) => !['normal', 'urgent', 'immediate'].includes(s))
    .map((p) => ({
      apply: (b: Record<string, unknown>) => void (b.priority = p),
      why: `priority ${JSON.stringify(p)}`,
    })),
  fc
    .constantFrom(
      { mode: 'list', codes: [] },
      { mode: 'list', codes: ['THR-TEH-كيك'] },
      { mode: 'list', codes: ['../../etc'] },
      { mode: 'list', codes: ['THR-TEH'] },
      { mode: 'everyone' },
      { mode: 'under', parents: ['NOPE'] },
      { mode: 'list', codes: 'THR-TEH-MRK' },
    )
    .map((t) => ({ apply: (b: Record<string, unknown>) => void (b.targets = t), why: `targets ${JSON.stringify(t)}` })),
  fc.integer({ min: 5_000, max: 20_000 }).map((n) => ({
    apply: (b: Record<string, unknown>) =>
      void (b.targets = { mode: 'list', codes: Array.from({ length: n }, (_, i) => `SYN-X${i}`) }),
    why: `targets list of ${n} unknown codes`,
  })),
  fc.tuple(fc.constantFrom('acknowledgeBy', 'reportBy'), badInstant).map(([field, v]) => ({
    apply: (b: Record<string, unknown>) => void (b[field] = v.value),
    why: `${field}: ${v.why}`,
  })),
  // Set, not swapped: two swaps would make the body valid again.
  fc.constant({
    apply: (b: Record<string, unknown>) => void (b.acknowledgeBy = '2099-01-01T00:00:00Z'),
    why: 'report deadline before acknowledgement',
  }),
  badDuration.map((d) => ({
    apply: (b: Record<string, unknown>) => void (b.reminders = { acknowledge: [d.value], report: [] }),
    why: `reminder ${d.why}`,
  })),
  fc.constant({
    apply: (b: Record<string, unknown>) =>
      void (b.reminders = { acknowledge: ['1h', '2h', '3h', '4h', '5h', '6h'], report: [] }),
    why: 'six reminders',
  }),
  fc.constant({
    apply: (b: Record<string, unknown>) =>
      void (b.escalation = [
        { after: '5h', notify: 'deputy' },
        { after: '1h', notify: 'governor' },
      ]),
    why: 'escalation levels out of order',
  }),
  fc.constantFrom('president', '', 'DEPUTY').map((n) => ({
    apply: (b: Record<string, unknown>) => void (b.escalation = [{ after: '1h', notify: n }]),
    why: `escalation to ${n}`,
  })),
  fc
    .constantFrom(
      [{ key: 'x', label: 'برچسب', type: 'script' }],
      [{ key: '../x', label: 'برچسب', type: 'text' }],
      [{ key: 'x', label: '\u202Eبرچسب', type: 'text' }],
      [{ key: 'x', label: 'برچسب', type: 'number', min: 10, max: 1 }],
      [{ key: 'x', label: 'برچسب', type: 'choice', options: ['تنها'] }],
      Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, label: 'برچسب', type: 'text' })),
    )
    .map((f) => ({
      apply: (b: Record<string, unknown>) => void (b.form = f),
      why: `form ${JSON.stringify(f).slice(0, 60)}`,
    })),
  fc.constantFrom(...traversalNames).map((name) => ({
    apply: (b: Record<string, unknown>) =>
      void (b.attachments = [{ name, sha256: '../../../../etc/passwd', size: 10, contentType: 'application/pdf' }]),
    why: `attachment ${name} with a traversal hash`,
  })),
  fc.constantFrom(...traversalNames).map((name) => ({
    apply: (b: Record<string, unknown>) =>
      void (b.attachments = [{ name, sha256: 'f'.repeat(64), size: -1, contentType: 'application/x-msdownload' }]),
    why: `attachment ${name} with a negative size`,
  })),
  fc.constant({
    apply: (b: Record<string, unknown>) =>
      void (b.attachments = [{ name: 'پیوست.pdf', sha256: 'e'.repeat(64), size: 10, contentType: 'application/pdf' }]),
    why: 'attachment that was never uploaded',
  }),
  fc
    .string({ minLength: 1, maxLength: 10 })
    .filter((k) => !(k in validDirective([])))
    .map((k) => ({ apply: (b: Record<string, unknown>) => void (b[`x_${k}`] = 1), why: `unknown field x_${k}` })),
  fc.constantFrom('short', 'has space!', '\u202E12345678', 'x'.repeat(101)).map((k) => ({
    apply: (b: Record<string, unknown>) => void (b.clientRequestId = k),
    why: `clientRequestId ${k.slice(0, 10)}`,
  })),
);

/** Legal but tricky changes: Arabic letters mixed into Persian text, Persian digits. */
const decoration: fc.Arbitrary<(b: Record<string, unknown>) => void> = fc.constantFrom(
  (b: Record<string, unknown>) => void (b.title = `${String(b.title)} ${arabicMixed[0]}`),
  (b: Record<string, unknown>) => void (b.body = `${String(b.body)} ي ك ۱۲۳ ١٢٣`),
  () => undefined,
);

const json = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });

/** Issue requests with a broken body, malformed JSON, wrong media types and oversized bodies. */
export function issueRequests(ctx: FuzzContext): fc.Arbitrary<HostileRequest> {
  const mutated = fc
    .tuple(fc.array(directiveBreak, { minLength: 1, maxLength: 3 }), decoration)
    .map(([breaks, decorate]): HostileRequest => {
      const body = validDirective(ctx.unitCodes);
      decorate(body);
      for (const b of breaks) b.apply(body);
      return {
        kind: 'api: issue with a broken field',
        method: 'POST',
        path: '/api/v1/directives',
        headers: json(ctx.officeToken),
        body: JSON.stringify(body),
        breaking: breaks.map((b) => b.why).join('; '),
      };
    });
  const malformed = fc
    .oneof(
      fc.constantFrom(
        '{',
        '{"title": }',
        '[',
        "{'title': 'x'}",
        '{"a":1}}',
        '\u0000',
        'null',
        '[]',
        '"text"',
        '1e999',
        'true',
        '{"__proto__": {"admin": true}}',
        '{"constructor": {"prototype": {"x": 1}}}',
      ),
      fc.integer({ min: 2_000, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
      fc.string({ maxLength: 200 }).filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
    )
    .map((body): HostileRequest => ({
      kind: 'api: malformed JSON',
      method: 'POST',
      path: '/api/v1/directives',
      headers: json(ctx.officeToken),
      body,
      breaking: `body ${JSON.stringify(body.slice(0, 40))}`,
    }));
  const mediaType = fc
    .constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    )
    .map((type): HostileRequest => ({
      kind: 'api: wrong media type',
      method: 'POST',
      path: '/api/v1/directives',
      headers: { ...json(ctx.officeToken), 'content-type': type },
      body: JSON.stringify(validDirective(['NOPE'])),
      breaking: `content-type ${type}`,
    }));
  const oversized = fc.integer({ min: 1_100_000, max: 1_500_000 }).map((n): HostileRequest => ({
    kind: 'api: oversized body',
    method: 'POST',
    path: '/api/v1/directives',
    headers: json(ctx.officeToken),
    body: JSON.stringify({ ...validDirective(ctx.unitCodes), body: 'x'.repeat(n) }),
    breaking: `${n}-byte body`,
  }));
  return fc.oneof(
    { arbitrary: mutated, weight: 8 },
    { arbitrary: malformed, weight: 3 },
    { arbitrary: mediaType, weight: 1 },
    { arbitrary: oversized, weight: 1 },
  );
}

/** Office actions on the directive's units with broken bodies, paths and idempotency keys. */
export function actionRequests(ctx: FuzzContext): fc.Arbitrary<HostileRequest> {
  const unit = fc.constantFrom(...ctx.unitCodes);
  const base = (code: string, action: string) => `/api/v1/directives/${ctx.directiveId}/units/${code}/${action}`;
  const bodies = fc.oneof(
    fc
      .tuple(unit, badText(2_000))
      .map(([code, t]) => ({ path: base(code, 'exempt'), body: { reason: t.value }, why: `exempt reason: ${t.why}` })),
    fc
      .tuple(unit, badText(2_000))
      .map(([code, t]) => ({ path: base(code, 'return'), body: { reason: t.value }, why: `return reason: ${t.why}` })),
    fc.tuple(unit, badInstant, fc.constantFrom('acknowledgeBy', 'reportBy')).map(([code, v, f]) => ({
      path: base(code, 'extend'),
      body: { [f]: v.value, reason: 'تمدید' },
      why: `extend ${f}: ${v.why}`,
    })),
    fc.tuple(unit, badText(2_000)).map(([code, t]) => ({
      path: base(code, 'extend'),
      body: { reportBy: new Date(Date.now() + 9e7).toISOString(), reason: t.value },
      why: `extend reason: ${t.why}`,
    })),
    unit.map((code) => ({ path: base(code, 'extend'), body: { reason: 'بدون تاریخ' }, why: 'extend without a date' })),
    fc
      .tuple(unit, badText(2_000))
      .map(([code, t]) => ({ path: base(code, 'accept'), body: { note: t.value }, why: `accept note: ${t.why}` })),
    unit.map((code) => ({ path: base(code, 'accept'), body: {}, why: 'accept with no report submitted (409)' })),
    unit.map((code) => ({
      path: base(code, 'return'),
      body: { reason: 'بازگشت' },
      why: 'return with no report submitted (409)',
    })),
    fc.tuple(unit, fc.string({ maxLength: 20 })).map(([code, id]) => ({
      path: `/api/v1/directives/${ctx.directiveId}/units/${code}/extension-requests/${encodeURIComponent(id || 'none')}/decision`,
      body: { approved: true },
      why: `decision on unknown request ${JSON.stringify(id)}`,
    })),
    fc
      .tuple(unit, fc.anything())
      .filter(([, v]) => typeof v !== 'boolean')
      .map(([code, v]) => ({
        path: `/api/v1/directives/${ctx.directiveId}/units/${code}/extension-requests/x/decision`,
        body: { approved: v },
        why: 'decision with a non-boolean',
      })),
    fc.tuple(unit, fc.constantFrom('remind', 'revoke-links', 'exempt')).map(([code, action]) => ({
      path: base(code, action),
      body: { reason: 'دلیل', note: 'یادداشت', extra: true },
      why: `${action} with an unknown field`,
    })),
    fc
      .tuple(
        fc.constantFrom('SYN-\u202E', 'THR-TEH-كيك', '..', 'a'.repeat(300), '%00', 'THR-TEH-NOPE'),
        fc.constantFrom('remind', 'exempt'),
      )
      .map(([code, action]) => ({
        path: `/api/v1/directives/${ctx.directiveId}/units/${encodeURIComponent(code)}/${action}`,
        body: { reason: 'دلیل' },
        why: `unit code ${JSON.stringify(code.slice(0, 12))}`,
      })),
    fc
      .tuple(
        fc.constantFrom('1405-99999999', '../../etc/passwd', '١٤٠٥-٠٠٠٠٠١', '1405-000001\u202E', 'x'.repeat(500)),
        fc.constantFrom('remind', 'cancel', 'close'),
      )
      .map(([id, action]) => ({
        path: `/api/v1/directives/${encodeURIComponent(id)}/${action}`,
        body: { reason: 'دلیل' },
        why: `directive id ${JSON.stringify(id.slice(0, 12))}`,
      })),
  );
  const withKey = fc
    .tuple(
      bodies,
      fc.option(fc.constantFrom('short', 'has space!!!', '\u202E-key-12345', 'k'.repeat(101)), { nil: undefined }),
    )
    .map(([b, key]): HostileRequest => ({
      kind: 'api: unit action',
      method: 'POST',
      path: b.path,
      headers: { ...json(ctx.officeToken), ...(key ? { 'idempotency-key': encodeURIComponent(key) } : {}) },
      body: JSON.stringify(b.body),
      breaking: `${b.why}${key ? `; idempotency key ${JSON.stringify(key.slice(0, 12))}` : ''}`,
    }));
  const reads = fc
    .oneof(
      fc
        .constantFrom(
          'limit=0',
          'limit=100000',
          'limit=-1',
          'limit=abc',
          'state=exploded',
          'cursor=%00',
          'cursor=../../x',
          'priority=\u202E',
          'from=1404/12/30',
          'unknown=1',
        )
        .map((q) => `/api/v1/directives?${q}`),
      fc
        .constantFrom('1405-00000x', '..%2f..%2fetc%2fpasswd', '1405-000001%00', 'ک'.repeat(40))
        .map((id) => `/api/v1/directives/${id}`),
      fc
        .constantFrom('..%2f..%2fetc%2fpasswd', 'g'.repeat(64), '%2e%2e%2f'.repeat(5), 'A'.repeat(64))
        .map((h) => `/api/v1/files/${h}?directive=${ctx.directiveId}`),
    )
    .map((path): HostileRequest => ({
      kind: 'api: bad read',
      method: 'GET',
      path,
      headers: { authorization: `Bearer ${ctx.officeToken}` },
      breaking: path,
    }));
  return fc.oneof({ arbitrary: withKey, weight: 4 }, { arbitrary: reads, weight: 1 });
}

/** Bytes that are not what their name says, or not allowed at all. */
const disguisedFiles: { name: string; bytes: Buffer; type: string; why: string }[] = [
  {
    name: 'گزارش.pdf',
    bytes: Buffer.concat([Buffer.from('MZ\x90\x00\x03'), Buffer.alloc(200, 1)]),
    type: 'application/pdf',
    why: 'an .exe renamed .pdf',
  },
  {
    name: 'نقشه.pdf',
    bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    type: 'application/pdf',
    why: 'a PNG named .pdf',
  },
  {
    name: 'image.png',
    bytes: Buffer.from('<html><script>alert(1)</script></html>'),
    type: 'image/png',
    why: 'HTML named .png',
  },
  {
    name: 'x.svg',
    bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    type: 'image/svg+xml',
    why: 'an SVG with a script',
  },
  {
    name: 'archive.docx',
    bytes: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]),
    type: 'application/zip',
    why: 'a bare zip named .docx',
  },
  {
    name: '../../../etc/cron.d/x.pdf',
    bytes: Buffer.from('MZ-not-a-pdf'),
    type: 'application/pdf',
    why: 'traversal name and wrong bytes',
  },
  { name: 'run.exe', bytes: Buffer.from('MZ'), type: 'application/x-msdownload', why: 'an .exe' },
];

/** Requests to the unit pages: forged tokens, and every form posted with something broken. */
export function pageRequests(ctx: FuzzContext, options: { oversizedUploads: boolean }): fc.Arbitrary<HostileRequest> {
  const code = fc.constantFrom(...ctx.unitCodes);
  const form = (headers: Record<string, string> = {}) => ({ origin: ctx.origin, ...headers });
  const tokens = fc
    .oneof(
      code.map((c) => ctx.links[c].slice(3, -5)),
      fc.tuple(code, fc.nat()).map(([c, i]) => {
        const t = ctx.links[c].slice(3);
        const at = 10 + (i % (t.length - 10));
        return t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
      }),
      fc.string({ minLength: 1, maxLength: 300 }).map((s) => encodeURIComponent(s)),
      fc.constantFrom(
        '..%2f..%2fetc%2fpasswd',
        'v1.rl1.e30.AAAA',
        'v1..x.y',
        'v2.t1.payload.mac',
        'x'.repeat(3000),
        '%E2%80%AE',
        'v1.%00.x.y',
      ),
    )
    .filter((t) => t.length > 0 && !Object.values(ctx.links).includes(`/u/${t}`))
    .map((t): HostileRequest => ({
      kind: 'page: forged or broken token',
      method: 'GET',
      path: `/u/${t}`,
      headers: {},
      breaking: `token ${t.slice(0, 24)}`,
    }));
  const files = fc
    .tuple(
      code,
      fc.constantFrom(
        '..%2f..%2f..%2fetc%2fpasswd',
        'a'.repeat(64),
        '%2e%2e%2fsecret',
        encodeURIComponent('ک'.repeat(64)),
      ),
    )
    .map(([c, h]): HostileRequest => ({
      kind: 'page: file not of this link',
      method: 'GET',
      path: `${ctx.links[c]}/files/${h}`,
      headers: {},
      breaking: `file ${h.slice(0, 16)}`,
    }));
  const sub = fc.uuid({ version: 4 });
  const ack = fc
    .tuple(
      code,
      sub,
      fc.oneof(
        badFormText(200).map((t) => ({ field: 'name', ...t })),
        badFormText(200).map((t) => ({ field: 'position', ...t })),
        fc
          .constantFrom('', 'not-a-uuid', "1' OR '1'='1", '../../x')
          .map((s) => ({ field: 'submissionId', value: s, why: `submission id ${JSON.stringify(s)}` })),
      ),
    )
    .map(([c, id, bad]): HostileRequest => {
      const fields: Record<string, string> = { submissionId: id, name: 'علي كريمي', position: 'بخشدار' };
      fields[bad.field] = bad.value;
      return {
        kind: 'page: acknowledge with a broken field',
        method: 'POST',
        path: `${ctx.links[c]}/acknowledge`,
        headers: form({ 'content-type': 'application/x-www-form-urlencoded' }),
        body: new URLSearchParams(fields).toString(),
        breaking: `${bad.field}: ${bad.why}`,
      };
    });
  const reportBreak = fc.oneof(
    fc
      .constantFrom('-1', '10001', '1e400', 'NaN', 'Infinity', '۱۲۳۴۵۶۷۸۹۰۱۲۳', '--5', '0x10', '١٢x٣', '')
      .map((v) => ({ set: { v_stations: v }, file: null, why: `stations ${JSON.stringify(v)}` })),
    fc.constantFrom(...impossibleJalali).map((v) => ({ set: { v_lastVisit: v }, file: null, why: `lastVisit ${v}` })),
    fc.constantFrom(...disguisedFiles).map((f) => ({ set: {}, file: f, why: f.why })),
    badFormText(200).map((t) => ({ set: { name: t.value }, file: null, why: `name: ${t.why}` })),
    fc
      .integer({ min: 5_001, max: 30_000 })
      .map((n) => ({ set: { v_note: hugeString(n) }, file: null, why: `note of ${n} characters` })),
    ...(options.oversizedUploads
      ? [
          fc.constant({
            set: {},
            file: {
              name: 'بزرگ.pdf',
              bytes: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * 1024 * 1024 + 10, 32)]),
              type: 'application/pdf',
              why: 'a PDF over 10 MB',
            },
            why: 'a PDF over 10 MB',
          }),
        ]
      : []),
  );
  const report = fc
    .tuple(code, sub, reportBreak, fc.constantFrom(...traversalNames))
    .map(([c, id, bad, decoyName]): HostileRequest => {
      const body = new FormData();
      const fields: Record<string, string> = {
        submissionId: id,
        name: 'حسن رحيمي',
        position: 'بخشدار',
        v_stations: '۱۲',
        v_lastVisit: '۱۴۰۵/۰۹/۱۰',
        ...bad.set,
      };
      for (const [k, v] of Object.entries(fields)) body.append(k, v);
      const file = bad.file ?? {
        name: `${decoyName}.pdf`,
        bytes: Buffer.from('%PDF-1.4\n%%EOF\n'),
        type: 'application/pdf',
      };
      body.append('f_plan', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
      return {
        kind: 'page: report with a broken field or file',
        method: 'POST',
        path: `${ctx.links[c]}/report`,
        headers: form(),
        body,
        breaking: bad.why,
      };
    });
  const extension = fc
    .tuple(
      code,
      sub,
      fc.oneof(
        fc
          .constantFrom(...impossibleJalali, '1400/01/01 10:00', 'فردا', '', '2099-01-01')
          .map((v) => ({ until: v, reason: 'نیاز به زمان بیشتر', why: `until ${v}` })),
        badFormText(2_000).map((t) => ({ until: '1499/01/01 10:00', reason: t.value, why: `reason: ${t.why}` })),
      ),
    )
    .map(([c, id, bad]): HostileRequest => ({
      kind: 'page: extension with a broken field',
      method: 'POST',
      path: `${ctx.links[c]}/extension`,
      headers: form({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: new URLSearchParams({ submissionId: id, until: bad.until, reason: bad.reason }).toString(),
      breaking: bad.why,
    }));
  const crossSite = fc
    .tuple(
      code,
      sub,
      fc.constantFrom('acknowledge', 'extension'),
      fc.constantFrom<Record<string, string>>(
        {},
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1.evil.example' },
      ),
    )
    .map(([c, id, action, headers]): HostileRequest => ({
      kind: 'page: cross-site post',
      method: 'POST',
      path: `${ctx.links[c]}/${action}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({
        submissionId: id,
        name: 'مهاجم',
        position: 'مهاجم',
        until: '1499/01/01 10:00',
        reason: 'x',
      }).toString(),
      breaking: `cross-site ${JSON.stringify(headers)}`,
    }));
  // A request line of thousands of letters (the log redactor once took 285 ms over 16,000), one hiding a URL
  // password the log must not show, and one past Node's 16 KB header limit (431 from Node itself).
  const longUrl = fc.oneof(
    fc.integer({ min: 4_000, max: 15_000 }).map((n): HostileRequest => ({
      kind: 'page: long URL',
      method: 'GET',
      path: `/u/${'a'.repeat(n)}`,
      headers: {},
      breaking: `a token of ${n} letters`,
    })),
    fc.integer({ min: 4_000, max: 15_000 }).map((n): HostileRequest => ({
      kind: 'page: long URL',
      method: 'GET',
      path: `/u/x?relay=smtps://user:password@host&pad=${'a'.repeat(n)}`,
      headers: {},
      breaking: `a URL password and ${n} letters`,
    })),
    fc.integer({ min: 20_000, max: 100_000 }).map((n): HostileRequest => ({
      kind: 'page: long URL',
      method: 'GET',
      path: `/${'a'.repeat(n)}`,
      headers: {},
      breaking: `a path of ${n} letters`,
    })),
  );
  // Files sent to a unit that takes no report: refused before the body is read, nothing stored or staged.
  const afterAccept = fc
    .tuple(sub, fc.integer({ min: 16 * 1024, max: 1024 * 1024 }))
    .map(([id, size]): HostileRequest => {
      const body = new FormData();
      for (const [k, v] of Object.entries({
        submissionId: id,
        name: 'حسن رحیمی',
        position: 'بخشدار',
        v_stations: '۱۲',
      }))
        body.append(k, v);
      body.append(
        'f_plan',
        new Blob([new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(size, 32)]))], {
          type: 'application/pdf',
        }),
        'plan.pdf',
      );
      return {
        kind: 'page: upload after the report was accepted',
        method: 'POST',
        path: `${ctx.accepted.link}/report`,
        headers: form(),
        body,
        breaking: `${size}-byte upload to an accepted unit`,
      };
    });
  const overflowing = fc.tuple(code, sub).map(([c, id]): HostileRequest => {
    const body = new URLSearchParams({ submissionId: id, name: 'ن', position: 'س' });
    for (let i = 0; i < 30; i++) body.append(`x${i}`, 'y');
    return {
      kind: 'page: too many fields',
      method: 'POST',
      path: `${ctx.links[c]}/acknowledge`,
      headers: form({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: body.toString(),
      breaking: '33 fields',
    };
  });
  return fc.oneof(
    { arbitrary: tokens, weight: 3 },
    { arbitrary: files, weight: 1 },
    { arbitrary: ack, weight: 3 },
    { arbitrary: report, weight: 4 },
    { arbitrary: extension, weight: 2 },
    { arbitrary: crossSite, weight: 2 },
    { arbitrary: overflowing, weight: 1 },
    { arbitrary: longUrl, weight: 1 },
    { arbitrary: afterAccept, weight: 1 },
  );
}
