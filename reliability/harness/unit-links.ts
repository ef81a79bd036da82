import type { ReceivedMail } from './smtp-sink';
import { eventually } from './wait';

/** Anything that holds a sink's received messages: a test stack or a cluster. */
export interface MailSource {
  sink: { messages: ReceivedMail[] };
}

/** The reply link in a message's plain text (the first `/u/<token>` URL), or throws. */
export function linkFrom(mail: ReceivedMail): string {
  const m = /https?:\/\/[^\s/]+\/u\/[A-Za-z0-9._-]+/.exec(mail.text);
  if (!m) throw new Error(`no reply link in message ${mail.messageId}`);
  return m[0];
}

/** The messages about one unit of one directive with a given purpose, as the sink received them. */
export function mailsFor(stack: MailSource, directiveId: string, unitCode: string, purpose?: string): ReceivedMail[] {
  return stack.sink.messages.filter(
    (m) =>
      m.headers.get('x-farman-directive') === directiveId &&
      m.headers.get('x-farman-unit') === unitCode &&
      (purpose === undefined || m.headers.get('x-farman-purpose') === purpose),
  );
}

/** Waits for the unit's notice and returns the link mailed in it. */
export async function noticeLink(
  stack: MailSource,
  directiveId: string,
  unitCode: string,
  purpose = 'notice',
): Promise<string> {
  const mail = await eventually(
    () => mailsFor(stack, directiveId, unitCode, purpose)[0],
    30_000,
    `${purpose} to ${unitCode}`,
  );
  return linkFrom(mail);
}

/** The submission id rendered into the page's form that posts to `<link>/<action>`. */
export function submissionIdIn(page: string, action: string): string {
  const form = new RegExp(
    `<form[^>]*action="[^"]*/${action}(?:\\?[^"]*)?"[^>]*>\\s*<input type="hidden" name="submissionId" value="([0-9a-f-]{36})">`,
  ).exec(page);
  if (!form) throw new Error(`no ${action} form on the page`);
  return form[1];
}

/** GETs a unit page and returns its status and HTML. */
export async function getPage(url: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

/** POSTs a form as the page's own browser would (same origin), without following the redirect. */
export async function postForm(
  url: string,
  fields: Record<string, string> | FormData,
  headers: Record<string, string> = {},
): Promise<Response> {
  const origin = new URL(url).origin;
  const body = fields instanceof FormData ? fields : new URLSearchParams(fields);
  return fetch(url, { method: 'POST', body, redirect: 'manual', headers: { origin, ...headers } });
}
