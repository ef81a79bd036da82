import vm from 'node:vm';
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { tuneSandbox } from '../audit/replay-tuning';
import { sandboxEnv } from './worker-protocol';

/**
 * Counts the calls into `vm` contexts in a benchmark worker process: the SDK runs every workflow activation
 * through several of them, each with its sandbox timeout, and each such call costs the machine's "vm call
 * with a timeout" (bench/machine.ts). Preloaded (`-r`) into the worker process by bench/worker-host.ts, so it
 * runs in every thread, the SDK's workflow thread included; the main thread adds up every thread's counts
 * on request (`sandboxCalls`). The wrapper adds a counter increment to a call that costs tens of µs.
 *
 * With `BENCH_SANDBOX=untimed` (WorkerSpec.sandbox) it also removes, in the worker's threads, what the
 * replay processes remove (audit/replay-tuning.ts), but for every call: the watchdog of the deadlock
 * timeout and the stack-trace hook. That measures what the SDK's sandbox costs a live worker; no worker
 * should run so, as a workflow that never yields would then hold its thread for good.
 */

export interface SandboxCalls {
  /** Calls into a `vm` context, in every thread of the process so far. */
  calls: number;
  /** Those that carried a timeout (each starts a watchdog thread). */
  timed: number;
}

const channelName = 'farman-bench-sandbox-calls';
const counts: SandboxCalls = { calls: 0, timed: 0 };
const runInContext = Object.getOwnPropertyDescriptor(vm.Script.prototype, 'runInContext')!.value as (
  this: vm.Script,
  context: vm.Context,
  options?: vm.RunningScriptOptions,
) => unknown;
vm.Script.prototype.runInContext = function (this: vm.Script, context: vm.Context, options?: vm.RunningScriptOptions) {
  counts.calls++;
  if (options?.timeout !== undefined) counts.timed++;
  return runInContext.call(this, context, options);
};

// After the counter, so that it counts what runs: calls stripped of their timeout count as untimed.
if (!isMainThread && process.env[sandboxEnv] === 'untimed') tuneSandbox(() => true);

type Message = { ask: number } | { answer: number; threadId: number; counts: SandboxCalls };

if (!isMainThread) {
  const channel = new BroadcastChannel(channelName);
  channel.onmessage = (event) => {
    const m = (event as { data: Message }).data;
    if ('ask' in m) channel.postMessage({ answer: m.ask, threadId, counts } satisfies Message);
  };
  // The channel must not keep a thread alive that is otherwise done.
  (channel as unknown as { unref(): void }).unref();
}

let asked = 0;

/**
 * This process's calls so far, every thread's added up, once `threads` threads besides this one have
 * answered (the SDK's workflow threads: a thread still busy with a backlog answers when it is done with its
 * current task). NaN when they have not all answered within `timeoutMs`: a partial count would read as fewer
 * calls.
 */
export async function sandboxCalls(threads: number, timeoutMs = 60_000): Promise<SandboxCalls> {
  const id = ++asked;
  const channel = new BroadcastChannel(channelName);
  const byThread = new Map<number, SandboxCalls>();
  const answered = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    channel.onmessage = (event) => {
      const m = (event as { data: Message }).data;
      if ('answer' in m && m.answer === id) byThread.set(m.threadId, m.counts);
      if (byThread.size >= threads) {
        clearTimeout(timer);
        resolve(true);
      }
    };
  });
  channel.postMessage({ ask: id } satisfies Message);
  const complete = await answered;
  channel.close();
  if (!complete) return { calls: Number.NaN, timed: Number.NaN };
  const total: SandboxCalls = { ...counts };
  for (const c of byThread.values()) {
    total.calls += c.calls;
    total.timed += c.timed;
  }
  return total;
}
