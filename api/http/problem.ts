import type { ErrorRequestHandler, RequestHandler } from 'express';
import { FarmanError, NotFound, Rejected, ValidationFailed } from '../errors';

/** Sends an RFC 9457 problem document. */
export function sendProblem(
  res: Parameters<RequestHandler>[1],
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .type('application/problem+json')
    .json({
      type: `https://farman.example.org/problems/${code}`,
      title: code.replace(/-/g, ' '),
      status,
      detail,
      ...extra,
    });
}

/** The single error handler of the JSON API: known errors become problems, anything else a bare 500. */
export const problemHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) return;
  if (err instanceof FarmanError) {
    const issues = err instanceof ValidationFailed || err instanceof Rejected ? { errors: err.issues } : {};
    if (err.status === 503) res.set('Retry-After', '5');
    return sendProblem(res, err.status, err.code, err.message, { instance: req.originalUrl, ...issues });
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') {
    return sendProblem(res, 400, 'malformed-json', 'the body is not valid JSON', {
      errors: [{ path: '(body)', message: 'is not valid JSON' }],
    });
  }
  if (e.type === 'entity.too.large') return sendProblem(res, 413, 'too-large', 'the body is too large');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
    return sendProblem(res, e.status, 'bad-request', e.message ?? 'bad request');
  req.log?.error({ err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'unhandled error');
  return sendProblem(res, 500, 'internal', 'an internal error occurred');
};

/** 404 for unknown API routes, as a problem rather than an HTML page. */
export const notFoundHandler: RequestHandler = (req) => {
  throw new NotFound(`no route ${req.method} ${req.path}`);
};
