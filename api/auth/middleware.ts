import { timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Actor } from '../../workflows/types';
import { sendProblem } from '../http/problem';
import { html, type Html } from '../../lib/html';
import { layout } from '../pages/layout';
import { roleAllows, type Role } from './account-schema';
import type { AuthUser } from './account-store';
import type { AuthServices } from './auth-services';
import { cookieNames, readCookie } from './cookies';

/** How the request was authenticated: CSRF checks apply to sessions, never to bearer tokens. */
export type AuthVia = 'session' | 'token';

/** The authenticated user of a request, or undefined. */
export function currentUser(res: Response): AuthUser | undefined {
  return res.locals.user as AuthUser | undefined;
}

const roleTitles: Record<Role, string> = { office: 'office', auditor: 'auditor', admin: 'admin' };

/** Whether a request belongs to the JSON API (problem+json answers) rather than the pages (HTML). */
export function isApiRequest(req: Request): boolean {
  return req.originalUrl.startsWith('/api/');
}

/**
 * Reads the caller's credentials, if any: an `Authorization: Bearer` API token, else the session cookie.
 * On success sets `res.locals.user = { id, username, name, role }`, `res.locals.actor` (the office actor
 * every action is attributed to), `res.locals.authVia`, for sessions `res.locals.csrfToken`, and
 * `Cache-Control: no-store` (a route may still mark a public asset cacheable). It never
 * rejects: requests without (valid) credentials go on anonymously and `requireRole` answers them, so
 * public routes can sit behind it. A bearer header that is present but wrong is remembered, so the 401
 * can say so, and the session cookie is then not consulted.
 */
export function authenticate(deps: { auth: AuthServices }): RequestHandler {
  const { auth } = deps;
  const names = cookieNames(auth.cookieSecure);
  return async (req, res, next) => {
    const header = req.get('authorization');
    let user: AuthUser | null = null;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      user = match ? await auth.accounts.authenticateToken(match[1]) : null;
      if (user) res.locals.authVia = 'token' satisfies AuthVia;
      else res.locals.authError = 'invalid-token';
    } else {
      const cookie = readCookie(req, names.session);
      const session = cookie ? await auth.sessions.read(cookie) : null;
      user = session ? await auth.accounts.userOfSession(session) : null;
      if (session && user) {
        res.locals.authVia = 'session' satisfies AuthVia;
        res.locals.csrfToken = session.csrfToken;
      }
    }
    if (user) {
      // What a signed-in user sees (dashboard, API, audit, downloads) must stay out of every cache.
      res.set('Cache-Control', 'no-store');
      res.locals.user = user;
      res.locals.actor = { kind: 'office', id: user.id, name: user.name, title: roleTitles[user.role] } satisfies Actor;
    }
    next();
  };
}

/** A short Persian page for a refused page request. */
export function refusalPage(res: Response, status: number, title: string, message: string): void {
  res
    .status(status)
    .type('html')
    .send(
      layout(
        { title },
        html`<section class="card"><h1>${title}</h1><p>${message}</p><p><a href="/">بازگشت</a></p></section>`,
      ),
    );
}

/**
 * Lets the request through only for a signed-in user whose role is among `roles` (admin always passes:
 * see `roleAllows`). Without a user: 401 problem+json with `WWW-Authenticate: Bearer` on the API, a
 * redirect to /login (coming back afterwards) on pages. With the wrong role: 403.
 */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    const user = currentUser(res);
    if (!user) {
      if (isApiRequest(req)) {
        const invalid = res.locals.authError === 'invalid-token';
        res.set('WWW-Authenticate', invalid ? 'Bearer error="invalid_token"' : 'Bearer');
        return sendProblem(
          res,
          401,
          'unauthorized',
          invalid ? 'the bearer token is not valid' : 'sign in or send an API token',
          { instance: req.originalUrl },
        );
      }
      return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    }
    if (!roleAllows(user.role, roles)) {
      const detail = `this needs the role ${roles.join(' or ')}; you are ${user.role}`;
      if (isApiRequest(req)) return sendProblem(res, 403, 'forbidden', detail, { instance: req.originalUrl });
      return refusalPage(res, 403, 'دسترسی ندارید', 'نقش حساب شما اجازهٔ این کار را نمی‌دهد.');
    }
    next();
  };
}

/**
 * The hidden CSRF field every form of a signed-in page must carry. Throws when the request has no session
 * token (a form rendered for an anonymous or token-authenticated request is a programming error).
 */
export function csrfField(res: Response): Html {
  const token = res.locals.csrfToken as string | undefined;
  if (!token) throw new Error('csrfField on a request without a session');
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

const parseForm = express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 2_000 });

function tokensMatch(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Refuses (403) a state-changing request made with a session cookie unless it carries the session's CSRF
 * token: the `_csrf` form field or the `X-CSRF-Token` header. Parses an urlencoded form body itself when
 * no parser ran before it (multipart forms must be parsed first, e.g. by multer). Safe methods (GET, HEAD,
 * OPTIONS) and bearer-token requests, which no browser sends on its own, pass.
 */
export const verifyCsrf: RequestHandler = (req, res, next) => {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method) || res.locals.authVia === 'token') return next();
  const check = () => {
    const expected = res.locals.csrfToken as string | undefined;
    const given = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
    if (expected && tokensMatch(expected, given)) return next();
    if (isApiRequest(req))
      return sendProblem(res, 403, 'csrf-failed', 'the CSRF token is missing or wrong', { instance: req.originalUrl });
    return refusalPage(
      res,
      403,
      'درخواست نامعتبر',
      'این فرم منقضی یا نامعتبر است. صفحه را دوباره باز کنید و دوباره بفرستید.',
    );
  };
  if (req.body === undefined && req.is('application/x-www-form-urlencoded')) {
    return parseForm(req, res, (err?: unknown) => (err ? next(err) : check()));
  }
  return check();
};
