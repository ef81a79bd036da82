import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthServerOptions {
  host: string;
  port: number;
  /** The worker's state (`Worker.getState()`); only `RUNNING` is healthy. */
  state: () => string;
  /** Whether Temporal answers for the worker's namespace now. */
  temporalReady: () => Promise<boolean>;
  metrics: Registry;
}

/**
 * The worker's small HTTP server:
 * - `GET /healthz`: 200 while the worker is `RUNNING` (polling), 503 before it runs and once it drains;
 * - `GET /readyz`: 200 when it is running and Temporal answers for its namespace, else 503 with the reason;
 * - `GET /metrics`: the worker's own series (worker/metrics.ts) in the Prometheus text format.
 * It has no authentication: bind it to an address only the scraper reaches.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, { status: 'method not allowed' });
    if (path === '/healthz') {
      const state = options.state();
      return reply(state === 'RUNNING' ? 200 : 503, {
        status: state === 'RUNNING' ? 'ok' : 'not running',
        worker: state,
      });
    }
    if (path === '/readyz') {
      const state = options.state();
      if (state !== 'RUNNING') return reply(503, { status: 'not running', worker: state });
      void options.temporalReady().then(
        (ready) => reply(ready ? 200 : 503, { status: ready ? 'ready' : 'temporal unreachable', worker: state }),
        () => reply(503, { status: 'temporal unreachable', worker: state }),
      );
      return;
    }
    if (path === '/metrics') {
      void options.metrics.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.metrics.contentType }).end(text),
        () => reply(500, { status: 'metrics failed' }),
      );
      return;
    }
    reply(404, { status: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
