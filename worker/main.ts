import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { createSmtpMailer } from '../activities/mailer';
import { FileStore } from '../domain/file-store';
import { loadRegistry } from '../domain/registry';
import { Client, Connection } from '@temporalio/client';
import { HistoryArchive } from '../domain/audit/archive';
import { archiveDirOf } from '../domain/config';
import { taskQueue } from '../workflows/contract';
import { Archiver } from './archiver';
import { loadWorkerConfig } from './config';
import { createFarmanWorker } from './create-worker';

/**
 * The worker process: `TEMPORAL_ADDRESS` must point at a running server (the start script starts the dev
 * server first). Stops gracefully on SIGINT/SIGTERM: the SDK finishes in-flight tasks before exiting.
 */
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const registry = loadRegistry(config.REGISTRY_FILE);
  const archive = new HistoryArchive(archiveDirOf(config));
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const mailer = createSmtpMailer({ url: config.SMTP_URL, ratePerSecond: config.MAIL_RATE_PER_SECOND });
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
    tuning: {
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    },
  });
  console.log(JSON.stringify({ level: 'info', msg: 'worker started', namespace: config.TEMPORAL_NAMESPACE, units: registry.units.length }));
  // Closed workflows are archived promptly, as Temporal drops them after the namespace's retention.
  const archiverConnection = config.ARCHIVER_INTERVAL_SECONDS ? await Connection.connect({ address: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' }) : null;
  const archiver = archiverConnection
    ? new Archiver({ client: new Client({ connection: archiverConnection, namespace: config.TEMPORAL_NAMESPACE }), archive, taskQueue, intervalMs: config.ARCHIVER_INTERVAL_SECONDS * 1000 })
    : null;
  await archiver?.start();
  try {
    await worker.run();
  } finally {
    await archiver?.stop();
    await archiverConnection?.close();
    mailer.close();
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
