import { directiveWorkflowId, unitWorkflowId } from '../workflows/contract';
import { directiveBody } from './harness/directive-bodies';
import { eventually, inSeconds } from './harness/wait';
import { countByMessageId, randomInt, type Cluster } from './cluster';
import { countCheckOf, recordedNotices, type ScenarioResult } from './scenario-result';

/**
 * Scenario 1: the worker is SIGKILLed at random points of a fan-out to every unit of the registry, `kills`
 * times, and started again each time. Then every unit's workflow must exist exactly once (one run per
 * deterministic ID, in visibility and by describe), every unit's notice must be recorded once in its
 * workflow, and the sink must hold one distinct notice Message-ID per unit. Copies of a Message-ID are
 * counted apart (`deliveryCopies`): a send that finished just before a kill is retried.
 */
export async function workerCrashDuringFanOut(
  cluster: Cluster,
  options: { kills: number; recoveryTimeoutMs?: number },
): Promise<ScenarioResult> {
  const started = Date.now();
  const timeout = options.recoveryTimeoutMs ?? 300_000;
  const { id, units } = await cluster.issue(
    directiveBody({
      targets: { mode: 'all' },
      acknowledgeBy: inSeconds(3_600),
      reportBy: inSeconds(7_200),
      escalation: [],
      reminders: { acknowledge: [], report: [] },
    }),
  );
  const notices = () => countByMessageId(cluster.mails(id, 'notice')).distinct;
  const killedAt: number[] = [];
  for (let k = 0; k < options.kills; k++) {
    // A random point ahead of the progress so far: early kills hit the child starts, later ones the sends.
    const now = notices();
    const target = Math.min(
      units - 1,
      now + randomInt(0, Math.max(1, Math.floor((units - now) / (options.kills - k + 1)))),
    );
    if (now < target)
      await eventually(
        () => (notices() >= target ? true : undefined),
        timeout,
        `${target} notices before kill ${k + 1}`,
      );
    killedAt.push(notices());
    await cluster.killWorker();
    await cluster.startWorker();
  }
  await eventually(
    () => (notices() >= units ? true : undefined),
    timeout,
    `all ${units} notices after ${options.kills} worker kills`,
  );
  const status = await eventually(
    async () => {
      const s = await cluster.gateway.directiveStatus(id);
      return s.started === units && s.total === units ? s : undefined;
    },
    timeout,
    'the directive to count every unit started',
  );

  // One run per unit ID in visibility (eventually consistent, so wait for the count to settle).
  const runs = await eventually(
    async () => {
      const ids: string[] = [];
      for await (const wf of cluster.client.workflow.list({ query: `DirectiveId = '${id}' AND FarmanKind = 'unit'` }))
        ids.push(wf.workflowId);
      return ids.length >= units ? ids : undefined;
    },
    120_000,
    'visibility to list every unit',
  );
  const perId = new Map<string, number>();
  for (const wfId of runs) perId.set(wfId, (perId.get(wfId) ?? 0) + 1);

  const codes = cluster.recipients();
  let lost = 0;
  let duplicated = 0;
  const noticeMail = cluster.mails(id, 'notice');
  for (const code of codes) {
    const wfId = unitWorkflowId(id, code);
    const described = await cluster.client.workflow.getHandle(wfId).describe();
    if (described.status.name !== 'RUNNING') lost += 1;
    if ((perId.get(wfId) ?? 0) !== 1) duplicated += Math.max(0, (perId.get(wfId) ?? 0) - 1);
    // A notice sent just before a kill is recorded only when its unit's next workflow task re-runs the send
    // (the sent-mail ledger answers it): wait for that, and count the unit lost only if it never comes.
    const state = await eventually(
      async () => {
        const s = await cluster.unitState(id, code);
        return recordedNotices(s).length > 0 ? s : undefined;
      },
      timeout,
      `${code}'s notice recorded`,
    ).catch(() => cluster.unitState(id, code));
    const recorded = recordedNotices(state).length;
    const issued = state.log.filter((t) => t.event.type === 'issued').length;
    if (recorded === 0 || !noticeMail.some((m) => m.headers.get('x-farman-unit') === code)) lost += 1;
    if (recorded > 1 || issued > 1) duplicated += 1;
  }
  if (status.total !== codes.length) lost += Math.abs(codes.length - status.total);
  const copies = countByMessageId(noticeMail);
  if (copies.distinct !== units) lost += Math.max(0, units - copies.distinct);
  const counts = await countCheckOf(cluster.gateway, id);
  await cluster.client.workflow.getHandle(directiveWorkflowId(id)).terminate('reliability scenario over');
  return {
    scenario: 'worker SIGKILL during fan-out',
    runs: 1,
    faults: options.kills,
    checked: units,
    lost,
    duplicated,
    deliveryCopies: copies.extraCopies,
    miscounted: counts.miscounted,
    notes: [
      counts.note,
      `${units} units; killed with ${killedAt.join(', ')} notices in the sink`,
      'lost: a unit without a running workflow or without its notice; duplicated: a second run of a unit ID, a second issue or a second recorded notice',
    ],
    durationMs: Date.now() - started,
  };
}
