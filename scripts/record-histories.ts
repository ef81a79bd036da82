import { rmSync } from 'node:fs';
import { amendDirective, cancelDirective } from '../api/directives/amend-directive';
import {
  acceptReportUpdate,
  acknowledgeUpdate,
  directiveWorkflowId,
  extendDeadlineUpdate,
  submitReportUpdate,
  unitWorkflowId,
} from '../workflows/contract';
import { directiveBody, issueViaApi, silentUnitBody, officeActor, unitActor } from '../test/support/directives';
import globalSetup from '../test/support/global-setup';
import globalTeardown from '../test/support/global-teardown';
import { historiesDir, recordHistory } from '../test/support/histories';
import { eventually, inSeconds, startStack, type TestStack } from '../test/support/stack';

/**
 * Re-records the histories under test/histories/ from the main scenarios, on a fresh dev server. Run it
 * (`npm run histories:record`) only when a workflow change is meant to break replay of old histories —
 * which, in production, needs patching instead; the suite replays these files on every run.
 */
async function main(): Promise<void> {
  await globalSetup();
  const stack = await startStack();
  try {
    rmSync(historiesDir, { recursive: true, force: true });
    await happyPath(stack);
    await silentUnit(stack);
    await extension(stack);
    await amendment(stack);
    await cancellation(stack);
  } finally {
    await stack.stop();
    await globalTeardown();
  }
}

const person = { name: 'رضا احمدی', position: 'بخشدار' };

async function save(stack: TestStack, scenario: string, id: string, codes: string[]): Promise<void> {
  await stack.client.workflow.getHandle(directiveWorkflowId(id)).result();
  for (const workflowId of [directiveWorkflowId(id), ...codes.map((c) => unitWorkflowId(id, c))]) await recordHistory(stack.client, scenario, workflowId);
  console.log(`recorded ${scenario}: ${codes.length + 1} histories`);
}

async function happyPath(stack: TestStack): Promise<void> {
  const codes = ['THR-TEH-MRK', 'THR-TEH-KAN'];
  const { id } = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes } }));
  for (const code of codes) {
    await stack.gateway.unitUpdate(id, code, acknowledgeUpdate, { ...person, by: unitActor(code) }, `ack-${code}`);
    await stack.gateway.unitUpdate(id, code, submitReportUpdate, { ...person, values: { stations: 7, inspected: true }, by: unitActor(code) }, `rep-${code}`);
    await stack.gateway.unitUpdate(id, code, acceptReportUpdate, { by: officeActor }, `acc-${code}`);
  }
  await save(stack, 'happy-path', id, codes);
}

async function silentUnit(stack: TestStack): Promise<void> {
  const code = 'THR-SHM-MRK';
  const { id } = await issueViaApi(
    stack,
    silentUnitBody(code, 4, 2),
  );
  await eventually(async () => ((await stack.gateway.unitState(id, code)).escalationLevel === 2 ? true : undefined), 30_000);
  await cancelDirective(stack, id, 'پایان سناریو', officeActor, {});
  await save(stack, 'silent-unit', id, [code]);
}

async function extension(stack: TestStack): Promise<void> {
  const code = 'THR-SHM-LVS';
  const { id } = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes: [code] }, acknowledgeBy: inSeconds(3), reportBy: inSeconds(60), reminders: { acknowledge: [4], report: [] } }));
  await stack.gateway.unitUpdate(id, code, extendDeadlineUpdate, { acknowledgeBy: inSeconds(8), reason: 'عذر موجه', by: officeActor }, `extend-${id}`);
  await eventually(async () => ((await stack.gateway.unitState(id, code)).remindersSent === 1 ? true : undefined), 30_000);
  await stack.gateway.unitUpdate(id, code, submitReportUpdate, { ...person, values: { stations: 3 }, by: unitActor(code) }, `rep-${code}`);
  await stack.gateway.unitUpdate(id, code, acceptReportUpdate, { by: officeActor }, `acc-${code}`);
  await save(stack, 'extension', id, [code]);
}

async function amendment(stack: TestStack): Promise<void> {
  const codes = ['THR-REY-KHR', 'THR-REY-FSH'];
  const original = directiveBody({ targets: { mode: 'list', codes } });
  const { id } = await issueViaApi(stack, original);
  await stack.gateway.unitUpdate(id, codes[0], submitReportUpdate, { ...person, values: { stations: 31 }, by: unitActor(codes[0]) }, 'rep-0');
  const { targets: _targets, ...fields } = original;
  await amendDirective(stack, id, { ...fields, title: 'تعیین محل صندوق‌ها (اصلاحیه)' }, officeActor, {});
  await eventually(async () => ((await stack.gateway.unitState(id, codes[0])).policy.version === 2 ? true : undefined), 20_000);
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

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
