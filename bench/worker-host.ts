import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { sandboxEnv, type WorkerCommand, type WorkerReply, type WorkerSpec } from './worker-protocol';

type MemoryReply = Extract<WorkerReply, { type: 'memory' }>;
type SandboxCallsReply = Extract<WorkerReply, { type: 'sandboxCalls' }>;

/**
 * A benchmark worker running in a child process (bench/worker-process.ts) with `--expose-gc`. The harness
 * starts one per variant and phase, asks it for its memory after a forced GC, and stops it (which drains
 * the worker, so a restart evicts every cached workflow).
 */
export class WorkerHost {
  private constructor(
    private readonly child: ChildProcess,
    readonly spec: WorkerSpec,
  ) {}

  /** Forks the worker process and resolves once its worker runs. @throws with the child's error. */
  static async start(spec: WorkerSpec, options: { profileDir?: string } = {}): Promise<WorkerHost> {
    // `profileDir`: V8 writes a CPU profile of each of the worker's threads there when it exits.
    const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
    const child = fork(path.join(__dirname, 'worker-process.ts'), [], {
      // BENCH_WORKER_NODE_ARGS adds Node flags for a diagnosis, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
      // sandbox-calls.ts is preloaded so that it counts in every thread, the SDK's workflow thread included.
      execArgv: [
        '--expose-gc',
        '-r',
        '@swc-node/register',
        '-r',
        path.join(__dirname, 'sandbox-calls.ts'),
        ...profile,
        ...(process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [sandboxEnv]: spec.sandbox ?? 'sdk' },
    });
    const host = new WorkerHost(child, spec);
    await host.ask({ type: 'start', spec }, 'started');
    return host;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** `process.memoryUsage()` of the worker process right after `global.gc()`. */
  async memory(): Promise<MemoryReply> {
    return (await this.ask({ type: 'memory' }, 'memory')) as MemoryReply;
  }

  /** Calls into `vm` contexts so far, every thread of the worker process added up (sandbox-calls.ts). */
  async sandboxCalls(): Promise<{ calls: number; timed: number }> {
    const { calls, timed } = (await this.ask({ type: 'sandboxCalls' }, 'sandboxCalls')) as SandboxCallsReply;
    return { calls, timed };
  }

  /** Drains and stops the worker, then waits for the process to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.ask({ type: 'stop' }, 'stopped').catch(() => this.child.kill('SIGKILL'));
    await exited;
  }

  private ask(command: WorkerCommand, expect: WorkerReply['type']): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: WorkerReply) => {
        if (reply.type === 'error') finish(() => reject(new Error(`bench worker: ${reply.message}`)));
        else if (reply.type === expect) finish(() => resolve(reply));
      };
      const onExit = (code: number | null) =>
        finish(() => reject(new Error(`bench worker exited with ${code} before answering ${command.type}`)));
      const finish = (then: () => void) => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        then();
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(command);
    });
  }
}
