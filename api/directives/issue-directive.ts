import { directiveInputSchema, type DirectiveInput } from '../../domain/directive-schema';
import type { FileStore } from '../../lib/file-store';
import type { Registry } from '../../domain/registry';
import type { Actor, DirectiveSpec, RequestMeta } from '../../workflows/types';
import { fieldIssues, NotFound, ValidationFailed } from '../errors';
import { resolveAttachments } from '../office/attachment-uploads';
import type { TemporalGateway } from '../temporal-gateway';
import type { DirectiveIdAllocator, RequestLedger } from './directive-ids';

export interface IssueDeps {
  registry: () => Registry;
  gateway: TemporalGateway;
  files: FileStore;
  ids: DirectiveIdAllocator;
  ledger: RequestLedger;
}

/** Parses a directive from untrusted input, or throws ValidationFailed with every bad field. */
export function parseDirectiveInput(body: unknown): DirectiveInput {
  const parsed = directiveInputSchema.safeParse(body);
  if (!parsed.success) throw new ValidationFailed(fieldIssues(parsed.error.issues), 'the directive is invalid');
  return parsed.data;
}

/**
/** Refuses a campaign that was never created. @throws ValidationFailed at `campaign` */
async function requireCampaign(gateway: TemporalGateway, campaignId: string): Promise<void> {
  try {
    await gateway.campaign(campaignId);
  } catch (err) {
    if (err instanceof NotFound)
      throw new ValidationFailed(
        [{ path: 'campaign', message: 'no campaign has this id' }],
        'the campaign does not exist',
      );
    throw err;
  }
}

/**
 * Stores the directive's document (body and attachments stay outside Temporal) and returns the full spec
 * with `specRef` set to the document's SHA-256.
 */
export async function storeSpec(files: FileStore, spec: Omit<DirectiveSpec, 'specRef'>): Promise<DirectiveSpec> {
  const specRef = await files.putJson(spec);
  return { ...spec, specRef };
}

/**
 * Issues a directive: validates it, resolves its targets against the registry, assigns the next id and
 * starts its workflow. With a `clientRequestId` the request is idempotent: repeating it returns the
 * directive it created (`created: false`). Nothing starts when anything is invalid.
 */
export async function issueDirective(
  deps: IssueDeps,
  body: unknown,
  by: Actor,
  meta: RequestMeta,
  now = new Date(),
): Promise<{ directiveId: string; created: boolean; units: number; acknowledgeBy: string; reportBy: string }> {
  const input = parseDirectiveInput(body);
  const resolved = deps.registry().resolveTargets(input.targets);
  if ('issues' in resolved) throw new ValidationFailed(fieldIssues(resolved.issues), 'the targets are invalid');
  const units = resolved.codes;
  const attachments = await resolveAttachments(deps.files, input.attachments);
  if (input.campaign) await requireCampaign(deps.gateway, input.campaign);

  if (input.clientRequestId) {
    const existing = await deps.ledger.lookup(input.clientRequestId);
    if (existing) return issuedEarlier(deps.gateway, existing, units.length);
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const directiveId = await deps.ids.next(now);
    if (input.clientRequestId) {
      if (attempt === 0) {
        const holder = await deps.ledger.claim(input.clientRequestId, directiveId);
        if (holder) return issuedEarlier(deps.gateway, holder, units.length);
      } else {
        await deps.ledger.repoint(input.clientRequestId, directiveId);
      }
    }
    const spec = await storeSpec(deps.files, {
      directiveId,
      version: 1,
      title: input.title,
      body: input.body,
      priority: input.priority,
      acknowledgeBy: input.acknowledgeBy,
      reportBy: input.reportBy,
      reminders: input.reminders,
      escalation: input.escalation,
      form: input.form,
      acceptance: input.acceptance,
      ...(input.smsForUrgent ? { smsForUrgent: true } : {}),
      attachments,
      targets: input.targets,
      issuedBy: by,
      issuedAt: now.toISOString(),
      issuedMeta: meta,
      clientRequestId: input.clientRequestId,
      campaign: input.campaign,
    });
    if (await deps.gateway.startDirective(spec, units)) {
      return {
        directiveId,
        created: true,
        units: units.length,
        acknowledgeBy: spec.acknowledgeBy,
        reportBy: spec.reportBy,
      };
    }
    // The id is taken (another API process, or a counter behind the namespace): jump past the highest known.
    const year = Number(directiveId.slice(0, 4));
    await deps.ids.advancePast(year, await deps.gateway.highestDirectiveSerial(year));
  }
  throw new Error('could not allocate a directive id after 20 attempts');
}

/** A repeated request's answer: the directive it created, with the deadlines that directive holds now. */
async function issuedEarlier(gateway: TemporalGateway, directiveId: string, units: number) {
  const { spec } = await gateway.directiveDocument(directiveId);
  return { directiveId, created: false, units, acknowledgeBy: spec.acknowledgeBy, reportBy: spec.reportBy };
}
