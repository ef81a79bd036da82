import { Router, type Response } from 'express';
import type { Registry } from '../../domain/registry';
import { parseDirectiveId } from '../directives/directive-detail';
import { loadDirectiveOverview, loadUnitDetails, type DirectiveOverview } from '../dashboard/directive-report';
import { NotFound } from '../errors';
import type { TemporalGateway } from '../temporal-gateway';
import { toCsv } from '../../lib/csv';
import type { PdfRenderer } from './pdf-renderer';
import { complianceReportHtml } from './report-html';
import { exportFileName, reportTable } from './report-table';
import { toXlsx } from './xlsx';

export interface ExportDeps {
  gateway: TemporalGateway;
  registry: () => Registry;
  pdf: PdfRenderer;
}

export const exportFormats = ['csv', 'xlsx', 'pdf'] as const;
export type ExportFormat = (typeof exportFormats)[number];

const contentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** The directive with every unit's details, as all three exports need it. */
export async function loadExport(
  deps: Pick<ExportDeps, 'gateway' | 'registry'>,
  directiveId: string,
): Promise<DirectiveOverview> {
  const overview = await loadDirectiveOverview(deps, directiveId);
  await loadUnitDetails(deps.gateway, directiveId, overview.units);
  return overview;
}

/** Renders one export of a directive. */
export async function renderExport(deps: ExportDeps, directiveId: string, format: ExportFormat): Promise<Buffer> {
  const overview = await loadExport(deps, directiveId);
  const table = reportTable(overview);
  switch (format) {
    case 'csv':
      return toCsv(table);
    case 'xlsx':
      return toXlsx(overview, table);
    case 'pdf':
      return deps.pdf.render(complianceReportHtml(overview, table));
  }
}

/** Sends an export as a download. Errors propagate to the caller's error handler (pages or problem+json). */
export async function sendExport(deps: ExportDeps, res: Response, rawId: unknown, rawFormat: unknown): Promise<void> {
  const directiveId = parseDirectiveId(rawId);
  const format = exportFormats.find((f) => f === rawFormat);
  if (!format) throw new NotFound(`no export format ${String(rawFormat)}`);
  const body = await renderExport(deps, directiveId, format);
  res
    .status(200)
    .type(contentTypes[format])
    .set('Content-Disposition', `attachment; filename="${exportFileName(directiveId, format)}"`)
    .set('Cache-Control', 'no-store')
    .send(body);
}

/**
 * `GET /:id/export.{csv,xlsx,pdf}` for the API router (mounted under /api/v1/directives, behind its
 * authentication; the CLI uses it with a token). The dashboard serves the same downloads to signed-in users.
 */
export function exportApiRoutes(deps: ExportDeps): Router {
  const router = Router();
  router.get('/:id/export.:format', async (req, res) => {
    await sendExport(deps, res, req.params.id, req.params.format);
  });
  return router;
}
