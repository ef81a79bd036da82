import type { RequestHandler } from 'express';
import { CrossSiteRefused } from './page-errors';

/**
 * Accepts a form POST only with evidence that it came from this site's own page: `Sec-Fetch-Site:
 * same-origin`, or an `Origin` equal to the public URL's origin. Pages send no referrer, and with
 * `Referrer-Policy: no-referrer` Chromium sends `Origin: null` on form posts, so the fetch-metadata header is
 * the usual evidence; the Origin comparison serves browsers and clients without it. A request with neither
 * is refused: a reply link is a credential, and a cross-site form must not be able to spend it.
 */
export function sameOriginOnly(publicUrl: string): RequestHandler {
  const origin = new URL(publicUrl).origin;
  return (req, _res, next) => {
    const site = req.get('sec-fetch-site');
    const given = req.get('origin');
    if (site === 'same-origin' || (given !== undefined && given === origin)) return next();
    next(new CrossSiteRefused());
  };
}
