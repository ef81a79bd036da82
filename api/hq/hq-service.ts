import { z } from 'zod';
import { campaignIdSchema } from '../../domain/directive-schema';
import { persianText } from '../../lib/persian-text';
import type { Registry } from '../../domain/registry';
import { unitKindSchema } from '../../domain/registry-schema';
import { scoreboard, scoreboardSortKeys, unitRecord, type UnitLabel, type UnitRecord } from '../../audit/unit-record';
import type { Actor, CampaignRecord } from '../../workflows/types';
import { NotFound, Rejected } from '../errors';
import { quote } from '../office/list-directives';
import { dateBound } from '../office/schemas';
import type { PdfRenderer } from '../exports/pdf-renderer';
import type { TemporalGateway } from '../temporal-gateway';
import type { RecordReader, RecordScope } from './record-reader';

/**
 * The election HQ's use cases: campaigns, a unit's record across directives and the scoreboard. Routes
 * (API and pages) call these; they read everything from Temporal through the gateway and the reader.
 */

export interface HqDeps {
  gateway: TemporalGateway;
  registry: () => Registry;
  reader: RecordReader;
  taskQueue?: string;
  now?: () => number;
  /** Prints the campaign report (the API's shared Chromium). */
  pdf?: PdfRenderer;
}

export const newCampaignSchema = z
  .object({
    id: campaignIdSchema,
    title: persianText(3, 200),
    description: persianText(1, 2_000).optional(),
  })
  .strict();
export type NewCampaign = z.infer<typeof newCampaignSchema>;

export const campaignParamsSchema = z.object({ id: campaignIdSchema });

/** The scope of a record or the scoreboard: a campaign and a Jalali (or ISO) issue-date range. */
export const scopeQueryFields = {
  campaign: campaignIdSchema.optional(),
  /** Directives issued on or after (e.g. 1405/09/01). */
  from: dateBound.optional(),
  /** Directives issued before. */
  to: dateBound.optional(),
};
export const recordQuerySchema = z.object(scopeQueryFields).strict();

export const scoreboardQuerySchema = z
  .object({
    ...scopeQueryFields,
    county: z
      .string()
      .regex(/^[A-Z0-9][A-Z0-9-]{1,39}$/)
      .optional(),
    kind: unitKindSchema.extract(['district', 'agency']).optional(),
    sort: z.enum(scoreboardSortKeys).default('rank'),
    order: z.enum(['asc', 'desc']).default('asc'),
  })
  .strict();
export type ScoreboardQuery = z.infer<typeof scoreboardQuerySchema>;

/** Creates a campaign. @throws Rejected (conflict) when the id is taken. */
export async function createCampaign(deps: HqDeps, input: NewCampaign, by: Actor): Promise<CampaignRecord> {
  const record: CampaignRecord = {
    ...input,
    createdAt: new Date((deps.now ?? Date.now)()).toISOString(),
    createdBy: by,
  };
  if (!(await deps.gateway.startCampaign(record)))
    throw new Rejected('conflict', `a campaign with id ${input.id} already exists`);
  return record;
}

const taskQueueClause = (taskQueue?: string) => (taskQueue ? ` AND TaskQueue = ${quote(taskQueue)}` : '');

/** The directive ids of each campaign, from the directives' Campaign search attribute (visibility). */
async function directivesByCampaign(deps: HqDeps, campaign?: string): Promise<Map<string, string[]>> {
  const query = `FarmanKind = 'directive'${taskQueueClause(deps.taskQueue)}${campaign ? ` AND Campaign = ${quote(campaign)}` : ''}`;
  const out = new Map<string, string[]>();
  for (const wf of await deps.gateway.listWorkflows(query, 'the directive list')) {
    const id = /^directive:([^/]+)$/.exec(wf.workflowId)?.[1];
    if (!id || !wf.campaign) continue;
    out.set(wf.campaign, [...(out.get(wf.campaign) ?? []), id].sort().reverse());
  }
  return out;
}

/** Every campaign, newest first, with the number of its directives. */
export async function listCampaigns(deps: HqDeps): Promise<(CampaignRecord & { directives: number; href: string })[]> {
  const listed = await deps.gateway.listWorkflows(
    `FarmanKind = 'campaign'${taskQueueClause(deps.taskQueue)}`,
    'the campaign list',
  );
  const counts = await directivesByCampaign(deps);
  const records = await Promise.all(
    listed.map(
      async (wf) =>
        (wf.memo.campaign as CampaignRecord | undefined) ??
        deps.gateway.campaign(wf.workflowId.replace(/^campaign:/, '')),
    ),
  );
  return records
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((r) => ({ ...r, directives: counts.get(r.id)?.length ?? 0, href: `/api/v1/campaigns/${r.id}` }));
}

/** One campaign with the ids of its directives (newest first). @throws NotFound */
export async function getCampaign(deps: HqDeps, id: string): Promise<CampaignRecord & { directives: string[] }> {
  const record = await deps.gateway.campaign(id);
  const directives = (await directivesByCampaign(deps, id)).get(id) ?? [];
  return { ...record, directives };
}

/** A unit's record within the scope. @throws NotFound for a code that is neither in the registry nor in any directive. */
export async function recordOf(deps: HqDeps, unitCode: string, scope: RecordScope): Promise<UnitRecord> {
  const read = await deps.reader.read(scope, (deps.now ?? Date.now)(), unitCode);
  const outcomes = read.byUnit.get(unitCode) ?? [];
  const unreadable = read.unreadable.get(unitCode) ?? [];
  if (!deps.registry().get(unitCode) && outcomes.length === 0 && unreadable.length === 0)
    throw new NotFound(`unit ${unitCode} was not found`);
  return unitRecord(unitCode, outcomes, unreadable);
}

/** The registry's description of a unit, for the scoreboard (a unit since removed keeps its code). */
export function unitLabel(registry: Registry, code: string): UnitLabel {
  const unit = registry.get(code);
  const county = unit?.county ?? null;
  return {
    code,
    name: unit?.name ?? code,
    kind: unit?.kind ?? 'unknown',
    county,
    countyName: county ? (registry.get(county)?.name ?? county) : null,
  };
}

/** Every unit that received a directive in scope, ranked, with per-county subtotals. */
export async function scoreboardOf(deps: HqDeps, q: ScoreboardQuery) {
  const registry = deps.registry();
  const read = await deps.reader.read(
    { campaign: q.campaign, from: q.from, to: q.to },
    (deps.now ?? Date.now)(),
    undefined,
    { fresh: false },
  );
  const codes = new Set([...read.byUnit.keys(), ...read.unreadable.keys()]);
  const units = [...codes]
    .map((code) => ({
      label: unitLabel(registry, code),
      record: unitRecord(code, read.byUnit.get(code) ?? [], read.unreadable.get(code) ?? []),
    }))
    .filter((u) => (!q.county || u.label.county === q.county) && (!q.kind || u.label.kind === q.kind));
  return scoreboard(units, q.sort, q.order === 'desc');
}
