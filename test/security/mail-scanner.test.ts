import { issueViaApi, directiveBody, uploadAttachment } from '../support/directives';
import { mailsFor } from '../../reliability/harness/unit-links';
import { eventually, inSeconds, startStack, type TestStack } from '../support/stack';

/**
 * Mail scanners (Safe Links and the like) fetch every link of every message, follow redirects and often
 * every link of the page they land on, some with HEAD first. None of that may change anything: only a
 * same-origin POST with a submission id records a reply.
 */

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const scannerAgent =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36 (compatible; Safe Links scanner)';

/** Every http(s) URL in a message: plain-text links and the HTML's href/src attributes. */
function urlsIn(text: string, html: string): string[] {
  const found = [...text.matchAll(/https?:\/\/[^\s<>"')]+/g)].map((m) => m[0]);
  found.push(...[...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')));
  return found.filter((u) => /^https?:\/\//.test(u));
}

/** Every link, image, stylesheet and form action of a page, resolved against its URL. */
function linksOfPage(pageUrl: string, html: string): string[] {
  return [...html.matchAll(/(?:href|src|action)="([^"]+)"/g)].map((m) =>
    new URL(m[1].replace(/&amp;/g, '&'), pageUrl).toString(),
  );
}

/** What a unit's history says, leaving out mail bookkeeping (the relay may record a send at any time). */
async function unitFacts(directiveId: string, code: string): Promise<string> {
  const s = await stack.gateway.unitState(directiveId, code);
  const log = s.log.filter((t) => t.event.type !== 'mailRecorded').map((t) => `${t.seq}:${t.event.type}`);
  return JSON.stringify({
    state: s.state,
    ack: s.acknowledgedVersion,
    report: s.report !== null,
    extensions: s.extensionRequests.length,
    generation: s.linkGeneration,
    log,
  });
}

test('When a scanner fetches every mailed link and every link on the pages it lands on, with GET and HEAD, following redirects, then nothing changes', async () => {
  const codes = ['THR-TEH-MRK', 'THR-TEH-KAN'];
  const attachment = Buffer.from('%PDF-1.4\n% scanner test\n%%EOF\n');
  const { sha256 } = await uploadAttachment(stack, attachment, 'پیوست دستورالعمل.pdf');
  const { id } = await issueViaApi(
    stack,
    directiveBody({
      targets: { mode: 'list', codes },
      acknowledgeBy: inSeconds(3_600),
      reportBy: inSeconds(7_200),
      // A reminder due a few seconds from now, so the reminder's links are scanned too.
      reminders: { acknowledge: ['3594s'], report: [] },
      attachments: [{ name: 'پیوست دستورالعمل.pdf', sha256, size: attachment.length, contentType: 'application/pdf' }],
    }),
  );
  // The second unit's first link is revoked: its notice, the revoked link and the new one are all scanned.
  await eventually(() => mailsFor(stack, id, codes[1], 'notice')[0]);
  expect(
    (await stack.api(`/api/v1/directives/${id}/units/${codes[1]}/revoke-links`, { method: 'POST', json: {} })).status,
  ).toBe(200);
  for (const code of codes)
    await eventually(
      () =>
        mailsFor(stack, id, code).find((m) => {
          const p = m.headers.get('x-farman-purpose');
          return typeof p === 'string' && p.startsWith('reminder');
        }),
      60_000,
      `reminder to ${code}`,
    );
  await eventually(() => mailsFor(stack, id, codes[1], 'notice-g2')[0], 30_000, 'the new link');
  const before = await Promise.all(codes.map((c) => unitFacts(id, c)));
  const mailsBefore = stack.sink.messages.length;

  const queue = stack.sink.messages
    .filter((m) => m.headers.get('x-farman-directive') === id)
    .flatMap((m) => urlsIn(m.text, m.html));
  expect(queue.length).toBeGreaterThanOrEqual(6);
  const seen = new Set<string>();
  const statuses: Record<string, number> = {};
  while (queue.length > 0) {
    const url = queue.shift()!;
    if (seen.has(url) || !url.startsWith(stack.baseUrl)) continue;
    seen.add(url);
    for (const method of ['HEAD', 'GET'] as const) {
      const res = await fetch(url, {
        method,
        redirect: 'follow',
        headers: { 'user-agent': scannerAgent, accept: 'text/html,*/*' },
      });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      expect({ url: url.replace(/\/u\/[^/?]+/, '/u/<token>'), method, status: res.status < 500 }).toEqual({
        url: url.replace(/\/u\/[^/?]+/, '/u/<token>'),
        method,
        status: true,
      });
      if (method === 'GET' && (res.headers.get('content-type') ?? '').startsWith('text/html'))
        queue.push(...linksOfPage(res.url, await res.text()));
      else await res.arrayBuffer();
    }
  }
  console.log(
    `scanner fetched ${seen.size} distinct URLs twice each (HEAD, GET); statuses ${JSON.stringify(statuses)}`,
  );
  // The pages' form actions were fetched with GET too, and the attachment was downloaded.
  expect([...seen].some((u) => u.endsWith('/acknowledge'))).toBe(true);
  expect([...seen].some((u) => u.includes(`/files/${sha256}`))).toBe(true);

  expect(await Promise.all(codes.map((c) => unitFacts(id, c)))).toEqual(before);
  expect(stack.sink.messages.length).toBe(mailsBefore);
});
