import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { acknowledgeUpdate, submitReportUpdate } from '../../workflows/contract';
import { launchBrowser, officeViewport, screenshot } from '../support/browser';
import { directiveBody, issueViaApi, unitActor } from '../support/directives';
import { mailsFor } from '../../reliability/harness/unit-links';
import { eventually, inSeconds, startStack, type TestStack } from '../support/stack';

/** The HQ's pages in a real Chromium, on the office's screen and on a phone. */

let stack: TestStack;
let browser: Browser;
let directiveId: string;
const campaign = `hq-e2e-${randomUUID().slice(0, 8)}`;
const [reporter, acknowledger, silent] = ['THR-TEH-MRK', 'THR-REY-MRK', 'THR-SHM-MRK'];
const phone = { width: 390, height: 844 };

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ cookieSecure: false }), launchBrowser()]);
  const created = await stack.api('/api/v1/campaigns', {
    method: 'POST',
    json: { id: campaign, title: 'انتخابات شوراهای اسلامی شهر و روستا ۱۴۰۵' },
  });
  expect(created.status).toBe(201);
  const issued = await issueViaApi(
    stack,
    directiveBody({
      title: 'ترکیب نیروهای اجرایی',
      campaign,
      targets: { mode: 'list', codes: [reporter, acknowledger, silent] },
      acknowledgeBy: inSeconds(5),
      reportBy: inSeconds(900),
      escalation: [],
    }),
  );
  directiveId = issued.id;
  const who = { name: 'فاطمه احمدی', position: 'بخشدار مرکزی' };
  await stack.gateway.unitUpdate(
    directiveId,
    reporter,
    submitReportUpdate,
    { ...who, values: { stations: 7, inspected: true }, by: unitActor(reporter) },
    randomUUID(),
  );
  await stack.gateway.unitUpdate(
    directiveId,
    acknowledger,
    acknowledgeUpdate,
    { ...who, by: unitActor(acknowledger) },
    randomUUID(),
  );
  await eventually(
    async () => ((await stack.gateway.directiveStatus(directiveId)).overdue === 1 ? true : undefined),
    30_000,
    'the silent unit to become overdue',
  );
  // Visibility lists what the scoreboard reads.
  await eventually(
    async () => {
      const res = await stack.api(`/api/v1/scoreboard?campaign=${campaign}`);
      const board = (await res.json()) as { rows: unknown[] };
      return board.rows.length === 3 ? true : undefined;
    },
    20_000,
    'the scoreboard to list three units',
  );
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signedIn(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale: 'fa-IR' });
  const session = await stack.session('office');
  await context.addCookies([{ name: session.name, value: session.value, url: stack.baseUrl }]);
  return { context, page: await context.newPage() };
}

/** True when nothing makes the page itself scroll sideways (wide tables scroll inside their own box). */
async function fitsWidth(page: Page): Promise<boolean> {
  const fits = await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth + 1');
  if (!fits) {
    const wide = await page.evaluate<string[]>(
      "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().left < -1 || e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map((e) => e.tagName + '.' + e.className)",
    );
    console.log(`wider than the screen: ${wide.join(', ')}`);
  }
  return fits;
}
const isRtl = (page: Page) => page.evaluate<string>('getComputedStyle(document.body).direction');

describe('The HQ pages in Chromium', () => {
  for (const [label, viewport] of [
    ['1366×768', officeViewport],
    ['a 390-px phone', phone],
  ] as const) {
    test(`When the office opens the scoreboard on ${label}, then the worst unit is marked, columns sort, and a figure leads to the directives behind it`, async () => {
      const { context, page } = await signedIn(viewport);
      await page.goto(`${stack.baseUrl}/scoreboard?campaign=${campaign}`);
      expect(await isRtl(page)).toBe('rtl');
      expect(await fitsWidth(page)).toBe(true);
      const rows = page.locator('table.scoreboard tbody tr');
      expect(await rows.count()).toBe(3);
      expect(await page.locator('table.scoreboard tbody tr.worst').getAttribute('data-unit')).toBe(silent);
      expect(await page.locator('tr.worst .badge').innerText()).toBe('ضعیف‌ترین');
      await expect(page.locator('table.counties tbody tr').count()).resolves.toBe(3);
      await screenshot(page, `hq-scoreboard-${viewport.width}`);

      // Sorting by a column is a link: the rank column, already sorted, reverses.
      const ranked = await page
        .locator('table.scoreboard tbody tr')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-unit')));
      expect(ranked.at(-1)).toBe(silent);
      await page.click('table.scoreboard thead a:has-text("رتبه")');
      await page.waitForURL(/order=desc/);
      const reversed = await page
        .locator('table.scoreboard tbody tr')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-unit')));
      expect(reversed).toEqual([...ranked].reverse());

      // The silent unit's "never acknowledged" figure opens its record with that directive listed.
      await page.goto(`${stack.baseUrl}/scoreboard?campaign=${campaign}`);
      await page.click(`tr[data-unit="${silent}"] a[href*="figure=neverAcknowledged"]`);
      await page.waitForURL(new RegExp(`/units/${silent}\\?`));
      expect(await fitsWidth(page)).toBe(true);
      expect(
        await page
          .locator('table.directives tbody tr')
          .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-directive'))),
      ).toEqual([directiveId]);
      expect(await page.locator('.figure a[data-figure="neverAcknowledged"]').innerText()).toContain('۱');
      expect(await page.locator('table.open-now tbody tr').count()).toBe(1);
      await screenshot(page, `hq-unit-record-${viewport.width}`);
      await context.close();
    });

    test(`When a head opens the inbox link from the mail on ${label}, then the open directive is listed with its deadline and opens its page`, async () => {
      const notice = await eventually(() => mailsFor(stack, directiveId, silent, 'notice')[0], 30_000, 'the notice');
      const inbox = /https?:\/\/[^\s/]+\/k\/[A-Za-z0-9._-]+/.exec(notice.text)![0];
      const context = await browser.newContext({ viewport, locale: 'fa-IR' });
      const page = await context.newPage();
      await page.goto(inbox);
      expect(await isRtl(page)).toBe('rtl');
      expect(await fitsWidth(page)).toBe(true);
      const items = page.locator('ol.inbox li');
      expect(await items.count()).toBe(1);
      expect(await items.first().getAttribute('data-directive')).toBe(directiveId);
      expect(await items.first().innerText()).toMatch(/گذشته\)/);
      await screenshot(page, `hq-inbox-${viewport.width}`);
      await page.click('ol.inbox li h2 a');
      await page.waitForURL(/\/u\//);
      expect(await page.locator('h1').first().innerText()).toContain('ترکیب نیروهای اجرایی');
      await context.close();
    });
  }
});
