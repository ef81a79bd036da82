import { Router } from 'express';
import { LoginLimiter } from '../auth/login-limiter';
import type { ShortLinkStore } from '../../lib/short-link';
import { openLink, type UnitPageDeps } from './link-access';
import { LinkRefused, TooManyLookups } from './page-errors';
import { unitPageErrors } from './routes';

export interface ShortLinkDeps extends UnitPageDeps {
  shortLinks: ShortLinkStore;
  /** Look-ups per client address in a minute, and misses (unknown codes) per address in ten minutes. */
  lookupsPerMinute?: number;
  missesPerTenMinutes?: number;
}

/**
 * `GET /s/<code>`: the short link of an SMS. Opens the unit's link it stands for exactly as `/u/<token>`
 * does (signature, expiry, the unit's current link generation, a cancelled directive) and answers 303 to
 * the unit's page, or the same refusal page. Only reads: the workflow is queried, nothing is recorded, so
 * a link preview or scanner that fetches it changes nothing. Look-ups are limited per client address: all
 * of them per minute (a burst), and misses per ten minutes (guessing), both in memory, like sign-ins.
 */
export function shortLinkRoutes(deps: ShortLinkDeps): Router {
  const router = Router();
  const lookups = new LoginLimiter(deps.lookupsPerMinute ?? 60, 60_000);
  const misses = new LoginLimiter(deps.missesPerTenMinutes ?? 20, 10 * 60_000);

  router.get('/:code', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const client = [`ip:${req.ip ?? 'unknown'}`];
    const wait = Math.max(lookups.retryAfter(client), misses.retryAfter(client));
    if (wait > 0) throw new TooManyLookups(wait);
    lookups.recordFailure(client);
    const token = deps.shortLinks.get(String(req.params.code));
    if (!token) {
      misses.recordFailure(client);
      throw new LinkRefused('unknown');
    }
    await openLink(deps, token);
    res.redirect(303, `/u/${token}`);
  });

  router.use(() => {
    throw new LinkRefused('unknown');
  });

  router.use(unitPageErrors);
  return router;
}
