import type { Server } from 'node:http';
import path from 'node:path';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { createSmtpMailer } from '../activities/mailer';
import { FileSentLedger } from '../activities/sent-ledger';
import { SmppClient } from '../activities/sms/smpp-client';
import { SmsLedger, type SmsLedgerEntry } from '../activities/sms/sms-ledger';
import { ShortLinkStore } from '../lib/short-link';
import { FileStore } from '../lib/file-store';
import { createJsonLogger, secretsFromEnv, startProcess } from '../lib/logging';
import { loadRegistry } from '../domain/registry';
import { Client, Connection } from '@temporalio/client';
import { HistoryArchive } from '../audit/archive';
import { archiveDirOf } from '../lib/config';
import { taskQueue } from '../workflows/contract';
import { Archiver } from './archiver';
import { recordSmsReceipts } from './sms-receipts';
import { temporalAnswers } from '../lib/temporal-probe';
import { loadWorkerConfig } from './config';
import { createFarmanWorker } from './create-worker';
import { startHealthServer } from './health-server';
import { runtimeLogger, smtpTransportLogger } from './logging';
import { WorkerMetrics } from './metrics';

/**
 * The worker process: `TEMPORAL_ADDRESS` must point at a running server (the start script starts the dev
 * server first). Logs JSON lines with tokens and secrets redacted (lib/logging.ts), the SDK's and the
 * activities' logs included. On SIGTERM/SIGINT it stops polling, lets running tasks finish within
 * WORKER_SHUTDOWN_GRACE_SECONDS (then cancels them, and Temporal hands them to another worker), and exits 0.
 */
async function main(): Promise<void> {
  const { logger, config } = startProcess('farman-worker', () => loadWorkerConfig());
  // The runtime is configured once per process and before any connection: afterwards it is too late.
  Runtime.install({
    logger: runtimeLogger(logger),
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(config.WORKER_METRICS_PORT
        ? { metrics: { prometheus: { bindAddress: `${config.WORKER_LISTEN_HOST}:${config.WORKER_METRICS_PORT}` } } }
        : {}),
    },
  });

  const registry = loadRegistry(config.REGISTRY_FILE);
  const archive = new HistoryArchive(archiveDirOf(config));
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const mailer = createSmtpMailer({
    url: config.SMTP_URL,
    ratePerSecond: config.MAIL_RATE_PER_SECOND,
    logger: smtpTransportLogger(logger),
  });
  const sms = config.SMS_URL
    ? {
        sender: new SmppClient({
          url: config.SMS_URL,
          sourceAddress: config.SMS_SOURCE_ADDRESS,
          ratePerSecond: config.SMS_RATE_PER_SECOND,
          window: config.SMS_WINDOW,
          receipts: config.SMS_RECEIPTS,
          log: (event: string, fields: Record<string, unknown>) =>
            logger.info({ ...fields, smsc: 'smpp' }, `SMSC ${event}`),
        }),
        shortLinks: new ShortLinkStore(path.join(config.DATA_DIR, 'short-links')),
        ledger: new SmsLedger(new FileSentLedger<SmsLedgerEntry>(path.join(config.DATA_DIR, 'sms', 'sent.jsonl'))),
        linkBase: config.SMS_LINK_BASE,
      }
    : undefined;
  const metrics = new WorkerMetrics();
  const graceSeconds = config.WORKER_SHUTDOWN_GRACE_SECONDS;
  const worker = await createFarmanWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    registry: () => registry,
    mailer,
    files: new FileStore(path.join(config.DATA_DIR, 'files')),
    signingKeys: config.LINK_SIGNING_KEYS,
    publicUrl: config.PUBLIC_URL,
    linkGraceMs: config.LINK_GRACE_DAYS * 86_400_000,
    mailFrom: config.MAIL_FROM,
    archive,
    mailObserver: metrics.mailObserver,
    sentLedger: new FileSentLedger(path.join(config.DATA_DIR, 'mail', 'sent.jsonl')),
    sms,
    ...(config.WORKFLOW_BUNDLE ? { workflowBundle: { codePath: path.resolve(config.WORKFLOW_BUNDLE) } } : {}),
    tuning: {
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
      workflowThreadPoolSize: config.WORKER_WORKFLOW_THREADS,
      shutdownGraceTime: `${graceSeconds}s`,
      // Past this the SDK gives up on a clean stop; the process then exits non-zero and the tasks time out.
      shutdownForceTime: `${graceSeconds + 10}s`,
    },
  });
  const namespace = config.TEMPORAL_NAMESPACE;
  let health: Server | null = null;
  if (config.WORKER_HEALTH_PORT) {
    health = await startHealthServer({
      host: config.WORKER_LISTEN_HOST,
      port: config.WORKER_HEALTH_PORT,
      state: () => worker.getState(),
      temporalReady: () => temporalAnswers(connection, namespace),
      metrics: metrics.registry,
    });
  }
  const shutdown = (signal: string) => {
    logger.info({ signal, graceSeconds }, 'draining: no new tasks, running ones get the grace period');
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));

  logger.info(
    {
      namespace,
      units: registry.units.length,
      metricsPort: config.WORKER_METRICS_PORT || null,
      healthPort: config.WORKER_HEALTH_PORT || null,
    },
    'worker started',
  );
  // Closed workflows are archived promptly, as Temporal drops them after the namespace's retention.
  const archiverConnection = config.ARCHIVER_INTERVAL_SECONDS
    ? await Connection.connect({ address: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' })
    : null;
  const archiver = archiverConnection
    ? new Archiver({
        client: new Client({ connection: archiverConnection, namespace: config.TEMPORAL_NAMESPACE }),
        archive,
        taskQueue,
        intervalMs: config.ARCHIVER_INTERVAL_SECONDS * 1000,
        log: (msg, fields) => logger.info(fields, msg),
      })
    : null;
  await archiver?.start();
  // Delivery receipts arrive on the SMPP session and are recorded in their units' histories.
  const receiptConnection = sms
    ? await Connection.connect({ address: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' })
    : null;
  if (sms && receiptConnection) {
    recordSmsReceipts(
      sms.sender,
      sms.ledger,
      new Client({ connection: receiptConnection, namespace: config.TEMPORAL_NAMESPACE }),
      (msg, fields) => logger.warn(fields, msg),
    );
  }
  try {
    await worker.run();
  } finally {
    await archiver?.stop();
    await archiverConnection?.close();
    health?.close();
    mailer.close();
    await sms?.sender.close();
    await receiptConnection?.close();
    await connection.close();
  }
  logger.info('worker stopped');
  process.exit(0);
}

main().catch((err: unknown) => {
  createJsonLogger({ service: 'farman-worker', level: 'info', secrets: secretsFromEnv(process.env) }).fatal(
    { err },
    'worker failed',
  );
  process.exit(1);
});
