import { Runtime } from '@temporalio/worker';

// The SDK logs every worker state change at INFO; tests keep errors only. Installed once per test file,
// before any worker, replayer or connection exists (the runtime cannot be reconfigured afterwards).
const noop = () => undefined;
try {
  Runtime.install({ logger: { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop } });
} catch {
  // Already installed in this process by an earlier file: keep that one.
}
