import { PassThrough } from 'node:stream';
import type { HistoryEntry } from '../../audit/archive';
import { exportToArchive } from '../../audit/history-source';
import type { TimelineEntry } from '../../audit/timeline';
import { runAudit } from '../../scripts/audit';
import {
  acceptReportUpdate,
  acknowledgeUpdate,
  directiveWorkflowId,
  submitReportUpdate,
  unitWorkflowId,
} from '../../workflows/contract';
import { directiveBody, issueViaApi, officeActor, unitActor } from '../support/directives';
import { eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ archiver: true });
});
afterAll(async () => {
  await stack?.stop();
});

/** Nothing listens here: the auditor's machine cannot reach a server. */
const unreachable = '127.0.0.1:1';

/** Runs `farman-audit` in-process on the stack's archive; the server is the run's unless `--address` says otherwise. */
async function audit(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const errStream = new PassThrough();
  errStream.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const code = await runAudit(
    [...argv, '--archive', stack.archive.dir],
    { out: (t) => (out += t), err: errStream },
    {
      TEMPORAL_ADDRESS: process.env.FARMAN_TEST_TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: process.env.FARMAN_TEST_TEMPORAL_NAMESPACE,
    },
  );
  return { code, out, err };
}

describe('A 3-unit directive where one unit is accepted and archived and two are still open', () => {
  const [done, openA, openB] = ['THR-TEH-MRK', 'THR-TEH-KAN', 'THR-REY-KHR'];
  let id: string;

  beforeAll(async () => {
    ({ id } = await issueViaApi(stack, directiveBody({ targets: { mode: 'list', codes: [done, openA, openB] } })));
    const by = unitActor(done);
    await stack.gateway.unitUpdate(
      id,
      done,
      acknowledgeUpdate,
      { name: 'رضا احمدی', position: 'بخشدار', by, meta: { submissionId: `p-ack-${id}` } },
      `p-ack-${id}`,
    );
    await stack.gateway.unitUpdate(
      id,
      done,
      submitReportUpdate,
      { name: 'رضا احمدی', position: 'بخشدار', values: { stations: 3 }, by, meta: { submissionId: `p-rep-${id}` } },
      `p-rep-${id}`,
    );
    await stack.gateway.unitUpdate(id, done, acceptReportUpdate, { by: officeActor }, `p-accept-${id}`);
    await eventually(
      async () => {
        const entries = (await stack.archive.entries()).filter(
          (e): e is HistoryEntry => e.kind === 'history' && e.workflowId.startsWith(directiveWorkflowId(id)),
        );
        return entries.length === 1 &&
          entries[0].workflowId === unitWorkflowId(id, done) &&
          entries[0].status === 'Completed'
          ? true
          : undefined;
      },
      30_000,
      'the accepted unit to be archived, and only it',
    );
  });

  test('When the auditor asks for the timeline, then what the archive lacks is read from the server and every unit is there', async () => {
    const { code, out } = await audit('timeline', id, '--json');
    expect(code).toBe(0);
    const issued = (JSON.parse(out) as TimelineEntry[]).filter((e) => e.kind === 'unit-issued').map((e) => e.unit);
    expect(issued.sort()).toEqual([done, openA, openB].sort());
  });

  test("When an auditor opens the directive's audit page, then the open units are there too, read from the server", async () => {
    const res = await stack.api(`/audit/directives/${id}`, { as: 'auditor' });
    expect(res.status).toBe(200);
    const page = await res.text();
    for (const code of [done, openA, openB]) expect(page).toContain(`<option value="${code}">`);
    expect(page).toContain('آنچه در بایگانی نیست از سرور زنده خوانده شد');
  });

  test('When the server cannot be reached, then timeline, replay and state refuse with exit 3 and name what is missing', async () => {
    const timeline = await audit('timeline', id, '--address', unreachable);
    expect(timeline).toMatchObject({ code: 3, out: '' });
    expect(timeline.err).toContain(`${directiveWorkflowId(id)} (the directive's own history`);
    expect(timeline.err).toContain('the server cannot be reached');

    expect(await audit('replay', id, '--address', unreachable)).toMatchObject({ code: 3, out: '' });
    const state = await audit('state', unitWorkflowId(id, openA), '--at', 'now', '--address', unreachable);
    expect(state.code).toBe(2);
    expect(state.out).toBe('');
    expect(state.err).toContain(`${unitWorkflowId(id, openA)} is not in the archive, and the server cannot be reached`);
  });

  test('When the archive holds running snapshots, then without a server the open units are named, and with one the answer is current', async () => {
    await exportToArchive(stack.client, stack.archive, directiveWorkflowId(id));
    await exportToArchive(stack.client, stack.archive, unitWorkflowId(id, openA));

    const refused = await audit('timeline', id, '--address', unreachable);
    expect(refused).toMatchObject({ code: 3, out: '' });
    expect(refused.err).toMatch(/3 histories are missing/);
    expect(refused.err).toContain(`${directiveWorkflowId(id)} (the archive has it only up to event`);
    expect(refused.err).toContain(`${unitWorkflowId(id, openA)} (the archive has it only up to event`);
    expect(refused.err).toContain(`  ${unitWorkflowId(id, openB)}\n`);
    expect(refused.err).not.toContain(unitWorkflowId(id, done));

    const snapshotOnly = await audit('state', unitWorkflowId(id, openA), '--at', 'now', '--address', unreachable);
    expect(snapshotOnly).toMatchObject({ code: 3, out: '' });

    const current = await audit('state', unitWorkflowId(id, openA), '--at', 'now', '--json');
    expect(current.code).toBe(0);
    expect(JSON.parse(current.out)).toMatchObject({ unitCode: openA, state: 'notified' });
    expect((await audit('replay', id, '--json')).code).toBe(0);
  });
});
