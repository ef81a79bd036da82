import { Router } from 'express';
import { registerOperations } from './operation';
import { officeOperations, type OfficeApiDeps } from './office-operations';
import { openApiDocument } from './openapi';

/**
 * The office API's router, mounted at /api/v1 behind authentication: every operation of
 * `officeOperations`, and the OpenAPI document describing exactly those at `/openapi.json` (readable by
 * any signed-in role).
 */
export function officeApi(deps: OfficeApiDeps): Router {
  const router = Router();
  const operations = officeOperations(deps);
  const document = openApiDocument(operations);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  registerOperations(router, operations);
  return router;
}
