import type { UnitState } from '../workflows/unit-state';
import { getPage, linkFrom, postForm, submissionIdIn } from './harness/unit-links';
import { eventually } from './harness/wait';
import type { Cluster } from './cluster';

/**
 * A district head's reply as a fault test sends it: the link from the notice, the submission id minted into
 * the page's form, and every answer the client got. The verdict after recovery is what the promise "no
 * reply lost or counted twice" means for this one reply.
 */
export interface SentReply {
  unitCode: string;
  link: string;
  submissionId: string;
  /** HTTP statuses of every attempt, or `network` when the connection failed (the process died). */
  answers: (number | 'network')[];
  /** Whether a refusal said, in Persian, to try again. */
  toldToRetry: boolean;
}

/** Waits for the unit's notice and opens its page; returns the link and the acknowledge form's submission id. */
export async function openReplyForm(
  cluster: Cluster,
  directiveId: string,
  unitCode: string,
  action = 'acknowledge',
): Promise<SentReply> {
  const mail = await eventually(
    () => cluster.mails(directiveId, 'notice').find((m) => m.headers.get('x-farman-unit') === unitCode),
    120_000,
    `notice to ${unitCode}`,
  );
  const link = linkFrom(mail);
  const page = await eventually(
    async () => {
      const p = await getPage(link);
      return p.status === 200 ? p : undefined;
    },
    60_000,
    `page of ${unitCode}`,
  );
  return { unitCode, link, submissionId: submissionIdIn(page.html, action), answers: [], toldToRetry: false };
}

/** Posts the acknowledgement once (same submission id each time), noting the answer. */
export async function postAcknowledge(reply: SentReply): Promise<number | 'network'> {
  try {
    const res = await postForm(`${reply.link}/acknowledge`, {
      submissionId: reply.submissionId,
      name: 'بخشدار آزمون',
      position: 'بخشدار',
    });
    const body = await res.text();
    if (res.status >= 500 && /دوباره تلاش کنید/.test(body)) reply.toldToRetry = true;
    reply.answers.push(res.status);
    return res.status;
  } catch {
    reply.answers.push('network');
    return 'network';
  }
}

/** Retries the same submission until the page answers 303 (recorded) or a 4xx (a definite refusal). */
export async function retryUntilAnswered(reply: SentReply, timeoutMs = 120_000): Promise<number> {
  return eventually(
    async () => {
      const status = await postAcknowledge(reply);
      return status === 303 || (typeof status === 'number' && status >= 400 && status < 500) ? status : undefined;
    },
    timeoutMs,
    `an answer for ${reply.unitCode}`,
  );
}

/**
 * Judges a reply against the unit's state after recovery. Lost: some attempt was answered 303 (or the last
 * answer was) and the state has no transition with the submission id. Duplicated: more than one transition
 * carries it, or the unit acknowledged more than once.
 */
export function judgeReply(reply: SentReply, state: UnitState): { lost: boolean; duplicated: boolean } {
  const carrying = state.log.filter((t) => t.meta?.submissionId === reply.submissionId).length;
  const acknowledgements = state.log.filter((t) => t.event.type === 'acknowledged').length;
  const confirmed = reply.answers.includes(303);
  return { lost: confirmed && carrying === 0, duplicated: carrying > 1 || acknowledgements > 1 };
}
