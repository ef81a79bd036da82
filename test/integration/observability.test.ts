import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadRegistry } from '../../domain/registry';
import { temporalAnswers } from '../../lib/temporal-probe';
import { freePort } from '../../worker/temporal-server';
import { directiveWorkflowId } from '../../workflows/contract';
import { directiveBody } from '../support/directives';
import { officeTokenIn, spawnFarman, waitUntilOk, type FarmanProcess } from '../../reliability/harness/processes';
import { SmtpSink } from '../../reliability/harness/smtp-sink';
import { eventually, inSeconds, seedDirectiveIds } from '../support/stack';

/**
 * The real API and worker processes, as an operator runs them, against the run's Temporal server: their
 * health endpoints, their metrics after a real flow, and every line they log.
 */

const signingSecret = 'obs-signing-secret-0123456789abcdef0123';
const smtpPassword = 'smtp-password-5f3a9c';
const metricsToken = 'metrics-token-0123456789abcdef';

let sink: SmtpSink;
let api: FarmanProcess;
let worker: FarmanProcess;
let apiUrl: string;
let healthUrl: string;
let coreMetricsUrl: string;
let officeToken: string;
let connection: Connection;
let client: Client;
const issued: string[] = [];

const headUnit = 'THR-TEH-MRK';
const silentUnit = 'THR-TEH-KAN';
const refusedUnit = 'THR-SHM-MRK';
const registry = loadRegistry();
const headOf = (code: string) => registry.get(code)!.head.email;

async function issue(body: unknown): Promise<string> {
  const res = await fetch(`${apiUrl}/api/v1/directives`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${officeToken}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { id?: string };
  if (res.status !== 201)
    throw new Error(`issuing answered ${res.status}; the API logged:\n${api.output().slice(-3_000)}`);
  issued.push(json.id!);
  return json.id!;
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one series in a Prometheus text exposition, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

beforeAll(async () => {
  sink = await SmtpSink.start();
  const dataDir = path.join(process.env.FARMAN_TEST_DIR!, `observability-${Date.now()}`);
  mkdirSync(dataDir, { recursive: true });
  officeToken = await officeTokenIn(dataDir);
  seedDirectiveIds(dataDir);
  const [apiPort, healthPort, corePort] = [await freePort(), await freePort(), await freePort()];
  apiUrl = `http://127.0.0.1:${apiPort}`;
  healthUrl = `http://127.0.0.1:${healthPort}`;
  coreMetricsUrl = `http://127.0.0.1:${corePort}/metrics`;
  const common = {
    TEMPORAL_ADDRESS: process.env.FARMAN_TEST_TEMPORAL_ADDRESS!,
    TEMPORAL_NAMESPACE: process.env.FARMAN_TEST_TEMPORAL_NAMESPACE!,
    DATA_DIR: dataDir,
    PUBLIC_URL: apiUrl,
    LINK_SIGNING_KEYS: `obs1:${signingSecret}`,
    LOG_LEVEL: 'debug',
  };
  worker = spawnFarman('worker/main.ts', {
    ...common,
    // The sink takes any credentials; the password must still never reach a log line.
    SMTP_URL: `smtp://farman:${smtpPassword}@127.0.0.1:${sink.port}`,
    WORKFLOW_BUNDLE: process.env.FARMAN_TEST_WORKFLOW_BUNDLE!,
    WORKER_METRICS_PORT: String(corePort),
    WORKER_HEALTH_PORT: String(healthPort),
  });
  api = spawnFarman('api/main.ts', { ...common, PORT: String(apiPort), METRICS_TOKEN: metricsToken });
  await Promise.all([waitUntilOk(`${healthUrl}/healthz`, worker), waitUntilOk(`${apiUrl}/readyz`, api)]);
  connection = await Connection.connect({ address: common.TEMPORAL_ADDRESS });
  client = new Client({ connection, namespace: common.TEMPORAL_NAMESPACE });
}, 120_000);

afterAll(async () => {
  for (const id of issued)
    await client?.workflow
      .getHandle(directiveWorkflowId(id))
      .terminate('test over')
      .catch(() => undefined);
  await Promise.all([api?.stop(), worker?.stop()]);
  await connection?.close();
  await sink?.down();
});

describe('Operations of the real processes', () => {
  test('When both processes are up, then their health and readiness endpoints say so', async () => {
    expect(await (await fetch(`${apiUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${apiUrl}/readyz`)).json()).toEqual({ status: 'ready' });
    expect(await (await fetch(`${healthUrl}/healthz`)).json()).toEqual({ status: 'ok', worker: 'RUNNING' });
    expect(await (await fetch(`${healthUrl}/readyz`)).json()).toEqual({ status: 'ready', worker: 'RUNNING' });
  });

  test('When the namespace is missing or Temporal does not answer, then the readiness probe says not ready', async () => {
    expect(await temporalAnswers(connection, process.env.FARMAN_TEST_TEMPORAL_NAMESPACE!)).toBe(true);
    expect(await temporalAnswers(connection, 'no-such-namespace')).toBe(false);
    const nowhere = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    try {
      expect(await temporalAnswers(nowhere, 'default', 1_000)).toBe(false);
    } finally {
      await nowhere.close();
    }
  });

  test('When a directive is issued and its head opens the link and acknowledges, then the API counts both by route template and never by raw URL', async () => {
    const id = await issue(directiveBody({ targets: { mode: 'list', codes: [headUnit] } }));
    const notice = await eventually(
      () => sink.to(headOf(headUnit)).find((m) => m.headers.get('x-farman-directive') === id),
      30_000,
      'the notice',
    );
    const link = new RegExp(`${apiUrl}/u/[^\\s"<]+`).exec(notice.text)?.[0];
    expect(link).toBeDefined();
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(await page.text())?.[1];
    expect(submissionId).toBeDefined();
    const answer = await fetch(`${link}/acknowledge`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ submissionId: submissionId!, name: 'رضا احمدی', position: 'بخشدار' }).toString(),
    });
    expect(answer.status).toBeLessThan(400);
    expect(
      (await fetch(`${apiUrl}/api/v1/directives/${id}`, { headers: { authorization: `Bearer ${officeToken}` } }))
        .status,
    ).toBe(200);

    expect((await fetch(`${apiUrl}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${apiUrl}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789abc' } })).status,
    ).toBe(401);
    const text = await scrape(`${apiUrl}/metrics`, { authorization: `Bearer ${metricsToken}` });
    expect(sample(text, 'farman_directives_issued_total')).toBe(1);
    expect(sample(text, 'farman_replies_recorded_total', { kind: 'acknowledge' })).toBe(1);
    const count = (method: string, route: string) =>
      sample(text, 'farman_http_request_duration_seconds_count', { method, route });
    expect(count('POST', '/api/v1/directives')).toBe(1);
    expect(count('GET', '/api/v1/directives/:id')).toBe(1);
    expect(count('GET', '/u/:token')).toBe(1);
    expect(count('POST', '/u/:token/acknowledge')).toBe(1);
    expect(
      sample(text, 'farman_http_request_duration_seconds_bucket', { route: '/readyz', le: '+Inf' }),
    ).toBeGreaterThanOrEqual(1);
    const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    for (const route of routes) expect(route).toMatch(/^(\/([a-z][a-z0-9-]*|:[a-z0-9]+|\*))+$|^\/$|^unmatched$/i);
    expect(text).not.toContain(id);
    expect(text).not.toMatch(/v1\.obs1\./);
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  test('When a unit misses its deadline and a head refuses mail, then the worker counts the escalation and the undeliverable notice, beside Temporal core metrics', async () => {
    await issue(
      directiveBody({
        targets: { mode: 'list', codes: [silentUnit] },
        acknowledgeBy: inSeconds(3),
        reportBy: inSeconds(60),
        escalation: [{ after: 1, notify: 'deputy' }],
      }),
    );
    sink.refuse.add(headOf(refusedUnit).toLowerCase());
    await issue(directiveBody({ targets: { mode: 'list', codes: [refusedUnit] } }));
    const text = await eventually(
      async () => {
        const t = await scrape(`${healthUrl}/metrics`);
        return (sample(t, 'farman_escalations_sent_total', { to: 'deputy' }) ?? 0) >= 1 &&
          (sample(t, 'farman_mail_undeliverable_total', { kind: 'notice' }) ?? 0) >= 1
          ? t
          : undefined;
      },
      30_000,
      'the escalation and the refused notice in the worker metrics',
    );
    expect(sample(text, 'farman_mail_sent_total', { kind: 'escalation' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'farman_mail_sent_total', { kind: 'notice' })).toBeGreaterThanOrEqual(1);
    const core = await scrape(coreMetricsUrl);
    expect(core).toMatch(/^temporal_\w+/m);
    expect(core).toMatch(/task_queue="farman"/);
  });

  test('When the whole flow has run, then every line both processes logged is JSON and none carries a token or a secret', async () => {
    // Stop both so that everything, shutdown included, has been written.
    expect(await api.stop()).toBe(0);
    expect(await worker.stop()).toBe(0);
    const output = api.output() + worker.output();
    const lines = [...api.jsonLines(), ...worker.jsonLines()];
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines)
      expect(line).toEqual(
        expect.objectContaining({
          level: expect.any(String),
          time: expect.any(String),
          service: expect.stringMatching(/^farman-(api|worker)$/),
        }),
      );
    // The link was requested and logged, as a path with the token replaced: the redaction had work to do.
    const linkRequests = api
      .jsonLines()
      .filter((l) => String((l.req as { url?: string } | undefined)?.url).startsWith('/u/'));
    expect(linkRequests.map((l) => (l.req as { url: string }).url)).toEqual(['/u/[token]', '/u/[token]/acknowledge']);
    expect(linkRequests.every((l) => typeof (l.req as { id?: unknown }).id === 'string')).toBe(true);
    // The worker's SDK and activity logs come through the same logger.
    expect(worker.jsonLines().some((l) => l.component === 'temporal')).toBe(true);
    expect(worker.jsonLines().some((l) => l.msg === 'mail refused permanently')).toBe(true);
    expect(output).not.toMatch(/v1\.obs1\./);
    for (const secret of [signingSecret, smtpPassword, metricsToken, officeToken]) expect(output).not.toContain(secret);
  });
});
