import path from 'node:path';
import { Cluster } from './cluster';
import { serverCrashMidRun } from './server-crash';
import { workerCrashDuringFanOut } from './worker-crash';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start({ dir: path.join(process.env.FARMAN_TEST_DIR!, `reliability-${Date.now()}`), units: 40, workflowBundle: process.env.FARMAN_TEST_WORKFLOW_BUNDLE });
}, 300_000);
afterAll(async () => {
  await cluster?.stop();
});

describe('Faults in the real processes', () => {
  test.skip('When the worker is SIGKILLed at random points of a fan-out and restarted, then every unit has one workflow and one notice', async () => {
    const result = await workerCrashDuringFanOut(cluster, { kills: 2 });
    console.log(JSON.stringify(result));
    expect(result).toMatchObject({ lost: 0, duplicated: 0 });
  }, 600_000);

  test('When the Temporal server is SIGKILLed mid-run and restarted on its file, then no reply is lost or doubled and timers still fire once', async () => {
    const result = await serverCrashMidRun(cluster, { codes: cluster.recipients().slice(0, 6) });
    console.log(JSON.stringify(result));
    expect(result).toMatchObject({ lost: 0, duplicated: 0 });
  }, 600_000);
});
