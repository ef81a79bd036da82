import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

/** The attempt number in a local activity's marker, or null for any other event. */
function localActivityAttempt(e: temporal.api.history.v1.IHistoryEvent): number | null {
  const marker = e.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return null;
  const data = marker.details?.data?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { attempt: number }).attempt : null;
}

/**
 * The attempt number of each activity a workflow ran, from its real history: an activity task's started
 * event, or a local activity's marker (units send mail as local activities).
 */
export async function activityAttempts(client: Client, workflowId: string): Promise<number[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    if (e.activityTaskStartedEventAttributes) return [e.activityTaskStartedEventAttributes.attempt ?? 0];
    const attempt = localActivityAttempt(e);
    return attempt ? [attempt] : [];
  });
}

/**
 * Failed attempts of a unit's current message so far. A local activity retries in the worker while its
 * backoff is short, then records the failed attempt in a marker and waits on a durable timer: the last such
 * marker's attempt number counts every attempt up to it.
 */
export async function failedMailAttempts(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const failed = (history.events ?? [])
    .filter((e) => e.markerRecordedEventAttributes?.failure)
    .map(localActivityAttempt);
  return Math.max(0, ...failed.map((a) => a ?? 0));
}
