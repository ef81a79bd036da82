import vm from 'node:vm';

/**
 * The sandbox execution timeout the SDK gives its replayer (which runs in debug mode): 2^32 − 1 ms, about
 * 49.7 days. It never fires, yet Node starts and joins a watchdog thread for every call into the sandbox
 * that carries it.
 */
export const replayerSandboxTimeoutMs = 4_294_967_295;

/** What `tuneProcessForReplay` changed; false where the SDK's internals were not as expected (nothing changed). */
export interface ReplayTuning {
  /** Calls into the sandbox with the replayer's never-firing timeout run without a watchdog thread. */
  watchdogDropped: boolean;
  /** The SDK's stack-trace promise hook is stopped. */
  stackTraceHookStopped: boolean;
}

interface SdkGlobalHandlers {
  install(): void;
  stopPromiseHook(): void;
  promiseHookInstalled: boolean;
}

/**
 * Removes two per-call costs of the SDK's workflow sandbox that buy nothing in a process that only replays
 * (audit/replay-process.ts); together they are about half of a directive's replay time:
 *
 * - **The watchdog thread per sandbox call.** Calls that carry the replayer's never-firing timeout
 *   (`replayerSandboxTimeoutMs`) run without it; any other timeout is kept. What guards a replay against a
 *   workflow that never yields is the parent's deadline per history (`ReplayOptions.historyTimeoutMs`).
 * - **The stack-trace promise hook**, which captures and formats a stack for every promise created in
 *   workflow code, for the `__stack_trace` query. A replayer answers no queries, and while any promise hook
 *   is installed, V8 takes its slow path for every promise in the process.
 *
 * Must be called before the first replay worker is created, in a process that does nothing else: both
 * changes are process-wide. The hook is reached through the SDK's internal `vm-shared` module; if a later
 * SDK moves it, that part is skipped (`stackTraceHookStopped: false`) and replay is only slower.
 */
export function tuneProcessForReplay(): ReplayTuning {
  return tuneSandbox((timeoutMs) => timeoutMs === replayerSandboxTimeoutMs);
}

/**
 * The two changes of `tuneProcessForReplay` for the calling thread's process (the `vm` prototype and the
 * SDK's handlers are per thread): calls whose timeout `drop` selects run without a watchdog, and the
 * stack-trace hook is stopped. Exported for the benchmark, which measures what the sandbox costs a live
 * worker by dropping every timeout there (bench/sandbox-calls.ts); a live worker must keep its timeout,
 * which is its deadlock detector.
 */
export function tuneSandbox(drop: (timeoutMs: number) => boolean): ReplayTuning {
  const { prototype } = vm.Script;
  const runInContext = Object.getOwnPropertyDescriptor(prototype, 'runInContext')!.value as (
    this: vm.Script,
    context: vm.Context,
    options?: vm.RunningScriptOptions,
  ) => unknown;
  prototype.runInContext = function (this: vm.Script, context: vm.Context, options?: vm.RunningScriptOptions) {
    return runInContext.call(
      this,
      context,
      options?.timeout !== undefined && drop(options.timeout) ? { ...options, timeout: undefined } : options,
    );
  };
  return { watchdogDropped: true, stackTraceHookStopped: stopStackTraceHook() };
}

function stopStackTraceHook(): boolean {
  let handlers: Partial<SdkGlobalHandlers> | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handlers = (require('@temporalio/worker/lib/workflow/vm-shared') as { globalHandlers?: Partial<SdkGlobalHandlers> })
      .globalHandlers;
  } catch {
    return false;
  }
  if (typeof handlers?.install !== 'function' || typeof handlers.stopPromiseHook !== 'function') return false;
  // `install` is idempotent: the replay worker's own call later finds it done and installs no second hook.
  handlers.install();
  handlers.stopPromiseHook();
  // Workflows are then told that stack traces are off, as on a runtime without promise hooks.
  handlers.promiseHookInstalled = false;
  return true;
}
