import { loadApiConfig } from '../../api/config';
import { signIn, startOfflineApp, withOfflineApp, type OfflineApp } from '../support/offline-app';

const env = { LINK_SIGNING_KEYS: 'k1:0123456789abcdef0123456789abcdef', PUBLIC_URL: 'https://farman.example.org' };

/** Five failed sign-ins from one forwarded client, then one from another: 401 when they are told apart, 429 when not. */
async function sixthFailure(app: OfflineApp): Promise<number> {
  for (let i = 0; i < 5; i++)
    expect(
      (await signIn(app.baseUrl, `nobody${i}`, 'wrong-password-1', { 'x-forwarded-for': '203.0.113.1' })).status,
    ).toBe(401);
  return (await signIn(app.baseUrl, 'nobody5', 'wrong-password-1', { 'x-forwarded-for': '203.0.113.2' })).status;
}

describe('Client addresses behind a reverse proxy (TRUST_PROXY)', () => {
  test('When TRUST_PROXY is unset, empty or a list, then it is parsed; a public-looking word or a bad subnet is refused', () => {
    expect(loadApiConfig(env).TRUST_PROXY).toEqual(['loopback']);
    expect(loadApiConfig({ ...env, TRUST_PROXY: '' }).TRUST_PROXY).toEqual(['loopback']);
    expect(loadApiConfig({ ...env, TRUST_PROXY: 'loopback, 172.16.0.0/12,fd00::/8' }).TRUST_PROXY).toEqual([
      'loopback',
      '172.16.0.0/12',
      'fd00::/8',
    ]);
    for (const bad of ['true', '*', '10.0.0.0/33', 'proxy.example.org', ','])
      expect(() => loadApiConfig({ ...env, TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
  });

  test('When the hop in front is trusted, then each forwarded client has its own sign-in budget', async () => {
    expect(await withOfflineApp({ trustProxy: ['127.0.0.1'] }, sixthFailure)).toBe(401);
  });

  test('When the hop in front is not trusted, then X-Forwarded-For is ignored and the hop is the client', async () => {
    expect(await withOfflineApp({ trustProxy: ['172.16.0.0/12'] }, sixthFailure)).toBe(429);
  });
});

describe('Headers that keep content where it belongs', () => {
  test('When the public URL is https, then every response carries HSTS; over plain http it does not', async () => {
    const https = await startOfflineApp({ publicUrl: 'https://farman.example.org' });
    const http = await startOfflineApp({ publicUrl: 'http://localhost:3000' });
    try {
      expect((await fetch(`${https.baseUrl}/healthz`)).headers.get('strict-transport-security')).toBe(
        'max-age=31536000',
      );
      expect((await fetch(`${http.baseUrl}/healthz`)).headers.get('strict-transport-security')).toBeNull();
    } finally {
      await Promise.all([https.stop(), http.stop()]);
    }
  });

  test('When a signed-in user reads the API or a page, then the answer says no-store', async () => {
    await withOfflineApp({}, async (app) => {
      await app.deps.auth.accounts.create({ username: 'office', name: 'کارشناس', role: 'office' });
      const { token } = await app.deps.auth.accounts.createToken('office', 'tests');
      const units = await fetch(`${app.baseUrl}/api/v1/units`, { headers: { authorization: `Bearer ${token}` } });
      expect(units.status).toBe(200);
      expect(units.headers.get('cache-control')).toBe('no-store');
      const cookie = `farman_session=${await app.deps.auth.sessions.create((await app.deps.auth.accounts.findByUsername('office'))!.id, 0)}`;
      const home = await fetch(`${app.baseUrl}/`, { headers: { cookie }, redirect: 'manual' });
      expect(home.status).toBe(303);
      expect(home.headers.get('cache-control')).toBe('no-store');
    });
  });
});
