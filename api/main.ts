import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ShortLinkStore } from '../lib/short-link';
import { FileStore } from '../lib/file-store';
import { loadRegistry } from '../domain/registry';
import { createApp } from './app';
import { pdfRenderer } from './exports/pdf-renderer';
import { createAuthServices } from './auth/auth-services';
import { loadApiConfig } from './config';
import { DirectiveIdAllocator, RequestLedger } from './directives/directive-ids';
import { createJsonLogger, secretsFromEnv, startProcess } from '../lib/logging';
import { temporalAnswers } from '../lib/temporal-probe';
import { ApiMetrics } from './http/metrics';
import { TemporalGateway } from './temporal-gateway';
import { HistoryArchive } from '../audit/archive';
import { archiveDirOf } from '../lib/config';

/** How long requests in flight get to finish after SIGTERM before the process exits anyway. */
const drainTimeoutMs = 20_000;
/** Staged uploads older than this belong to no request: an upload finishes or fails in minutes. */
const stagingMaxAgeMs = 3_600_000;
/** How often ended sessions are deleted. */
const sessionSweepMs = 15 * 60_000;

/**
 * The API process. Logs JSON lines with a request id on each request's lines and tokens and secrets
 * redacted (lib/logging.ts). Shuts down gracefully on SIGINT/SIGTERM: stops accepting connections at
 * once, lets requests in flight finish (bounded by `drainTimeoutMs`), closes the Temporal connection and
 * exits 0 (1 when the drain timed out).
 */
async function main(): Promise<void> {
  const { logger, config } = startProcess('farman-api', () => loadApiConfig());
  const metrics = new ApiMetrics({ token: config.METRICS_TOKEN });
  const registry = loadRegistry(config.REGISTRY_FILE);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const namespace = config.TEMPORAL_NAMESPACE;
  const client = new Client({ connection, namespace });
  const files = new FileStore(path.join(config.DATA_DIR, 'files'));
  // Uploads a crash left in staging (a request's own files are gone within its request).
  const sweepStaging = () =>
    files.sweepStaging(stagingMaxAgeMs).catch((err: unknown) => logger.warn({ err }, 'staging sweep failed'));
  await sweepStaging();
  setInterval(() => void sweepStaging(), stagingMaxAgeMs).unref();
  const auth = createAuthServices({
    dataDir: config.DATA_DIR,
    sessionSecret: config.SESSION_SECRET,
    cookieSecure: config.COOKIE_SECURE,
  });
  // Ended sessions (signed out by time, idle, or a new generation) are deleted here, not only when read.
  setInterval(
    () => void auth.sessions.sweep().catch((err: unknown) => logger.warn({ err }, 'session sweep failed')),
    sessionSweepMs,
  ).unref();
  const app = createApp({
    archive: new HistoryArchive(archiveDirOf(config)),
    registry: () => registry,
    gateway: new TemporalGateway(client, { observer: metrics.gatewayObserver }),
    files,
    shortLinks: new ShortLinkStore(path.join(config.DATA_DIR, 'short-links')),
    ids: new DirectiveIdAllocator(path.join(config.DATA_DIR, 'directives')),
    ledger: new RequestLedger(path.join(config.DATA_DIR, 'requests')),
    logger,
    auth,
    signingKeys: config.LINK_SIGNING_KEYS,
    publicUrl: config.PUBLIC_URL,
    trustProxy: config.TRUST_PROXY,
    linkGraceMs: config.LINK_GRACE_DAYS * 86_400_000,
    temporalReady: () => temporalAnswers(connection, namespace),
    metrics,
    temporalUiUrl: config.TEMPORAL_UI_URL,
  });
  const server = app.listen(config.PORT, config.HOST, () =>
    logger.info({ url: `http://${config.HOST}:${config.PORT}` }, 'api listening'),
  );
  const shutdown = (signal: string) => {
    logger.info({ signal, drainTimeoutMs }, 'draining: no new connections, requests in flight finish');
    server.close(() => {
      logger.info('drained');
      void Promise.all([connection.close(), pdfRenderer.close()]).then(() => process.exit(0));
    });
    // A keep-alive connection turns idle once its last response is out; close each one then rather than
    // waiting for the client or the keep-alive timeout.
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 200).unref();
    setTimeout(() => {
      logger.error('drain timed out; exiting with requests still open');
      process.exit(1);
    }, drainTimeoutMs).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  createJsonLogger({ service: 'farman-api', level: 'info', secrets: secretsFromEnv(process.env) }).fatal(
    { err },
    'api failed',
  );
  process.exit(1);
});
