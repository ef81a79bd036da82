import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  Actor,
  CampaignRecord,
  DirectiveSpec,
  DirectiveStatus,
  ReportValues,
  RequestMeta,
  UnitPolicy,
  UnitSummary,
} from './types';
import type { SmsReceiptEvent, UnitState } from './unit-state';

/**
 * The contract between the API, the activities and the workflows: the task queue, the workflow IDs, the
 * messages and the search attributes. Wire names are persisted in histories: add new ones, never rename.
 * This module imports only Temporal's definition helpers, which make plain data, so every process and the
 * workflow sandbox can load it.
 */

export const taskQueue = 'farman';

/** `directive:<id>`: one per directive; the id is `<jalali year>-<serial>`, e.g. `1405-000042`. */
export function directiveWorkflowId(directiveId: string): string {
  return `directive:${directiveId}`;
}

/** `directive:<id>/unit:<code>`: one per unit and directive. */
export function unitWorkflowId(directiveId: string, unitCode: string): string {
  return `directive:${directiveId}/unit:${unitCode}`;
}

/** `directive:<id>/shard:<n>`: the shards of a large directive, numbered from 0. */
export function shardWorkflowId(directiveId: string, shardIndex: number): string {
  return `directive:${directiveId}/shard:${shardIndex}`;
}

/** Splits a unit workflow ID back into its parts, or returns null for any other ID. */
export function parseUnitWorkflowId(workflowId: string): { directiveId: string; unitCode: string } | null {
  const m = /^directive:([^/]+)\/unit:(.+)$/.exec(workflowId);
  return m ? { directiveId: m[1], unitCode: m[2] } : null;
}

/** `campaign:<id>`: one small entity workflow per campaign, holding its record (workflows/campaign-workflow.ts). */
export function campaignWorkflowId(campaignId: string): string {
  return `campaign:${campaignId}`;
}

/** `inbox:<code>`: one per unit, started at the first revocation of its inbox links (workflows/unit-inbox-workflow.ts). */
export function unitInboxWorkflowId(unitCode: string): string {
  return `inbox:${unitCode}`;
}

/** Children per shard, and the size above which a directive uses shards. Temporal advises < 1,000. */
export const defaultShardSize = 500;

// Search attributes (registered on the namespace by the server script and the cluster setup).
export const searchAttributes = {
  directiveId: defineSearchAttributeKey('DirectiveId', 'KEYWORD'),
  unitCode: defineSearchAttributeKey('UnitCode', 'KEYWORD'),
  complianceState: defineSearchAttributeKey('ComplianceState', 'KEYWORD'),
  escalationLevel: defineSearchAttributeKey('EscalationLevel', 'INT'),
  nextDeadline: defineSearchAttributeKey('NextDeadline', 'DATETIME'),
  priority: defineSearchAttributeKey('Priority', 'KEYWORD'),
  kind: defineSearchAttributeKey('FarmanKind', 'KEYWORD'),
  /** The campaign a directive belongs to (set at start on the directive's workflow, and on the campaign's own). */
  campaign: defineSearchAttributeKey('Campaign', 'KEYWORD'),
};

/** Name → type, as `temporal operator search-attribute create` and `start-dev --search-attribute` take them. */
export const searchAttributeTypes: Record<string, 'Keyword' | 'Int' | 'Datetime'> = {
  DirectiveId: 'Keyword',
  UnitCode: 'Keyword',
  ComplianceState: 'Keyword',
  EscalationLevel: 'Int',
  NextDeadline: 'Datetime',
  Priority: 'Keyword',
  FarmanKind: 'Keyword',
  Campaign: 'Keyword',
};

/** Every message carries who sent it and the request's metadata, so the audit entry can say who decided. */
interface Attributed {
  by: Actor;
  meta?: RequestMeta;
}

/**
 * A reply through an e-mailed link names the link's generation: the unit refuses it if its links have since
 * been revoked, so the page can send the reply without first asking the unit which generation is current.
 */
interface FromLink {
  linkGeneration?: number;
}

// Unit replies (from the e-mailed link). The update ID is the form's submission id.
export interface AcknowledgeArgs extends Attributed, FromLink {
  name: string;
  position: string;
}
export interface SubmitReportArgs extends Attributed, FromLink {
  name: string;
  position: string;
  values: ReportValues;
}
export interface RequestExtensionArgs extends Attributed, FromLink {
  until: string;
  reason: string;
}

// Office decisions on one unit.
export interface DecideExtensionArgs extends Attributed {
  requestId: string;
  approved: boolean;
  until?: string;
  note?: string;
}
export interface ExtendDeadlineArgs extends Attributed {
  acknowledgeBy?: string;
  reportBy?: string;
  reason: string;
}
export interface AcceptReportArgs extends Attributed {
  note?: string;
}
export interface ReturnReportArgs extends Attributed {
  reason: string;
  reportBy?: string;
}
export interface ExemptArgs extends Attributed {
  reason: string;
}
export interface RemindArgs extends Attributed {
  note?: string;
}

/** What every unit update returns: the transition's sequence number and the unit's state after it. */
export interface UnitUpdateResult {
  seq: number;
  state: UnitSummary;
  at: string;
}

export const acknowledgeUpdate = defineUpdate<UnitUpdateResult, [AcknowledgeArgs]>('acknowledge');
export const submitReportUpdate = defineUpdate<UnitUpdateResult, [SubmitReportArgs]>('submitReport');
export const requestExtensionUpdate = defineUpdate<UnitUpdateResult, [RequestExtensionArgs]>('requestExtension');
export const decideExtensionUpdate = defineUpdate<UnitUpdateResult, [DecideExtensionArgs]>('decideExtension');
export const extendDeadlineUpdate = defineUpdate<UnitUpdateResult, [ExtendDeadlineArgs]>('extendDeadline');
export const acceptReportUpdate = defineUpdate<UnitUpdateResult, [AcceptReportArgs]>('acceptReport');
export const returnReportUpdate = defineUpdate<UnitUpdateResult, [ReturnReportArgs]>('returnReport');
export const exemptUpdate = defineUpdate<UnitUpdateResult, [ExemptArgs]>('exempt');
export const remindUpdate = defineUpdate<UnitUpdateResult, [RemindArgs]>('remind');
export const revokeLinksUpdate = defineUpdate<UnitUpdateResult, [Attributed]>('revokeLinks');

/** The unit's full state, including its audit log. */
export const unitStateQuery = defineQuery<UnitState>('unitState');

// Directive-wide commands, fanned out by the directive to its shards and units.
export interface AmendArgs extends Attributed {
  spec: DirectiveSpec;
  changes: string[];
}
export interface CancelArgs extends Attributed {
  reason: string;
}
export interface CloseArgs extends Attributed {
  reason: string;
}

/** Directive-level updates: validated (e.g. no amendment after cancel) and acknowledged once applied. */
export const amendUpdate = defineUpdate<DirectiveStatus, [AmendArgs]>('amend');
export const cancelUpdate = defineUpdate<DirectiveStatus, [CancelArgs]>('cancel');
export const closeUpdate = defineUpdate<DirectiveStatus, [CloseArgs]>('close');
export const directiveStatusQuery = defineQuery<DirectiveStatus>('directiveStatus');
/** The directive document as issued and amended, with its transition log. */
export const directiveSpecQuery = defineQuery<{ spec: DirectiveSpec; log: DirectiveLogEntry[] }>('directiveSpec');
/** Summaries of the units a directive or shard tracks directly (not through shards). */
export const unitSummariesQuery = defineQuery<UnitSummary[]>('unitSummaries');

/** Parent → children: the same commands, as signals (fire and forget, ordered per child). */
export const amendUnitSignal = defineSignal<[Attributed & { policy: UnitPolicy; changes: string[] }]>('amendUnit');
export const cancelUnitSignal = defineSignal<[CancelArgs]>('cancelUnit');
export const closeUnitSignal = defineSignal<[CloseArgs]>('closeUnit');
/** Worker → unit: the SMSC's delivery receipt for a part of the unit's text message (recorded, changes nothing). */
export const smsReceiptSignal = defineSignal<[Omit<SmsReceiptEvent, 'type'>]>('smsReceipt');

/** Child → parent: the unit's summary changed. Parents keep the summary with the highest `seq`. */
export const unitChangedSignal = defineSignal<[UnitSummary]>('unitChanged');
/** Shard → directive: the shard's summaries changed (sent at most about once a second). */
export const shardChangedSignal =
  defineSignal<[{ shardIndex: number; summaries: UnitSummary[]; started: number }]>('shardChanged');

export interface DirectiveLogEntry {
  seq: number;
  at: string;
  by: Actor;
  meta?: RequestMeta;
  event:
    | { type: 'issued'; version: number; units: number }
    | { type: 'amended'; version: number; changes: string[] }
    | { type: 'cancelled'; reason: string }
    | { type: 'closed'; reason: string }
    | { type: 'completed' };
}

/** The campaign's record as created. */
export const campaignQuery = defineQuery<CampaignRecord>('campaign');

/**
 * The generation of a unit's inbox links: a link signed with an older one is refused. Kept in the inbox
 * workflow's memo too (`generation`), so a reader needs no worker to learn it.
 */
export const inboxGenerationQuery = defineQuery<number>('inboxGeneration');
/** Revokes every inbox link of the unit issued so far; returns the new generation. */
export const revokeInboxUpdate = defineUpdate<number, [Attributed]>('revokeInbox');
