import { directiveWorkflowId } from '../workflows/contract';
import { directiveBody } from './harness/directive-bodies';
import { eventually, inSeconds } from './harness/wait';
import type { Cluster } from './cluster';
import { countCheckOf, recordedNotices, type ScenarioResult } from './scenario-result';

/**
 * The SMSC goes down for `downMs` (two minutes in the chaos run) just after a directive to district heads
 * told by SMS is issued, in the middle of its fan-out, then comes back. Afterwards every head has the
 * notice by SMS, every unit has exactly one recorded notice and none is undeliverable; texts the SMSC
 * received more than once are counted (a part accepted as the session dropped may be sent again: SMPP
 * cannot be asked). Needs a cluster started with `sms: true`.
 */
export async function smscOutage(
  cluster: Cluster,
  options: { codes: string[]; downMs: number },
): Promise<ScenarioResult> {
  const started = Date.now();
  const sink = cluster.smsSink;
  const before = sink.messages.length;
  const { id } = await cluster.issue(
    directiveBody({
      targets: { mode: 'list', codes: options.codes },
      acknowledgeBy: inSeconds(3_600),
      reportBy: inSeconds(7_200),
      escalation: [],
    }),
  );
  await sink.down();
  const textedBeforeOutage = sink.messages.length - before;
  await new Promise((r) => setTimeout(r, options.downMs));
  await sink.up();

  const mobileOf = new Map(cluster.registry!.units.map((u) => [u.code, u.head.mobile!.replace(/^\+/, '')]));
  await eventually(
    () =>
      options.codes.every((code) => sink.messages.slice(before).some((m) => m.to === mobileOf.get(code)))
        ? true
        : undefined,
    600_000,
    'every head texted after the SMSC came back',
  );
  let lost = 0;
  let duplicated = 0;
  let copies = 0;
  for (const code of options.codes) {
    const state = await cluster.unitStateWhen(id, code, (s) => s.log.some((t) => t.event.type === 'mailRecorded'));
    const recorded = recordedNotices(state);
    const texted = recorded.some(
      (t) => t.event.type === 'mailRecorded' && t.event.channels?.some((c) => c.channel === 'sms' && c.delivered),
    );
    if (recorded.length === 0 || state.undeliverable || !texted) lost += 1;
    if (recorded.length > 1) duplicated += 1;
    copies += Math.max(0, sink.messages.slice(before).filter((m) => m.to === mobileOf.get(code)).length - 1);
  }
  const counts = await countCheckOf(cluster.gateway, id);
  await cluster.client.workflow.getHandle(directiveWorkflowId(id)).terminate('reliability scenario over');
  return {
    scenario: 'SMSC down during a fan-out',
    runs: 1,
    faults: 1,
    checked: options.codes.length,
    lost,
    duplicated,
    deliveryCopies: copies,
    miscounted: counts.miscounted,
    notes: [
      counts.note,
      `SMSC down ${Math.round(options.downMs / 1000)} s from just after the directive was issued; ${textedBeforeOutage} of ${options.codes.length} heads were texted before it went down`,
      `every head texted ${Math.round((Date.now() - started) / 1000)} s after the issue; extra copies are texts the SMSC received twice`,
    ],
    durationMs: Date.now() - started,
  };
}
