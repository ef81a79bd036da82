import path from 'node:path';
import { apiCrashMidPost } from '../../reliability/api-crash';
import { Cluster } from '../../reliability/cluster';
import { concurrentDuplicates } from '../../reliability/duplicate-replies';
import { relayOutage } from '../../reliability/relay-outage';
import { serverCrashMidRun } from '../../reliability/server-crash';
import { workerCrashDuringFanOut } from '../../reliability/worker-crash';

/**
 * The short (CI) versions of the fault scenarios, against one cluster of real processes; `npm run chaos`
 * runs the long versions and writes reliability/results.md. Each scenario reports what it found, and a
 * story fails on any lost or duplicated reply, notice or timer.
 */

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start({
    dir: path.join(process.env.FARMAN_TEST_DIR!, `reliability-${Date.now()}`),
    units: 40,
    workflowBundle: process.env.FARMAN_TEST_WORKFLOW_BUNDLE,
  });
}, 300_000);
afterAll(async () => {
  await cluster?.stop();
});

const codes = (from: number, n: number) => cluster.recipients().slice(from, from + n);

describe('Faults in the real processes', () => {
  test('When the worker is SIGKILLed at random points of a fan-out and restarted, then every unit has one workflow and one notice', async () => {
    const result = await workerCrashDuringFanOut(cluster, { kills: 2 });
    console.log(JSON.stringify(result));
    expect(result).toMatchObject({ lost: 0, duplicated: 0, miscounted: 0 });
  }, 600_000);

  test('When the Temporal server is SIGKILLed mid-run and restarted on its file, then no reply is lost or doubled and timers still fire once', async () => {
    const result = await serverCrashMidRun(cluster, { codes: codes(0, 6) });
    console.log(JSON.stringify(result));
    expect(result).toMatchObject({ lost: 0, duplicated: 0, miscounted: 0 });
  }, 600_000);

  test('When the relay is down for several retry intervals, then the office sees mail pending, and afterwards each notice arrives once', async () => {
    const result = await relayOutage(cluster, { codes: codes(6, 3), attempts: 4 });
    console.log(JSON.stringify(result));
    expect(result).toMatchObject({ lost: 0, duplicated: 0, miscounted: 0, deliveryCopies: 0 });
  }, 600_000);

  test("When the API is SIGKILLed in the middle of a POST, then the client's retry with the same submission id is recorded once", async () => {
    const result = await apiCrashMidPost(cluster, { codes: codes(9, 3) });
    console.log(JSON.stringify(result));
    expect(result).toMatchObject({ lost: 0, duplicated: 0, miscounted: 0 });
  }, 600_000);

  test('When the same reply is posted five times at once, again, and after completion, then it is recorded once and answered alike', async () => {
    const result = await concurrentDuplicates(cluster, { codes: codes(12, 1), copies: 5 });
    console.log(JSON.stringify(result));
    expect(result).toMatchObject({ lost: 0, duplicated: 0, miscounted: 0 });
  }, 600_000);
});
