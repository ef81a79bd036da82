import { directiveWorkflowId } from '../workflows/contract';
import { directiveBody } from './harness/directive-bodies';
import { inSeconds } from './harness/wait';
import { randomInt, type Cluster } from './cluster';
import { judgeReply, openReplyForm, postAcknowledge, retryUntilAnswered, type SentReply } from './replies';
import { countCheckOf, type ScenarioResult } from './scenario-result';

/**
 * Scenario 4: the API process is SIGKILLed while a reply's POST is in flight, at a different point each
 * time (as the request arrives, while Temporal records it, after); in one run the worker is down first, so
 * the update is still waiting for it when the API dies. The client gets a broken connection (or an answer),
 * the API is started again, and the client retries with the same submission id: the reply must then be in
 * the unit's history exactly once, and the retry must be answered 303.
 */
export async function apiCrashMidPost(cluster: Cluster, options: { codes: string[] }): Promise<ScenarioResult> {
  const started = Date.now();
  const { id } = await cluster.issue(
    directiveBody({
      targets: { mode: 'list', codes: options.codes },
      acknowledgeBy: inSeconds(3_600),
      reportBy: inSeconds(7_200),
      escalation: [],
    }),
  );
  const replies: SentReply[] = [];
  const notes: string[] = [];
  let inconsistent = 0;
  for (const [i, code] of options.codes.entries()) {
    const reply = await openReplyForm(cluster, id, code);
    replies.push(reply);
    // The last run stops the worker first: the update then waits in Temporal when the API dies.
    const workerDown = i === options.codes.length - 1;
    if (workerDown) await cluster.killWorker();
    const delayMs = workerDown ? 1_500 : [0, 5, 30, 150, randomInt(0, 400)][i % 5];
    const inFlight = postAcknowledge(reply);
    await new Promise((r) => setTimeout(r, delayMs));
    await cluster.killApi();
    await inFlight;
    await cluster.startApi();
    if (workerDown) await cluster.startWorker();
    const status = await retryUntilAnswered(reply);
    if (status !== 303) inconsistent += 1;
    notes.push(
      `${code}: killed ${delayMs} ms into the POST${workerDown ? ' (worker down)' : ''}; answers ${reply.answers.join('→')}`,
    );
  }
  let lost = 0;
  let duplicated = 0;
  for (const reply of replies) {
    const state = await cluster
      .unitStateWhen(id, reply.unitCode, (s) => s.log.some((t) => t.meta?.submissionId === reply.submissionId), 60_000)
      .catch(() => cluster.unitState(id, reply.unitCode));
    const verdict = judgeReply(reply, state);
    if (verdict.lost || !state.log.some((t) => t.meta?.submissionId === reply.submissionId)) lost += 1;
    if (verdict.duplicated) duplicated += 1;
  }
  const counts = await countCheckOf(cluster.gateway, id);
  await cluster.client.workflow.getHandle(directiveWorkflowId(id)).terminate('reliability scenario over');
  return {
    scenario: 'API SIGKILL in the middle of a POST, client retries',
    runs: options.codes.length,
    faults: options.codes.length,
    checked: replies.length,
    lost: lost + inconsistent,
    duplicated,
    deliveryCopies: 0,
    miscounted: counts.miscounted,
    notes: [...notes, counts.note, 'lost: the retried reply is not in the history, or the retry was not answered 303'],
    durationMs: Date.now() - started,
  };
}
