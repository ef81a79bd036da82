import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

/**
 * Temporal histories as the JSON that `temporal workflow show --output json` and the Web UI write (proto3
 * canonical JSON: `EVENT_TYPE_…` names, int64 as strings, bytes as base64), in both directions.
 *
 * Why not `historyToJSON` / `historyFromJSON` from `@temporalio/common/lib/proto-utils`: in this install
 * npm nests a separate copy of protobufjs 8 under `@temporalio/common`, `@temporalio/proto` and
 * `@temporalio/worker` (the top level holds protobufjs 7 for grpc), and protobufjs' JSON codec checks
 * `instanceof Type` against its own copy, so both functions throw "type must be a Type". Here the codec is
 * taken from the very protobufjs copy that `@temporalio/proto` was built with, whichever that is.
 */

type ProtoJson = {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
};

const protoPackageDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoPackageDir] })) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

export type History = proto.temporal.api.history.v1.IHistory;

/** One history event as JSON: `eventId`, `eventTime`, `eventType` and one `…EventAttributes` member. */
export type JsonEvent = { eventId: string; eventTime: string; eventType: string } & Record<string, unknown>;

/** A history as JSON, the format of every file in the archive. */
export interface JsonHistory {
  events: JsonEvent[];
}

/** Converts a history fetched through the client (protobuf objects) to its canonical JSON form. */
export function historyToJson(history: History): JsonHistory {
  return protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)) as JsonHistory;
}

/**
 * Reads a JSON history back into protobuf objects, as `Worker.runReplayHistory` takes them. Unknown fields
 * (from a newer server) are ignored. Event type names in the older PascalCase form (`WorkflowExecutionStarted`)
 * are accepted too.
 * @throws TypeError when the value is not a history.
 */
export function historyFromJson(json: unknown): History {
  if (!isJsonHistory(json)) throw new TypeError('not a Temporal history: expected an object with an array of events');
  const events = json.events.map((e) => ({ ...e, eventType: eventTypeName(e.eventType) }));
  const loaded = protojson.fromJson(historyType, { events }, { ignoreUnknownFields: true });
  if (!loaded) throw new TypeError('not a Temporal history');
  return loaded;
}

/** True for an object with a non-empty `events` array whose first event has an id and a type. */
export function isJsonHistory(value: unknown): value is JsonHistory {
  if (typeof value !== 'object' || value === null) return false;
  const events = (value as { events?: unknown }).events;
  return (
    Array.isArray(events) &&
    events.length > 0 &&
    typeof events[0] === 'object' &&
    events[0] !== null &&
    'eventType' in events[0]
  );
}

/** `EVENT_TYPE_WORKFLOW_EXECUTION_STARTED` for both that and `WorkflowExecutionStarted`. */
export function eventTypeName(type: string): string {
  if (type.startsWith('EVENT_TYPE_')) return type;
  return `EVENT_TYPE_${type.replace(/(?<!^)([A-Z])/g, '_$1').toUpperCase()}`;
}
