import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../worker/temporal-server';
import { directiveWorkflowId } from '../../workflows/contract';
import { directiveBody } from '../support/directives';
import { officeTokenIn, spawnFarman, waitUntilOk } from '../../reliability/harness/processes';
import { SmtpSink } from '../../reliability/harness/smtp-sink';
import { eventually, seedDirectiveIds } from '../support/stack';

/** SIGTERM, as an orchestrator sends it, to the real processes. */

const address = () => process.env.FARMAN_TEST_TEMPORAL_ADDRESS!;
const namespace = () => process.env.FARMAN_TEST_TEMPORAL_NAMESPACE!;

async function freshDataDir(name: string): Promise<string> {
  const dir = path.join(process.env.FARMAN_TEST_DIR!, `${name}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const baseEnv = (dataDir: string) => ({
  TEMPORAL_ADDRESS: address(),
  TEMPORAL_NAMESPACE: namespace(),
  DATA_DIR: dataDir,
  LINK_SIGNING_KEYS: 'sd1:shutdown-signing-secret-0123456789abcdef',
});

describe('Graceful shutdown', () => {
  test('When the API gets SIGTERM with a request in flight, then it refuses new connections, completes that request and exits 0', async () => {
    const dataDir = await freshDataDir('shutdown-api');
    const token = await officeTokenIn(dataDir);
    seedDirectiveIds(dataDir);
    const port = await freePort();
    const api = spawnFarman('api/main.ts', {
      ...baseEnv(dataDir),
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    const connection = await Connection.connect({ address: address() });
    try {
      await waitUntilOk(`http://127.0.0.1:${port}/readyz`, api);
      const body = JSON.stringify(directiveBody({ targets: { mode: 'list', codes: ['THR-TEH-MRK'] } }));
      // `Expect: 100-continue` makes the server say when it has taken the request: from then on it is in
      // flight, and its body is still to come.
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/directives',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
          expect: '100-continue',
        },
      });
      const response = new Promise<{ status: number; json: { id?: string } }>((resolve, reject) => {
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as { id?: string } }));
        });
        req.on('error', reject);
      });
      await new Promise<void>((resolve) => req.once('continue', () => resolve()));

      api.child.kill('SIGTERM');
      await eventually(
        () => (api.output().includes('"msg":"draining') ? true : undefined),
        10_000,
        'the API to start draining',
      );
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

      req.end(body);
      const { status, json } = await response;
      expect(status).toBe(201);
      expect(json.id).toMatch(/^\d{4}-\d{6}$/);
      expect(await api.exited).toBe(0);
      await new Client({ connection, namespace: namespace() }).workflow
        .getHandle(directiveWorkflowId(json.id!))
        .terminate('test over');
      const messages = api.jsonLines().map((l) => l.msg);
      expect(messages.indexOf('drained')).toBeGreaterThan(messages.findIndex((m) => String(m).startsWith('draining')));
    } finally {
      await api.stop();
      await connection.close();
    }
  });

  test('When the worker gets SIGTERM, then it stops polling, closes its health port and exits 0', async () => {
    const dataDir = await freshDataDir('shutdown-worker');
    const sink = await SmtpSink.start();
    const [healthPort, corePort] = [await freePort(), await freePort()];
    const worker = spawnFarman('worker/main.ts', {
      ...baseEnv(dataDir),
      SMTP_URL: sink.url,
      WORKFLOW_BUNDLE: process.env.FARMAN_TEST_WORKFLOW_BUNDLE!,
      WORKER_HEALTH_PORT: String(healthPort),
      WORKER_METRICS_PORT: String(corePort),
      WORKER_SHUTDOWN_GRACE_SECONDS: '5',
    });
    try {
      await waitUntilOk(`http://127.0.0.1:${healthPort}/healthz`, worker);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      const messages = worker.jsonLines().map((l) => String(l.msg));
      const draining = messages.findIndex((m) => m.startsWith('draining'));
      expect(draining).toBeGreaterThanOrEqual(0);
      expect(messages.indexOf('worker stopped')).toBeGreaterThan(draining);
      await expect(fetch(`http://127.0.0.1:${healthPort}/healthz`)).rejects.toThrow();
    } finally {
      await worker.stop();
      await sink.down();
    }
  });
});
