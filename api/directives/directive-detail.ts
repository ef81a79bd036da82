import type { FileStore } from '../../lib/file-store';
import type { Registry } from '../../domain/registry';
import { NotFound } from '../errors';
import { compliancePercent } from './compliance';
import type { TemporalGateway } from '../temporal-gateway';
import type { DirectiveIdAllocator, RequestLedger } from './directive-ids';

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
    smsForUrgent: spec.smsForUrgent === true,
    targets: spec.targets,
    issuedBy: spec.issuedBy,
    issuedAt: spec.issuedAt,
    state: status.state,
    status,
    compliancePercent: compliancePercent(status),
    log,
    units: summaries.map((s) => {
      const unit = registry.get(s.unitCode);
      return { ...s, name: unit?.name ?? s.unitCode, kind: unit?.kind, county: unit?.county };
    }),
  };
}
