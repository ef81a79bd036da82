import type { OfficeApiDeps } from '../../api/office/office-operations';
import { officeOperations } from '../../api/office/office-operations';
import { directiveBody, issueViaApi } from '../support/directives';
import { noticeLink } from '../../reliability/harness/unit-links';
import { inSeconds, startStack, type TestStack } from '../support/stack';

/**
 * The office side beyond test/integration/auth.test.ts (which covers 401 on every route, a few role
 * refusals, the cookie flags, CSRF on one route and the per-address sign-in limit): here every write
 * operation against every role that may not use it, CSRF on every write operation and on the dashboard's
 * forms, and the per-account sign-in limit across many addresses. Nothing refused may change anything.
 */

let stack: TestStack;
let directiveId: string;
const unit = 'THR-TEH-MRK';
beforeAll(async () => {
  stack = await startStack({ cookieSecure: false });
  ({ id: directiveId } = await issueViaApi(
    stack,
    directiveBody({
      targets: { mode: 'list', codes: [unit] },
      acknowledgeBy: inSeconds(3_600),
      reportBy: inSeconds(7_200),
      escalation: [],
    }),
  ));
  await noticeLink(stack, directiveId, unit);
});
afterAll(async () => {
  await stack?.stop();
});

/** The operation table as the router serves it; building it reads no dependency. */
const operations = officeOperations({} as OfficeApiDeps);
const writes = operations.filter((op) => op.method !== 'get');

function concrete(path: string): string {
  const samples: Record<string, string> = {
    code: unit,
    requestId: 'r1',
    sha256: 'a'.repeat(64),
    username: 'office',
    tokenId: 't_000000000000',
  };
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'id' ? directiveId : (samples[name] ?? 'x')));
}

/** What the unit's history holds, apart from mail bookkeeping. */
async function unitFacts(): Promise<string> {
  const s = await stack.gateway.unitState(directiveId, unit);
  return JSON.stringify(s.log.filter((t) => t.event.type !== 'mailRecorded').map((t) => t.event.type));
}

describe('Roles on every operation', () => {
  test('When an auditor or office user calls a write operation not meant for their role, then every one answers 403 and nothing changes', async () => {
    expect(writes.length).toBeGreaterThanOrEqual(12);
    const before = await unitFacts();
    let refused = 0;
    for (const op of writes) {
      for (const role of ['auditor', 'office'] as const) {
        if (op.roles.includes(role)) continue;
        const res = await stack.api(`/api/v1${concrete(op.path)}`, {
          as: role,
          method: op.method.toUpperCase(),
          json: { reason: 'دلیل', note: 'یادداشت' },
        });
        expect({ op: op.operationId, role, status: res.status, type: res.headers.get('content-type') }).toEqual({
          op: op.operationId,
          role,
          status: 403,
          type: expect.stringMatching(/^application\/problem\+json/),
        });
        refused += 1;
      }
    }
    expect(refused).toBeGreaterThanOrEqual(writes.length);
    expect(await unitFacts()).toBe(before);
  });
});

describe('CSRF on every write', () => {
  test("When a signed-in browser sends any write operation without its CSRF token, or with another session's, then 403 csrf-failed and nothing changes", async () => {
    const office = await stack.session('office');
    const other = await stack.session('admin');
    const before = await unitFacts();
    for (const op of writes) {
      for (const token of [undefined, other.csrfToken, '']) {
        const headers: Record<string, string> = { cookie: office.cookie, 'content-type': 'application/json' };
        if (token !== undefined) headers['x-csrf-token'] = token;
        const res = await fetch(`${stack.baseUrl}/api/v1${concrete(op.path)}`, {
          method: op.method.toUpperCase(),
          headers,
          body: JSON.stringify({ reason: 'دلیل' }),
        });
        const problem = res.status === 403 ? ((await res.json()) as { type?: string }).type : undefined;
        // An office session may not use admin routes at all: the role check answers first, also 403.
        expect({
          op: op.operationId,
          token: token === undefined ? 'none' : token ? 'another session' : 'empty',
          status: res.status,
        }).toEqual({
          op: op.operationId,
          token: token === undefined ? 'none' : token ? 'another session' : 'empty',
          status: 403,
        });
        if (op.roles.includes('office')) expect(problem).toMatch(/csrf-failed/);
      }
    }
    expect(await unitFacts()).toBe(before);
  });

  test("When the dashboard's forms are posted without a session, without the CSRF token, or by an auditor, then they are refused and nothing changes", async () => {
    const before = await unitFacts();
    const office = await stack.session('office');
    const auditor = await stack.session('auditor');
    const form = (fields: Record<string, string>, cookie?: string) => ({
      method: 'POST',
      redirect: 'manual' as const,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
      body: new URLSearchParams(fields).toString(),
    });
    const targets: { path: string; fields: Record<string, string> }[] = [
      { path: `/directives/${directiveId}/actions/remind`, fields: { unit, note: 'یادآوری' } },
      { path: `/directives/${directiveId}/actions/exempt`, fields: { unit, reason: 'معافیت' } },
      { path: `/directives/${directiveId}/actions/cancel`, fields: { reason: 'لغو' } },
      { path: '/directives/new', fields: { title: 'دستورالعمل جعلی', body: 'متن' } },
    ];
    for (const { path, fields } of targets) {
      const anonymous = await fetch(`${stack.baseUrl}${path}`, form(fields));
      expect({ path, status: anonymous.status, to: anonymous.headers.get('location') }).toEqual({
        path,
        status: 303,
        to: expect.stringMatching(/^\/login/),
      });
      const noToken = await fetch(`${stack.baseUrl}${path}`, form(fields, office.cookie));
      expect({ path, status: noToken.status }).toEqual({ path, status: 403 });
      expect(await noToken.text()).toContain('فرم منقضی یا نامعتبر');
      const wrongToken = await fetch(
        `${stack.baseUrl}${path}`,
        form({ ...fields, _csrf: auditor.csrfToken }, office.cookie),
      );
      expect({ path, status: wrongToken.status }).toEqual({ path, status: 403 });
      const byAuditor = await fetch(
        `${stack.baseUrl}${path}`,
        form({ ...fields, _csrf: auditor.csrfToken }, auditor.cookie),
      );
      expect({ path, status: byAuditor.status }).toEqual({ path, status: 403 });
    }
    expect(await unitFacts()).toBe(before);
    expect((await (await stack.api(`/api/v1/directives/${directiveId}`)).json()) as { state: string }).toMatchObject({
      state: 'open',
    });
  });
});

describe('Sign-in limit per account', () => {
  test("When one account's password is guessed from many addresses, then after five failures every address must wait, even with the right password", async () => {
    const openLogin = async (ip: string) => {
      const res = await fetch(`${stack.baseUrl}/login`, { headers: { 'x-forwarded-for': ip } });
      const page = await res.text();
      const set = res.headers.getSetCookie()[0];
      return { cookie: set.slice(0, set.indexOf(';')), csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1] };
    };
    const attempt = async (ip: string, username: string, password: string) => {
      const { cookie, csrf } = await openLogin(ip);
      return fetch(`${stack.baseUrl}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': ip },
        body: new URLSearchParams({ _csrf: csrf, username, password }).toString(),
      });
    };
    for (let i = 0; i < 5; i++)
      expect((await attempt(`198.51.100.${i + 1}`, i % 2 ? 'AUDITOR' : ' auditor', `guess-${i}`)).status).toBe(401);
    const blocked = await attempt('203.0.113.77', 'auditor', stack.accounts.auditor.password);
    expect(blocked.status).toBe(429);
    // A growing delay (30 s after the fifth failure), not a lock for the whole window that anyone can cause.
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    expect(blocked.headers.getSetCookie().some((c) => c.startsWith('farman_session='))).toBe(false);
    // Another account from a fresh address is not affected.
    expect((await attempt('203.0.113.78', 'office', stack.accounts.office.password)).status).toBe(303);
  });
});
