import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pdfRenderer } from '../../api/exports/pdf-renderer';
import { formatJalaliDateTime, parseJalaliDateTime } from '../../lib/jalali';
import { toPersianDigits } from '../../lib/persian-text';
import { findTemplate } from '../../domain/templates/election-directives';
import { acknowledgeUpdate, requestExtensionUpdate, submitReportUpdate } from '../../workflows/contract';
import { launchBrowser, officeViewport, screenshot } from '../support/browser';
import { directiveBody, issueViaApi, unitActor } from '../support/directives';
import { eventually, inSeconds, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
let browser: Browser;
let lateId: string;
const lateCodes = ['THR-TEH-MRK', 'THR-REY-MRK', 'THR-SHM-MRK'];
const jalaliDate = /[۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2} ساعت [۰-۹]{2}:[۰-۹]{2}/;

beforeAll(async () => {
  // Plain cookie names: the `__Host-` prefix needs HTTPS, and the test server speaks HTTP.
  [stack, browser] = await Promise.all([startStack({ cookieSecure: false }), launchBrowser()]);
  // A directive whose acknowledgement deadline passes during the tests: one unit reports, one acknowledges,
  // one stays silent and becomes overdue.
  const issued = await issueViaApi(
    stack,
    directiveBody({
      title: 'ترکیب نیروهای اجرایی',
      targets: { mode: 'list', codes: lateCodes },
      acknowledgeBy: inSeconds(6),
      reportBy: inSeconds(600),
      escalation: [],
    }),
  );
  lateId = issued.id;
  const who = { name: 'فاطمه احمدی', position: 'بخشدار مرکزی' };
  await stack.gateway.unitUpdate(
    lateId,
    lateCodes[0],
    submitReportUpdate,
    { ...who, values: { stations: 7, inspected: true }, by: unitActor(lateCodes[0]) },
    'e2e-rep-0',
  );
  await stack.gateway.unitUpdate(
    lateId,
    lateCodes[1],
    acknowledgeUpdate,
    { ...who, by: unitActor(lateCodes[1]) },
    'e2e-ack-1',
  );
  await eventually(
    async () => ((await stack.gateway.directiveStatus(lateId)).overdue === 1 ? true : undefined),
    30_000,
    'the silent unit to become overdue',
  );
});

afterAll(async () => {
  await browser?.close();
  await pdfRenderer.close();
  await stack?.stop();
});

/** A browser context signed in through the real login page. */
async function signIn(role: 'office' | 'auditor'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: officeViewport, locale: 'fa-IR' });
  const page = await context.newPage();
  await page.goto(`${stack.baseUrl}/directives`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('input[name=username]', role);
  await page.fill('input[name=password]', stack.accounts[role].password);
  await Promise.all([page.waitForURL(/\/directives$/), page.click('button[type=submit]')]);
  return { context, page };
}

const isRtl = (page: Page) => page.evaluate<string>('getComputedStyle(document.body).direction');

describe('The office dashboard in Chromium', () => {
  test('When an office user signs in, then the directive list renders right-to-left with Jalali deadlines, compliance bars and overdue counts', async () => {
    const { context, page } = await signIn('office');
    expect(await isRtl(page)).toBe('rtl');
    const row = page.locator('table.list tbody tr', { hasText: 'ترکیب نیروهای اجرایی' });
    await expect(row.count()).resolves.toBe(1);
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[1]).toBe('فوری');
    expect(cells[2]).toMatch(jalaliDate);
    expect(cells[4]).toBe('باز');
    expect(await row.locator('meter').getAttribute('value')).toBe('33.3');
    expect(cells[6]).toBe(toPersianDigits('1/3'));
    expect(cells[7]).toBe('۱');
    // The filters are a GET form: an urgent-only list still shows it, an immediate-only list does not.
    await page.goto(`${stack.baseUrl}/directives?priority=immediate`);
    expect(await page.locator('table.list tbody').innerText()).toContain('دستورالعملی یافت نشد');
    await page.goto(`${stack.baseUrl}/directives?priority=urgent&q=${encodeURIComponent('ترکیب نیروهای')}`);
    expect(await page.locator('table.list tbody tr').count()).toBe(1);
    await screenshot(page, 'dashboard-list');
    await context.close();
  });

  test('When the office sorts the unit table, opens the silent unit and reminds it, then the page confirms and the unit counts the reminder', async () => {
    const { context, page } = await signIn('office');
    await page.goto(`${stack.baseUrl}/directives/${lateId}?sort=state&dir=desc`);
    expect(await isRtl(page)).toBe('rtl');
    const names = await page.locator('table.units tbody tr td:nth-child(3)').allInnerTexts();
    expect(names.map((n) => n.split(' ')[0])).toEqual(['گزارش', 'رؤیت‌شده', 'ابلاغ‌شده']);
    // Many counties have a «بخش مرکزی»: every row says which county it is in.
    const counties = await page.locator('table.units tbody tr td:nth-child(2)').allInnerTexts();
    expect(counties.sort()).toEqual(['شهرستان تهران', 'شهرستان ری', 'شهرستان شمیرانات'].sort());
    await page.goto(`${stack.baseUrl}/directives/${lateId}?overdue=1`);
    expect(await page.locator('table.units tbody tr').count()).toBe(1);
    await page.click('table.units tbody tr a');
    expect(new URL(page.url()).searchParams.get('unit')).toBe('THR-SHM-MRK');
    const panel = page.locator('#unit');
    expect(await panel.innerText()).toContain('مهلت اعلام وصول گذشت');
    expect(await panel.locator('ol.timeline').innerText()).toMatch(jalaliDate);
    await panel.locator('summary', { hasText: 'یادآوری همین حالا' }).click();
    await panel.locator('form[action$="/actions/remind"] input[name=note]').fill('لطفاً فوراً اعلام وصول کنید');
    await Promise.all([
      page.waitForURL(/done=remind/),
      panel.locator('form[action$="/actions/remind"] button[type=submit]').click(),
    ]);
    expect(await page.locator('.notice.ok').innerText()).toBe('یادآوری فرستاده شد.');
    expect(new URL(page.url()).searchParams.get('overdue')).toBe('1');
    const state = await stack.gateway.unitState(lateId, 'THR-SHM-MRK');
    expect(state.remindersSent).toBe(1);
    expect(state.log.find((t) => t.event.type === 'remindRequested')?.by).toMatchObject({
      kind: 'office',
      id: stack.accounts.office.user.id,
    });
    expect(await page.locator('#unit ol.timeline').innerText()).toContain('یادآوری دستی — لطفاً فوراً اعلام وصول کنید');
    await screenshot(page, 'dashboard-directive');

    // Accepting the reported unit's report from its panel; a wrong date elsewhere gets a Persian error.
    await page.goto(`${stack.baseUrl}/directives/${lateId}?unit=THR-TEH-MRK`);
    await page.locator('#unit summary', { hasText: 'تمدید مهلت این واحد' }).click();
    await page.locator('#unit form[action$="/actions/extend"] input[name=reportBy]').fill('۱۴۰۵/۱۳/۴۰ ۱۰:۰۰');
    await page.locator('#unit form[action$="/actions/extend"] input[name=reason]').fill('درخواست شفاهی');
    await page.locator('#unit form[action$="/actions/extend"] button[type=submit]').click();
    expect(await page.locator('.notice.bad').innerText()).toContain('مهلت گزارش: تاریخ نامعتبر است');
    expect(await page.locator('#unit form[action$="/actions/extend"] input[name=reason]').inputValue()).toBe(
      'درخواست شفاهی',
    );
    await page.locator('#unit summary', { hasText: 'پذیرش گزارش' }).click();
    await Promise.all([
      page.waitForURL(/done=accept/),
      page.locator('#unit form[action$="/actions/accept"] button[type=submit]').click(),
    ]);
    expect((await stack.gateway.unitState(lateId, 'THR-TEH-MRK')).state).toBe('accepted');

    // The same session without the form's CSRF token is refused and records nothing.
    const forged = await page.request.post(`${stack.baseUrl}/directives/${lateId}/actions/remind`, {
      form: { unit: 'THR-SHM-MRK', submissionId: 'no-csrf-000001' },
    });
    expect(forged.status()).toBe(403);
    expect((await stack.gateway.unitState(lateId, 'THR-SHM-MRK')).remindersSent).toBe(1);
    await context.close();
  });

  test('When the office decides an extension, returns a report, amends, extends every unit and cancels through the forms, then each is recorded and attributed', async () => {
    const codes = ['THR-DMV-MRK', 'THR-FRZ-MRK'];
    const { id } = await issueViaApi(
      stack,
      directiveBody({
        title: 'تجهیزات انتخابات تمام‌الکترونیک',
        targets: { mode: 'list', codes },
        acknowledgeBy: inSeconds(300),
        reportBy: inSeconds(600),
        escalation: [],
      }),
    );
    const asked = new Date(Date.now() + 3 * 86_400_000);
    asked.setUTCSeconds(0, 0);
    await stack.gateway.unitUpdate(
      id,
      codes[0],
      requestExtensionUpdate,
      { until: asked.toISOString(), reason: 'کمبود نیرو', by: unitActor(codes[0]) },
      'e2e-ext-0',
    );
    await stack.gateway.unitUpdate(
      id,
      codes[1],
      submitReportUpdate,
      { name: 'رضا احمدی', position: 'بخشدار', values: { stations: 3 }, by: unitActor(codes[1]) },
      'e2e-rep-1',
    );
    const { context, page } = await signIn('office');
    const submit = async (action: string, fill: Record<string, string> = {}) => {
      const form = page.locator(`form[action$="/actions/${action}"]`);
      await form.locator('xpath=..').locator('summary').click();
      for (const [name, value] of Object.entries(fill)) await form.locator(`[name="${name}"]`).fill(value);
      await Promise.all([page.waitForURL(new RegExp(`done=${action}`)), form.locator('button[type=submit]').click()]);
      expect(await page.locator('.notice.ok').count()).toBe(1);
    };

    await page.goto(`${stack.baseUrl}/directives/${id}?sort=extensions&dir=desc`);
    expect(await page.locator('table.units tbody tr').first().innerText()).toContain('در انتظار');
    await page.goto(`${stack.baseUrl}/directives/${id}?unit=${codes[0]}`);
    await submit('decide-extension', { note: 'موافقت شد' });
    const decided = await stack.gateway.unitState(id, codes[0]);
    expect(decided.policy.reportBy).toBe(asked.toISOString());
    expect(decided.extensionRequests[0].decision).toMatchObject({
      approved: true,
      by: { id: stack.accounts.office.user.id },
    });

    await page.goto(`${stack.baseUrl}/directives/${id}?unit=${codes[1]}`);
    await submit('return', { reason: 'تعداد شعب ناقص است' });
    expect((await stack.gateway.unitState(id, codes[1])).state).toBe('returned');

    const later = new Date(Date.now() + 5 * 86_400_000);
    await submit('amend', {
      title: 'تجهیزات انتخابات تمام‌الکترونیک (اصلاحیه)',
      acknowledgeBy: formatJalaliDateTime(new Date(Date.now() + 86_400_000)),
      reportBy: formatJalaliDateTime(later),
    });
    expect((await stack.gateway.directiveStatus(id)).version).toBe(2);
    expect(await page.locator('h1').innerText()).toBe('تجهیزات انتخابات تمام‌الکترونیک (اصلاحیه)');

    const extended = new Date(Date.now() + 7 * 86_400_000);
    await submit('extend-all', { reportBy: formatJalaliDateTime(extended), reason: 'تعطیلی رسمی' });
    for (const code of codes) {
      const unit = await eventually(
        async () => {
          const u = await stack.gateway.unitState(id, code);
          return u.log.some((t) => t.event.type === 'deadlineExtended') ? u : undefined;
        },
        20_000,
        `the extension of ${code}`,
      );
      expect(formatJalaliDateTime(unit.policy.reportBy)).toBe(formatJalaliDateTime(extended));
    }

    await submit('cancel', { reason: 'برگزاری به تعویق افتاد' });
    expect((await stack.gateway.directiveStatus(id)).state).toBe('cancelled');
    expect(await page.locator('form[action*="/actions/"]').count()).toBe(0);
    await context.close();
  });

  test('When an auditor opens a directive, then it reads everything but sees no action form, and a forged action is refused', async () => {
    const { context, page } = await signIn('auditor');
    await page.goto(`${stack.baseUrl}/directives/${lateId}?unit=THR-SHM-MRK`);
    expect(await isRtl(page)).toBe('rtl');
    expect(await page.locator('#unit ol.timeline li').count()).toBeGreaterThan(1);
    expect(await page.locator('form[action*="/actions/"]').count()).toBe(0);
    expect(await page.locator('a[href="/directives/new"]').count()).toBe(0);
    const forged = await page.request.post(`${stack.baseUrl}/directives/${lateId}/actions/remind`, {
      form: { unit: 'THR-SHM-MRK', submissionId: 'forged-000001' },
    });
    expect(forged.status()).toBe(403);
    expect((await stack.gateway.unitState(lateId, 'THR-SHM-MRK')).remindersSent).toBe(1);
    await context.close();
  });

  test('When the office fills the new-directive form from a template, adds a report field and submits, then a real directive goes to the county’s units', async () => {
    const { context, page } = await signIn('office');
    await page.goto(`${stack.baseUrl}/directives/new?template=training`);
    expect(await isRtl(page)).toBe('rtl');
    const template = findTemplate('training')!;
    expect(await page.inputValue('#title')).toBe(template.title);
    expect(await page.inputValue('#acknowledgeBy')).toMatch(jalaliDate);
    // "Add field" re-renders the form with one more row and everything typed so far kept.
    await page.fill('#title', 'آموزش نیروهای فنی شعب ری');
    const rowsBefore = await page.locator('table.builder tbody tr').count();
    await page.click('button[value=add-field]');
    expect(await page.locator('table.builder tbody tr').count()).toBe(rowsBefore + 1);
    expect(await page.inputValue('#title')).toBe('آموزش نیروهای فنی شعب ری');
    await page.fill(`input[name="f.${rowsBefore}.key"]`, 'venue');
    await page.fill(`input[name="f.${rowsBefore}.label"]`, 'محل برگزاری');
    await page.check('input[name=targetMode][value=under]');
    await page.check('input[name=county][value=THR-REY]');

    // A date in the past and one that does not exist: Persian messages beside the fields, nothing issued.
    await page.fill('#acknowledgeBy', '۱۴۰۰/۰۱/۰۱ ۱۰:۰۰');
    await page.fill('#reportBy', '1405/12/31 10:00');
    await page.click('button[value=issue]');
    expect(await page.locator('#acknowledgeBy ~ .field-error').innerText()).toBe('باید در آینده باشد');
    expect(await page.locator('#reportBy ~ .field-error').innerText()).toContain('تاریخ نامعتبر است');
    expect(await page.inputValue(`input[name="f.${rowsBefore}.label"]`)).toBe('محل برگزاری');
    await screenshot(page, 'dashboard-new-directive-errors');

    // Arabic-Indic digits in one date, Persian in the other; both read as Tehran time.
    const year =
      Number(
        new Intl.DateTimeFormat('en-US-u-ca-persian', { year: 'numeric', timeZone: 'Asia/Tehran' })
          .format(new Date())
          .replace(/\D/g, ''),
      ) + 1;
    await page.fill(
      '#acknowledgeBy',
      `${year}/01/15 09:30`.replace(/\d/g, (d) => '٠١٢٣٤٥٦٧٨٩'[Number(d)]),
    );
    await page.fill('#reportBy', toPersianDigits(`${year}/01/20 14:00`));
    await Promise.all([page.waitForURL(/\/directives\/\d{4}-\d{6}\?done=issued$/), page.click('button[value=issue]')]);
    expect(await page.locator('.notice.ok').innerText()).toContain('دستورالعمل صادر شد');
    const id = /\/directives\/(\d{4}-\d{6})/.exec(page.url())![1];
    const { spec } = await stack.gateway.directiveDocument(id);
    expect(spec.title).toBe('آموزش نیروهای فنی شعب ری');
    expect(spec.targets).toEqual({ mode: 'under', parents: ['THR-REY'] });
    expect(spec.acknowledgeBy).toBe(parseJalaliDateTime(`${year}/01/15 09:30`).toISOString());
    expect(spec.reportBy).toBe(parseJalaliDateTime(`${year}/01/20 14:00`).toISOString());
    expect(spec.form.map((f) => f.key)).toEqual([...template.form.map((f) => f.key), 'venue']);
    expect(spec.escalation.map((l) => l.notify)).toEqual(['deputy', 'governor']);
    expect(spec.issuedBy).toMatchObject({ kind: 'office', id: stack.accounts.office.user.id });
    const reyUnits = stack.registry.under(['THR-REY']).map((u) => u.code);
    const status = await eventually(
      async () => {
        const s = await stack.gateway.directiveStatus(id);
        return s.started === reyUnits.length ? s : undefined;
      },
      30_000,
      'every unit of Rey to start',
    );
    expect(status.total).toBe(reyUnits.length);
    // The page right after the redirect reads the workflow itself, so it shows every unit at once.
    await page.reload();
    expect(await page.locator('table.units tbody tr').count()).toBe(reyUnits.length);
    await screenshot(page, 'dashboard-issued');
    await context.close();
  });
});
