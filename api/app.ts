import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { FileStore } from '../lib/file-store';
import type { SigningKey } from '../lib/link-token';
import type { Registry } from '../domain/registry';
import type { AuthServices } from './auth/auth-services';
import { loginRoutes } from './auth/login-routes';
import { authenticate, requireRole, verifyCsrf } from './auth/middleware';
import type { DirectiveIdAllocator, RequestLedger } from './directives/directive-ids';
import { dashboardRoutes } from './dashboard/routes';
import { exportApiRoutes } from './exports/routes';
import { officeApi } from './office/office-api';
import { pdfRenderer, type PdfRenderer } from './exports/pdf-renderer';
import { requestLogger } from './http/logging';
import { ApiMetrics } from './http/metrics';
import { securityHeaders } from './http/security-headers';
import { assetRoutes } from './pages/assets';
import { notFoundHandler, problemHandler } from './http/problem';
import type { TemporalGateway } from './temporal-gateway';
import { taskQueue } from '../workflows/contract';
import { unitPageRoutes } from './unit-pages/routes';
import { shortLinkRoutes } from './unit-pages/short-link-routes';
import type { ShortLinkStore } from '../lib/short-link';
import { inboxRoutes } from './unit-pages/inbox';
import type { HistoryArchive } from '../audit/archive';
import { auditRoutes } from './audit/routes';
import { RecordReader } from './hq/record-reader';
import { hqPageRoutes } from './hq/hq-routes';

export interface AppDeps {
  registry: () => Registry;
  gateway: TemporalGateway;
  files: FileStore;
  ids: DirectiveIdAllocator;
  ledger: RequestLedger;
  logger: Logger;
  /** Accounts, sessions and the sign-in limiter (api/auth). */
  auth: AuthServices;
  /** Verify the unit pages' link tokens (the worker signs with the first). */
  signingKeys: SigningKey[];
  /** The site's public base URL (PUBLIC_URL): links in mail point here; unit forms must come from its origin. */
  publicUrl: string;
  /** The proxies whose `X-Forwarded-For` is believed (TRUST_PROXY, api/config.ts); loopback only by default. */
  trustProxy?: readonly string[];
  /** How long after its deadline a link minted by the API (the inbox's links) still opens; 14 days by default. */
  linkGraceMs?: number;
  /** Resolves when Temporal answers; `/readyz` uses it. */
  temporalReady: () => Promise<boolean>;
  /** Request latency and business counters for `GET /metrics`; a fresh set when omitted. */
  metrics?: ApiMetrics;
  /** The task queue the deployment's workflows run on (the dashboard lists only those); the contract's by default. */
  taskQueue?: string;
  /** The Temporal Web UI (TEMPORAL_UI_URL), for the dashboard's links to each workflow. */
  temporalUiUrl?: string;
  /** Prints the PDF exports; the process's shared Chromium by default. */
  pdf?: PdfRenderer;
  /** The SMS short links (DATA_DIR/short-links) the worker writes; without it `/s/<code>` is not served. */
  shortLinks?: ShortLinkStore;
  /** The audit archive (ARCHIVE_DIR) the auditor's pages read; without it `/audit` is not served. */
  archive?: HistoryArchive;
}

/**
 * Builds the HTTP application without listening, so tests drive the real app in-process and `main.ts`
 * is the only place that binds a port.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // One reader per process: it keeps the outcomes of closed units, which never change.
  const reader = new RecordReader(deps.gateway, deps.taskQueue ?? taskQueue);
  app.set('trust proxy', deps.trustProxy ?? ['loopback']);
  app.use(requestLogger(deps.logger));
  const metrics = deps.metrics ?? new ApiMetrics();
  app.use(metrics.middleware);
  app.get('/metrics', metrics.handler);
  app.use(securityHeaders(deps.publicUrl));
  app.use('/assets', assetRoutes());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await deps.temporalReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'temporal unreachable' });
  });

  // District heads' pages: the signed link is the credential, so they sit before accounts and sessions.
  app.use('/u', unitPageRoutes(deps));
  // An SMS's short link: read-only, rate-limited, and answered with a redirect to the unit's page.
  if (deps.shortLinks) app.use('/s', shortLinkRoutes({ ...deps, shortLinks: deps.shortLinks }));
  app.use(
    '/k',
    inboxRoutes({ ...deps, taskQueue: deps.taskQueue ?? taskQueue, linkGraceMs: deps.linkGraceMs ?? 14 * 86_400_000 }),
  );

  // Reads a bearer token or session cookie when present; routes below decide who may pass.
  app.use(authenticate(deps));
  app.use(loginRoutes(deps));

  const api = express.Router();
  // Every API route needs a signed-in office, auditor or admin user; finer roles are per route.
  api.use(requireRole('office', 'auditor'));
  api.use(express.json({ limit: '1mb' }));
  // Session-cookie callers (the dashboard) must send the CSRF token on writes; bearer tokens need not.
  api.use(verifyCsrf);
  const pdf = deps.pdf ?? pdfRenderer;
  api.use('/directives', exportApiRoutes({ ...deps, pdf }));
  api.use(officeApi({ ...deps, pdf, reader, taskQueue: deps.taskQueue ?? taskQueue }));
  api.get('/units', (_req, res) => {
    res.json({
      units: deps.registry().units.map((u) => ({
        code: u.code,
        name: u.name,
        kind: u.kind,
        parent: u.parent ?? null,
        county: u.county ?? null,
        head: { title: u.head.title, name: u.head.name },
      })),
    });
  });
  api.use(notFoundHandler);
  api.use(problemHandler);
  app.use('/api/v1', api);
  // The auditor's pages: archive verification, timelines from recorded histories, archive downloads.
  if (deps.archive) app.use('/audit', auditRoutes({ archive: deps.archive, gateway: deps.gateway }));
  // The HQ's pages: `/scoreboard` and `/units/<code>` (office, auditor and admin users).
  app.use(hqPageRoutes({ ...deps, reader, taskQueue: deps.taskQueue ?? taskQueue }));
  // The office's dashboard: `/`, `/directives/...` (Persian pages; office, auditor and admin users).
  app.use(dashboardRoutes({ ...deps, pdf, taskQueue: deps.taskQueue ?? taskQueue }));
  return app;
}
