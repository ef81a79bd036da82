import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { directiveBody, issueViaApi } from '../support/directives';
import { launchBrowser, officeViewport, screenshot } from '../support/browser';
import { eventually, inSeconds, startStack, type TestStack } from '../support/stack';
import { noticeLink } from '../../reliability/harness/unit-links';

let stack: TestStack;
let browser: Browser;
beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('When a district head opens the mailed link in Chromium with JavaScript off, acknowledges and submits the report with an attachment, then each step is confirmed and recorded', async () => {
  const code = 'THR-VRM-JVD';
  const { id } = await issueViaApi(
    stack,
    directiveBody({
      targets: { mode: 'list', codes: [code] },
      acknowledgeBy: inSeconds(3 * 3600),
      reportBy: inSeconds(2 * 86_400),
      form: [
        { key: 'stations', label: 'تعداد شعب اخذ رأی', type: 'number', required: true, min: 0 },
        { key: 'inspected', label: 'همه محل‌ها بازدید شده‌اند', type: 'boolean', required: true },
        { key: 'locations', label: 'فهرست محل‌ها (فایل)', type: 'file', required: true },
        { key: 'problems', label: 'مشکلات مشاهده‌شده', type: 'text' },
      ],
    }),
  );
  const link = await noticeLink(stack, id, code);
  const context = await browser.newContext({ viewport: officeViewport, javaScriptEnabled: false, locale: 'fa-IR' });
  const page = await context.newPage();
  try {
    const opened = await page.goto(link);
    expect(opened?.status()).toBe(200);
    expect(await page.locator('h1').innerText()).toBe('تعیین محل استقرار صندوق‌های اخذ رأی');
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await screenshot(page, 'unit-page-1-opened');

    await page.fill('#ack-name', 'رضا احمدی');
    await page.fill('#ack-position', 'بخشدار جوادآباد');
    await Promise.all([page.waitForURL(/\?done=acknowledged$/), page.click('#acknowledge button[type=submit]')]);
    expect(await page.locator('#confirmation').innerText()).toContain('اعلام وصول شما ثبت شد');
    expect(await page.locator('#acknowledge').count()).toBe(0);
    await screenshot(page, 'unit-page-2-acknowledged');

    const pdf = Buffer.from('%PDF-1.4\n% فهرست محل‌ها\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    await page.fill('#field-stations', '۱۲');
    await page.check('input[name=v_inspected][value=yes]');
    await page.setInputFiles('#field-locations', {
      name: 'فهرست محل‌ها.pdf',
      mimeType: 'application/pdf',
      buffer: pdf,
    });
    await page.fill('#field-problems', 'کمبود برق اضطراری در دو شعبه');
    // The reporter's name and position come pre-filled from the acknowledgement.
    expect(await page.inputValue('#rep-name')).toBe('رضا احمدی');
    await screenshot(page, 'unit-page-3-report-filled');
    await Promise.all([page.waitForURL(/\?done=reported$/), page.click('#report button[type=submit]')]);
    expect(await page.locator('#confirmation').innerText()).toContain('گزارش اقدامات شما ثبت شد');
    expect(await page.locator('#submitted-report').innerText()).toContain('فهرست محل‌ها.pdf');
    await screenshot(page, 'unit-page-4-reported');

    const sha256 = createHash('sha256').update(pdf).digest('hex');
    const state = await stack.gateway.unitState(id, code);
    expect(state.state).toBe('reported');
    expect(state.report?.values).toEqual({
      stations: 12,
      inspected: true,
      locations: [{ name: 'فهرست محل‌ها.pdf', sha256, size: pdf.length, contentType: 'application/pdf' }],
      problems: 'کمبود برق اضطراری در دو شعبه',
    });
    // The office sees it through the API.
    const detail = await eventually(
      async () => {
        const d = (await (await stack.api(`/api/v1/directives/${id}`)).json()) as {
          units: { unitCode: string; state: string }[];
        };
        return d.units.find((u) => u.unitCode === code)?.state === 'reported' ? d : undefined;
      },
      20_000,
      'the office API shows the report',
    );
    expect(detail.units).toHaveLength(1);

    const download = await page.request.get(`${link}/files/${sha256}`);
    expect(download.status()).toBe(200);
    expect(Buffer.from(await download.body()).equals(pdf)).toBe(true);
  } finally {
    await context.close();
  }
});
