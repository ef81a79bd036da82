import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApp, type AppDeps } from '../../api/app';
import { createAuthServices } from '../../api/auth/auth-services';
import { DirectiveIdAllocator, RequestLedger } from '../../api/directives/directive-ids';
import type { TemporalGateway } from '../../api/temporal-gateway';
import { FileStore } from '../../lib/file-store';
import { loadRegistry } from '../../domain/registry';
import { testSigningKeys } from './stack';

export interface OfflineApp {
  baseUrl: string;
  deps: AppDeps;
  stop(): Promise<void>;
}

/**
 * The real express app without Temporal, for what never reaches a workflow (sign-in, accounts, headers,
 * the registry): the gateway is a placeholder that fails any call. Listens on a random loopback port.
 */
export async function startOfflineApp(overrides: Partial<AppDeps> = {}): Promise<OfflineApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'farman-offline-'));
  const gateway = new Proxy({} as TemporalGateway, {
    get: (_target, name) => {
      throw new Error(`the offline app has no Temporal (gateway.${String(name)})`);
    },
  });
  const deps: AppDeps = {
    registry: () => loadRegistry(),
    gateway,
    files: new FileStore(path.join(dataDir, 'files')),
    ids: new DirectiveIdAllocator(path.join(dataDir, 'directives')),
    ledger: new RequestLedger(path.join(dataDir, 'requests')),
    logger: pino({ level: 'silent' }),
    auth: createAuthServices({ dataDir, cookieSecure: false }),
    signingKeys: testSigningKeys,
    publicUrl: 'http://127.0.0.1',
    temporalReady: async () => true,
    ...overrides,
  };
  const app = createApp(deps);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    deps,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Posts the sign-in form as a browser would (nonce cookie and CSRF token from GET /login first). */
export async function signIn(
  baseUrl: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const page = await fetch(`${baseUrl}/login`, { headers });
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ _csrf: csrf, username, password }),
  });
}

/** Runs `use` against a fresh offline app and stops it afterwards, whatever happens. */
export async function withOfflineApp<T>(overrides: Partial<AppDeps>, use: (app: OfflineApp) => Promise<T>): Promise<T> {
  const app = await startOfflineApp(overrides);
  try {
    return await use(app);
  } finally {
    await app.stop();
  }
}
