import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { FileStore } from '../domain/file-store';
import type { Registry } from '../domain/registry';
import type { DirectiveIdAllocator, RequestLedger } from './directives/directive-ids';
import { directiveRoutes } from './directives/routes';
import { requestLogger } from './http/logging';
import { securityHeaders } from './http/security-headers';
import { assetRoutes } from './pages/assets';
import { notFoundHandler, problemHandler } from './http/problem';
import type { TemporalGateway } from './temporal-gateway';

export interface AppDeps {
  registry: () => Registry;
  gateway: TemporalGateway;
  files: FileStore;
  ids: DirectiveIdAllocator;
  ledger: RequestLedger;
  logger: Logger;
  /** Resolves when Temporal answers; `/readyz` uses it. */
  temporalReady: () => Promise<boolean>;
}

/**
 * Builds the HTTP application without listening, so tests drive the real app in-process and `main.ts`
 * is the only place that binds a port.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLogger(deps.logger));
  app.use(securityHeaders);
  app.use('/assets', assetRoutes());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await deps.temporalReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'temporal unreachable' });
  });

  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));
  // Until accounts exist (the office issue), every API caller acts as one anonymous office user.
  api.use((_req, res, next) => {
    res.locals.actor ??= { kind: 'office', id: 'anonymous' };
    next();
  });
  api.use('/directives', directiveRoutes(deps));
  api.get('/units', (_req, res) => {
    res.json({
      units: deps.registry().units.map((u) => ({ code: u.code, name: u.name, kind: u.kind, parent: u.parent ?? null, county: u.county ?? null, head: { title: u.head.title, name: u.head.name } })),
    });
  });
  api.use(notFoundHandler);
  api.use(problemHandler);
  app.use('/api/v1', api);
  return app;
}
