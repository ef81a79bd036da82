import type { Browser, BrowserContext } from 'playwright-core';
import { acknowledgeUpdate, requestExtensionUpdate, submitReportUpdate } from '../../workflows/contract';
import { launchBrowser } from '../support/browser';
import { directiveBody, issueViaApi, unitActor } from '../support/directives';
import { noticeLink } from '../../reliability/harness/unit-links';
import { eventually, inSeconds, startStack, type TestStack } from '../support/stack';

/**
 * Script payloads in every text a person can type (directive title and body, form labels and options,
 * report text, names and positions, the extension reason, every office note and reason), rendered by a
 * real Chromium. The pages are loaded twice: with the Content-Security-Policy bypassed, so escaping alone
 * must keep every payload inert, and normally, where the strict policy must be in the response.
 */

let stack: TestStack;
let browser: Browser;
beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ cookieSecure: false }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Each payload calls `farmanPwned(<where>)` (a binding the test listens to) or opens a dialog if it ever runs. */
const payload = (where: string) =>
  [
    `<script>farmanPwned('${where}-script');document.title='PWNED'</script>`,
    `<img src=x onerror="farmanPwned('${where}-img');alert(1)">`,
    `"><svg onload="farmanPwned('${where}-svg')">`,
    `'></textarea><script>farmanPwned('${where}-textarea')</script>`,
    `<iframe srcdoc="<script>parent.farmanPwned('${where}-iframe')</script>"></iframe>`,
    `<a href="javascript:farmanPwned('${where}-href')" id="pwn">x</a>`,
  ].join(' ');

/** The short payload for fields limited to 200 characters. */
const shortPayload = (where: string) =>
  `<img src=x onerror="farmanPwned('${where}')"><script>farmanPwned('${where}')</script>`;

test('When script payloads fill every text field, then in Chromium nothing executes on the unit pages or the dashboard, and every page sends a strict CSP', async () => {
  const codes = ['THR-TEH-MRK', 'THR-TEH-KAN', 'THR-REY-MRK', 'THR-SHM-MRK'];
  const form = [
    { key: 'problems', label: shortPayload('label'), type: 'text' as const, required: true },
    {
      key: 'kind',
      label: 'نوع',
      type: 'choice' as const,
      options: [shortPayload('option-1').slice(0, 100), 'گزینه دوم'],
    },
  ];
  const { id, status } = await issueViaApi(
    stack,
    directiveBody({
      title: shortPayload('title'),
      body: payload('body'),
      targets: { mode: 'list', codes },
      acknowledgeBy: inSeconds(3_600),
      reportBy: inSeconds(7_200),
      escalation: [],
      form,
    }),
  );
  expect(status).toBe(201);
  const who = { name: shortPayload('name'), position: shortPayload('position') };
  const [reporter, extender, exempted, reminded] = codes;
  await stack.gateway.unitUpdate(id, reporter, acknowledgeUpdate, { ...who, by: unitActor(reporter) }, 'xss-ack');
  await stack.gateway.unitUpdate(
    id,
    reporter,
    submitReportUpdate,
    { ...who, values: { problems: payload('report'), kind: null }, by: unitActor(reporter) },
    'xss-rep-1',
  );
  const act = async (code: string, action: string, json: unknown) => {
    const res = await stack.api(`/api/v1/directives/${id}/units/${code}/${action}`, { method: 'POST', json });
    expect({ action, status: res.status, body: res.status === 200 ? null : await res.text() }).toEqual({
      action,
      status: 200,
      body: null,
    });
  };
  await act(reporter, 'return', { reason: payload('return-reason') });
  await stack.gateway.unitUpdate(
    id,
    reporter,
    submitReportUpdate,
    { ...who, values: { problems: payload('report-2'), kind: null }, by: unitActor(reporter) },
    'xss-rep-2',
  );
  await act(reporter, 'accept', { note: payload('accept-note') });
  await stack.gateway.unitUpdate(
    id,
    extender,
    requestExtensionUpdate,
    {
      until: inSeconds(9_000),
      reason: payload('extension-reason'),
      by: unitActor(extender),
      meta: { submissionId: 'xss-ext' },
    },
    'xss-ext',
  );
  await act(extender, 'extension-requests/xss-ext/decision', { approved: false, note: payload('decision-note') });
  await act(extender, 'extend', { reportBy: inSeconds(8_000), reason: payload('extend-reason') });
  await act(exempted, 'exempt', { reason: payload('exempt-reason') });
  await act(reminded, 'remind', { note: payload('remind-note') });
  // A second directive, cancelled with a payload as its reason: the unit page shows the office's words.
  const cancelled = await issueViaApi(
    stack,
    directiveBody({
      targets: { mode: 'list', codes: [reminded] },
      acknowledgeBy: inSeconds(3_600),
      reportBy: inSeconds(7_200),
      escalation: [],
    }),
  );
  const cancelledLink = await noticeLink(stack, cancelled.id, reminded);
  expect(
    (
      await stack.api(`/api/v1/directives/${cancelled.id}/cancel`, {
        method: 'POST',
        json: { reason: payload('cancel-reason') },
      })
    ).status,
  ).toBe(200);

  const pages = [
    ...(await Promise.all(codes.map(async (c) => ({ name: `unit page ${c}`, url: await noticeLink(stack, id, c) })))),
    { name: 'cancelled unit page', url: cancelledLink, status: 410 },
    { name: 'directive list', url: `${stack.baseUrl}/directives` },
    ...codes.map((c) => ({ name: `dashboard unit ${c}`, url: `${stack.baseUrl}/directives/${id}?unit=${c}` })),
  ];
  const session = await stack.session('office');

  for (const bypassCSP of [true, false]) {
    const context: BrowserContext = await browser.newContext({ bypassCSP, javaScriptEnabled: true });
    await context.addCookies([{ name: session.name, value: session.value, url: stack.baseUrl }]);
    const executed: string[] = [];
    await context.exposeBinding('farmanPwned', (_source, where: string) => void executed.push(where));
    const page = await context.newPage();
    page.on('dialog', (dialog) => {
      executed.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    for (const { name, url, status = 200 } of pages as { name: string; url: string; status?: number }[]) {
      const res = await page.goto(url, { waitUntil: 'load' });
      expect({ name, status: res?.status() }).toEqual({ name, status });
      const csp = res!.headers()['content-security-policy'] ?? '';
      expect({ name, csp }).toEqual({ name, csp: expect.stringContaining("default-src 'none'") });
      expect({ name, loose: /unsafe-inline|unsafe-eval|script-src|\*/.test(csp) }).toEqual({ name, loose: false });
      // A payload's javascript: link, if one ever became a real link, is clicked as a curious head would.
      const pwnLink = await page.$('a#pwn');
      if (pwnLink) await pwnLink.click({ noWaitAfter: true }).catch(() => undefined);
      expect({ name, title: await page.title() }).not.toEqual({ name, title: 'PWNED' });
      // The payloads are on the page as text, so the test really looked at them.
      expect({ name, shown: (await page.textContent('body'))?.includes('farmanPwned(') }).toEqual({
        name,
        shown: true,
      });
    }
    if (bypassCSP) {
      // Control: markup injected into the live page does run here, so the listener would have caught a payload.
      await page.evaluate(
        `document.body.insertAdjacentHTML('beforeend', '<img src="x" onerror="farmanPwned(\\'control\\')">')`,
      );
      await eventually(() => (executed.includes('control') ? true : undefined), 10_000, 'the control payload to run');
      executed.splice(executed.indexOf('control'), 1);
    }
    expect({ bypassCSP, executed }).toEqual({ bypassCSP, executed: [] });
    await context.close();
  }
});
