import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { FileStore } from '../domain/file-store';
import { loadRegistry } from '../domain/registry';
import { createApp } from './app';
import { loadApiConfig } from './config';
import { DirectiveIdAllocator, RequestLedger } from './directives/directive-ids';
import { createLogger } from './http/logging';
import { TemporalGateway } from './temporal-gateway';

/**
 * The API process. Shuts down gracefully on SIGINT/SIGTERM: stops accepting connections, lets requests in
 * flight finish (bounded), then closes the Temporal connection.
 */
async function main(): Promise<void> {
  const config = loadApiConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const registry = loadRegistry(config.REGISTRY_FILE);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = createApp({
    registry: () => registry,
    gateway: new TemporalGateway(client),
    files: new FileStore(path.join(config.DATA_DIR, 'files')),
    ids: new DirectiveIdAllocator(path.join(config.DATA_DIR, 'directives')),
    ledger: new RequestLedger(path.join(config.DATA_DIR, 'requests')),
    logger,
    temporalReady: async () => {
      try {
        await client.withDeadline(Date.now() + 2_000, () => connection.workflowService.describeNamespace({ namespace: config.TEMPORAL_NAMESPACE }));
        return true;
      } catch {
        return false;
      }
    },
  });
  const server = app.listen(config.PORT, config.HOST, () => logger.info({ url: `http://${config.HOST}:${config.PORT}` }, 'api listening'));
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'draining');
    server.close(() => {
      void connection.close().then(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
