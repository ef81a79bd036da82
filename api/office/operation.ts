import type { Request, Response, Router } from 'express';
import { type z } from 'zod';
import type { Actor, RequestMeta } from '../../workflows/types';
import type { Role } from '../auth/account-schema';
import { requireRole } from '../auth/middleware';
import { fieldIssues, NotFound, ValidationFailed } from '../errors';
import { officeActor, requestMeta } from '../http/request-meta';
import { submissionIdSchema } from './schemas';

/** What a handler gets: the parsed parameters, query and body, the acting user and the request's metadata. */
export interface OperationContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  by: Actor;
  /** Request metadata, with the submission id (Idempotency-Key header or body field) when one was sent. */
  meta: RequestMeta;
  /** The submission id sent by the client, or a fresh one: use it as the Temporal update id. */
  submissionId: string;
  req: Request;
  res: Response;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json; problems are application/problem+json. */
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * One endpoint of the office API, declared once: the router serves it and the OpenAPI document describes
 * it from the same schemas, so the document cannot drift from what the routes accept.
 */
export interface Operation<P = unknown, Q = unknown, B = unknown> {
  operationId: string;
  method: 'get' | 'post' | 'delete';
  /** OpenAPI path under /api/v1, with `{param}` placeholders. */
  path: string;
  summary: string;
  tags: string[];
  /** Roles allowed (admin is always allowed: see roleAllows). */
  roles: Role[];
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /**
   * The handler validates the body itself (with the documented schema) and gets it raw. For the use cases
   * that already parse their input, since parsing twice would read converted values (durations) again.
   */
  bodyParsedByHandler?: boolean;
  /** Whether the action takes a submission id (`Idempotency-Key` header or `submissionId` in the body). */
  idempotent?: boolean;
  responses: Record<number, ResponseSpec>;
  handler: (ctx: OperationContext<P, Q, B>) => Promise<void>;
}

/** Declares an operation with its types inferred from its schemas. */
export function operation<P = Record<string, never>, Q = Record<string, never>, B = undefined>(
  op: Operation<P, Q, B>,
): Operation {
  return op as unknown as Operation;
}

/** `/directives/{id}` → `/directives/:id` (path-to-regexp 8). */
export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}

/** Parses `value` with `schema`, or throws ValidationFailed naming each field (the problem+json errors). */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationFailed(fieldIssues(parsed.error.issues), `the ${what} is invalid`);
  return parsed.data;
}

/** The submission id of a request: the Idempotency-Key header, else the body's field, else undefined. */
function clientSubmissionId(req: Request): string | undefined {
  const header = req.get('idempotency-key');
  const field = (req.body as Record<string, unknown> | undefined)?.submissionId;
  const given = header ?? field;
  if (given === undefined) return undefined;
  const parsed = submissionIdSchema.safeParse(given);
  if (!parsed.success)
    throw new ValidationFailed([
      { path: header !== undefined ? 'Idempotency-Key' : 'submissionId', message: parsed.error.issues[0].message },
    ]);
  return parsed.data;
}

/** Registers each operation on the router, with its role check and its validation. */
export function registerOperations(router: Router, operations: readonly Operation[]): void {
  for (const op of operations) {
    router[op.method](expressPath(op.path), requireRole(...op.roles), async (req, res) => {
      // A malformed id cannot name anything: 404, as for an unknown one.
      const params = op.params ? op.params.safeParse(req.params) : { success: true as const, data: {} };
      if (!params.success) throw new NotFound(`no such resource: ${req.path}`);
      const query = op.query ? parseWith(op.query, req.query, 'query') : {};
      const body = op.body && !op.bodyParsedByHandler ? parseWith(op.body, req.body ?? {}, 'body') : req.body;
      const given = op.idempotent ? clientSubmissionId(req) : undefined;
      const submissionId = given ?? `${op.operationId}-${crypto.randomUUID()}`;
      await op.handler({
        params: params.data,
        query,
        body,
        by: officeActor(res),
        meta: requestMeta(req, op.idempotent ? submissionId : undefined),
        submissionId,
        req,
        res,
      });
    });
  }
}
