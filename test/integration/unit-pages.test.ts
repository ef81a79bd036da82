import { createHash } from 'node:crypto';
import pino from 'pino';
import { cancelDirective } from '../../api/directives/amend-directive';
import { signLinkToken, verifyLinkToken } from '../../lib/link-token';
import { decideExtensionUpdate, returnReportUpdate, revokeLinksUpdate } from '../../workflows/contract';
import { directiveBody, issueViaApi, officeActor } from '../support/directives';
import { eventually, inSeconds, startStack, testSigningKeys, type TestStack } from '../support/stack';
import { getPage, noticeLink, postForm, submissionIdIn } from '../../reliability/harness/unit-links';

const logLines: string[] = [];
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }) });
});
afterAll(async () => {
  await stack?.stop();
});

const form = [
  { key: 'stations', label: 'تعداد شعب', type: 'number' as const, required: true, min: 0 },
  { key: 'inspected', label: 'همه بازدید شده‌اند', type: 'boolean' as const },
  { key: 'lastVisit', label: 'تاریخ آخرین بازدید', type: 'date' as const },
  { key: 'problems', label: 'مشکلات', type: 'text' as const },
  { key: 'plan', label: 'فهرست محل‌ها', type: 'file' as const, maxFiles: 2 },
];

/** Issues a directive to the given units and returns its id and each unit's mailed link. */
async function issue(codes: string[], overrides: Parameters<typeof directiveBody>[0] = {}) {
  const { id, status } = await issueViaApi(
    stack,
    directiveBody({
      targets: { mode: 'list', codes },
      form,
      reportBy: inSeconds(3600),
      acknowledgeBy: inSeconds(1800),
      ...overrides,
    }),
  );
  expect(status).toBe(201);
  const links: Record<string, string> = {};
  for (const code of codes) links[code] = await noticeLink(stack, id, code);
  return { id, links };
}

const seqOf = async (id: string, code: string) => (await stack.gateway.unitState(id, code)).seq;
/** The transitions that are not mail bookkeeping, which happen in the background. */
const replies = async (id: string, code: string) =>
  (await stack.gateway.unitState(id, code)).log.map((t) => t.event.type).filter((t) => t !== 'mailRecorded');

const pdfBytes = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

function reportForm(
  submissionId: string,
  fields: Record<string, string>,
  files: { field: string; name: string; bytes: Buffer; type?: string }[] = [],
): FormData {
  const data = new FormData();
  data.set('submissionId', submissionId);
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  for (const f of files)
    data.append(f.field, new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'application/octet-stream' }), f.name);
  return data;
}

describe('The unit page behind the mailed link', () => {
  test('When a head opens the link (GET and HEAD, as a mail scanner would), then the page shows the directive and nothing changes; a POST acknowledge is then recorded', async () => {
    const code = 'THR-TEH-MRK';
    const { id, links } = await issue([code]);
    const link = links[code];
    await eventually(
      async () => ((await stack.gateway.unitState(id, code)).mailSent === 1 ? true : undefined),
      20_000,
      'notice recorded',
    );
    const before = await seqOf(id, code);
    for (let i = 0; i < 3; i++) {
      expect((await fetch(link, { method: 'HEAD' })).status).toBe(200);
      const page = await getPage(link);
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.html).toContain('lang="fa" dir="rtl"');
      expect(page.html).toContain('تعیین محل استقرار صندوق‌های اخذ رأی');
      expect(page.html).toContain('فوری');
      expect(page.html).toMatch(/[۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2} ساعت [۰-۹]{2}:[۰-۹]{2}/);
      expect(page.html).toContain('مانده');
      expect(page.html).not.toContain('<script');
    }
    expect(await seqOf(id, code)).toBe(before);

    const page = await getPage(link);
    const res = await postForm(`${link}/acknowledge`, {
      submissionId: submissionIdIn(page.html, 'acknowledge'),
      name: 'رضا احمدي',
      position: 'بخشدار مرکزی',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${new URL(link).pathname}?done=acknowledged`);
    const after = await getPage(new URL(res.headers.get('location')!, link).href);
    expect(after.html).toContain('اعلام وصول شما ثبت شد');
    expect(after.html).not.toContain(`action="${new URL(link).pathname}/acknowledge"`);
    const state = await stack.gateway.unitState(id, code);
    expect(state.state).toBe('acknowledged');
    // Arabic yeh normalised to Persian, and the reply attributed to the unit.
    expect(state.acknowledgedBy).toEqual({ name: 'رضا احمدی', position: 'بخشدار مرکزی' });
    expect(state.log.find((t) => t.event.type === 'acknowledged')?.by).toMatchObject({ kind: 'unit', id: code });
  });

  test('When the same form is submitted twice (a double click, a resubmit), then it is recorded once', async () => {
    const code = 'THR-TEH-KAN';
    const { id, links } = await issue([code]);
    const page = await getPage(links[code]);
    const fields = { submissionId: submissionIdIn(page.html, 'acknowledge'), name: 'مریم کریمی', position: 'بخشدار' };
    const results = await Promise.all([
      postForm(`${links[code]}/acknowledge`, fields),
      postForm(`${links[code]}/acknowledge`, fields),
    ]);
    expect(results.map((r) => r.status)).toEqual([303, 303]);
    const again = await postForm(`${links[code]}/acknowledge`, fields);
    expect(again.status).toBe(303);

    const reportId = submissionIdIn((await getPage(links[code])).html, 'report');
    const send = () =>
      postForm(
        `${links[code]}/report?submission=${reportId}`,
        reportForm(reportId, { v_stations: '۷', name: 'مریم کریمی', position: 'بخشدار' }),
      );
    expect((await Promise.all([send(), send()])).map((r) => r.status)).toEqual([303, 303]);
    expect((await send()).status).toBe(303);
    expect(await replies(id, code)).toEqual(['issued', 'acknowledged', 'reportSubmitted']);
  });

  test('When a head submits the report with a file, then the report is recorded with the file hash and the file reads back through the link', async () => {
    const code = 'THR-REY-MRK';
    const { id, links } = await issue([code]);
    const link = links[code];
    const page = await getPage(link);
    const submissionId = submissionIdIn(page.html, 'report');
    const fileName = 'فهرست محل‌ها.pdf';
    const res = await postForm(
      `${link}/report`,
      reportForm(
        submissionId,
        {
          v_stations: '۱۲',
          v_inspected: 'yes',
          v_lastVisit: '۱۴۰۵/۰۹/۱۰',
          v_problems: 'کمبود برق اضطراری',
          name: 'حسن رحیمی',
          position: 'بخشدار',
        },
        [{ field: 'f_plan', name: fileName, bytes: pdfBytes, type: 'application/pdf' }],
      ),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('?done=reported');
    const sha256 = createHash('sha256').update(pdfBytes).digest('hex');
    const state = await stack.gateway.unitState(id, code);
    expect(state.state).toBe('reported');
    expect(state.report?.values).toEqual({
      stations: 12,
      inspected: true,
      lastVisit: '2026-11-30T20:30:00.000Z',
      problems: 'کمبود برق اضطراری',
      plan: [{ name: fileName, sha256, size: pdfBytes.length, contentType: 'application/pdf' }],
    });
    expect((await stack.files.get(sha256)).equals(pdfBytes)).toBe(true);

    const download = await fetch(`${link}/files/${sha256}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;.*filename\*=UTF-8''/);
    expect(Buffer.from(await download.arrayBuffer()).equals(pdfBytes)).toBe(true);
    const shown = await getPage(link);
    expect(shown.html).toContain('گزارش ارسال‌شده');
    expect(shown.html).toContain(`/files/${sha256}`);
  });

  test('When the report form is invalid (missing field, bad number, a file whose bytes are not its type), then the form comes back with Persian messages and nothing changes', async () => {
    const code = 'THR-SHM-MRK';
    const { id, links } = await issue([code]);
    const link = links[code];
    const before = await replies(id, code);
    const submissionId = submissionIdIn((await getPage(link)).html, 'report');
    const missing = await postForm(
      `${link}/report`,
      reportForm(submissionId, { v_stations: '', name: 'علی', position: 'بخشدار', v_problems: 'متن نگه داشته شود' }),
    );
    expect(missing.status).toBe(422);
    const missingHtml = await missing.text();
    expect(missingHtml).toMatch(/id="err-stations">این بخش را پر کنید/);
    expect(missingHtml).toContain('متن نگه داشته شود');

    const badNumber = await postForm(
      `${link}/report`,
      reportForm(submissionId, { v_stations: 'دوازده', name: 'علی', position: 'بخشدار' }),
    );
    expect(badNumber.status).toBe(422);
    expect(await badNumber.text()).toMatch(/id="err-stations">یک عدد وارد کنید/);

    const belowMin = await postForm(
      `${link}/report`,
      reportForm(submissionId, { v_stations: '-3', name: 'علی', position: 'بخشدار' }),
    );
    expect(belowMin.status).toBe(422);
    expect(await belowMin.text()).toMatch(/id="err-stations">باید دست‌کم ۰ باشد/);

    const disguised = await postForm(
      `${link}/report`,
      reportForm(submissionId, { v_stations: '3', name: 'علی', position: 'بخشدار' }, [
        { field: 'f_plan', name: 'plan.pdf', bytes: Buffer.from('MZ\x90\x00 not a pdf'), type: 'application/pdf' },
      ]),
    );
    expect(disguised.status).toBe(422);
    expect(await disguised.text()).toMatch(/id="err-plan">نوع فایل «plan\.pdf» پذیرفته نیست/);

    const tooBig = await postForm(
      `${link}/report`,
      reportForm(submissionId, { v_stations: '3', name: 'علی', position: 'بخشدار' }, [
        { field: 'f_plan', name: 'big.pdf', bytes: Buffer.concat([pdfBytes, Buffer.alloc(10 * 1024 * 1024)]) },
      ]),
    );
    expect(tooBig.status).toBe(413);
    expect(await tooBig.text()).toContain('مگابایت');

    const noId = await postForm(`${link}/acknowledge`, { name: 'علی', position: 'بخشدار' });
    expect(noId.status).toBe(400);
    const blankName = await postForm(`${link}/acknowledge`, {
      submissionId: submissionIdIn((await getPage(link)).html, 'acknowledge'),
      name: '  ',
      position: 'بخشدار',
    });
    expect(blankName.status).toBe(422);
    expect(await blankName.text()).toMatch(/id="err-name">این بخش را پر کنید/);
    expect(await replies(id, code)).toEqual(before);
  });

  test('When a head asks for more time, then the request is recorded and the page shows it waiting; a date before the deadline is refused next to the field', async () => {
    const code = 'THR-SHM-LVS';
    const { id, links } = await issue([code]);
    const link = links[code];
    const submissionId = submissionIdIn((await getPage(link)).html, 'extension');
    const early = await postForm(`${link}/extension`, {
      submissionId,
      until: '۱۴۰۰/۰۱/۰۱ ۱۰:۰۰',
      reason: 'کمبود نیرو',
    });
    expect(early.status).toBe(422);
    expect(await early.text()).toMatch(/id="err-until">تاریخ درخواستی باید پس از مهلت کنونی/);
    const res = await postForm(`${link}/extension`, { submissionId, until: '۱۴۹۸/۰۱/۱۰ ۱۰:۰۰', reason: 'کمبود نیرو' });
    expect(res.status).toBe(303);
    const state = await stack.gateway.unitState(id, code);
    expect(state.extensionRequests).toHaveLength(1);
    expect(state.extensionRequests[0]).toMatchObject({ requestId: submissionId, reason: 'کمبود نیرو' });
    const page = await getPage(new URL(res.headers.get('location')!, link).href);
    expect(page.html).toContain('درخواست تمدید مهلت شما ثبت شد');
    expect(page.html).toContain('در انتظار تصمیم فرمانداری');
    expect(page.html).not.toContain('/extension"');
  });
  test('When the office returns the report and decides an extension, then the page shows its decisions and the form comes back pre-filled with the draft', async () => {
    const code = 'THR-SHM-RQS';
    const { id, links } = await issue([code]);
    const link = links[code];
    const extensionId = submissionIdIn((await getPage(link)).html, 'extension');
    expect(
      (
        await postForm(`${link}/extension`, {
          submissionId: extensionId,
          until: '۱۴۹۸/۰۱/۱۰ ۱۰:۰۰',
          reason: 'کمبود نیرو',
        })
      ).status,
    ).toBe(303);
    await stack.gateway.unitUpdate(
      id,
      code,
      decideExtensionUpdate,
      { requestId: extensionId, approved: false, note: 'مهلت کافی است', by: officeActor },
      `decide-${id}`,
    );
    const reportId = submissionIdIn((await getPage(link)).html, 'report');
    expect(
      (
        await postForm(
          `${link}/report`,
          reportForm(reportId, { v_stations: '۹', v_problems: 'هیچ', name: 'علی رضایی', position: 'بخشدار' }),
        )
      ).status,
    ).toBe(303);
    await stack.gateway.unitUpdate(
      id,
      code,
      returnReportUpdate,
      { reason: 'تعداد شعب با آمار استان نمی‌خواند', by: officeActor },
      `return-${id}`,
    );
    const page = (await getPage(link)).html;
    expect(page).toMatch(
      /id="decisions">[\s\S]*گزارش برای اصلاح بازگردانده شد\. علت: تعداد شعب با آمار استان نمی‌خواند[\s\S]*درخواست تمدید پذیرفته نشد\. مهلت کافی است/,
    );
    expect(page).toContain('پاسخ پیشین شما در فرم آمده است');
    expect(page).toMatch(/name="v_stations" value="۹"/);
    expect(page).toMatch(/name="v_problems"[^>]*>هیچ<\/textarea>/);
    expect(page).toMatch(/id="rep-name" name="name"[^>]*value="علی رضایی"/);
  });
});

describe('Links that must not work', () => {
  test('When a token is forged, malformed, expired, for another unit, unknown, revoked or for a cancelled directive, then the page says so with the right status and nothing changes', async () => {
    const [a, b] = ['THR-DMV-MRK', 'THR-DMV-RDH'];
    const { id, links } = await issue([a, b]);
    const tokenA = links[a].split('/u/')[1];
    const claimsA = verifyLinkToken(tokenA, testSigningKeys, Date.now());
    const [v, kid, payload, mac] = tokenA.split('.');
    const base = links[a].split('/u/')[0];
    const otherPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), u: b }),
    ).toString('base64url');
    const cases: [string, string, number, RegExp][] = [
      ['forged mac', `${v}.${kid}.${payload}.${mac.slice(0, -2)}AA`, 403, /این پیوند معتبر نیست/],
      ['malformed', 'not-a-token', 403, /این پیوند معتبر نیست/],
      ['other unit (payload swapped, mac kept)', `${v}.${kid}.${otherPayload}.${mac}`, 403, /این پیوند معتبر نیست/],
      [
        'signed with an unknown key',
        signLinkToken({ ...claimsA }, [{ kid: 'zz', secret: Buffer.alloc(32, 1) }]),
        403,
        /این پیوند معتبر نیست/,
      ],
      [
        'expired',
        signLinkToken({ ...claimsA, expiresAt: Date.now() - 1000 }, testSigningKeys),
        410,
        /مهلت استفاده از این پیوند گذشته است/,
      ],
      [
        'unknown directive',
        signLinkToken({ ...claimsA, directiveId: '1399-999999' }, testSigningKeys),
        404,
        /پیدا نشد/,
      ],
      ['generation from the future', signLinkToken({ ...claimsA, generation: 9 }, testSigningKeys), 403, /تعلق ندارد/],
    ];
    const before = await replies(id, a);
    for (const [what, token, status, message] of cases) {
      const page = await getPage(`${base}/u/${token}`);
      expect([what, page.status]).toEqual([what, status]);
      expect(page.html).toMatch(message);
      expect(page.html).toContain('lang="fa" dir="rtl"');
      const post = await postForm(`${base}/u/${token}/acknowledge`, {
        submissionId: crypto.randomUUID(),
        name: 'مهاجم',
        position: 'ناشناس',
      });
      expect([what, post.status]).toEqual([what, status]);
    }
    expect(await replies(id, a)).toEqual(before);

    // B's report file is not A's business, even with A's valid link.
    const reportB = await postForm(
      `${links[b]}/report`,
      reportForm(
        submissionIdIn((await getPage(links[b])).html, 'report'),
        { v_stations: '1', name: 'ب', position: 'بخشدار' },
        [{ field: 'f_plan', name: 'b.pdf', bytes: Buffer.concat([pdfBytes, Buffer.from('b')]) }],
      ),
    );
    expect(reportB.status).toBe(303);
    const shaB = createHash('sha256')
      .update(Buffer.concat([pdfBytes, Buffer.from('b')]))
      .digest('hex');
    expect((await fetch(`${links[b]}/files/${shaB}`)).status).toBe(200);
    expect((await fetch(`${links[a]}/files/${shaB}`)).status).toBe(404);

    // Revoked: the office revokes A's links; the old one is refused and the freshly mailed one works.
    await stack.gateway.unitUpdate(id, a, revokeLinksUpdate, { by: officeActor }, `revoke-${id}-${a}`);
    const revoked = await getPage(links[a]);
    expect(revoked.status).toBe(410);
    expect(revoked.html).toContain('این پیوند باطل شده است؛ پیوند تازه برای شما ارسال شده است');
    const fresh = await noticeLink(stack, id, a, 'notice-g2');
    expect(fresh).not.toBe(links[a]);
    expect((await getPage(fresh)).status).toBe(200);
    const revokedPost = await postForm(`${links[a]}/acknowledge`, {
      submissionId: crypto.randomUUID(),
      name: 'الف',
      position: 'بخشدار',
    });
    expect(revokedPost.status).toBe(410);

    // Cancelled: the page says so, with the office's reason.
    await cancelDirective(stack, id, 'صدور <b>اشتباه</b>', officeActor, {});
    const cancelled = await eventually(
      async () => {
        const p = await getPage(fresh);
        return p.status === 410 ? p : undefined;
      },
      20_000,
      'cancelled page',
    );
    expect(cancelled.html).toContain('این دستورالعمل از سوی فرمانداری لغو شده است');
    expect(cancelled.html).toContain('صدور &lt;b&gt;اشتباه&lt;/b&gt;');
    expect(await replies(id, a)).toEqual([...before, 'linksRevoked', 'cancelled']);
  });

  test("When a form is posted from another site, then it is refused with 403 and nothing changes; the page's own post (Origin null, Sec-Fetch-Site same-origin) is accepted", async () => {
    const code = 'THR-PKD-MRK';
    const { id, links } = await issue([code]);
    const link = links[code];
    const fields = {
      submissionId: submissionIdIn((await getPage(link)).html, 'acknowledge'),
      name: 'زهرا نادری',
      position: 'بخشدار',
    };
    const attempts: Record<string, string>[] = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'null' },
      { origin: 'null', 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of attempts) {
      const res = await fetch(`${link}/acknowledge`, {
        method: 'POST',
        body: new URLSearchParams(fields),
        redirect: 'manual',
        headers,
      });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('این فرم فقط از صفحه خود سامانه فرمان پذیرفته می‌شود');
    }
    expect(await replies(id, code)).toEqual(['issued']);
    const own = await fetch(`${link}/acknowledge`, {
      method: 'POST',
      body: new URLSearchParams(fields),
      redirect: 'manual',
      headers: { origin: 'null', 'sec-fetch-site': 'same-origin' },
    });
    expect(own.status).toBe(303);
    expect(await replies(id, code)).toEqual(['issued', 'acknowledged']);
  });
});

describe('Escaping and secrecy', () => {
  test('When the directive body and the report carry script payloads, then the page renders them as text', async () => {
    const code = 'THR-PKD-SRF';
    const payloads = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'];
    const { links } = await issue([code], { body: `متن دستور ${payloads.join(' ')}` });
    const link = links[code];
    const res = await postForm(
      `${link}/report`,
      reportForm(submissionIdIn((await getPage(link)).html, 'report'), {
        v_stations: '2',
        v_problems: payloads.join('\n'),
        name: payloads[1],
        position: payloads[0],
      }),
    );
    expect(res.status).toBe(303);
    const page = (await getPage(link)).html;
    for (const p of payloads) expect(page).not.toContain(p);
    expect(page).not.toMatch(/<script|<img/i);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  test('When links are opened and forms posted, then the request log never holds a token', async () => {
    const tokens = stack.sink.messages.flatMap((m) => [...m.text.matchAll(/\/u\/([A-Za-z0-9._-]+)/g)].map((x) => x[1]));
    expect(tokens.length).toBeGreaterThan(5);
    const logged = logLines.filter((l) => l.includes('/u/'));
    expect(logged.length).toBeGreaterThan(10);
    expect(logged.every((l) => l.includes('/u/[token]'))).toBe(true);
    for (const token of tokens)
      expect(logLines.some((l) => l.includes(token) || l.includes(token.split('.')[3]))).toBe(false);
  });
});

describe('Outages', () => {
  test('When the workflows cannot answer (no worker), then GET and POST get a Persian 503 saying the reply was not recorded, and it is recorded once after a resubmit', async () => {
    const code = 'THR-VRM-MRK';
    const { id, links } = await issue([code]);
    const link = links[code];
    const fields = {
      submissionId: submissionIdIn((await getPage(link)).html, 'acknowledge'),
      name: 'سارا مرادی',
      position: 'بخشدار',
    };
    await stack.stopWorker();
    try {
      const [page, post] = await Promise.all([getPage(link), postForm(`${link}/acknowledge`, fields)]);
      expect(page.status).toBe(503);
      expect(page.html).toContain('سامانه موقتاً در دسترس نیست');
      expect(post.status).toBe(503);
      expect(post.headers.get('retry-after')).toBe('5');
      expect(await post.text()).toContain('سامانه موقتاً در دسترس نیست؛ پاسخ شما ثبت نشد، لطفاً دوباره تلاش کنید');
    } finally {
      await stack.startWorker();
    }
    // The browser's resubmit carries the same submission id: one acknowledgement, whatever reached the workflow.
    const again = await postForm(`${link}/acknowledge`, fields);
    expect(again.status).toBe(303);
    expect(await replies(id, code)).toEqual(['issued', 'acknowledged']);
  });
});
