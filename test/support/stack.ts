import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import pino from 'pino';
import { createSmtpMailer } from '../../activities/mailer';
import { createApp } from '../../api/app';
import { DirectiveIdAllocator, RequestLedger } from '../../api/directives/directive-ids';
import { TemporalGateway } from '../../api/temporal-gateway';
import { FileStore } from '../../domain/file-store';
import { parseSigningKeys } from '../../domain/link-token';
import { buildRegistry, loadRegistry, type Registry } from '../../domain/registry';
import type { RegistryFile } from '../../domain/registry-schema';
import { createFarmanWorker } from '../../worker/create-worker';
import { SmtpSink } from './smtp-sink';

export const testSigningKeys = parseSigningKeys('t1:test-secret-0123456789abcdef0123456789abcdef');

let runtimeQuieted = false;

export interface TestStack {
  client: Client;
  gateway: TemporalGateway;
  registry: Registry;
  sink: SmtpSink;
  files: FileStore;
  dataDir: string;
  taskQueue: string;
  baseUrl: string;
  worker: Worker;
  /** Stops the worker (waiting for it), the HTTP server, the sink and the connections. */
  stop(): Promise<void>;
  /** Stops only the worker, as a crash would leave things; `startWorker` brings a new one. */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
}

export interface StackOptions {
  registry?: RegistryFile;
  shardSize?: number;
}

/**
 * A real Farman stack for one test file: a worker on its own task queue against the run's Temporal server,
 * the real express app on a random port, a real SMTP sink, and a data directory of its own.
 */
export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  if (!runtimeQuieted) {
    Runtime.install({ logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } });
    runtimeQuieted = true;
  }
  const address = process.env.FARMAN_TEST_TEMPORAL_ADDRESS!;
  const namespace = process.env.FARMAN_TEST_TEMPORAL_NAMESPACE!;
  const taskQueue = `farman-test-${randomUUID()}`;
  const dataDir = path.join(process.env.FARMAN_TEST_DIR!, taskQueue);
  mkdirSync(dataDir, { recursive: true });
  const registry = options.registry ? buildRegistry(options.registry) : loadRegistry();
  const sink = await SmtpSink.start();
  const files = new FileStore(path.join(dataDir, 'files'));

  const nativeConnection = await NativeConnection.connect({ address });
  const mailer = createSmtpMailer({ url: sink.url, ratePerSecond: 1000 });
  let worker!: Worker;
  let running: Promise<void> = Promise.resolve();
  const startWorker = async () => {
    worker = await createFarmanWorker({
      connection: nativeConnection,
      namespace,
      taskQueue,
      registry: () => registry,
      mailer,
      files,
      signingKeys: testSigningKeys,
      publicUrl: 'http://127.0.0.1:0',
      linkGraceMs: 86_400_000,
      mailFrom: 'Farman <farman@example.org>',
      workflowBundle: { codePath: process.env.FARMAN_TEST_WORKFLOW_BUNDLE! },
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
  await startWorker();

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const gateway = new TemporalGateway(client, { taskQueue, shardSize: options.shardSize });
  const app = createApp({
    registry: () => registry,
    gateway,
    files,
    ids: new DirectiveIdAllocator(path.join(dataDir, 'directives')),
    ledger: new RequestLedger(path.join(dataDir, 'requests')),
    logger: pino({ level: 'silent' }),
    temporalReady: async () => true,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as { port: number }).port;

  return {
    client,
    gateway,
    registry,
    sink,
    files,
    dataDir,
    taskQueue,
    baseUrl: `http://127.0.0.1:${port}`,
    get worker() {
      return worker;
    },
    stopWorker,
    startWorker,
    async stop() {
      await stopWorker();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      mailer.close();
      await sink.down();
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String((lastError as Error).message ?? lastError)}` : ''}`);
}

/** An ISO instant `seconds` from now. */
export function inSeconds(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString();
}
