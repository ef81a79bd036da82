import type { WorkerOptions } from '@temporalio/worker';

/** The slot, cache and thread settings a benchmark worker runs with (the sweep varies them; B0 and B1 alike). */
export type WorkerTuning = Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'workflowThreadPoolSize'
>;

/** The environment variable that carries `WorkerSpec.sandbox` to every thread of a worker process. */
export const sandboxEnv = 'BENCH_SANDBOX';

/** What a benchmark worker process runs: B0 (bare workflows) or B1 (Farman's worker with its activities). */
export interface WorkerSpec {
  variant: 'b0' | 'b1';
  address: string;
  namespace: string;
  /** A prebuilt workflow bundle: bench/workflows for B0, workflows/ for B1. */
  bundlePath: string;
  tuning: WorkerTuning;
  /**
   * `sdk` (the default): the SDK's sandbox as a live worker runs it. `untimed`: a diagnosis of what the
   * sandbox costs, never a setting to run with: every call into it runs without the deadlock timeout's
   * watchdog and the stack-trace hook is stopped (bench/sandbox-calls.ts).
   */
  sandbox?: 'sdk' | 'untimed';
  // B1 only.
  registryFile?: string;
  dataDir?: string;
  smtpUrl?: string;
  mailRatePerSecond?: number;
  signingKeys?: string;
  publicUrl?: string;
}

/** Harness → worker process. */
export type WorkerCommand =
  { type: 'start'; spec: WorkerSpec } | { type: 'memory' } | { type: 'sandboxCalls' } | { type: 'stop' };

/** Worker process → harness. Memory figures are bytes, taken right after a forced GC. */
export type WorkerReply =
  | { type: 'started'; pid: number }
  | {
      type: 'memory';
      rss: number;
      heapUsed: number;
      heapTotal: number;
      external: number;
      arrayBuffers: number;
      gcForced: boolean;
    }
  | { type: 'sandboxCalls'; calls: number; timed: number }
  | { type: 'stopped' }
  | { type: 'error'; message: string };
