import type { CookieOptions, Request, Response } from 'express';

/**
 * The two cookies of the office's pages: the session, and the sign-in form's pre-session nonce (for its
 * CSRF token). With `Secure` they take the `__Host-` prefix, which browsers accept only from HTTPS, with
 * path `/` and no domain, so no sibling host can set or overwrite them.
 */
export function cookieNames(secure: boolean): { session: string; login: string } {
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}farman_session`, login: `${prefix}farman_login` };
}

export function cookieOptions(secure: boolean, maxAgeMs?: number): CookieOptions {
  return { httpOnly: true, secure, sameSite: 'strict', path: '/', ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}

/** Reads one cookie from the request's Cookie header (first occurrence wins), or undefined. */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function clearCookie(res: Response, name: string, secure: boolean): void {
  res.clearCookie(name, cookieOptions(secure));
}
