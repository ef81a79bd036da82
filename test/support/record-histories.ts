import { rmSync } from 'node:fs';
import path from 'node:path';
import { amendDirective, cancelDirective, closeDirective } from '../../api/directives/amend-directive';
import {
  acceptReportUpdate,
  acknowledgeUpdate,
  directiveWorkflowId,
  extendDeadlineUpdate,
  submitReportUpdate,
  unitWorkflowId,
} from '../../workflows/contract';
import type { UnitState } from '../../workflows/unit-state';
import { directiveBody, issueViaApi, silentUnitBody, officeActor, unitActor } from './directives';
import globalSetup from './global-setup';
import globalTeardown from './global-teardown';
import { historiesDir, recordHistory } from './histories';
import { eventually, inSeconds, startStack, type TestStack } from './stack';

/**
 * Records the histories under test/histories/ from the main scenarios, on a fresh dev server, one folder per
 * scenario. The suite replays every folder on every run. Re-record only with a deliberate change of the
 * workflows; once a build has run in production, a change keeps the old histories and adds new ones
 * (OPERATIONS.md, "Changing a workflow").
 */
async function main(): Promise<void> {
  await globalSetup();
  // Directives of up to 2 units run unsharded, as at the default size; the sharded scenario has 3.
  const stack = await startStack({ shardSize: 2 });
  try {
    for (const scenario of [happyPath, silentUnit, extension, amendment, cancellation, sharded]) await scenario(stack);
  } finally {
    await stack.stop();
    await globalTeardown();
  }
}

const person = { name: 'رضا احمدی', position: 'بخشدار' };

async function save(stack: TestStack, scenario: string, id: string, codes: string[]): Promise<void> {
  await stack.client.workflow.getHandle(directiveWorkflowId(id)).result();
  const { shards } = await stack.gateway.directiveStatus(id);
  const workflowIds = [directiveWorkflowId(id), ...shards, ...codes.map((c) => unitWorkflowId(id, c))];
  rmSync(path.join(historiesDir, scenario), { recursive: true, force: true });
  for (const workflowId of workflowIds) await recordHistory(stack.client, scenario, workflowId);
  console.log(`recorded ${scenario}: ${workflowIds.length} histories`);
}

async function happyPath(stack: TestStack): Promise<void> {
  const codes = ['THR-TEH-MRK', 'THR-TEH-KAN'];
  const { id } = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes } }));
  for (const code of codes) {
    await stack.gateway.unitUpdate(id, code, acknowledgeUpdate, { ...person, by: unitActor(code) }, `ack-${code}`);
    await stack.gateway.unitUpdate(
      id,
      code,
      submitReportUpdate,
      { ...person, values: { stations: 7, inspected: true }, by: unitActor(code) },
      `rep-${code}`,
    );
    await stack.gateway.unitUpdate(id, code, acceptReportUpdate, { by: officeActor }, `acc-${code}`);
  }
  await save(stack, 'happy-path', id, codes);
}

async function silentUnit(stack: TestStack): Promise<void> {
  const code = 'THR-SHM-MRK';
  const { id } = await issueViaApi(stack, silentUnitBody(code, 4, 2));
  // Until the governor's escalation mail is recorded, so the story ends with it, not with the cancellation.
  const escalatedToGovernor = (s: UnitState) =>
    s.log.some((t) => t.event.type === 'mailRecorded' && t.event.purpose.startsWith('escalation-2'));
  await eventually(
    async () => (escalatedToGovernor(await stack.gateway.unitState(id, code)) ? true : undefined),
    30_000,
  );
  await cancelDirective(stack, id, 'پایان سناریو', officeActor, {});
  await save(stack, 'silent-unit', id, [code]);
}

async function extension(stack: TestStack): Promise<void> {
  const code = 'THR-SHM-LVS';
  const { id } = await issueViaApi(
    stack,
    directiveBody({
      targets: { mode: 'list', codes: [code] },
      acknowledgeBy: inSeconds(3),
      reportBy: inSeconds(60),
      reminders: { acknowledge: [4], report: [] },
    }),
  );
  await stack.gateway.unitUpdate(
    id,
    code,
    extendDeadlineUpdate,
    { acknowledgeBy: inSeconds(8), reason: 'عذر موجه', by: officeActor },
    `extend-${id}`,
  );
  await eventually(
    async () => ((await stack.gateway.unitState(id, code)).remindersSent === 1 ? true : undefined),
    30_000,
  );
  await stack.gateway.unitUpdate(
    id,
    code,
    submitReportUpdate,
    { ...person, values: { stations: 3 }, by: unitActor(code) },
    `rep-${code}`,
  );
  await stack.gateway.unitUpdate(id, code, acceptReportUpdate, { by: officeActor }, `acc-${code}`);
  await save(stack, 'extension', id, [code]);
}

async function amendment(stack: TestStack): Promise<void> {
  const codes = ['THR-REY-KHR', 'THR-REY-FSH'];
  const original = directiveBody({ targets: { mode: 'list', codes } });
  const { id } = await issueViaApi(stack, original);
  await stack.gateway.unitUpdate(
    id,
    codes[0],
    submitReportUpdate,
    { ...person, values: { stations: 31 }, by: unitActor(codes[0]) },
    'rep-0',
  );
  const { targets: _targets, ...fields } = original;
  await amendDirective(stack, id, { ...fields, title: 'تعیین محل صندوق‌ها (اصلاحیه)' }, officeActor, {});
  await eventually(
    async () => ((await stack.gateway.unitState(id, codes[0])).policy.version === 2 ? true : undefined),
    20_000,
  );
  await stack.gateway.unitUpdate(id, codes[0], acknowledgeUpdate, { ...person, by: unitActor(codes[0]) }, 'ack-v2');
  await cancelDirective(stack, id, 'پایان سناریو', officeActor, {});
  await save(stack, 'amendment', id, codes);
}

async function cancellation(stack: TestStack): Promise<void> {
  const codes = ['THR-TEH-AG-EDU', 'THR-TEH-AG-ELC'];
  const { id } = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes } }));
  await stack.gateway.unitUpdate(id, codes[0], acknowledgeUpdate, { ...person, by: unitActor(codes[0]) }, 'ack-0');
  await cancelDirective(stack, id, 'برگزاری انتخابات به تعویق افتاد', officeActor, {});
  await save(stack, 'cancellation', id, codes);
}

/** Three units through two shards: the shard workflow and units started by a shard. */
async function sharded(stack: TestStack): Promise<void> {
  const codes = ['THR-TEH-MRK', 'THR-TEH-KAN', 'THR-REY-KHR'];
  const { id } = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes } }));
  await stack.gateway.unitUpdate(
    id,
    codes[0],
    acknowledgeUpdate,
    { ...person, by: unitActor(codes[0]), linkGeneration: 1 },
    'ack-0',
  );
  await stack.gateway.unitUpdate(
    id,
    codes[1],
    submitReportUpdate,
    { ...person, values: { stations: 4 }, by: unitActor(codes[1]) },
    'rep-1',
  );
  await eventually(
    async () => ((await stack.gateway.directiveStatus(id)).counts.reported === 1 ? true : undefined),
    20_000,
  );
  await closeDirective(stack, id, 'پایان سناریو', officeActor, {});
  await save(stack, 'sharded', id, codes);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
