import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { AccountStore } from '../../api/auth/account-store';
import { eventually } from './wait';

const root = path.join(__dirname, '..', '..');

/** A real Farman process (`api/main.ts` or `worker/main.ts`) with everything it writes kept for assertions. */
export interface FarmanProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far, in order. */
  output(): string;
  /** The stdout lines parsed as JSON; a line that is not JSON fails the caller's test. */
  jsonLines(): Record<string, unknown>[];
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /** Sends SIGTERM (once) and waits for the exit. */
  stop(): Promise<number | string>;
}

/**
 * Spawns a process entry point through @swc-node/register, as `npm start` does, with exactly `env` plus
 * PATH. stdout and stderr are captured, never inherited, so a test can read every line the process wrote.
 */
export function spawnFarman(entry: 'api/main.ts' | 'worker/main.ts', env: Record<string, string>): FarmanProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  const stdout: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => (chunks.push(d), stdout.push(d)));
  child.stderr.setEncoding('utf8').on('data', (d: string) => chunks.push(d));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  let stopping: Promise<number | string> | null = null;
  return {
    child,
    output: () => chunks.join(''),
    jsonLines: () =>
      stdout
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
    stop() {
      stopping ??= child.exitCode === null && child.signalCode === null ? (child.kill('SIGTERM'), exited) : exited;
      return stopping;
    },
  };
}

/** Waits until `url` answers 200, failing with the process's output when it does not within `timeoutMs`. */
export async function waitUntilOk(url: string, proc: FarmanProcess, timeoutMs = 60_000): Promise<void> {
  try {
    await eventually(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`the process exited with ${proc.child.exitCode}`);
        const res = await fetch(url);
        return res.status === 200 ? true : undefined;
      },
      timeoutMs,
      url,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- process output ---\n${proc.output().slice(-4_000)}`);
  }
}

/** Creates an office account in a data directory and returns an API bearer token for it. */
export async function officeTokenIn(dataDir: string): Promise<string> {
  const accounts = new AccountStore(dataDir);
  await accounts.create({ username: 'office', name: 'کارشناس دفتر', role: 'office', password: 'office-password-0123' });
  return (await accounts.createToken('office', 'tests')).token;
}
