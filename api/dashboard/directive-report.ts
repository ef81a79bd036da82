import type { Registry } from '../../domain/registry';
import type { DirectiveLogEntry } from '../../workflows/contract';
import type { DirectiveSpec, DirectiveStatus, UnitSummary } from '../../workflows/types';
import type { ExtensionRequest, UnitState } from '../../workflows/unit-state';
import { compliancePercent } from '../directives/compliance';
import type { TemporalGateway } from '../temporal-gateway';
import { mapBounded } from './map-bounded';

/**
 * What the directive page and the exports show about one directive, read from the workflows' own state
 * (queries), never from visibility: the counts a reply changed are the counts shown right after it.
 */
export interface DirectiveOverview {
  id: string;
  spec: DirectiveSpec;
  log: DirectiveLogEntry[];
  status: DirectiveStatus;
  /** Reported or accepted units over the units still expected to comply (not exempted or cancelled), 0-100. */
  compliancePercent: number;
  units: UnitRow[];
}

/** One unit of a directive with its place in the registry. Details come from the unit's own workflow. */
export interface UnitRow {
  code: string;
  name: string;
  countyCode: string | null;
  /** The county's name: many counties have a «بخش مرکزی», so a district's name alone is ambiguous. */
  countyName: string;
  summary: UnitSummary;
  /** The unit workflow's full state, when it was asked for and could be read. */
  details?: UnitState;
}

/** The directive's document, counts and unit list (without per-unit details). */
export async function loadDirectiveOverview(
  deps: { gateway: TemporalGateway; registry: () => Registry },
  directiveId: string,
): Promise<DirectiveOverview> {
  const [status, document, summaries] = await Promise.all([
    deps.gateway.directiveStatus(directiveId),
    deps.gateway.directiveDocument(directiveId),
    deps.gateway.unitSummaries(directiveId),
  ]);
  const registry = deps.registry();
  const units = summaries.map((summary): UnitRow => {
    const unit = registry.get(summary.unitCode);
    const countyCode = unit?.county ?? null;
    return {
      code: summary.unitCode,
      name: unit?.name ?? summary.unitCode,
      countyCode,
      countyName: (countyCode && registry.get(countyCode)?.name) || '—',
      summary,
    };
  });
  return {
    id: directiveId,
    spec: document.spec,
    log: document.log,
    status,
    compliancePercent: compliancePercent(status),
    units,
  };
}

/**
 * Reads the full state of the given units (acknowledged at, reported at, reminders, extension requests),
 * a bounded number of queries at a time so a large directive does not flood the worker. A unit whose
 * query fails keeps `details` undefined; the page shows a dash rather than failing whole.
 */
export async function loadUnitDetails(
  gateway: TemporalGateway,
  directiveId: string,
  rows: UnitRow[],
  concurrency = 16,
): Promise<void> {
  await mapBounded(rows, concurrency, async (row) => {
    row.details = await gateway.unitState(directiveId, row.code).catch(() => undefined);
  });
}

/** Extension requests still waiting for the office's decision. */
export function pendingExtensions(row: UnitRow): ExtensionRequest[] {
  return row.details?.extensionRequests.filter((r) => !r.decision) ?? [];
}
