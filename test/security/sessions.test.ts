import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { sessionIdleMs, sessionLifetimeMs } from '../../api/auth/session-store';
import { startOfflineApp, type OfflineApp } from '../support/offline-app';

const run = promisify(execFile);
let app: OfflineApp;
let adminToken: string;

beforeAll(async () => {
  app = await startOfflineApp();
  await app.deps.auth.accounts.create({ username: 'admin', name: 'مدیر', role: 'admin' });
  adminToken = (await app.deps.auth.accounts.createToken('admin', 'tests')).token;
});
afterAll(async () => {
  await app?.stop();
});

/** A new office account with a password, a signed-in session (its Cookie header) and an API token. */
async function officeUser(username: string) {
  const { accounts, sessions } = app.deps.auth;
  const account = await accounts.create({ username, name: 'کارشناس', role: 'office', password: 'first-password-0123' });
  const cookie = `farman_session=${await sessions.create(account.id, account.sessionGeneration)}`;
  return { cookie, token: (await accounts.createToken(username, 'laptop')).token };
}

const units = (headers: Record<string, string>) =>
  fetch(`${app.baseUrl}/api/v1/units`, { headers }).then((r) => r.status);
const asAdmin = (urlPath: string) =>
  fetch(`${app.baseUrl}/api/v1${urlPath}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });

describe('Sessions and disabled accounts', () => {
  test('When a password is changed, then every open session of the account ends at once', async () => {
    const { cookie, token } = await officeUser('sara');
    expect(await units({ cookie })).toBe(200);
    await app.deps.auth.accounts.setPassword('sara', 'second-password-0123');
    expect(await units({ cookie })).toBe(401);
    expect(await units({ authorization: `Bearer ${token}` })).toBe(200);
  });

  test('When an admin disables an account through the API, then its session and token stop at once; enabling brings back the token, not the session', async () => {
    const { cookie, token } = await officeUser('reza');
    const disabled = await asAdmin('/accounts/reza/disable');
    expect(disabled.status).toBe(200);
    expect(((await disabled.json()) as { disabled: boolean }).disabled).toBe(true);
    expect(await units({ cookie })).toBe(401);
    expect(await units({ authorization: `Bearer ${token}` })).toBe(401);
    expect((await asAdmin('/accounts/reza/enable')).status).toBe(200);
    expect(await units({ authorization: `Bearer ${token}` })).toBe(200);
    expect(await units({ cookie })).toBe(401);
    expect((await asAdmin('/accounts/nobody/disable')).status).toBe(404);
  });

  test('When an account is disabled and enabled with the CLI, then its token stops and works again', async () => {
    const { token } = await officeUser('maryam');
    const cli = (...args: string[]) =>
      run(
        process.execPath,
        [
          '-r',
          '@swc-node/register',
          path.join(__dirname, '../../scripts/farman.ts'),
          'users',
          ...args,
          '--username',
          'maryam',
        ],
        {
          cwd: path.join(__dirname, '../..'),
          env: { ...process.env, DATA_DIR: path.dirname(app.deps.auth.accounts.file) },
        },
      );
    await cli('disable');
    expect(await units({ authorization: `Bearer ${token}` })).toBe(401);
    await cli('enable');
    expect(await units({ authorization: `Bearer ${token}` })).toBe(200);
  });

  test('When a session is left unused for the idle timeout, then it ends; used within it, it lives on', async () => {
    const { sessions } = app.deps.auth;
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms);
    const used = await sessions.create('u_idle', 0, at(0));
    expect(await sessions.read(used, at(sessionIdleMs - 60_000))).not.toBeNull();
    expect(await sessions.read(used, at(2 * sessionIdleMs - 120_000))).not.toBeNull();
    const idle = await sessions.create('u_idle', 0, at(0));
    expect(await sessions.read(idle, at(sessionIdleMs + 1))).toBeNull();
  });

  test('When ended sessions were never read again, then the sweep deletes their files', async () => {
    const { sessions } = app.deps.auth;
    const dir = path.join(path.dirname(app.deps.auth.accounts.file), 'sessions');
    await sessions.sweep(new Date(Date.now() + sessionLifetimeMs + 1));
    const fresh = await sessions.create('u_sweep', 0);
    const old = await sessions.create('u_sweep', 0, new Date(Date.now() - sessionIdleMs - 1));
    expect(await sessions.sweep()).toBe(1);
    expect((await readdir(dir)).length).toBe(1);
    expect(await sessions.read(fresh)).not.toBeNull();
    expect(await sessions.read(old)).toBeNull();
  });
});
