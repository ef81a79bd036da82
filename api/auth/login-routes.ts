import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { html } from '../../lib/html';
import { layout } from '../pages/layout';
import { toPersianDigits } from '../../lib/persian-text';
import type { AuthServices } from './auth-services';
import { clearCookie, cookieNames, cookieOptions, readCookie } from './cookies';
import { addressKey, usernameKey } from './login-limiter';
import { refusalPage, verifyCsrf } from './middleware';
import { sessionLifetimeMs } from './session-store';

/** Where to go after signing in: only a local path, never another site (`//evil`, `/\evil`). */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && !value.startsWith('/login') ? value : '/';
}

function sameToken(a: string, b: unknown): boolean {
  if (typeof b !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The sign-in page (GET/POST /login) and sign-out (POST /logout). Sign-in forms carry a CSRF token bound
 * to a pre-session cookie, so another site cannot sign a browser into an account of its choosing. Failed
 * attempts are limited per client address and per username (`LoginLimiter`): an address is blocked after five
 * failures within the window, a username made to wait longer after each failure from the fifth on; a refused
 * attempt gets 429 with a Persian message.
 */
export function loginRoutes(deps: { auth: AuthServices }): Router {
  const { auth } = deps;
  const names = cookieNames(auth.cookieSecure);
  const router = Router();
  const parseForm = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

  function render(req: Request, res: Response, status: number, message?: string, username = ''): void {
    let nonce = readCookie(req, names.login);
    if (!nonce || !/^[\w-]{20,100}$/.test(nonce)) {
      nonce = randomBytes(24).toString('base64url');
      res.cookie(names.login, nonce, cookieOptions(auth.cookieSecure, 3_600_000));
    }
    const next = safeNext(req.method === 'GET' ? req.query.next : (req.body as Record<string, unknown>)?.next);
    res.set('Cache-Control', 'no-store');
    res
      .status(status)
      .type('html')
      .send(
        layout(
          { title: 'ورود' },
          html`<section class="card">
<h1>ورود کارکنان فرمانداری</h1>
${message ? html`<p class="notice bad" role="alert">${message}</p>` : ''}
<form class="stack" method="post" action="/login">
<input type="hidden" name="_csrf" value="${auth.sessions.loginCsrfToken(nonce)}">
<input type="hidden" name="next" value="${next}">
<label>نام کاربری <input type="text" name="username" autocomplete="username" dir="ltr" required value="${username}"></label>
<label>گذرواژه <input name="password" type="password" autocomplete="current-password" dir="ltr" required></label>
<button type="submit">ورود</button>
</form>
</section>`,
        ),
      );
  }

  router.get('/login', (req, res) => render(req, res, 200));

  router.post('/login', parseForm, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const nonce = readCookie(req, names.login);
    if (!nonce || !sameToken(auth.sessions.loginCsrfToken(nonce), body._csrf)) {
      return render(req, res, 403, 'فرم ورود منقضی شده است. دوباره وارد شوید.');
    }
    const username = typeof body.username === 'string' ? body.username.trim().toLowerCase().slice(0, 100) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 200) : '';
    const keys = [addressKey(req.ip), usernameKey(username)];
    const wait = auth.limiter.retryAfter(keys);
    if (wait > 0) {
      res.set('Retry-After', String(wait));
      return render(
        req,
        res,
        429,
        `تلاش‌های ناموفق زیاد بوده است. ${toPersianDigits(Math.ceil(wait / 60))} دقیقهٔ دیگر دوباره تلاش کنید.`,
        username,
      );
    }
    const user = username && password ? await auth.accounts.authenticatePassword(username, password) : null;
    if (!user) {
      auth.limiter.recordFailure(keys);
      req.log?.warn({ username }, 'sign-in failed');
      return render(req, res, 401, 'نام کاربری یا گذرواژه نادرست است.', username);
    }
    auth.limiter.recordSuccess(usernameKey(username));
    const old = readCookie(req, names.session);
    if (old) await auth.sessions.destroy(old);
    res.cookie(
      names.session,
      await auth.sessions.create(user.id, user.sessionGeneration),
      cookieOptions(auth.cookieSecure, sessionLifetimeMs),
    );
    clearCookie(res, names.login, auth.cookieSecure);
    req.log?.info({ user: user.id }, 'signed in');
    res.redirect(303, safeNext(body.next));
  });

  router.post('/logout', verifyCsrf, async (req, res) => {
    const cookie = readCookie(req, names.session);
    if (!res.locals.user || !cookie) return refusalPage(res, 403, 'درخواست نامعتبر', 'شما وارد نشده‌اید.');
    await auth.sessions.destroy(cookie);
    clearCookie(res, names.session, auth.cookieSecure);
    res.redirect(303, '/login');
  });

  return router;
}
