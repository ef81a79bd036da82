import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { ensureTemporalCli, startDevServer, type DevServer } from '../worker/temporal-server';

/**
 * `npm start`: the whole system on one machine. Starts the Temporal dev server on a SQLite file in
 * DATA_DIR (unless TEMPORAL_ADDRESS is set), a dev mail inbox (unless SMTP_URL is set), a dev SMSC with a
 * page of the texts it received (unless SMS_URL is set), the worker and the API, prints where everything is, and stops it all cleanly on Ctrl-C.
 */

const root = path.join(__dirname, '..');
const env = { ...process.env };
const dataDir = path.resolve(root, env.DATA_DIR ?? '.data');
env.DATA_DIR = dataDir;
mkdirSync(dataDir, { recursive: true });
const children: { name: string; proc: ChildProcess }[] = [];
let server: DevServer | null = null;
let stopping = false;

function say(line: string): void {
  console.log(`[farman] ${line}`);
}

/** A development signing key, made once and kept in DATA_DIR so links stay valid across restarts. */
function devSigningKeys(): string {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (!existsSync(file))
    writeFileSync(file, JSON.stringify({ LINK_SIGNING_KEYS: `dev1:${randomBytes(32).toString('hex')}` }), {
      mode: 0o600,
    });
  return (JSON.parse(readFileSync(file, 'utf8')) as { LINK_SIGNING_KEYS: string }).LINK_SIGNING_KEYS;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}

async function waitForOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const res = await fetch(url).catch((err: Error) => err);
    if (!(res instanceof Error) && res.ok) return;
    last = res instanceof Error ? res.message : `${res.status} ${await res.text()}`;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

function run(name: string, args: string[]): ChildProcess {
  const proc = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  proc.on('exit', (code, signal) => {
    if (stopping) return;
    say(`${name} exited (${signal ?? code}); stopping everything`);
    void stop(1);
  });
  children.push({ name, proc });
  return proc;
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await Promise.all(
    children.map(
      ({ proc }) =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
          proc.once('exit', () => resolve());
          proc.kill('SIGTERM');
          setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  await server?.stop();
  say('stopped');
  process.exit(code);
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  env.LINK_SIGNING_KEYS ??= devSigningKeys();
  const port = Number(env.PORT ?? 3000);
  env.PUBLIC_URL ??= `http://localhost:${port}`;

  let uiUrl = env.TEMPORAL_UI_URL ?? null;
  if (!env.TEMPORAL_ADDRESS) {
    const cli = await ensureTemporalCli(say, env, { logFile: path.join(dataDir, 'go-install.log') });
    const logFile = path.join(dataDir, 'temporal.log');
    say(`starting the Temporal dev server (SQLite ${path.join(dataDir, 'temporal.sqlite')}, log ${logFile})`);
    server = await startDevServer({
      cli,
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      port: Number(env.TEMPORAL_PORT ?? 7233),
      uiPort: Number(env.TEMPORAL_UI_PORT ?? 8233),
      ip: '127.0.0.1',
      output: openSync(logFile, 'a'),
    });
    env.TEMPORAL_ADDRESS = server.address;
    uiUrl = server.uiUrl;
    env.TEMPORAL_UI_URL ??= uiUrl ?? undefined;
  }

  let inboxUrl: string | null = null;
  if (!env.SMTP_URL) {
    const smtpPort = Number(env.DEV_SMTP_PORT ?? 1025);
    const webPort = Number(env.DEV_INBOX_PORT ?? 1080);
    run('mail inbox', [
      require.resolve('maildev/bin/maildev'),
      '--smtp',
      String(smtpPort),
      '--web',
      String(webPort),
      '--ip',
      '127.0.0.1',
      '--silent',
    ]);
    await waitForPort(smtpPort, 20_000);
    env.SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
    inboxUrl = `http://localhost:${webPort}`;
  }

  let smsInboxUrl: string | null = null;
  if (!env.SMS_URL) {
    const smppPort = Number(env.DEV_SMSC_PORT ?? 2775);
    const webPort = Number(env.DEV_SMS_INBOX_PORT ?? 1081);
    env.DEV_SMSC_PORT = String(smppPort);
    env.DEV_SMS_INBOX_PORT = String(webPort);
    run('dev SMSC', ['-r', '@swc-node/register', path.join(root, 'scripts', 'dev-smsc.ts')]);
    await waitForPort(smppPort, 20_000);
    // The dev SMSC binds any system id; the credentials only show the URL's form.
    env.SMS_URL = `smpp://farman:dev@127.0.0.1:${smppPort}`;
    smsInboxUrl = `http://localhost:${webPort}`;
  }

  // Ctrl-C should not wait half a minute for a running send; this script kills what is left after 15 s.
  env.WORKER_SHUTDOWN_GRACE_SECONDS ??= '5';
  env.WORKER_HEALTH_PORT ??= '9465';
  const register = ['-r', '@swc-node/register'];
  say('starting the worker and the API');
  run('worker', [...register, path.join(root, 'worker', 'main.ts')]);
  run('api', [...register, path.join(root, 'api', 'main.ts')]);
  await waitForPort(port, 60_000);
  // "ready" means a directive issued now is picked up: the worker polls its task queue (its /readyz).
  if (env.WORKER_HEALTH_PORT !== '0') await waitForOk(`http://127.0.0.1:${env.WORKER_HEALTH_PORT}/readyz`, 60_000);

  // One write, so whoever waits for "ready" reads where everything is with it.
  const where = [
    'ready',
    `  API and pages    ${env.PUBLIC_URL}   (health: ${env.PUBLIC_URL}/healthz)`,
    ...(uiUrl ? [`  Temporal UI      ${uiUrl}`] : []),
    `  Temporal gRPC    ${env.TEMPORAL_ADDRESS}`,
    `  Worker health    http://127.0.0.1:${env.WORKER_HEALTH_PORT}/healthz   (/readyz, /metrics; Temporal core metrics on :${env.WORKER_METRICS_PORT ?? 9464})`,
    ...(inboxUrl ? [`  Dev mail inbox   ${inboxUrl}`] : []),
    ...(smsInboxUrl ? [`  Dev SMS (SMSC)   ${smsInboxUrl}   (SMPP ${env.SMS_URL?.replace(/\/\/[^@]*@/, '//')})`] : []),
    'Ctrl-C stops everything.',
  ];
  say(where.join('\n[farman] '));
}

main().catch((err) => {
  console.error(`[farman] failed to start: ${err instanceof Error ? err.message : String(err)}`);
  void stop(1);
});
