import type { FileRef, FormField, Priority, Targets } from '../domain/directive-schema';

/**
 * Plain data shared by the workflows, the activities and the API. Type-only: nothing here exists at runtime,
 * so workflow code may import it freely. Field names are persisted in histories: add, never rename.
 */

/** Who did something. Office users are identified by account id; units by their code; timers by `system`. */
export interface Actor {
  kind: 'office' | 'unit' | 'system';
  id: string;
  name?: string;
  title?: string;
}

/** Request metadata kept with a transition so that an auditor can tell where an action came from. */
export interface RequestMeta {
  submissionId?: string;
  requestId?: string;
  ip?: string;
  userAgent?: string;
}

export type EscalationTarget = 'deputy' | 'governor';

/** What each unit's workflow needs to run its timeline. The directive's body stays in the file store. */
export interface UnitPolicy {
  directiveId: string;
  version: number;
  title: string;
  priority: Priority;
  /** SHA-256 of the stored directive document (title, body, attachments) of this version. */
  specRef: string;
  acknowledgeBy: string;
  reportBy: string;
  /** Offsets in ms before each deadline at which a reminder goes out. */
  reminders: { acknowledge: number[]; report: number[] };
  /** Escalation levels: `after` ms past a missed deadline, notify the given contact. */
  escalation: { after: number; notify: EscalationTarget }[];
  form: FormField[];
  acceptance: 'manual' | 'automatic';
}

/** The directive as issued: the policy plus what only the directive workflow keeps. */
export interface DirectiveSpec extends UnitPolicy {
  body: string;
  attachments: FileRef[];
  targets: Targets;
  issuedBy: Actor;
  issuedAt: string;
  /** Where the issuing request came from. */
  issuedMeta?: RequestMeta;
  clientRequestId?: string;
  /** Urgent and immediate messages go by SMS too, to every recipient with a mobile (read by the mail activity). */
  smsForUrgent?: boolean;
  /** The campaign the directive belongs to (its id), if any; since the election HQ. */
  campaign?: string;
}

export type ReportValue = string | number | boolean | FileRef[] | null;
export type ReportValues = Record<string, ReportValue>;

export interface DirectiveWorkflowInput {
  spec: DirectiveSpec;
  /** Resolved unit codes, in registry order. */
  units: string[];
  /** Children per shard; above this many units the directive fans out through shard workflows. */
  shardSize?: number;
}

export interface ShardWorkflowInput {
  directiveWorkflowId: string;
  shardIndex: number;
  policy: UnitPolicy;
  units: string[];
  /** Shards of the directive; spaces out each shard's reports so the directive's history stays bounded. */
  shardCount?: number;
}

export interface UnitWorkflowInput {
  unitCode: string;
  policy: UnitPolicy;
  /** Workflow ID of the parent (directive or shard) that tracks this unit's summary. */
  parentWorkflowId: string;
}

/** Every state a unit can be in, in the order its counts are shown. */
export const complianceStates = [
  'notified',
  'acknowledged',
  'reported',
  'returned',
  'accepted',
  'exempted',
  'cancelled',
  'closed',
] as const;
export type ComplianceState = (typeof complianceStates)[number];

/** A unit's state as its parent tracks it: enough for counts and the office's table. */
export interface UnitSummary {
  unitCode: string;
  state: ComplianceState;
  overdue: 'acknowledge' | 'report' | null;
  escalationLevel: number;
  undeliverable: boolean;
  /** Transition count of the unit when the summary was taken; a parent keeps the highest. */
  seq: number;
}

export type DirectiveState = 'fanning-out' | 'open' | 'completed' | 'cancelled' | 'closed';

export interface DirectiveStatus {
  directiveId: string;
  version: number;
  state: DirectiveState;
  total: number;
  started: number;
  counts: Record<ComplianceState, number>;
  overdue: number;
  undeliverable: number;
  /** Highest escalation level per count of units at it, e.g. `{ "1": 3, "2": 1 }`. */
  escalations: Record<string, number>;
  /** Workflow IDs of the shards, when the directive fans out through shards. */
  shards: string[];
}

/** A campaign: a set of directives toward one goal, followed together at the HQ's meetings. */
export interface CampaignRecord {
  id: string;
  title: string;
  description?: string;
  createdAt: string;
  createdBy: Actor;
}

export interface UnitInboxWorkflowInput {
  unitCode: string;
  /** The generation to start from (1 for a unit whose inbox was never revoked). */
  generation: number;
}
