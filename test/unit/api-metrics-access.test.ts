import type { Server } from 'node:http';
import express from 'express';
import { ApiMetrics } from '../../api/http/metrics';

async function serve(metrics: ApiMetrics): Promise<{ url: string; server: Server }> {
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(metrics.middleware);
  app.get('/metrics', metrics.handler);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`, server };
}

describe('Who may read the API metrics', () => {
  test('When no METRICS_TOKEN is set, then only a direct caller on the same host reads them, never one through a proxy', async () => {
    const { url, server } = await serve(new ApiMetrics());
    try {
      const direct = await fetch(url);
      expect(direct.status).toBe(200);
      expect(await direct.text()).toContain('farman_http_request_duration_seconds');
      expect((await fetch(url, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(404);
      expect((await fetch(url, { headers: { forwarded: 'for=203.0.113.9' } })).status).toBe(404);
    } finally {
      server.close();
    }
  });

  test('When METRICS_TOKEN is set, then the bearer token is required, even from the same host', async () => {
    const { url, server } = await serve(new ApiMetrics({ token: 'scrape-token-0123456789' }));
    try {
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer scrape-token-012345678' } })).status).toBe(401);
      expect(
        (
          await fetch(url, {
            headers: { authorization: 'Bearer scrape-token-0123456789', 'x-forwarded-for': '203.0.113.9' },
          })
        ).status,
      ).toBe(200);
    } finally {
      server.close();
    }
  });
});
