import { createHash, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { maxConcurrentUploads } from '../../api/unit-pages/uploads';
import { acceptReportUpdate } from '../../workflows/contract';
import { directiveBody, issueViaApi, officeActor } from '../support/directives';
import { eventually, inSeconds, startStack, type TestStack } from '../support/stack';
import { getPage, noticeLink, postForm, submissionIdIn } from '../../reliability/harness/unit-links';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const form = [
  { key: 'stations', label: 'تعداد شعب', type: 'number' as const, required: true, min: 0 },
  { key: 'plan', label: 'فهرست محل‌ها', type: 'file' as const, maxFiles: 2 },
];

async function issue(code: string): Promise<{ id: string; link: string }> {
  const { id, status } = await issueViaApi(
    stack,
    directiveBody({
      targets: { mode: 'list', codes: [code] },
      form,
      reportBy: inSeconds(3600),
      acknowledgeBy: inSeconds(1800),
    }),
  );
  expect(status).toBe(201);
  return { id, link: await noticeLink(stack, id, code) };
}

/** Every file in the store, staged ones apart. */
async function stored(): Promise<string[]> {
  const root = stack.files.root;
  const folders = (await readdir(root).catch(() => [] as string[])).filter((d) => /^[0-9a-f]{2}$/.test(d));
  return (await Promise.all(folders.map((d) => readdir(path.join(root, d))))).flat().sort();
}
const staged = async () => readdir(stack.files.stagingDir).catch(() => [] as string[]);

const pdf = (size: number, seed: string) =>
  Buffer.concat([Buffer.from(`%PDF-1.4\n% ${seed}\n`), Buffer.alloc(size, 32)]);

function reportForm(submissionId: string, fields: Record<string, string>, file?: Buffer): FormData {
  const data = new FormData();
  data.set('submissionId', submissionId);
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  if (file) data.append('f_plan', new Blob([new Uint8Array(file)], { type: 'application/pdf' }), 'plan.pdf');
  return data;
}

/**
 * A multipart POST whose body is only partly sent: `first` bytes of a file part announced as `size` bytes.
 * Resolves with the status once the server answers; `abort()` drops the connection.
 */
function partialUpload(
  url: string,
  size: number,
  first = 16 * 1024,
): { answered: Promise<{ status: number; retryAfter?: string }>; abort: () => void } {
  const boundary = `----farman${randomUUID()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="f_plan"; filename="plan.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`,
  );
  const target = new URL(url);
  const req = request(target, {
    method: 'POST',
    headers: {
      origin: target.origin,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + size + boundary.length + 8),
    },
  });
  const answered = new Promise<{ status: number; retryAfter?: string }>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
    });
    req.on('error', reject);
  });
  // A request dropped before its answer ends in "socket hang up"; only a test that awaits the answer cares.
  answered.catch(() => undefined);
  req.write(Buffer.concat([head, Buffer.alloc(first, 32)]));
  return { answered, abort: () => req.destroy() };
}

describe('Uploads with a reply link', () => {
  test("When the unit's report was already accepted, then three 1 MB uploads get 409 before their bodies are sent, and nothing is stored or staged", async () => {
    const code = 'THR-TEH-MRK';
    const { id, link } = await issue(code);
    const reportId = submissionIdIn((await getPage(link)).html, 'report');
    expect(
      (
        await postForm(
          `${link}/report?submission=${reportId}`,
          reportForm(reportId, { v_stations: '۵', name: 'رضا احمدی', position: 'بخشدار' }),
        )
      ).status,
    ).toBe(303);
    await stack.gateway.unitUpdate(id, code, acceptReportUpdate, { by: officeActor }, `accept-${id}`);
    const before = await stored();
    for (let i = 0; i < 3; i++) {
      // 16 KB of 1 MB sent: an answer now means the server refused without waiting for (or keeping) the rest.
      const upload = partialUpload(`${link}/report`, 1024 * 1024);
      try {
        expect((await upload.answered).status).toBe(409);
      } finally {
        upload.abort();
      }
    }
    const whole = await postForm(
      `${link}/report`,
      reportForm(randomUUID(), { v_stations: '۶', name: 'رضا احمدی', position: 'بخشدار' }, pdf(1024 * 1024, 'late')),
    );
    expect(whole.status).toBe(409);
    expect(await whole.text()).toContain('در وضعیت کنونی مجاز نیست');
    expect(await stored()).toEqual(before);
    expect(await staged()).toEqual([]);
  });

  test('When a report with a file is refused by the form check, then its file is deleted; when it is recorded, then the file moves into the store', async () => {
    const code = 'THR-REY-MRK';
    const { id, link } = await issue(code);
    const file = pdf(200_000, randomUUID());
    const sha256 = createHash('sha256').update(file).digest('hex');
    const reportId = submissionIdIn((await getPage(link)).html, 'report');
    const invalid = await postForm(
      `${link}/report?submission=${reportId}`,
      reportForm(reportId, { v_stations: 'بسیار', name: 'حسن رحیمی', position: 'بخشدار' }, file),
    );
    expect(invalid.status).toBe(422);
    expect(await stack.files.has(sha256)).toBe(false);
    expect(await staged()).toEqual([]);

    const valid = await postForm(
      `${link}/report?submission=${reportId}`,
      reportForm(reportId, { v_stations: '۱۲', name: 'حسن رحیمی', position: 'بخشدار' }, file),
    );
    expect(valid.status).toBe(303);
    expect((await stack.files.get(sha256)).equals(file)).toBe(true);
    expect((await stack.gateway.unitState(id, code)).report?.values.plan).toEqual([
      { name: 'plan.pdf', sha256, size: file.length, contentType: 'application/pdf' },
    ]);
    expect(await staged()).toEqual([]);
    // The browser's resubmit of the recorded report is answered as a success, its body unread.
    const again = await postForm(
      `${link}/report?submission=${reportId}`,
      reportForm(reportId, { v_stations: '۱۲', name: 'حسن رحیمی', position: 'بخشدار' }, file),
    );
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toContain('?done=reported');
  });

  test('When more multipart requests arrive at once than the bound, then the extra one gets 503 with Retry-After and the staged parts are deleted', async () => {
    const code = 'THR-SHM-RQS';
    const { link } = await issue(code);
    const slow = Array.from({ length: maxConcurrentUploads }, () => partialUpload(`${link}/report`, 10 * 1024 * 1024));
    try {
      // Each slow request is being parsed once its file part has reached the staging directory.
      await eventually(
        async () => ((await staged()).length === maxConcurrentUploads ? true : undefined),
        20_000,
        'uploads staged',
      );
      const extra = partialUpload(`${link}/report`, 10 * 1024 * 1024);
      try {
        expect(await extra.answered).toEqual({ status: 503, retryAfter: '5' });
      } finally {
        extra.abort();
      }
    } finally {
      for (const s of slow) s.abort();
    }
    await eventually(async () => ((await staged()).length === 0 ? true : undefined), 20_000, 'staging emptied');
  });
});
