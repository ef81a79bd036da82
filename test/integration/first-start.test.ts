import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTemporalCli, freePort } from '../../worker/temporal-server';

/**
 * `npm start` as a user runs it (scripts/start.ts, its own dev server, inbox, worker and API), on free ports
 * and a data directory of its own. The CLI is already built here; its build is covered in
 * test/unit/temporal-cli-install.test.ts.
 */

let start: ChildProcess | null = null;
afterAll(() => {
  if (start && start.exitCode === null) start.kill('SIGKILL');
});

describe('npm start', () => {
  test('When it prints "ready", then the worker is already polling, and Ctrl-C stops everything', async () => {
    const ports = {
      PORT: 0,
      TEMPORAL_PORT: 0,
      TEMPORAL_UI_PORT: 0,
      DEV_SMTP_PORT: 0,
      DEV_INBOX_PORT: 0,
      DEV_SMSC_PORT: 0,
      DEV_SMS_INBOX_PORT: 0,
      WORKER_HEALTH_PORT: 0,
      WORKER_METRICS_PORT: 0,
    };
    // Distinct ports: the OS may hand the same free port out twice when asked one at a time.
    const taken = new Set<number>();
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) {
      do ports[key] = await freePort();
      while (taken.has(ports[key]));
      taken.add(ports[key]);
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    };
    env.DATA_DIR = mkdtempSync(path.join(tmpdir(), 'farman-start-'));
    env.TEMPORAL_CLI = findTemporalCli() ?? undefined;
    delete env.TEMPORAL_ADDRESS;
    delete env.TEMPORAL_NAMESPACE;
    delete env.SMTP_URL;
    delete env.SMS_URL;

    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', path.join(__dirname, '../../scripts/start.ts')],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    start = child;
    let output = '';
    const startedAt = Date.now();
    const health = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "ready" within 90 s:\n${output}`)), 90_000);
      child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (/\[farman\] ready\n/.test(output)) {
          clearTimeout(timer);
          // Asked the moment "ready" is printed: the worker must already be running.
          void fetch(`http://127.0.0.1:${ports.WORKER_HEALTH_PORT}/healthz`).then((r) => resolve(r.status), reject);
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    });
    expect(health).toBe(200);
    expect(output.indexOf('starting the worker and the API')).toBeLessThan(output.indexOf('[farman] ready'));
    expect(output).toContain(`Temporal gRPC    127.0.0.1:${ports.TEMPORAL_PORT}`);
    expect(output).toContain(
      `Dev SMS (SMSC)   http://localhost:${ports.DEV_SMS_INBOX_PORT}   (SMPP smpp://127.0.0.1:${ports.DEV_SMSC_PORT})`,
    );
    process.stdout.write(`npm start ready after ${Date.now() - startedAt} ms\n`);

    const stoppedAt = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      child.removeAllListeners('exit');
      child.once('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
    expect(output).toContain('[farman] stopped');
    process.stdout.write(`npm start stopped after ${Date.now() - stoppedAt} ms\n`);
  }, 120_000);
});
