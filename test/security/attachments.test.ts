import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createHash, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { downloadContentType } from '../../api/office/attachments';
import { formatJalaliDateTime } from '../../lib/jalali';
import { directiveBody, issueViaApi, uploadAttachment } from '../support/directives';
import { inSeconds, startStack, type TestStack } from '../support/stack';
import { getPage, noticeLink, postForm, submissionIdIn } from '../../reliability/harness/unit-links';

const run = promisify(execFile);
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`);
const oneUnit = (code: string, attachments: unknown[]) =>
  directiveBody({
    targets: { mode: 'list', codes: [code] },
    acknowledgeBy: inSeconds(3600),
    reportBy: inSeconds(7200),
    attachments: attachments as never,
  });
const upload = (as: 'office' | 'auditor' | null, bytes: Buffer, name: string) => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  return stack.api('/api/v1/files', { method: 'POST', body: form, as });
};

describe('Directive attachments', () => {
  test('When the office uploads a file and attaches it claiming another type, then the directive keeps the type found in the bytes and units download it with that type', async () => {
    const bytes = pdf('attached');
    const ref = await uploadAttachment(stack, bytes, 'پیوست.pdf');
    expect(ref).toMatchObject({ name: 'پیوست.pdf', size: bytes.length, contentType: 'application/pdf' });
    const { id, status } = await issueViaApi(
      stack,
      oneUnit('THR-TEH-MRK', [{ ...ref, name: 'بخشنامه.pdf', contentType: 'text/html', size: 1 }]),
    );
    expect(status).toBe(201);
    const { spec } = await stack.gateway.directiveDocument(id);
    expect(spec.attachments).toEqual([
      { name: 'بخشنامه.pdf', sha256: ref.sha256, size: bytes.length, contentType: 'application/pdf' },
    ]);
    const download = await fetch(`${await noticeLink(stack, id, 'THR-TEH-MRK')}/files/${ref.sha256}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
  });

  test("When a directive names a stored file that was not uploaded as an attachment (a unit's report file, a directive document, raw store bytes), then it is refused", async () => {
    const code = 'THR-REY-MRK';
    const form = [{ key: 'plan', label: 'فایل', type: 'file' as const, maxFiles: 1 }];
    const { id } = await issueViaApi(stack, { ...oneUnit(code, []), form });
    const link = await noticeLink(stack, id, code);
    const reportId = submissionIdIn((await getPage(link)).html, 'report');
    const data = new FormData();
    for (const [k, v] of Object.entries({ submissionId: reportId, name: 'حسن رحیمی', position: 'بخشدار' }))
      data.set(k, v);
    data.append('f_plan', new Blob([new Uint8Array(pdf('a unit report'))]), 'report.pdf');
    expect((await postForm(`${link}/report?submission=${reportId}`, data)).status).toBe(303);
    const reportFile = ((await stack.gateway.unitState(id, code)).report!.values.plan as { sha256: string }[])[0]
      .sha256;
    const { spec } = await stack.gateway.directiveDocument(id);
    const raw = await stack.files.put(pdf('put straight into the store'));
    for (const sha256 of [reportFile, spec.specRef, raw]) {
      const res = await stack.api('/api/v1/directives', {
        method: 'POST',
        json: oneUnit('THR-TEH-KAN', [{ name: 'x.pdf', sha256, size: 10, contentType: 'application/pdf' }]),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
        'attachments.0.sha256',
      ]);
    }
  });

  test('When an upload is not an allowed type, has no file, or comes from an auditor or nobody, then it is refused', async () => {
    expect((await upload('office', Buffer.from('<html><script>alert(1)</script></html>'), 'page.html')).status).toBe(
      400,
    );
    expect((await upload('office', Buffer.from('MZ\x90\x00'), 'tool.pdf')).status).toBe(400);
    expect(
      (await upload('office', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'old.doc')).status,
    ).toBe(400);
    expect((await stack.api('/api/v1/files', { method: 'POST', json: { name: 'x' } })).status).toBe(400);
    expect((await upload('auditor', pdf('auditor'), 'a.pdf')).status).toBe(403);
    expect((await upload(null, pdf('nobody'), 'a.pdf')).status).toBe(401);
  });

  test('When a stored file claims a type off the allow-list, then it is downloaded as opaque bytes', () => {
    const ref = { name: 'x', sha256: 'a'.repeat(64), size: 1 };
    for (const contentType of ['text/html', 'image/svg+xml', 'application/msword', 'application/zip'])
      expect(downloadContentType({ ...ref, contentType })).toBe('application/octet-stream');
    expect(downloadContentType({ ...ref, contentType: 'application/pdf' })).toBe('application/pdf');
  });

  test('When the office issues with `farman issue --attach FILE`, then the file is uploaded and attached', async () => {
    const directive = path.join(stack.dataDir, 'attach.json');
    const attachment = path.join(stack.dataDir, 'نقشه.pdf');
    writeFileSync(directive, JSON.stringify(oneUnit('THR-SHM-RQS', [])));
    writeFileSync(attachment, pdf('from the cli'));
    const { stdout } = await run(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        path.join(__dirname, '../../scripts/farman.ts'),
        'issue',
        directive,
        '--attach',
        attachment,
        '--no-wait',
        '--json',
      ],
      {
        cwd: path.join(__dirname, '../..'),
        env: { ...process.env, FARMAN_URL: stack.baseUrl, FARMAN_TOKEN: stack.officeToken },
      },
    );
    const { id } = JSON.parse(stdout) as { id: string };
    const { spec } = await stack.gateway.directiveDocument(id);
    expect(spec.attachments).toEqual([expect.objectContaining({ name: 'نقشه.pdf', contentType: 'application/pdf' })]);
  });

  test('When the office attaches files in the new-directive form, then a disguised one is refused beside the field, a good one is kept across the re-render and issued with the directive', async () => {
    const office = await stack.session('office');
    const good = pdf(`dashboard ${randomUUID()}`);
    const sha256 = createHash('sha256').update(good).digest('hex');
    const form = (extra: [string, string | Blob, string?][]) => {
      const data = new FormData();
      const day = (n: number) => formatJalaliDateTime(new Date(Date.now() + n * 86_400_000));
      const fields = {
        _csrf: office.csrfToken,
        clientRequestId: `dash-${randomUUID()}`,
        title: 'دستور با پیوست',
        body: 'متن',
        priority: 'urgent',
        acceptance: 'manual',
        targetMode: 'list',
        unit: 'THR-TEH-MRK',
        acknowledgeBy: day(1),
        reportBy: day(2),
        fieldCount: '0',
        op: 'issue',
      };
      for (const [k, v] of Object.entries(fields)) data.append(k, v);
      for (const [k, v, name] of extra) {
        if (typeof v === 'string') data.append(k, v);
        else data.append(k, v, name);
      }
      return data;
    };
    const post = (data: FormData) =>
      fetch(`${stack.baseUrl}/directives/new`, {
        method: 'POST',
        body: data,
        headers: { cookie: office.cookie },
        redirect: 'manual',
      });
    const first = await post(
      form([
        ['file', new Blob([new Uint8Array(good)]), 'نقشه.pdf'],
        ['file', new Blob(['<html><script>alert(1)</script>']), 'page.pdf'],
      ]),
    );
    expect(first.status).toBe(400);
    const page = await first.text();
    expect(page).toContain('فایل «page.pdf» پذیرفته نیست');
    expect(page).toContain(`name="attachment" value="${sha256} نقشه.pdf"`);
    const issued = await post(form([['attachment', `${sha256} نقشه.pdf`]]));
    expect(issued.status).toBe(303);
    const id = /\/directives\/(\d{4}-\d{6})\?done=issued$/.exec(issued.headers.get('location') ?? '')![1];
    expect((await stack.gateway.directiveDocument(id)).spec.attachments).toEqual([
      { name: 'نقشه.pdf', sha256, size: good.length, contentType: 'application/pdf' },
    ]);
    expect(await readdir(stack.files.stagingDir)).toEqual([]);
  });
});
