import { directiveWorkflowId } from '../workflows/contract';
import { directiveBody } from './harness/directive-bodies';
import { eventually, inSeconds } from './harness/wait';
import { getPage, postForm, submissionIdIn } from './harness/unit-links';
import type { Cluster } from './cluster';
import { openReplyForm } from './replies';
import { countCheckOf, type ScenarioResult } from './scenario-result';

/**
 * Scenario 5: the same report (one submission id) is posted five times at once over HTTP, again once those
 * answered, and again after the office accepted it and the unit's workflow completed. It must be recorded
 * once, and every answer must be the same 303 to the same confirmation.
 */
export async function concurrentDuplicates(
  cluster: Cluster,
  options: { codes: string[]; copies: number },
): Promise<ScenarioResult> {
  const started = Date.now();
  const { id } = await cluster.issue(
    directiveBody({
      targets: { mode: 'list', codes: options.codes },
      acknowledgeBy: inSeconds(3_600),
      reportBy: inSeconds(7_200),
      escalation: [],
    }),
  );
  let lost = 0;
  let duplicated = 0;
  let inconsistent = 0;
  const notes: string[] = [];
  for (const code of options.codes) {
    const { link } = await openReplyForm(cluster, id, code, 'report');
    const submissionId = submissionIdIn((await getPage(link)).html, 'report');
    const send = async () => {
      const form = new FormData();
      for (const [k, v] of Object.entries({
        submissionId,
        name: 'بخشدار آزمون',
        position: 'بخشدار',
        v_stations: '۱۲',
        v_inspected: 'yes',
      }))
        form.append(k, v);
      // As the page's form posts: the submission id in the action too, so a resubmit after completion is recognised.
      const res = await postForm(`${link}/report?submission=${submissionId}`, form);
      await res.arrayBuffer();
      // The location carries the link's token; compare its shape without keeping the credential.
      return `${res.status} ${(res.headers.get('location') ?? '').replace(/\/u\/[^/?]+/, '/u/<token>')}`;
    };
    const burst = await Promise.all(Array.from({ length: options.copies }, send));
    const afterBurst = await send();
    const accepted = await cluster.api(`/api/v1/directives/${id}/units/${code}/accept`, { method: 'POST', json: {} });
    if (accepted.status !== 200) notes.push(`${code}: accept answered ${accepted.status}`);
    await eventually(
      async () =>
        (await cluster.client.workflow.getHandle(`${directiveWorkflowId(id)}/unit:${code}`).describe()).status.name ===
        'COMPLETED'
          ? true
          : undefined,
      120_000,
      `${code} to complete`,
    );
    const afterCompletion = await send();
    const answers = [...burst, afterBurst, afterCompletion];
    if (new Set(answers).size !== 1 || !answers[0].startsWith('303 ')) inconsistent += 1;
    const state = await cluster.unitState(id, code);
    const carrying = state.log.filter((t) => t.meta?.submissionId === submissionId).length;
    const reports = state.log.filter((t) => t.event.type === 'reportSubmitted').length;
    if (carrying === 0) lost += 1;
    if (carrying > 1 || reports > 1) duplicated += 1;
    notes.push(`${code}: ${answers.length} answers, distinct: ${[...new Set(answers)].join(' | ')}`);
  }
  const counts = await countCheckOf(cluster.gateway, id);
  return {
    scenario: `the same reply ${options.copies} times at once, again, and after completion`,
    runs: options.codes.length,
    faults: 0,
    checked: options.codes.length,
    lost: lost + inconsistent,
    duplicated,
    deliveryCopies: 0,
    miscounted: counts.miscounted,
    notes: [...notes, counts.note, 'lost also counts a unit whose answers differed'],
    durationMs: Date.now() - started,
  };
}
