import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cancelDirective } from '../../api/directives/amend-directive';
import type { HistoryEntry } from '../../audit/archive';
import {
  acceptReportUpdate,
  acknowledgeUpdate,
  directiveWorkflowId,
  submitReportUpdate,
  unitWorkflowId,
} from '../../workflows/contract';
import { directiveBody, issueViaApi, officeActor, unitActor } from '../support/directives';
import { eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
let id: string;
const code = 'THR-TEH-KAN';

beforeAll(async () => {
  stack = await startStack({ archiver: true });
  ({ id } = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes: [code] } })));
  // The notice goes out before the head can reply to it; the timeline must show that order.
  await eventually(
    async () => ((await stack.gateway.unitState(id, code)).mailSent === 1 ? true : undefined),
    20_000,
    'the notice',
  );
  const reply = { name: 'مریم رضایی', position: 'بخشدار', by: unitActor(code) };
  await stack.gateway.unitUpdate(
    id,
    code,
    acknowledgeUpdate,
    { ...reply, meta: { submissionId: 'dash-ack' } },
    'dash-ack',
  );
  await stack.gateway.unitUpdate(
    id,
    code,
    submitReportUpdate,
    { ...reply, values: { stations: 3 }, meta: { submissionId: 'dash-rep' } },
    'dash-rep',
  );
  await stack.gateway.unitUpdate(id, code, acceptReportUpdate, { by: officeActor }, 'dash-accept');
  await stack.client.workflow.getHandle(directiveWorkflowId(id)).result();
  await eventually(
    async () =>
      (await stack.archive.historiesOf(unitWorkflowId(id, code))).some((e) => e.status === 'Completed') &&
      (await stack.archive.historiesOf(directiveWorkflowId(id))).length > 0
        ? true
        : undefined,
    30_000,
    'the directive archived',
  );
});
afterAll(async () => {
  await stack?.stop();
});

const asAuditor = (path: string) => stack.api(path, { as: 'auditor' });

test('When an auditor opens the audit page, then it says the chain is intact and lists the archived directive', async () => {
  const res = await asAuditor('/audit');
  expect(res.status).toBe(200);
  const page = await res.text();
  expect(page).toContain('زنجیره سالم است');
  expect(page).toContain(`href="/audit/directives/${id}"`);
  expect(page).toContain('lang="fa" dir="rtl"');
});

test('When an auditor opens a directive, then its timeline from the archive shows who acted and each e-mail with its Message-ID, and a unit filter and CSV are offered', async () => {
  const page = await (await asAuditor(`/audit/directives/${id}`)).text();
  expect(page).toContain('سابقه از تاریخچه‌های بایگانی‌شده خوانده شد');
  const kinds = [...page.matchAll(/data-kind="([a-z-]+)"/g)].map((m) => m[1]);
  expect(kinds).toEqual([
    'directive-issued',
    'unit-issued',
    'mail-sent',
    'acknowledged',
    'report-submitted',
    'report-accepted',
    'mail-sent',
    'directive-completed',
  ]);
  expect(page).toContain('مریم رضایی (بخشدار)؛ شناسه ارسال dash-ack');
  const notice = stack.sink
    .withHeader('x-farman-purpose', 'notice')
    .find((m) => m.headers.get('x-farman-unit') === code)!;
  expect(page).toContain(`Message-ID: ${notice.messageId.replace(/</g, '&lt;').replace(/>/g, '&gt;')}`);

  const filtered = await (await asAuditor(`/audit/directives/${id}?unit=THR-NONE`)).text();
  expect([...filtered.matchAll(/data-kind="([a-z-]+)"/g)].map((m) => m[1])).toEqual([
    'directive-issued',
    'directive-completed',
  ]);

  const csv = await asAuditor(`/audit/directives/${id}/timeline.csv`);
  expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
  const bytes = Buffer.from(await csv.arrayBuffer());
  // A UTF-8 byte order mark first, so Excel reads the Persian right (fetch's text() would hide it).
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  expect(text.split('\r\n')[0]).toBe('at,jalali,unit,kind,event,actor,description,messageId,workflowId,eventId');
  expect(text.split('\r\n').filter(Boolean)).toHaveLength(9);
});

test('When an auditor downloads an archive entry, then the bytes are the archived file with its recorded hash', async () => {
  const entry = (await stack.archive.historiesOf(unitWorkflowId(id, code))).find((e) => e.status === 'Completed')!;
  const res = await asAuditor(`/audit/entries/${entry.seq}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-disposition')).toMatch(
    /^attachment; filename="?farman-archive-\d+-directive_1\d{3}-\d{6}_unit_THR-TEH-KAN\.json/,
  );
  const bytes = Buffer.from(await res.arrayBuffer());
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
  const manifest = await asAuditor('/audit/manifest.jsonl');
  expect(await manifest.text()).toBe(readFileSync(stack.archive.manifestPath, 'utf8'));
});

test('When someone without the auditor role asks, then the office gets 403 and an anonymous visitor is sent to sign in', async () => {
  expect((await stack.api('/audit', { as: 'office' })).status).toBe(403);
  expect((await stack.api('/audit', { as: 'admin' })).status).toBe(200);
  const anonymous = await fetch(`${stack.baseUrl}/audit/directives/${id}`, { redirect: 'manual' });
  expect(anonymous.status).toBe(303);
  expect(anonymous.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/audit/directives/${id}`)}`);
});

test('When the directive id or unit code is malformed, or the directive does not exist, then a Persian error page says so', async () => {
  const bad = await asAuditor('/audit/directives/not-an-id');
  expect(bad.status).toBe(404);
  expect(await bad.text()).toContain('شناسه دستورالعمل نامعتبر است');
  expect((await asAuditor(`/audit/directives/${id}?unit=${encodeURIComponent('<script>')}`)).status).toBe(400);
  expect((await asAuditor('/audit/directives/1399-999999')).status).toBe(404);
  expect((await asAuditor('/audit/entries/99999')).status).toBe(404);
});

test('When a directive is still running, then its timeline is read from the live server and says it is not archived yet', async () => {
  const { id: running } = await issueViaApi(
    stack,
    directiveBody({ targets: { mode: 'list', codes: ['THR-REY-FSH'] } }),
  );
  const page = await (await asAuditor(`/audit/directives/${running}`)).text();
  expect(page).toContain('هنوز بایگانی نشده است');
  expect(page).toContain('data-kind="directive-issued"');
  await cancelDirective(stack, running, 'test over', officeActor, {});
});

test('When an archived file is changed, then the audit page shows the broken chain by position and refuses to send that file', async () => {
  const entry = (await stack.archive.entries()).find(
    (e): e is HistoryEntry => e.kind === 'history' && e.workflowId === directiveWorkflowId(id),
  )!;
  const file = stack.archive.resolve(entry.file);
  const original = readFileSync(file);
  const changed = Buffer.from(original);
  changed[changed.length - 3] ^= 0x20;
  writeFileSync(file, changed);
  try {
    const page = await (await asAuditor('/audit')).text();
    expect(page).toContain('زنجیره آسیب دیده است');
    expect(page).toMatch(
      new RegExp(
        `<td>${String(entry.seq).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)])}</td><td class="ltr">file-modified</td>`,
      ),
    );
    const download = await asAuditor(`/audit/entries/${entry.seq}`);
    expect(download.status).toBe(409);
    expect(await download.text()).toContain('دست‌کاری');
  } finally {
    writeFileSync(file, original);
  }
});
