import { Router } from 'express';
import type { FileStore } from '../../domain/file-store';
import type { Registry } from '../../domain/registry';
import { requireRole } from '../auth/middleware';
import { NotFound } from '../errors';
import { officeActor, requestMeta } from '../http/request-meta';
import type { TemporalGateway } from '../temporal-gateway';
import type { DirectiveIdAllocator, RequestLedger } from './directive-ids';
import { issueDirective } from './issue-directive';

export interface DirectiveRoutesDeps {
  registry: () => Registry;
  gateway: TemporalGateway;
  files: FileStore;
  ids: DirectiveIdAllocator;
  ledger: RequestLedger;
}

/** Directive ids look like `1405-000042`; anything else cannot name a directive. */
export const directiveIdPattern = /^\d{4}-\d{6}$/;

export function parseDirectiveId(value: unknown): string {
  if (typeof value !== 'string' || !directiveIdPattern.test(value)) throw new NotFound('no such directive');
  return value;
}

/**
 * The directive's detail for the office: the document, the counts from the workflow's own state (fresh,
 * unlike visibility) and each unit's summary with its name from the registry.
 */
export async function directiveDetail(deps: Pick<DirectiveRoutesDeps, 'gateway' | 'registry'>, directiveId: string) {
  const [status, { spec, log }, summaries] = await Promise.all([
    deps.gateway.directiveStatus(directiveId),
    deps.gateway.directiveDocument(directiveId),
    deps.gateway.unitSummaries(directiveId),
  ]);
  const registry = deps.registry();
  const open = status.total - status.counts.exempted - status.counts.cancelled;
  const complied = status.counts.reported + status.counts.accepted;
  return {
    id: directiveId,
    version: spec.version,
    title: spec.title,
    body: spec.body,
    priority: spec.priority,
    acknowledgeBy: spec.acknowledgeBy,
    reportBy: spec.reportBy,
    reminders: spec.reminders,
    escalation: spec.escalation,
    form: spec.form,
    attachments: spec.attachments,
    acceptance: spec.acceptance,
    targets: spec.targets,
    issuedBy: spec.issuedBy,
    issuedAt: spec.issuedAt,
    state: status.state,
    status,
    compliancePercent: open > 0 ? Math.round((1000 * complied) / open) / 10 : 100,
    log,
    units: summaries.map((s) => {
      const unit = registry.get(s.unitCode);
      return { ...s, name: unit?.name ?? s.unitCode, kind: unit?.kind, county: unit?.county };
    }),
  };
}

export function directiveRoutes(deps: DirectiveRoutesDeps): Router {
  const router = Router();

  router.post('/', requireRole('office'), async (req, res) => {
    const result = await issueDirective(deps, req.body, officeActor(res), requestMeta(req));
    const location = `/api/v1/directives/${result.directiveId}`;
    res.status(result.created ? 201 : 200).location(location).json({ id: result.directiveId, created: result.created, units: result.units, href: location });
  });

  router.get('/:id', async (req, res) => {
    res.json(await directiveDetail(deps, parseDirectiveId(req.params.id)));
  });

  return router;
}
