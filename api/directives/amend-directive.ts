import { amendmentInputSchema } from '../../domain/directive-schema';
import type { FileStore } from '../../lib/file-store';
import { amendUpdate, cancelUpdate, closeUpdate } from '../../workflows/contract';
import type { Actor, DirectiveSpec, DirectiveStatus, RequestMeta } from '../../workflows/types';
import { fieldIssues, ValidationFailed } from '../errors';
import type { TemporalGateway } from '../temporal-gateway';
import { resolveAttachments } from '../office/attachment-uploads';
import { storeSpec } from './issue-directive';

const comparedFields = [
  'title',
  'body',
  'priority',
  'acknowledgeBy',
  'reportBy',
  'reminders',
  'escalation',
  'form',
  'attachments',
  'acceptance',
  'smsForUrgent',
] as const;

/** The names of the fields an amendment changes, for the audit entry and the units' e-mail. */
export function changedFields(before: DirectiveSpec, after: Omit<DirectiveSpec, 'specRef'>): string[] {
  return comparedFields.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}

/**
 * Amends a directive: a new version that every open unit must acknowledge again (their report drafts are
 * kept). The update id is derived from the target version, so a retried amendment is applied once.
 */
export async function amendDirective(
  deps: { gateway: TemporalGateway; files: FileStore },
  directiveId: string,
  body: unknown,
  by: Actor,
  meta: RequestMeta,
): Promise<DirectiveStatus> {
  const parsed = amendmentInputSchema.safeParse(body);
  if (!parsed.success) throw new ValidationFailed(fieldIssues(parsed.error.issues), 'the amendment is invalid');
  const { spec: current } = await deps.gateway.directiveDocument(directiveId);
  const { specRef: _previous, ...base } = current;
  // Attachments the directive already carries stay allowed; new ones must have been uploaded as attachments.
  const attachments = await resolveAttachments(deps.files, parsed.data.attachments, current.attachments);
  const next = {
    ...base,
    ...parsed.data,
    attachments,
    version: current.version + 1,
    issuedBy: current.issuedBy,
    issuedAt: current.issuedAt,
  };
  const changes = changedFields(current, next);
  if (changes.length === 0)
    throw new ValidationFailed(
      [{ path: '(body)', message: 'the amendment changes nothing' }],
      'the amendment changes nothing',
    );
  const spec = await storeSpec(deps.files, next);
  return deps.gateway.directiveUpdate(
    directiveId,
    amendUpdate,
    { spec, changes, by, meta },
    `amend-${directiveId}-v${spec.version}`,
  );
}

/** Cancels (withdraws) a directive: every open unit is closed as cancelled and notified. */
export function cancelDirective(
  deps: { gateway: TemporalGateway },
  directiveId: string,
  reason: string,
  by: Actor,
  meta: RequestMeta,
): Promise<DirectiveStatus> {
  if (!reason.trim()) throw new ValidationFailed([{ path: 'reason', message: 'is required' }]);
  return deps.gateway.directiveUpdate(directiveId, cancelUpdate, { reason, by, meta }, `cancel-${directiveId}`);
}

/** Closes a directive: units still open are closed as they stand, and the directive completes. */
export function closeDirective(
  deps: { gateway: TemporalGateway },
  directiveId: string,
  reason: string,
  by: Actor,
  meta: RequestMeta,
): Promise<DirectiveStatus> {
  return deps.gateway.directiveUpdate(directiveId, closeUpdate, { reason, by, meta }, `close-${directiveId}`);
}
