import { Router } from 'express';
import { exportFormats } from '../exports/routes';
import { registerOperations } from './operation';
import { officeOperations, type OfficeApiDeps } from './office-operations';
import { openApiDocument } from './openapi';
import { hqOperations } from '../hq/hq-operations';
import type { RecordReader } from '../hq/record-reader';
import type { PdfRenderer } from '../exports/pdf-renderer';

/**
 * The office API's router, mounted at /api/v1 behind authentication: every operation of
 * `officeOperations`, and the OpenAPI document describing exactly those at `/openapi.json` (readable by
 * any signed-in role).
 */
export function officeApi(deps: OfficeApiDeps & { reader: RecordReader; pdf?: PdfRenderer }): Router {
  const router = Router();
  const operations = [...officeOperations(deps), ...hqOperations(deps)];
  const document = openApiDocument(operations);
  documentExports(document);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  registerOperations(router, operations);
  return router;
}

/**
 * Adds the export downloads (api/exports/routes.ts, served by their own router under /directives) to the
 * document, so that a client finds every endpoint in one place.
 */
function documentExports(document: ReturnType<typeof openApiDocument>): void {
  const paths = document.paths as Record<string, unknown>;
  for (const format of exportFormats) {
    paths[`/directives/{id}/export.${format}`] = {
      get: {
        operationId: `exportDirective${format[0].toUpperCase()}${format.slice(1)}`,
        summary: `The compliance report as ${format.toUpperCase()} (a download).`,
        tags: ['exports'],
        'x-roles': ['office', 'auditor'],
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{4}-\\d{6}$' } },
        ],
        responses: {
          200: {
            description: 'The report file',
            content: {
              [format === 'csv'
                ? 'text/csv'
                : format === 'pdf'
                  ? 'application/pdf'
                  : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']: {
                schema: { type: 'string', format: 'binary' },
              },
            },
          },
          401: {
            description: 'No credentials',
            content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          },
          403: {
            description: 'Not allowed',
            content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          },
          404: {
            description: 'No such directive',
            content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          },
        },
      },
    };
  }
}
