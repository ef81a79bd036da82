import { defaultPayloadConverter } from '@temporalio/common';
import type { ExecutionStatus } from './manifest';
import { eventTypeName, type JsonEvent, type JsonHistory } from './history-json';

/**
 * What an auditor can read from a raw history, decoded once: the start input, the transitions the workflow
 * recorded (memo upserts of `transition`), the activities with their inputs and results, the updates with
 * their arguments and outcomes, the signals, the children, how the run ended, and which worker builds ran it.
 * Nothing here asks the workflow; everything comes from the recorded events, so it works years later on an
 * archived file as well as on a history just fetched from the server.
 */

type JsonPayload = { metadata?: Record<string, string> | null; data?: string | null };
type Payloads = { payloads?: JsonPayload[] } | undefined;

export interface RecordedTransition {
  eventId: number;
  /** When the server recorded it (the end of the workflow task); the transition's own `at` is the workflow's time. */
  eventTime: string;
  value: unknown;
}

export interface RecordedActivity {
  scheduledEventId: number;
  activityType: string;
  input: unknown;
  scheduledAt: string;
  outcome: 'pending' | 'completed' | 'failed' | 'timed-out' | 'canceled';
  finishedAt: string | null;
  result: unknown;
  failure: string | null;
}

export interface RecordedUpdate {
  eventId: number;
  updateId: string;
  name: string;
  args: unknown;
  acceptedAt: string;
  outcome: 'pending' | 'succeeded' | 'failed';
  completedAt: string | null;
  result: unknown;
  failure: string | null;
}

export interface RecordedSignal {
  eventId: number;
  name: string;
  args: unknown;
  at: string;
}

export interface HistoryFacts {
  /** The workflow ID as the server recorded it at start (servers since 1.24 do), or null. */
  workflowId: string | null;
  workflowType: string;
  taskQueue: string;
  /** The first argument the workflow was started with. */
  input: unknown;
  startTime: string;
  closeTime: string | null;
  status: ExecutionStatus;
  lastEventId: number;
  buildIds: string[];
  transitions: RecordedTransition[];
  activities: RecordedActivity[];
  updates: RecordedUpdate[];
  signals: RecordedSignal[];
  children: { workflowId: string; workflowType: string; initiatedAt: string }[];
}

const closingStatus: Record<string, ExecutionStatus> = {
  EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: 'Completed',
  EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: 'Failed',
  EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: 'Canceled',
  EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: 'Terminated',
  EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: 'ContinuedAsNew',
  EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: 'TimedOut',
};

/** Decodes one JSON payload (base64 metadata and data) with Temporal's default converter. */
export function decodePayload(payload: JsonPayload | undefined): unknown {
  if (!payload) return undefined;
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  );
  return defaultPayloadConverter.fromPayload({ metadata, data: Buffer.from(payload.data ?? '', 'base64') });
}

function decodeAll(payloads: Payloads): unknown[] {
  return (payloads?.payloads ?? []).map(decodePayload);
}

/** The event's `…EventAttributes` member. Its shape depends on the event type, hence the loose type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Attributes = Record<string, any>;

function attributesOf(e: JsonEvent): Attributes {
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes'));
  return key ? (e[key] as Attributes) : {};
}

function failureText(failure: { message?: string; cause?: { message?: string } } | undefined): string | null {
  if (!failure) return null;
  return [failure.message, failure.cause?.message].filter(Boolean).join(': ') || 'failed';
}

/**
 * Reads the facts of a history. Tolerates events it does not know (a newer server) and payloads that do not
 * decode (recorded as undefined), because an auditor must be able to read whatever was recorded.
 */
export function readHistoryFacts(history: JsonHistory): HistoryFacts {
  const facts: HistoryFacts = {
    workflowId: null,
    workflowType: '',
    taskQueue: '',
    input: undefined,
    startTime: '',
    closeTime: null,
    status: 'Running',
    lastEventId: 0,
    buildIds: [],
    transitions: [],
    activities: [],
    updates: [],
    signals: [],
    children: [],
  };
  const activities = new Map<number, RecordedActivity>();
  const updates = new Map<string, RecordedUpdate>();
  for (const e of history.events) {
    const type = eventTypeName(e.eventType);
    const a = attributesOf(e);
    const eventId = Number(e.eventId);
    facts.lastEventId = Math.max(facts.lastEventId, eventId);
    switch (type) {
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED':
        facts.workflowId = a.workflowId ?? null;
        facts.workflowType = a.workflowType?.name ?? '';
        facts.taskQueue = a.taskQueue?.name ?? '';
        facts.input = decodeAll(a.input)[0];
        facts.startTime = e.eventTime;
        break;
      case 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED': {
        const buildId: unknown = a.workerVersion?.buildId ?? a.deploymentVersion?.buildId ?? a.binaryChecksum;
        if (typeof buildId === 'string' && buildId && !facts.buildIds.includes(buildId)) facts.buildIds.push(buildId);
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED': {
        const field = a.upsertedMemo?.fields?.transition as JsonPayload | undefined;
        if (field) facts.transitions.push({ eventId, eventTime: e.eventTime, value: safeDecode(field) });
        break;
      }
      case 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED': {
        const activity: RecordedActivity = {
          scheduledEventId: eventId,
          activityType: a.activityType?.name ?? '',
          input: safeDecodeFirst(a.input),
          scheduledAt: e.eventTime,
          outcome: 'pending',
          finishedAt: null,
          result: undefined,
          failure: null,
        };
        activities.set(eventId, activity);
        facts.activities.push(activity);
        break;
      }
      case 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED':
      case 'EVENT_TYPE_ACTIVITY_TASK_FAILED':
      case 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT':
      case 'EVENT_TYPE_ACTIVITY_TASK_CANCELED': {
        const activity = activities.get(Number(a.scheduledEventId));
        if (!activity) break;
        activity.finishedAt = e.eventTime;
        activity.outcome =
          type === 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED'
            ? 'completed'
            : type === 'EVENT_TYPE_ACTIVITY_TASK_FAILED'
              ? 'failed'
              : type === 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT'
                ? 'timed-out'
                : 'canceled';
        if (activity.outcome === 'completed') activity.result = safeDecodeFirst(a.result);
        else activity.failure = failureText(a.failure);
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED': {
        const request = a.acceptedRequest ?? {};
        const update: RecordedUpdate = {
          eventId,
          updateId: request.meta?.updateId ?? a.protocolInstanceId ?? '',
          name: request.input?.name ?? '',
          args: safeDecodeFirst(request.input?.args),
          acceptedAt: e.eventTime,
          outcome: 'pending',
          completedAt: null,
          result: undefined,
          failure: null,
        };
        updates.set(update.updateId, update);
        facts.updates.push(update);
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED': {
        const update = updates.get(a.meta?.updateId ?? '');
        if (!update) break;
        update.completedAt = e.eventTime;
        if (a.outcome?.failure) {
          update.outcome = 'failed';
          update.failure = failureText(a.outcome.failure);
        } else {
          update.outcome = 'succeeded';
          update.result = safeDecodeFirst(a.outcome?.success);
        }
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED':
        facts.signals.push({ eventId, name: a.signalName ?? '', args: safeDecodeFirst(a.input), at: e.eventTime });
        break;
      case 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED':
        facts.children.push({
          workflowId: a.workflowId ?? '',
          workflowType: a.workflowType?.name ?? '',
          initiatedAt: e.eventTime,
        });
        break;
      default:
        if (type in closingStatus) {
          facts.status = closingStatus[type];
          facts.closeTime = e.eventTime;
        }
    }
  }
  return facts;
}

function safeDecode(payload: JsonPayload): unknown {
  try {
    return decodePayload(payload);
  } catch {
    return undefined;
  }
}

function safeDecodeFirst(payloads: Payloads): unknown {
  const first = payloads?.payloads?.[0];
  return first ? safeDecode(first) : undefined;
}
