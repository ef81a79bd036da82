import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli, startDevServer, type DevServer } from '../../worker/temporal-server';
import { workflowsPath } from '../../worker/create-worker';

declare global {
  var farmanTestServer: DevServer | undefined;
}

/**
 * Starts one real Temporal dev server (in-memory SQLite, random ports) for the whole run, unless
 * TEMPORAL_ADDRESS points at an existing server (the cluster run), and bundles the workflow code once.
 * Each test file then runs its own worker on its own task queue.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'farman-test-'));
  process.env.FARMAN_TEST_DIR = dir;
  if (!process.env.TEMPORAL_ADDRESS) {
    const server = await startDevServer({ cli: await ensureTemporalCli(), uiPort: null, logLevel: 'error' });
    globalThis.farmanTestServer = server;
    process.env.FARMAN_TEST_TEMPORAL_ADDRESS = server.address;
    process.env.FARMAN_TEST_TEMPORAL_NAMESPACE = server.namespace;
  } else {
    process.env.FARMAN_TEST_TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS;
    process.env.FARMAN_TEST_TEMPORAL_NAMESPACE = process.env.TEMPORAL_NAMESPACE ?? 'default';
  }
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve(workflowsPath), logger: quietLogger });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.FARMAN_TEST_WORKFLOW_BUNDLE = bundlePath;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
