import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeTypes } from '../workflows/contract';

/**
 * The embedded Temporal server: the real Temporal CLI dev server (`temporal server start-dev`) on a SQLite
 * file. `npm start`, the tests and the benchmarks all start it through this module, so they run the same
 * server the same way.
 */

/** The CLI version installed when none is found; the last tag that `go install` can build. */
export const temporalCliVersion = 'v1.5.1';

/** The SQLite pragmas of a file-backed server: WAL commits about 5x faster here, and a kill loses nothing committed. */
export const sqlitePragmas = ['journal_mode=WAL', 'synchronous=NORMAL'];

/** Go's bin directory (`$(go env GOPATH)/bin`), where `go install` puts the CLI; null when Go is missing. */
export function goBinDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const r = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8', env });
  if (r.status !== 0 || !r.stdout.trim()) return null;
  return path.join(r.stdout.trim().split(path.delimiter)[0], 'bin');
}

/** The full path of an executable named `name` on PATH, or null. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** Finds the `temporal` CLI: `TEMPORAL_CLI`, then PATH, then Go's bin directory. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.TEMPORAL_CLI) return existsSync(env.TEMPORAL_CLI) ? env.TEMPORAL_CLI : null;
  const fromPath = onPath('temporal', env);
  if (fromPath) return fromPath;
  const goBin = goBinDir(env);
  const candidate = goBin && path.join(goBin, 'temporal');
  return candidate && existsSync(candidate) ? candidate : null;
}

/** The command that installs the CLI, as a user would type it. */
export const temporalCliInstallCommand = `go install github.com/temporalio/cli/cmd/temporal@${temporalCliVersion}`;

/** What to do when neither the CLI nor Go is there: the three ways on, in one message. */
export const goMissingAdvice = [
  'the temporal CLI is missing and Go is not installed to build it. Either:',
  `  - install Go (https://go.dev/dl/) and start again: it runs \`${temporalCliInstallCommand}\`;`,
  '  - or set TEMPORAL_CLI to the path of a temporal CLI you have;',
  '  - or set TEMPORAL_ADDRESS to a running Temporal server (host:port), and no server is started.',
].join('\n');

/**
 * Returns the path of the `temporal` CLI, installing it with `go install` when it is missing. The first
 * build takes minutes; later ones are cached by Go. Go's own output goes to `logFile` (a temporary file by
 * default) and `say` gets a line with the elapsed time every `progressEverySeconds`, so a first start shows
 * it is alive without minutes of download log.
 * @throws when TEMPORAL_CLI names a missing file, when Go is missing ({@link goMissingAdvice}), or when the
 *   build fails (with the end of Go's log).
 */
export async function ensureTemporalCli(
  say: (line: string) => void = console.log,
  env: NodeJS.ProcessEnv = process.env,
  options: { logFile?: string; progressEverySeconds?: number } = {},
): Promise<string> {
  const found = findTemporalCli(env);
  if (found) return found;
  if (env.TEMPORAL_CLI) throw new Error(`TEMPORAL_CLI=${env.TEMPORAL_CLI} does not exist`);
  if (!goBinDir(env)) throw new Error(goMissingAdvice);
  const logFile = options.logFile ?? path.join(mkdtempSync(path.join(tmpdir(), 'farman-go-')), 'go-install.log');
  say(
    `temporal CLI not found; building it with \`${temporalCliInstallCommand}\` (the first build takes a few minutes; Go's log: ${logFile})`,
  );
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  const log = openSync(logFile, 'a');
  const child = spawn('go', ['install', `github.com/temporalio/cli/cmd/temporal@${temporalCliVersion}`], {
    stdio: ['ignore', log, log],
    env,
  });
  const ticker = setInterval(
    () => say(`still building the temporal CLI… ${elapsed()}`),
    (options.progressEverySeconds ?? 15) * 1000,
  );
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  }).finally(() => {
    clearInterval(ticker);
    closeSync(log);
  });
  if (code !== 0) {
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
    throw new Error(
      `${temporalCliInstallCommand} failed with exit code ${code} after ${elapsed()}; the end of Go's log (${logFile}):\n${tail}`,
    );
  }
  const installed = findTemporalCli(env);
  if (!installed) throw new Error('go install succeeded but the temporal binary is not in $(go env GOPATH)/bin');
  say(`temporal CLI built in ${elapsed()}: ${installed}`);
  return installed;
}

/** A free TCP port on 127.0.0.1, as the OS assigns one. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Dynamic config the embedded server always starts with (a caller's `dynamicConfig` overrides it).
 *
 * `temporal server start-dev` turns the search-attribute cache off (it re-reads the attributes from the store
 * on every read, so attributes added at run time show at once; Temporal's own description of the setting
 * says never to do so in production). Farman registers all its attributes when it starts the server, so the
 * cache stays on: with it off, every start of a unit with search attributes and every upsert read cluster
 * metadata from SQLite for every start of a unit and every upsert.
 */
export const devServerDynamicConfig: Record<string, unknown> = {
  'system.forceSearchAttributesCacheRefreshOnRead': false,
};

export interface DevServerOptions {
  cli: string;
  /** SQLite file; omitted means an in-memory database that dies with the process. */
  dbFile?: string;
  /** gRPC port; 0 or omitted picks a free one. */
  port?: number;
  /** Web UI port; null runs headless. */
  uiPort?: number | null;
  namespace?: string;
  ip?: string;
  /** Extra `--dynamic-config-value KEY=JSON` settings, e.g. lowered per-workflow limits. */
  dynamicConfig?: Record<string, unknown>;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Where the server's stdout and stderr go: inherited, discarded (the default), or an open file descriptor. */
  output?: 'inherit' | 'ignore' | number;
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl: string | null;
  /** The server's Prometheus endpoint (persistence operations, latencies), for the benchmark. */
  metricsUrl: string;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the server at once, as a crash would; for fault tests. */
  kill(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` with the project's search attributes registered, and resolves once
 * the namespace answers (polling, never a fixed sleep).
 * @throws if the process exits or the namespace does not answer within `readyTimeoutMs`.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port || (await freePort());
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', options.logLevel ?? 'warn'];
  args.push('--http-port', String(await freePort()), '--metrics-port', String(await freePort()));
  if (options.uiPort === null) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort ?? (await freePort())));
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
    for (const pragma of sqlitePragmas) args.push('--sqlite-pragma', pragma);
  }
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const [name, type] of Object.entries(searchAttributeTypes)) args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries({ ...devServerDynamicConfig, ...options.dynamicConfig }))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);

  const child = spawn(options.cli, args, {
    stdio: ['ignore', options.output ?? 'ignore', options.output ?? 'ignore'],
    detached: false,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const address = `${ip}:${port}`;
  try {
    await waitForNamespace(address, namespace, options.readyTimeoutMs ?? 60_000, () => exitCode !== undefined);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(
      `temporal dev server did not become ready at ${address}: ${(err as Error).message}${exitCode !== undefined ? ` (exited with ${exitCode})` : ''}`,
    );
  }
  const uiUrl = options.uiPort === null ? null : `http://${ip}:${args[args.indexOf('--ui-port') + 1]}`;
  const metricsUrl = `http://${ip}:${args[args.indexOf('--metrics-port') + 1]}/metrics`;
  const stopWith = async (signal: NodeJS.Signals, graceMs: number) => {
    if (exitCode !== undefined) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    address,
    namespace,
    uiUrl,
    metricsUrl,
    process: child,
    stop: () => stopWith('SIGTERM', 10_000),
    kill: () => stopWith('SIGKILL', 0),
  };
}

/**
 * Polls until the namespace can be described, which means the frontend, persistence and the namespace
 * registry are all up.
 */
export async function waitForNamespace(
  address: string,
  namespace: string,
  timeoutMs: number,
  gaveUp: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && !gaveUp()) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await connection?.close();
    }
  }
  throw new Error(
    gaveUp() ? 'the server process exited' : `timed out: ${String((lastError as Error)?.message ?? lastError)}`,
  );
}

/**
 * Registers the project's search attributes on a namespace of an external server (a cluster reached through
 * `TEMPORAL_ADDRESS`) when they are missing. The dev server gets them at start instead.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.entries(searchAttributeTypes).filter(([name]) => !(name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, indexedValueType[type]])),
  });
}

/** Values of `temporal.api.enums.v1.IndexedValueType` for the types the project uses. */
const indexedValueType: Record<string, number> = { Keyword: 2, Int: 3, Datetime: 6 };
