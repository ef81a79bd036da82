import { z } from 'zod';
import { unitCodeSchema } from '../../domain/registry-schema';
import { pdfRenderer } from '../exports/pdf-renderer';
import { operation, type Operation } from '../office/operation';
import { campaignReport, campaignReportHtml, campaignReportXlsx } from './campaign-report';
import { submissionIdSchema } from '../office/schemas';
import {
  campaignParamsSchema,
  createCampaign,
  getCampaign,
  listCampaigns,
  newCampaignSchema,
  recordOf,
  recordQuerySchema,
  scoreboardOf,
  scoreboardQuerySchema,
  type HqDeps,
} from './hq-service';

const json = (description: string, schema?: z.ZodType) => ({ description, schema });
const reportTypes = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;
const campaignSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  createdAt: z.string(),
});
const figureSchema = z.object({ count: z.number().int(), directives: z.array(z.string()) });
const recordSchema = z.looseObject({
  unitCode: z.string(),
  complete: z.boolean(),
  unreadable: z.array(z.object({ directiveId: z.string(), reason: z.string() })),
  figures: z.record(z.string(), figureSchema),
  onTimePercent: z.number().nullable(),
  open: z.array(z.looseObject({ directiveId: z.string() })),
});
const scoreboardSchema = z.looseObject({
  complete: z.boolean(),
  rows: z.array(z.looseObject({ code: z.string(), rank: z.number().int(), worst: z.boolean() })),
  counties: z.array(z.looseObject({ county: z.string().nullable() })),
});

/**
 * The election HQ's endpoints: campaigns, a unit's record across directives, the scoreboard, and the
 * revocation of a unit's inbox links. Served beside the office operations and described in the same
 * OpenAPI document.
 */
export function hqOperations(deps: HqDeps): Operation[] {
  return [
    operation({
      operationId: 'createCampaign',
      method: 'post',
      path: '/campaigns',
      summary: 'Create a campaign (a set of directives followed together). 409 when the id is taken.',
      tags: ['campaigns'],
      roles: ['office'],
      body: newCampaignSchema,
      responses: { 201: { ...json('Created', campaignSchema), headers: { Location: 'The campaign' } } },
      handler: async ({ body, by, res }) => {
        const record = await createCampaign(deps, body, by);
        res.status(201).location(`/api/v1/campaigns/${record.id}`).json(record);
      },
    }),
    operation({
      operationId: 'listCampaigns',
      method: 'get',
      path: '/campaigns',
      summary: 'Every campaign, newest first, with the number of its directives.',
      tags: ['campaigns'],
      roles: ['office', 'auditor'],
      responses: { 200: json('Campaigns', z.object({ campaigns: z.array(campaignSchema) })) },
      handler: async ({ res }) => {
        res.json({ campaigns: await listCampaigns(deps) });
      },
    }),
    operation({
      operationId: 'getCampaign',
      method: 'get',
      path: '/campaigns/{id}',
      summary: 'A campaign and the ids of its directives (newest first).',
      tags: ['campaigns'],
      roles: ['office', 'auditor'],
      params: campaignParamsSchema,
      responses: { 200: json('The campaign', campaignSchema.extend({ directives: z.array(z.string()) })) },
      handler: async ({ params, res }) => {
        res.json(await getCampaign(deps, params.id));
      },
    }),
    ...(['pdf', 'xlsx'] as const).map((format) =>
      operation({
        operationId: format === 'pdf' ? 'getCampaignReportPdf' : 'getCampaignReportXlsx',
        method: 'get',
        path: `/campaigns/{id}/report.${format}`,
        summary:
          format === 'pdf'
            ? "The HQ meeting's paper: a cover (compliance, units overdue now and since when, escalations), then per county, per unit and per directive tables. Persian, RTL, Jalali, dated and numbered."
            : 'The same report as an Excel workbook: summary, counties, units, overdue units, directives.',
        tags: ['campaigns'],
        roles: ['office', 'auditor'],
        params: campaignParamsSchema,
        responses: { 200: { description: 'The report (a download)', contentType: reportTypes[format] } },
        handler: async ({ params, res }) => {
          const report = await campaignReport(deps, params.id);
          const bytes =
            format === 'pdf'
              ? await (deps.pdf ?? pdfRenderer).render(campaignReportHtml(report))
              : await campaignReportXlsx(report);
          res.type(reportTypes[format]).attachment(`campaign-${params.id}.${format}`).send(bytes);
        },
      }),
    ),
    operation({
      operationId: 'getUnitRecord',
      method: 'get',
      path: '/units/{code}/record',
      summary:
        "A unit's record across directives (optionally one campaign's, or those issued in a Jalali date range): acknowledged and reported on time, late, never; returned; times; reminders; escalations; open now. Every figure lists its directives. `complete: false` names the directives that could not be read.",
      tags: ['hq'],
      roles: ['office', 'auditor'],
      params: z.object({ code: unitCodeSchema }),
      query: recordQuerySchema,
      responses: { 200: json('The record', recordSchema) },
      handler: async ({ params, query, res }) => {
        res.json(await recordOf(deps, params.code, query));
      },
    }),
    operation({
      operationId: 'getScoreboard',
      method: 'get',
      path: '/scoreboard',
      summary:
        'Every unit that received a directive in scope, ranked by on-time percentage, the worst marked, with per-county subtotals.',
      tags: ['hq'],
      roles: ['office', 'auditor'],
      query: scoreboardQuerySchema,
      responses: { 200: json('The scoreboard', scoreboardSchema) },
      handler: async ({ query, res }) => {
        const board = await scoreboardOf(deps, query);
        res.json({
          ...board,
          rows: board.rows.map(({ record, ...row }) => ({
            ...row,
            onTimePercent: record.onTimePercent,
            complete: record.complete,
            figures: record.figures,
            href: `/api/v1/units/${row.code}/record`,
          })),
        });
      },
    }),
    operation({
      operationId: 'revokeUnitInbox',
      method: 'post',
      path: '/units/{code}/revoke-inbox',
      summary: 'Revoke every inbox link (/k/…) of the unit sent so far; the next message carries a new one.',
      tags: ['actions'],
      roles: ['office'],
      params: z.object({ code: unitCodeSchema }),
      body: z.object({ submissionId: submissionIdSchema.optional() }).strict(),
      idempotent: true,
      responses: { 200: json('The new generation of inbox links', z.object({ generation: z.number().int() })) },
      handler: async ({ params, by, submissionId, res }) => {
        res.json({ generation: await deps.gateway.revokeInbox(params.code, by, submissionId) });
      },
    }),
  ];
}
