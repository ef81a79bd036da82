import { execFileSync } from 'node:child_process';
import os from 'node:os';
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
  };
}

/** The 1, 5 and 15 minute load averages, rounded: a busy machine makes every figure slower. */
export function loadAverage(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}
