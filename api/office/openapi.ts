import { z } from 'zod';
import type { Operation, ResponseSpec } from './operation';
import { problemSchema } from './schemas';

type JsonSchema = Record<string, unknown>;

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of what a client sends: the schema's input side. */
function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function outputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Path or query parameters from an object schema: one parameter per property. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = inputSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

function response(spec: ResponseSpec): JsonSchema {
  const out: JsonSchema = { description: spec.description };
  if (spec.schema || spec.contentType) {
    out.content = {
      [spec.contentType ?? 'application/json']: {
        schema: spec.schema ? outputSchema(spec.schema) : { type: 'string', format: 'binary' },
      },
    };
  }
  if (spec.headers)
    out.headers = Object.fromEntries(
      Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
    );
  return out;
}

/**
 * The OpenAPI 3.1 document of the office API, generated from the operations' own zod schemas (request
 * schemas on their input side, so defaults and conversions show what a client may send). Every operation
 * lists the problem responses the shared handler can produce.
 */
export function openApiDocument(operations: readonly Operation[], serverUrl = '/api/v1'): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of operations) {
    const responses: Record<string, JsonSchema> = Object.fromEntries(
      Object.entries(op.responses).map(([code, spec]) => [code, response(spec)]),
    );
    if (op.params || op.query || op.body)
      responses['400'] = problem('Invalid input; `errors` lists each bad field with its path');
    responses['401'] = problem('No credentials, or an invalid token');
    responses['403'] = problem(
      `Needs the role ${op.roles.join(' or ')} (admin may do everything); or a missing CSRF token with a session cookie`,
    );
    if (op.params) responses['404'] = problem('No such resource');
    if (op.method !== 'get')
      responses['409'] = problem('The action does not apply in the current state (closed, already decided, …)');
    responses['503'] = problem('Temporal or the worker is not reachable now; nothing was recorded, try again');

    const parameterList = [...parameters(op.params, 'path'), ...parameters(op.query, 'query')];
    if (op.idempotent) {
      parameterList.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Names this action so that a retry is applied once (alternative to `submissionId` in the body).',
        schema: { type: 'string', pattern: '^[\\w.:-]{8,100}$' },
      });
    }
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      tags: op.tags,
      'x-roles': op.roles,
      ...(parameterList.length ? { parameters: parameterList } : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: inputSchema(op.body) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Farman office API',
      version: '1',
      description:
        "The governor's office API: issue directives, follow their compliance, act on units. Authenticate with `Authorization: Bearer <token>` (tokens from `farman token create`). Errors are application/problem+json.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (farman_…)' } },
      schemas: { Problem: outputSchema(problemSchema) },
    },
  };
}
