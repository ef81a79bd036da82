import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createSmtpMailer } from '../activities/mailer';
import { FileSentLedger } from '../activities/sent-ledger';
import { FileStore } from '../lib/file-store';
import { parseSigningKeys } from '../lib/link-token';
import { buildRegistry } from '../domain/registry';
import { createFarmanWorker } from '../worker/create-worker';
import { sandboxCalls } from './sandbox-calls';
import { benchTaskQueue } from './workflows/contract';
import type { WorkerCommand, WorkerReply, WorkerSpec } from './worker-protocol';

/**
 * A benchmark worker in its own process (started by bench/worker-host.ts with `--expose-gc`), so its
 * memory is its own and can be measured after a forced GC. Speaks the IPC protocol of worker-protocol.ts:
 * `start` creates and runs the B0 or B1 worker, `memory` answers `process.memoryUsage()` after `gc()`,
 * `stop` drains the worker and exits.
 */

const send = (reply: WorkerReply) => process.send?.(reply);
const noop = () => undefined;
Runtime.install({
  logger: {
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: (m: string, meta?: unknown) => console.error(m, meta),
    log: noop,
  },
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
});

let worker: Worker | null = null;
let running: Promise<void> = Promise.resolve();
let close: () => Promise<void> = async () => undefined;

let started: WorkerSpec | null = null;

async function start(spec: WorkerSpec): Promise<void> {
  started = spec;
  const connection = await NativeConnection.connect({ address: spec.address });
  const tuning = spec.tuning;
  if (spec.variant === 'b0') {
    worker = await Worker.create({
      connection,
      namespace: spec.namespace,
      taskQueue: benchTaskQueue,
      workflowBundle: { codePath: spec.bundlePath },
      ...tuning,
    });
    close = () => connection.close();
  } else {
    const registryFile: unknown = JSON.parse(readFileSync(spec.registryFile!, 'utf8'));
    const registry = buildRegistry(registryFile as Parameters<typeof buildRegistry>[0]);
    const mailer = createSmtpMailer({ url: spec.smtpUrl!, ratePerSecond: spec.mailRatePerSecond! });
    worker = await createFarmanWorker({
      connection,
      namespace: spec.namespace,
      registry: () => registry,
      mailer,
      files: new FileStore(path.join(spec.dataDir!, 'files')),
      signingKeys: parseSigningKeys(spec.signingKeys!),
      publicUrl: spec.publicUrl!,
      linkGraceMs: 86_400_000,
      mailFrom: 'Farman <farman@example.org>',
      workflowBundle: { codePath: spec.bundlePath },
      tuning,
      sentLedger: new FileSentLedger(path.join(spec.dataDir!, 'mail', 'sent.jsonl')),
    });
    close = async () => {
      mailer.close();
      await connection.close();
    };
  }
  running = worker.run();
}

function memory(): WorkerReply {
  (global as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return {
    type: 'memory',
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    gcForced: typeof (global as { gc?: unknown }).gc === 'function',
  };
}

process.on('message', (command: WorkerCommand) => {
  void (async () => {
    try {
      if (command.type === 'start') {
        await start(command.spec);
        send({ type: 'started', pid: process.pid });
      } else if (command.type === 'memory') {
        send(memory());
      } else if (command.type === 'sandboxCalls') {
        // The SDK runs workflows on `workflowThreadPoolSize` threads (1 with reused contexts, its default).
        send({ type: 'sandboxCalls', ...(await sandboxCalls(started?.tuning.workflowThreadPoolSize ?? 1)) });
      } else if (command.type === 'stop') {
        if (worker?.getState() === 'RUNNING') worker.shutdown();
        await running;
        await close();
        send({ type: 'stopped' });
        process.disconnect?.();
        process.exit(0);
      }
    } catch (err) {
      send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});
