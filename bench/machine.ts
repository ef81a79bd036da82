import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import vm from 'node:vm';
import { sqlitePragmas } from '../worker/temporal-server';

/** Where a result was measured: every results file carries it, so numbers are never read without it. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  temporalCli: string;
  temporalSdk: string;
  sqlitePragmas: string[];
  /**
   * Microseconds per call of a trivial script into a vm context, as the SDK calls into the workflow sandbox
   * (several calls per activation): with a timeout (the SDK passes its deadlock timeout, so Node starts a
   * watchdog for each call) and without.
   */
  sandboxCallMicros: { withTimeout: number; withoutTimeout: number };
}

/** Times `calls` calls of a trivial script into a fresh vm context, with and without a timeout. */
export function sandboxCallMicros(calls = 5_000): MachineInfo['sandboxCallMicros'] {
  const context = vm.createContext({});
  const script = new vm.Script('1 + 1');
  const time = (options: vm.RunningScriptOptions) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) script.runInContext(context, options);
    return Math.round(Number(process.hrtime.bigint() - t0) / calls / 100) / 10;
  };
  return { withTimeout: time({ timeout: 5_000 }), withoutTimeout: time({}) };
}

/** The machine, the versions and the SQLite pragmas the dev server runs with. */
export function machineInfo(cli: string): MachineInfo {
  let temporalCli = 'unknown';
  try {
    temporalCli = execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // Recorded as unknown: the version is context, not a reason to fail a run.
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = (require('@temporalio/worker/package.json') as { version: string }).version;
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    temporalCli,
    temporalSdk: sdk,
    sqlitePragmas,
    sandboxCallMicros: sandboxCallMicros(),
  };
}

/** The 1, 5 and 15 minute load averages, rounded: a busy machine makes every figure slower. */
export function loadAverage(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN when it cannot be read. */
export function cpuSecondsOf(pid: number): number {
  return statCpuSeconds(String(pid), false);
}

/**
 * CPU seconds of this process and of its children that have exited (Linux counts a child's CPU into its
 * parent's `cutime` and `cstime` once the child is reaped): what a task that forks processes cost in all.
 */
export function selfAndChildrenCpuSeconds(): number {
  return statCpuSeconds('self', true);
}

function statCpuSeconds(pid: string, withReapedChildren: boolean): number {
  try {
    // Fields after the command name (which may hold spaces, hence the last parenthesis): utime is the 14th
    // field of the line, stime the 15th, cutime and cstime the 16th and 17th, all in clock ticks (100 per
    // second on Linux).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, withReapedChildren ? 15 : 13)
      .map(Number);
    return ticks.reduce((a, b) => a + b, 0) / 100;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds used by the server, the worker and this (harness) process: API, SMTP sink and clients. */
export interface CpuSeconds {
  server: number;
  worker: number;
  harness: number;
}

/** Measures the CPU seconds each process spends while `task` runs. */
export async function cpuDuring<T>(
  pids: { server: number; worker: number },
  task: () => Promise<T>,
): Promise<{ result: T; cpu: CpuSeconds }> {
  const before = { server: cpuSecondsOf(pids.server), worker: cpuSecondsOf(pids.worker), harness: process.cpuUsage() };
  const result = await task();
  const harness = process.cpuUsage(before.harness);
  const cpu = {
    server: cpuSecondsOf(pids.server) - before.server,
    worker: cpuSecondsOf(pids.worker) - before.worker,
    harness: (harness.user + harness.system) / 1e6,
  };
  return { result, cpu };
}

/** The server's persistence operations, by operation: how many, and the seconds they took (summed). */
export type PersistenceOps = Record<string, { count: number; seconds: number }>;

/**
 * Reads the server's persistence counters from its Prometheus endpoint, summed over services and
 * namespaces: `persistence_requests` and `persistence_latency_sum` by operation, and the same of the
 * visibility store (keyed `visibility <operation>`). Empty when the endpoint does not answer.
 */
export async function persistenceOps(metricsUrl: string): Promise<PersistenceOps> {
  const ops: PersistenceOps = {};
  let text: string;
  try {
    text = await (await fetch(metricsUrl)).text();
  } catch {
    return ops;
  }
  for (const line of text.split('\n')) {
    const m = /^(visibility_)?persistence_(requests|latency_sum)\{(.*)\} (\S+)$/.exec(line);
    const operation = m && /(?:^|,)operation="([^"]*)"/.exec(m[3])?.[1];
    if (!m || !operation) continue;
    const op = (ops[`${m[1] ? 'visibility ' : ''}${operation}`] ??= { count: 0, seconds: 0 });
    if (m[2] === 'requests') op.count += Number(m[4]);
    else op.seconds += Number(m[4]);
  }
  return ops;
}

/**
 * `persistenceOps` once the counters stop moving: the server publishes its metrics about once a second, and
 * the last workflow tasks of a run (after its last notice or start) still count towards it. Reads every
 * 1.1 s until two readings agree, at most 10 times.
 */
export async function settledPersistenceOps(metricsUrl: string): Promise<PersistenceOps> {
  const total = (ops: PersistenceOps) => Object.values(ops).reduce((sum, op) => sum + op.count, 0);
  let last = await persistenceOps(metricsUrl);
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const now = await persistenceOps(metricsUrl);
    if (total(now) === total(last)) return now;
    last = now;
  }
  return last;
}

/** What happened between two readings of `persistenceOps`; operations that did not run are left out. */
export function persistenceDelta(after: PersistenceOps, before: PersistenceOps): PersistenceOps {
  const delta: PersistenceOps = {};
  for (const [op, a] of Object.entries(after)) {
    const count = a.count - (before[op]?.count ?? 0);
    if (count > 0) delta[op] = { count, seconds: a.seconds - (before[op]?.seconds ?? 0) };
  }
  return delta;
}
