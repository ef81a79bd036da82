import { z } from 'zod';
import { amendmentInputSchema, directiveInputSchema, fileRefSchema, shownInstant } from '../../domain/directive-schema';
import { unitCodeSchema } from '../../domain/registry-schema';
import { newAccountSchema, newTokenSchema, usernameSchema, viewAccount } from '../auth/account-schema';
import { amendDirective, cancelDirective, closeDirective } from '../directives/amend-directive';
import { issueDirective, type IssueDeps } from '../directives/issue-directive';
import { directiveDetail } from '../directives/directive-detail';
import type { AuthServices } from '../auth/auth-services';
import { NotFound } from '../errors';
import { multipartParser, type MultipartParser } from '../unit-pages/uploads';
import { uploadAttachment } from './attachment-uploads';
import { downloadContentType, findAttachment } from './attachments';
import { listDirectives } from './list-directives';
import { pendingMail } from './mail-pending';
import { operation, type Operation } from './operation';
import {
  bulkActionResultSchema,
  cancelBodySchema,
  closeBodySchema,
  directiveParamsSchema,
  directiveStatusSchema,
  extendBodySchema,
  extensionParamsSchema,
  issueResultSchema,
  listQuerySchema,
  listResponseSchema,
  remindBodySchema,
  unitActionResultSchema,
  unitParamsSchema,
} from './schemas';
import { extendAllUnits, remindAllUnits } from './unit-actions';
import { runUnitCommand, unitCommandNames, unitCommands } from './unit-commands';

export interface OfficeApiDeps extends IssueDeps {
  auth: AuthServices;
  /** Lists only directives on this task queue (the deployment's; tests run one per file). */
  taskQueue?: string;
}

const json = (description: string, schema?: z.ZodType) => ({ description, schema });
const detailSchema = z.looseObject({
  id: z.string(),
  state: z.string(),
  compliancePercent: z.number(),
  units: z.array(z.looseObject({ unitCode: z.string() })),
});
const timelineSchema = z.looseObject({
  unitCode: z.string(),
  name: z.string(),
  state: z.string(),
  mailPending: z.number().int(),
  log: z.array(z.looseObject({ seq: z.number(), at: z.string(), event: z.looseObject({ type: z.string() }) })),
});
const accountViewSchema = z.looseObject({ id: z.string(), username: z.string(), name: z.string(), role: z.string() });
const fileQuerySchema = z
  .object({ directive: directiveParamsSchema.shape.id, unit: unitCodeSchema.optional() })
  .strict();

/**
 * Every endpoint of the office API, in one table: the router (office-api.ts) serves these and the OpenAPI
 * document (openapi.ts) describes them. Reading is for office and auditor staff; issuing and acting is
 * for office staff; accounts are for admins (who may also do everything else).
 */
export function officeOperations(deps: OfficeApiDeps): Operation[] {
  const { gateway } = deps;
  /** Made on the first upload: the OpenAPI document is built from this table without a file store. */
  let parseUpload: MultipartParser | undefined;
  return [
    operation({
      operationId: 'issueDirective',
      method: 'post',
      path: '/directives',
      summary: 'Issue a directive. A repeated clientRequestId returns the directive it created (200).',
      tags: ['directives'],
      roles: ['office'],
      body: directiveInputSchema,
      bodyParsedByHandler: true,
      responses: {
        201: { ...json('Issued', issueResultSchema), headers: { Location: 'The directive' } },
        200: {
          ...json('Already issued with this clientRequestId', issueResultSchema),
          headers: { Location: 'The directive' },
        },
      },
      handler: async ({ req, res, by, meta }) => {
        const result = await issueDirective(deps, req.body, by, meta);
        const location = `/api/v1/directives/${result.directiveId}`;
        res
          .status(result.created ? 201 : 200)
          .location(location)
          .json({
            id: result.directiveId,
            created: result.created,
            units: result.units,
            href: location,
            acknowledgeBy: shownInstant(result.acknowledgeBy),
            reportBy: shownInstant(result.reportBy),
          });
      },
    }),
    operation({
      operationId: 'listDirectives',
      method: 'get',
      path: '/directives',
      summary: 'List directives, newest first, with filters; follow nextCursor for the next page.',
      tags: ['directives'],
      roles: ['office', 'auditor'],
      query: listQuerySchema,
      responses: { 200: json('A page of directives', listResponseSchema) },
      handler: async ({ query, res }) => {
        res.json(await listDirectives(deps, query));
      },
    }),
    operation({
      operationId: 'getDirective',
      method: 'get',
      path: '/directives/{id}',
      summary: 'A directive: document, counts, compliance %, per-unit states, overdue units and escalation levels.',
      tags: ['directives'],
      roles: ['office', 'auditor'],
      params: directiveParamsSchema,
      responses: { 200: json('The directive', detailSchema) },
      handler: async ({ params, res }) => {
        res.json(await directiveDetail(deps, params.id));
      },
    }),
    operation({
      operationId: 'getUnitTimeline',
      method: 'get',
      path: '/directives/{id}/units/{code}',
      summary:
        "One unit's state and timeline (every recorded transition), with `mailPending`: messages not yet sent (a slow or down relay).",
      tags: ['units'],
      roles: ['office', 'auditor'],
      params: unitParamsSchema,
      responses: { 200: json('The unit', timelineSchema) },
      handler: async ({ params, res }) => {
        const state = await gateway.unitState(params.id, params.code);
        res.json({
          ...state,
          name: deps.registry().get(params.code)?.name ?? params.code,
          mailPending: pendingMail(state),
        });
      },
    }),
    operation({
      operationId: 'amendDirective',
      method: 'post',
      path: '/directives/{id}/amend',
      summary: 'Amend a directive (a new version every open unit acknowledges again). Idempotent per target version.',
      tags: ['actions'],
      roles: ['office'],
      params: directiveParamsSchema,
      body: amendmentInputSchema,
      bodyParsedByHandler: true,
      idempotent: true,
      responses: { 200: json('The directive status after the amendment', directiveStatusSchema) },
      handler: async ({ params, req, res, by, meta }) => {
        res.json(await amendDirective(deps, params.id, req.body, by, meta));
      },
    }),
    operation({
      operationId: 'cancelDirective',
      method: 'post',
      path: '/directives/{id}/cancel',
      summary: 'Cancel (withdraw) a directive: every open unit closes as cancelled and is told.',
      tags: ['actions'],
      roles: ['office'],
      params: directiveParamsSchema,
      body: cancelBodySchema,
      idempotent: true,
      responses: { 200: json('The directive status', directiveStatusSchema) },
      handler: async ({ params, body, res, by, meta }) => {
        res.json(await cancelDirective(deps, params.id, body.reason, by, meta));
      },
    }),
    operation({
      operationId: 'closeDirective',
      method: 'post',
      path: '/directives/{id}/close',
      summary: 'Close a directive: open units close as they stand.',
      tags: ['actions'],
      roles: ['office'],
      params: directiveParamsSchema,
      body: closeBodySchema,
      idempotent: true,
      responses: { 200: json('The directive status', directiveStatusSchema) },
      handler: async ({ params, body, res, by, meta }) => {
        res.json(await closeDirective(deps, params.id, body.reason, by, meta));
      },
    }),
    operation({
      operationId: 'extendAllUnits',
      method: 'post',
      path: '/directives/{id}/extend',
      summary: 'Extend the deadlines of every open unit.',
      tags: ['actions'],
      roles: ['office'],
      params: directiveParamsSchema,
      body: extendBodySchema,
      idempotent: true,
      responses: { 200: json('Units extended and units skipped', bulkActionResultSchema) },
      handler: async ({ params, body, res, by, meta, submissionId }) => {
        res.json(
          await extendAllUnits(
            gateway,
            params.id,
            { acknowledgeBy: body.acknowledgeBy, reportBy: body.reportBy, reason: body.reason },
            by,
            meta,
            submissionId,
          ),
        );
      },
    }),
    operation({
      operationId: 'remindAllUnits',
      method: 'post',
      path: '/directives/{id}/remind',
      summary: 'Remind now every unit whose report is still due.',
      tags: ['actions'],
      roles: ['office'],
      params: directiveParamsSchema,
      body: remindBodySchema,
      idempotent: true,
      responses: { 200: json('Units reminded and units skipped', bulkActionResultSchema) },
      handler: async ({ params, body, res, by, meta, submissionId }) => {
        res.json(await remindAllUnits(gateway, params.id, body.note, by, meta, submissionId));
      },
    }),
    ...unitCommandNames.map((name) => {
      const { route, body } = unitCommands[name];
      return operation({
        operationId: route.operationId,
        method: 'post',
        path: `/directives/{id}/units/{code}/${route.path}`,
        summary: route.summary,
        tags: ['actions'],
        roles: ['office'],
        params: name === 'decide-extension' ? extensionParamsSchema : unitParamsSchema,
        body,
        idempotent: true,
        responses: { 200: json('The transition recorded', unitActionResultSchema) },
        handler: async ({ params: p, body: parsed, res, by, meta, submissionId }) => {
          const at = { directiveId: p.id, unitCode: p.code, requestId: (p as { requestId?: string }).requestId };
          res.json(await runUnitCommand(gateway, name, at, parsed, by, meta, submissionId));
        },
      });
    }),
    operation({
      operationId: 'uploadFile',
      method: 'post',
      path: '/files',
      summary:
        'Upload a file to attach to directives: multipart/form-data with one part named `file` (PDF, PNG, JPEG, DOCX, XLSX, PPTX, CSV or TXT, at most 10 MB, checked by content). Name the answer in `attachments`.',
      tags: ['files'],
      roles: ['office'],
      responses: { 201: json("Stored; name it in a directive's attachments", fileRefSchema) },
      handler: async ({ req, res }) => {
        parseUpload ??= multipartParser(deps.files.stagingDir);
        res.status(201).json(await uploadAttachment(deps.files, parseUpload, req, res));
      },
    }),
    operation({
      operationId: 'downloadAttachment',
      method: 'get',
      path: '/files/{sha256}',
      summary: "Download an attachment of a directive (or, with `unit`, of that unit's report).",
      tags: ['files'],
      roles: ['office', 'auditor'],
      params: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
      query: fileQuerySchema,
      responses: {
        200: {
          description: 'The file, as an attachment with its original name',
          contentType: 'application/octet-stream',
        },
      },
      handler: async ({ params, query, res }) => {
        const ref = await findAttachment(gateway, params.sha256, query.directive, query.unit);
        const bytes = await deps.files.get(ref.sha256).catch(() => {
          throw new NotFound('the attachment is not in the file store');
        });
        res.attachment(ref.name).type(downloadContentType(ref)).set('X-Content-Type-Options', 'nosniff').send(bytes);
      },
    }),
    operation({
      operationId: 'listAccounts',
      method: 'get',
      path: '/accounts',
      summary: 'List accounts and their tokens (never secrets).',
      tags: ['accounts'],
      roles: ['admin'],
      responses: { 200: json('Accounts', z.object({ accounts: z.array(accountViewSchema) })) },
      handler: async ({ res }) => {
        res.json({ accounts: (await deps.auth.accounts.list()).map(viewAccount) });
      },
    }),
    operation({
      operationId: 'createAccount',
      method: 'post',
      path: '/accounts',
      summary: 'Create an account (office, auditor or admin).',
      tags: ['accounts'],
      roles: ['admin'],
      body: newAccountSchema,
      responses: { 201: json('Created', accountViewSchema) },
      handler: async ({ body, res }) => {
        const account = await deps.auth.accounts.create(body);
        res.status(201).location(`/api/v1/accounts/${account.username}`).json(viewAccount(account));
      },
    }),
    operation({
      operationId: 'createToken',
      method: 'post',
      path: '/accounts/{username}/tokens',
      summary: 'Create an API token for an account; the token is shown once in the response.',
      tags: ['accounts'],
      roles: ['admin'],
      params: z.object({ username: usernameSchema }),
      body: newTokenSchema,
      responses: {
        201: json(
          'Created; keep the token now, it is not shown again',
          z.object({ id: z.string(), token: z.string() }),
        ),
      },
      handler: async ({ params, body, res }) => {
        res
          .status(201)
          .set('Cache-Control', 'no-store')
          .json(await deps.auth.accounts.createToken(params.username, body.name));
      },
    }),
    ...(['disable', 'enable'] as const).map((action) =>
      operation({
        operationId: `${action}Account`,
        method: 'post',
        path: `/accounts/{username}/${action}`,
        summary:
          action === 'disable'
            ? 'Disable an account: its sessions end and its tokens stop working at once.'
            : 'Enable a disabled account again (its earlier sessions stay ended; its tokens work again).',
        tags: ['accounts'],
        roles: ['admin'],
        params: z.object({ username: usernameSchema }),
        responses: { 200: json('The account now', accountViewSchema) },
        handler: async ({ params, res }) => {
          res.json(viewAccount(await deps.auth.accounts.setDisabled(params.username, action === 'disable')));
        },
      }),
    ),
    operation({
      operationId: 'revokeToken',
      method: 'delete',
      path: '/accounts/{username}/tokens/{tokenId}',
      summary: 'Revoke an API token.',
      tags: ['accounts'],
      roles: ['admin'],
      params: z.object({ username: usernameSchema, tokenId: z.string().regex(/^t_[0-9a-f]{12}$/) }),
      responses: { 204: { description: 'Revoked' } },
      handler: async ({ params, res }) => {
        await deps.auth.accounts.revokeToken(params.username, params.tokenId);
        res.status(204).end();
      },
    }),
  ];
}
