import { directiveWorkflowId, unitWorkflowId } from '../workflows/contract';
import { directiveBody } from './harness/directive-bodies';
import { failedMailAttempts } from './harness/mail-attempts';
import { eventually, inSeconds } from './harness/wait';
import { countByMessageId, type Cluster } from './cluster';
import { countCheckOf, recordedNotices, type ScenarioResult } from './scenario-result';

/**
 * Scenario 3: the SMTP relay is down for longer than several retry intervals (until each notice's send has
 * been attempted `attempts` times), then comes back. While it is down the office API's unit detail must show
 * the delay (`mailPending` > 0); afterwards every notice arrives once, is recorded once, `mailPending` is 0,
 * and no workflow failed or marked its unit undeliverable.
 */
export async function relayOutage(
  cluster: Cluster,
  options: { codes: string[]; attempts: number },
): Promise<ScenarioResult> {
  const started = Date.now();
  await cluster.sink.down();
  const { id } = await cluster.issue(
    directiveBody({
      targets: { mode: 'list', codes: options.codes },
      acknowledgeBy: inSeconds(3_600),
      reportBy: inSeconds(7_200),
      escalation: [],
    }),
  );
  const unitDetail = async (code: string) =>
    (await (await cluster.api(`/api/v1/directives/${id}/units/${code}`)).json()) as {
      mailPending?: number;
      undeliverable?: boolean;
    };
  let officeSawDelay = 0;
  let maxAttempt = 0;
  try {
    for (const code of options.codes) {
      const attempt = await eventually(
        async () => {
          const a = await failedMailAttempts(cluster.client, unitWorkflowId(id, code));
          return a >= options.attempts ? a : undefined;
        },
        60_000 * options.attempts,
        `${options.attempts} send attempts for ${code}`,
      );
      maxAttempt = Math.max(maxAttempt, attempt);
      if (((await unitDetail(code)).mailPending ?? 0) > 0) officeSawDelay += 1;
    }
  } finally {
    await cluster.sink.up();
  }
  const outageMs = Date.now() - started;
  await eventually(
    () => (countByMessageId(cluster.mails(id, 'notice')).distinct >= options.codes.length ? true : undefined),
    300_000,
    'every notice after the relay came back',
  );

  let lost = 0;
  let duplicated = 0;
  let failed = 0;
  for (const code of options.codes) {
    const state = await cluster.unitStateWhen(id, code, (s) => s.log.some((t) => t.event.type === 'mailRecorded'));
    const recorded = recordedNotices(state);
    if (recorded.length === 0 || state.undeliverable) lost += 1;
    if (recorded.length > 1) duplicated += 1;
    const detail = await unitDetail(code);
    if (detail.mailPending !== 0) lost += 1;
    const described = await cluster.client.workflow.getHandle(unitWorkflowId(id, code)).describe();
    if (described.status.name !== 'RUNNING') failed += 1;
  }
  const copies = countByMessageId(cluster.mails(id, 'notice'));
  const counts = await countCheckOf(cluster.gateway, id);
  await cluster.client.workflow.getHandle(directiveWorkflowId(id)).terminate('reliability scenario over');
  return {
    scenario: 'SMTP relay down for several retry intervals',
    runs: 1,
    faults: 1,
    checked: options.codes.length,
    lost: lost + failed + (options.codes.length - officeSawDelay),
    duplicated,
    deliveryCopies: copies.extraCopies,
    miscounted: counts.miscounted,
    notes: [
      counts.note,
      `relay down ${Math.round(outageMs / 1000)} s, until each send was attempted ${options.attempts}+ times (up to ${maxAttempt})`,
      `the office API showed mailPending > 0 for ${officeSawDelay} of ${options.codes.length} units during the outage and 0 after`,
      'lost also counts a failed workflow, an undeliverable mark or a unit whose delay the office could not see',
    ],
    durationMs: Date.now() - started,
  };
}
