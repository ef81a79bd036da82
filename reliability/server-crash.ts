import { directiveWorkflowId } from '../workflows/contract';
import type { UnitState } from '../workflows/unit-state';
import { directiveBody } from './harness/directive-bodies';
import { eventually, inSeconds } from './harness/wait';
import { countByMessageId, type Cluster } from './cluster';
import { judgeReply, openReplyForm, postAcknowledge, retryUntilAnswered, type SentReply } from './replies';
import { countCheckOf, type ScenarioResult } from './scenario-result';

/**
 * Scenario 2: the Temporal dev server is SIGKILLed in the middle of a run and started again on the same
 * SQLite file. Replies are posted before the kill, at the moment of the kill and during the outage; the
 * ones refused get retried by their clients (same submission id) after recovery. Then: no reply answered
 * 303 is missing from its unit's history, none is recorded twice, every refusal said to try again, and a
 * silent unit's reminder, missed deadline and escalation (due during or after the outage) each fire once.
 */
export async function serverCrashMidRun(cluster: Cluster, options: { codes: string[] }): Promise<ScenarioResult> {
  const started = Date.now();
  const [silent, before, atKill, ...during] = options.codes;
  if (during.length === 0) throw new Error('serverCrashMidRun needs at least four units');
  // The reminder is due ~20 s after issue (inside the outage, usually), the deadline at 35 s, the escalation at 45 s.
  const { id } = await cluster.issue(
    directiveBody({
      targets: { mode: 'list', codes: options.codes },
      acknowledgeBy: inSeconds(35),
      reportBy: inSeconds(3_600),
      reminders: { acknowledge: ['15s'], report: [] },
      escalation: [{ after: '10s', notify: 'deputy' }],
    }),
  );
  const issuedAt = Date.now();
  const replies = new Map<string, SentReply>();
  for (const code of [before, atKill, ...during]) replies.set(code, await openReplyForm(cluster, id, code));

  await retryUntilAnswered(replies.get(before)!);
  const racing = postAcknowledge(replies.get(atKill)!);
  const outageStart = Date.now();
  await cluster.killServer();
  // Replies during the outage: each waits for the API's deadline and must be refused with "try again".
  await Promise.all([racing, ...during.map((code) => postAcknowledge(replies.get(code)!))]);
  await cluster.startServer();
  const outageEnd = Date.now();
  const notes: string[] = [];
  if (cluster.worker.child.exitCode !== null || cluster.worker.child.signalCode !== null) {
    notes.push(
      `the worker exited during the outage (${cluster.worker.child.exitCode ?? cluster.worker.child.signalCode}) and was restarted`,
    );
    await cluster.startWorker();
  }

  // Clients whose reply was refused (or whose connection failed) retry with the same submission id.
  for (const reply of replies.values()) {
    if (!reply.answers.includes(303)) await retryUntilAnswered(reply);
  }

  let lost = 0;
  let duplicated = 0;
  let unclear = 0;
  for (const reply of replies.values()) {
    const state = await cluster.unitStateWhen(
      id,
      reply.unitCode,
      (s) => s.log.some((t) => t.meta?.submissionId === reply.submissionId) || !reply.answers.includes(303),
      120_000,
    );
    const verdict = judgeReply(reply, state);
    if (verdict.lost) lost += 1;
    if (verdict.duplicated) duplicated += 1;
    // A refusal (5xx) that did not say "try again" would leave the head guessing.
    if (reply.answers.some((a) => typeof a === 'number' && a >= 500) && !reply.toldToRetry) unclear += 1;
  }

  // Timers survive the restart: the silent unit is reminded, misses its deadline and is escalated, once each.
  const silentState = await cluster.unitStateWhen(
    id,
    silent,
    (s) =>
      s.log.some((t) => t.event.type === 'escalationDue') &&
      s.log.filter((t) => t.event.type === 'mailRecorded').length >= 3,
    180_000,
  );
  const timerCounts = ['reminderDue', 'deadlineMissed', 'escalationDue'].map(
    (type) => silentState.log.filter((t) => t.event.type === type).length,
  );
  const timersLost = timerCounts.filter((n) => n === 0).length;
  const timersDuplicated = timerCounts.filter((n) => n > 1).length;
  const reminderDueAt = issuedAt + 20_000;
  notes.push(
    `outage ${Math.round((outageEnd - outageStart) / 1000)} s; reminder due ${reminderDueAt < outageStart ? 'before' : reminderDueAt <= outageEnd ? 'during' : 'after'} the outage`,
    `answers: ${[...replies.values()].map((r) => `${r.unitCode}=${r.answers.join('→')}`).join(', ')}`,
  );
  if (unclear > 0) notes.push(`${unclear} refusals did not say to try again`);

  // Nothing duplicated in the mail either: one recorded message per purpose and unit, one Message-ID each.
  const mailDuplicated = await Promise.all(
    options.codes.map(async (code) => duplicatedMail(await cluster.unitState(id, code))),
  );
  const mail = await eventually(() => {
    const m = cluster.mails(id);
    return m.length > 0 ? m : undefined;
  });
  const counts = await countCheckOf(cluster.gateway, id);
  await cluster.client.workflow.getHandle(directiveWorkflowId(id)).terminate('reliability scenario over');
  return {
    scenario: 'dev server SIGKILL mid-run, restarted on the same file',
    runs: 1,
    faults: 1,
    checked: replies.size + 3,
    lost: lost + timersLost + unclear,
    duplicated: duplicated + timersDuplicated + mailDuplicated.reduce((a, b) => a + b, 0),
    deliveryCopies: countByMessageId(mail).extraCopies,
    miscounted: counts.miscounted,
    notes: [
      ...notes,
      counts.note,
      'checked: the replies plus the silent unit\'s reminder, missed deadline and escalation; a 5xx without "try again" counts as lost',
    ],
    durationMs: Date.now() - started,
  };
}

/** Purposes recorded more than once in a unit's history. */
function duplicatedMail(state: UnitState): number {
  const purposes = state.log.flatMap((t) => (t.event.type === 'mailRecorded' ? [t.event.purpose] : []));
  return purposes.length - new Set(purposes).size;
}
