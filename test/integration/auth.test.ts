import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

interface OpenApi {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
}

/** Fills `{param}` placeholders with values of the right shape, so the request reaches the route. */
function concrete(path: string): string {
  const samples: Record<string, string> = {
    id: '1405-000001',
    code: 'THR-TEH-MRK',
    requestId: 'r1',
    sha256: 'a'.repeat(64),
    username: 'office',
    tokenId: 't_000000000000',
    format: 'csv',
  };
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => samples[name] ?? 'x');
}

/** The Set-Cookie headers of a response, by cookie name, with their attributes. */
function setCookies(res: Response): Map<string, string> {
  return new Map(res.headers.getSetCookie().map((c) => [c.slice(0, c.indexOf('=')), c]));
}

function cookieValue(setCookie: string): string {
  return setCookie.slice(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
}

/** Opens the sign-in page like a browser: returns the pre-session cookie and the form's CSRF token. */
async function openLogin(): Promise<{ cookie: string; csrf: string; page: string }> {
  const res = await fetch(`${stack.baseUrl}/login`);
  const page = await res.text();
  const set = [...setCookies(res).values()][0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
  return { cookie: `${set.slice(0, set.indexOf('='))}=${cookieValue(set)}`, csrf, page };
}

function postLogin(cookie: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${stack.baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('Authentication everywhere', () => {
  test('When any documented API route is called without credentials or with a bad token, then it answers 401 problem+json', async () => {
    const doc = (await (await stack.api('/api/v1/openapi.json')).json()) as OpenApi;
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ path, method })),
    );
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const { path, method } of [
      ...routes,
      { path: '/openapi.json', method: 'get' },
      { path: '/units', method: 'get' },
      { path: '/no-such-route', method: 'get' },
    ]) {
      for (const headers of [
        {},
        { authorization: 'Bearer farman_not-a-real-token' },
        { authorization: 'Basic b2ZmaWNlOng=' },
      ] as Record<string, string>[]) {
        const res = await fetch(`${stack.baseUrl}/api/v1${concrete(path)}`, {
          method: method.toUpperCase(),
          headers: { ...headers, 'content-type': 'application/json' },
          body: method === 'get' ? undefined : '{}',
        });
        expect({ route: `${method} ${path}`, status: res.status }).toEqual({ route: `${method} ${path}`, status: 401 });
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    }
  });

  test('When a page is opened without a session, then it redirects to the sign-in page; public routes still answer', async () => {
    const page = await fetch(`${stack.baseUrl}/`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2F');
    for (const path of ['/healthz', '/readyz', '/login', '/assets/farman.css'])
      expect((await fetch(`${stack.baseUrl}${path}`)).status).toBe(200);
  });
});

describe('Roles', () => {
  test('When an auditor tries to issue or act, then 403; reading is allowed', async () => {
    const issue = await stack.api('/api/v1/directives', { as: 'auditor', method: 'POST', json: {} });
    expect(issue.status).toBe(403);
    expect(((await issue.json()) as { detail: string }).detail).toMatch(/office/);
    const cancel = await stack.api('/api/v1/directives/1405-000001/cancel', {
      as: 'auditor',
      method: 'POST',
      json: { reason: 'x' },
    });
    expect(cancel.status).toBe(403);
    const remind = await stack.api('/api/v1/directives/1405-000001/units/THR-TEH-MRK/remind', {
      as: 'auditor',
      method: 'POST',
      json: {},
    });
    expect(remind.status).toBe(403);
    expect((await stack.api('/api/v1/directives', { as: 'auditor' })).status).toBe(200);
    expect((await stack.api('/api/v1/openapi.json', { as: 'auditor' })).status).toBe(200);
  });

  test('When office staff try to manage accounts, then 403; an admin creates an account and a token, which works until revoked', async () => {
    expect((await stack.api('/api/v1/accounts', { as: 'office' })).status).toBe(403);
    expect(
      (
        await stack.api('/api/v1/accounts', {
          as: 'office',
          method: 'POST',
          json: { username: 'someone', name: 'کسی', role: 'admin' },
        })
      ).status,
    ).toBe(403);
    expect((await stack.api('/api/v1/accounts', { as: 'auditor' })).status).toBe(403);

    const created = await stack.api('/api/v1/accounts', {
      as: 'admin',
      method: 'POST',
      json: { username: 'Sara.K', name: 'سارا كريمي', role: 'auditor' },
    });
    expect(created.status).toBe(201);
    const account = (await created.json()) as { username: string; name: string; hasPassword: boolean };
    expect(account).toMatchObject({ username: 'sara.k', name: 'سارا کریمی', hasPassword: false });
    const again = await stack.api('/api/v1/accounts', {
      as: 'admin',
      method: 'POST',
      json: { username: 'sara.k', name: 'سارا', role: 'office' },
    });
    expect(again.status).toBe(409);

    const tokenRes = await stack.api('/api/v1/accounts/sara.k/tokens', {
      as: 'admin',
      method: 'POST',
      json: { name: 'laptop' },
    });
    expect(tokenRes.status).toBe(201);
    const { id, token } = (await tokenRes.json()) as { id: string; token: string };
    const withToken = (path: string, init: RequestInit = {}) =>
      fetch(`${stack.baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    expect((await withToken('/api/v1/directives')).status).toBe(200);
    expect((await withToken('/api/v1/directives', { method: 'POST', body: '{}' })).status).toBe(403);
    const list = (await (await stack.api('/api/v1/accounts', { as: 'admin' })).json()) as {
      accounts: Record<string, unknown>[];
    };
    expect(JSON.stringify(list)).not.toMatch(/scrypt|sha256|farman_/);

    expect((await stack.api(`/api/v1/accounts/sara.k/tokens/${id}`, { as: 'admin', method: 'DELETE' })).status).toBe(
      204,
    );
    expect((await withToken('/api/v1/directives')).status).toBe(401);
  });
});

describe('Browser sessions', () => {
  test('When a user signs in, then the session cookie is Secure, HttpOnly and SameSite=Strict, works for reading, and needs the CSRF token to write', async () => {
    const { cookie, csrf, page } = await openLogin();
    expect(page).toContain('dir="rtl"');
    expect(page).toContain('ورود');
    const res = await postLogin(cookie, {
      _csrf: csrf,
      username: 'OFFICE',
      password: stack.accounts.office.password,
      next: '/directives',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/directives');
    const session = setCookies(res).get('__Host-farman_session')!;
    expect(session).toBeDefined();
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*SameSite=Strict/i);
    expect(session).toMatch(/;\s*Path=\//i);
    const sessionCookie = `__Host-farman_session=${cookieValue(session)}`;

    expect((await fetch(`${stack.baseUrl}/api/v1/directives`, { headers: { cookie: sessionCookie } })).status).toBe(
      200,
    );
    const noCsrf = await fetch(`${stack.baseUrl}/api/v1/directives/1405-000001/cancel`, {
      method: 'POST',
      headers: { cookie: sessionCookie, 'content-type': 'application/json' },
      body: '{"reason":"x"}',
    });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { type: string }).type).toMatch(/csrf-failed/);

    // Sign-out is a form too: without its token it is refused and the session lives on.
    const logoutNoToken = await fetch(`${stack.baseUrl}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: sessionCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(logoutNoToken.status).toBe(403);
    const logoutWrongToken = await fetch(`${stack.baseUrl}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: sessionCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${csrf}`,
    });
    expect(logoutWrongToken.status).toBe(403);
    expect((await fetch(`${stack.baseUrl}/api/v1/directives`, { headers: { cookie: sessionCookie } })).status).toBe(
      200,
    );

    const { csrfToken } = await stack.auth.sessions.read(cookieValue(session)).then((s) => s!);
    const logout = await fetch(`${stack.baseUrl}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: sessionCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${encodeURIComponent(csrfToken)}`,
    });
    expect(logout.status).toBe(303);
    expect(logout.headers.get('location')).toBe('/login');
    expect((await fetch(`${stack.baseUrl}/api/v1/directives`, { headers: { cookie: sessionCookie } })).status).toBe(
      401,
    );
  });

  test('When the sign-in form comes without its CSRF token, or a forged session cookie is sent, then neither works', async () => {
    const { cookie } = await openLogin();
    const res = await postLogin(cookie, { username: 'office', password: stack.accounts.office.password });
    expect(res.status).toBe(403);
    expect(setCookies(res).has('__Host-farman_session')).toBe(false);
    const forged = await fetch(`${stack.baseUrl}/api/v1/directives`, {
      headers: { cookie: '__Host-farman_session=abc.def' },
    });
    expect(forged.status).toBe(401);
  });

  test('When the next address points to another site, then sign-in goes home instead', async () => {
    const { cookie, csrf } = await openLogin();
    const res = await postLogin(cookie, {
      _csrf: csrf,
      username: 'auditor',
      password: stack.accounts.auditor.password,
      next: '//evil.example/x',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });

  // Last in this file: it exhausts the sign-in budget of 127.0.0.1.
  test('When a password is guessed wrongly five times, then the sixth attempt gets 429 with a Persian message, even with the right password', async () => {
    const { cookie, csrf } = await openLogin();
    for (let i = 0; i < 5; i++) {
      const res = await postLogin(cookie, { _csrf: csrf, username: 'admin', password: `wrong-password-${i}` });
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('نادرست');
    }
    const blocked = await postLogin(cookie, {
      _csrf: csrf,
      username: 'admin',
      password: stack.accounts.admin.password,
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.text()).toContain('تلاش‌های ناموفق');
    expect(setCookies(blocked).has('__Host-farman_session')).toBe(false);
  });
});
