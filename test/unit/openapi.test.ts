import express from 'express';
import type { AuthServices } from '../../api/auth/auth-services';
import { expressPath, type Operation } from '../../api/office/operation';
import { officeOperations, type OfficeApiDeps } from '../../api/office/office-operations';
import { openApiDocument } from '../../api/office/openapi';
import { registerOperations } from '../../api/office/operation';
import { hqOperations } from '../../api/hq/hq-operations';
import type { HqDeps } from '../../api/hq/hq-service';

// Handlers are never called here: the document and the router need only the table.
const operations: Operation[] = [
  ...officeOperations({ auth: {} as AuthServices } as OfficeApiDeps),
  ...hqOperations({} as HqDeps),
];
const doc = openApiDocument(operations) as {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        parameters?: { name: string; in: string }[];
        responses: Record<string, unknown>;
        requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
      }
    >
  >;
};
type JsonSchema = { required?: string[]; properties?: Record<string, unknown>; additionalProperties?: boolean };

const soon = new Date(Date.now() + 3_600_000).toISOString();
const later = new Date(Date.now() + 7_200_000).toISOString();

/** A valid body for each operation that takes one. */
const validBodies: Record<string, Record<string, unknown>> = {
  issueDirective: { title: 'دستور آزمون', body: 'متن', targets: { mode: 'all' }, acknowledgeBy: soon, reportBy: later },
  amendDirective: { title: 'دستور آزمون', body: 'متن', acknowledgeBy: soon, reportBy: later },
  cancelDirective: { reason: 'لغو' },
  closeDirective: { reason: 'بسته' },
  extendAllUnits: { reportBy: later, reason: 'تمدید' },
  remindAllUnits: { note: 'یادآوری' },
  extendUnit: { acknowledgeBy: { jalali: '1499/01/01 10:00' }, reason: 'تمدید' },
  decideExtension: { approved: true, until: later },
  acceptReport: {},
  returnReport: { reason: 'ناقص است' },
  exemptUnit: { reason: 'منحل' },
  remindUnit: { submissionId: 'remind-0000001' },
  revokeUnitLinks: {},
  createAccount: { username: 'sara', name: 'سارا', role: 'office', password: 'long-enough-password' },
  createToken: { name: 'laptop' },
  createCampaign: { id: 'election-1405', title: 'ستاد انتخابات ۱۴۰۵' },
  revokeUnitInbox: {},
};

describe('The OpenAPI document', () => {
  test('When generated, then it is OpenAPI 3.1 and every operation has an id, a success response and the auth problems', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    const ids = new Set<string>();
    for (const [path, methods] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\//);
      for (const [method, op] of Object.entries(methods)) {
        expect(['get', 'post', 'delete']).toContain(method);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        const codes = Object.keys(op.responses);
        expect(codes.some((c) => /^2\d\d$/.test(c))).toBe(true);
        expect(codes).toEqual(expect.arrayContaining(['401', '403']));
        const placeholders = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(
          (op.parameters ?? [])
            .filter((p) => p.in === 'path')
            .map((p) => p.name)
            .sort(),
        ).toEqual(placeholders);
      }
    }
    expect(ids.size).toBe(operations.length);
  });

  test('When the routes are registered, then the router serves exactly the documented paths and methods', () => {
    const router = express.Router();
    registerOperations(router, operations);
    const served = router.stack
      .map(
        (layer) =>
          `${Object.keys((layer.route as unknown as { methods: Record<string, boolean> }).methods)[0]} ${layer.route!.path}`,
      )
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${expressPath(path)}`))
      .sort();
    expect(served).toEqual(documented);
  });

  test('When each documented body is checked against the schema the route validates with, then valid examples pass and every documented requirement is enforced', () => {
    const withBody = operations.filter((op) => op.body);
    expect(Object.keys(validBodies).sort()).toEqual(withBody.map((op) => op.operationId).sort());
    for (const op of withBody) {
      const example = validBodies[op.operationId];
      const documented = Object.values(doc.paths)
        .flatMap((m) => Object.values(m))
        .find((o) => o.operationId === op.operationId)!.requestBody!.content['application/json'].schema;
      const accepted = op.body!.safeParse(example);
      expect({ op: op.operationId, ok: accepted.success, issues: accepted.error?.issues }).toEqual({
        op: op.operationId,
        ok: true,
        issues: undefined,
      });
      for (const field of Object.keys(example))
        expect({ op: op.operationId, field, documented: field in (documented.properties ?? {}) }).toMatchObject({
          documented: true,
        });
      for (const field of documented.required ?? []) {
        const { [field]: _dropped, ...missing } = example;
        const parsed = op.body!.safeParse(missing);
        expect({ op: op.operationId, field, rejected: !parsed.success }).toEqual({
          op: op.operationId,
          field,
          rejected: true,
        });
        expect(parsed.error!.issues.map((i) => i.path.join('.'))).toContain(field);
      }
      const extra = op.body!.safeParse({ ...example, notAField: 1 });
      expect({ op: op.operationId, rejectsUnknown: !extra.success }).toEqual({
        op: op.operationId,
        rejectsUnknown: documented.additionalProperties === false,
      });
    }
  });
});
