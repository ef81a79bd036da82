import { Router } from 'express';
import { figureNames, type FigureName } from '../../audit/unit-record';
import { unitCodeSchema } from '../../domain/registry-schema';
import { requireRole } from '../auth/middleware';
import { pageErrorHandler } from '../dashboard/routes';
import { sendPage, viewerRoles } from '../dashboard/page-shell';
import { one } from '../dashboard/query-params';
import { fieldIssues, NotFound, ValidationFailed } from '../errors';
import {
  listCampaigns,
  recordOf,
  recordQuerySchema,
  scoreboardOf,
  scoreboardQuerySchema,
  unitLabel,
  type HqDeps,
} from './hq-service';
import { renderScoreboardPage, renderUnitRecordPage } from './hq-pages';

/** The query parameters a page passes on (empty ones dropped), before validation. */
function rawParams(query: Record<string, unknown>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = one(query[name])?.trim();
    if (v) out[name] = v;
  }
  return out;
}

function parse<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  value: unknown,
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationFailed(fieldIssues(parsed.error.issues), 'the filters are invalid');
  return parsed.data;
}

/**
 * The HQ's pages for office and auditor users: `/scoreboard` (every unit ranked) and `/units/<code>` (one
 * unit's record). Both are GET forms over the same use cases as the API, so a page and a JSON answer agree.
 */
export function hqPageRoutes(deps: HqDeps): Router {
  const router = Router();
  const view = requireRole(...viewerRoles);

  router.get('/scoreboard', view, async (req, res) => {
    const raw = rawParams(req.query, ['campaign', 'from', 'to', 'county', 'kind', 'sort', 'order']);
    const query = parse(scoreboardQuerySchema, raw);
    const [board, campaigns] = await Promise.all([scoreboardOf(deps, query), listCampaigns(deps)]);
    sendPage(
      res,
      200,
      'جدول رتبه‌بندی واحدها',
      renderScoreboardPage({ board, query, raw, campaigns, registry: deps.registry() }),
    );
  });

  router.get('/units/:code', view, async (req, res) => {
    const code = unitCodeSchema.safeParse(req.params.code);
    if (!code.success) throw new NotFound('no such unit');
    const raw = rawParams(req.query, ['campaign', 'from', 'to']);
    const scope = parse(recordQuerySchema, raw);
    const figureText = one(req.query.figure);
    const figure = figureNames.find((f): f is FigureName => f === figureText);
    const [record, campaigns] = await Promise.all([recordOf(deps, code.data, scope), listCampaigns(deps)]);
    const name = unitLabel(deps.registry(), code.data).name;
    sendPage(
      res,
      200,
      `کارنامه ${name}`,
      renderUnitRecordPage({
        record,
        unitName: name,
        campaigns,
        scope: raw,
        figure,
        now: new Date((deps.now ?? Date.now)()),
      }),
    );
  });

  router.use(pageErrorHandler);
  return router;
}
