import type { Client } from '@temporalio/client';
import { directiveWorkflowId } from '../workflows/contract';
import type { HistoryArchive, HistoryEntry } from './archive';
import { historyToJson, type JsonHistory } from './history-json';
import type { SourcedHistory } from './timeline';

/**
 * Where the audit commands get histories: the archive (the normal case, and the only one once Temporal has
 * dropped a closed workflow) or the live server through the client (a running directive not yet archived).
 */

/** True when `workflowId` is the directive's own workflow or one of its shards or units. */
export function belongsToDirective(workflowId: string, directiveId: string): boolean {
  const root = directiveWorkflowId(directiveId);
  return workflowId === root || workflowId.startsWith(`${root}/`);
}

/**
 * One entry per workflow ID: the latest closed run when there is one, otherwise the most complete export of
 * a running run. Manifest order is archive order, so later entries win ties.
 */
export function latestPerWorkflow(entries: HistoryEntry[]): HistoryEntry[] {
  const best = new Map<string, HistoryEntry>();
  for (const e of entries) {
    const current = best.get(e.workflowId);
    const closed = (x: HistoryEntry) => x.status !== 'Running';
    if (
      !current ||
      (closed(e) && !closed(current)) ||
      (closed(e) === closed(current) && (closed(e) || e.events >= current.events))
    )
      best.set(e.workflowId, e);
  }
  return [...best.values()];
}

/** The archived histories of a directive (its own, its shards', its units'), each checked against its hash. */
export async function archivedDirective(
  archive: HistoryArchive,
  directiveId: string,
): Promise<(SourcedHistory & { entry: HistoryEntry })[]> {
  const entries = (await archive.entries()).filter(
    (e): e is HistoryEntry => e.kind === 'history' && belongsToDirective(e.workflowId, directiveId),
  );
  const out: (SourcedHistory & { entry: HistoryEntry })[] = [];
  for (const entry of latestPerWorkflow(entries))
    out.push({ workflowId: entry.workflowId, history: await archive.readHistory(entry), entry });
  return out;
}

/** The archived history of one workflow ID (latest run), or null when the archive has none. */
export async function archivedWorkflow(
  archive: HistoryArchive,
  workflowId: string,
): Promise<(SourcedHistory & { entry: HistoryEntry }) | null> {
  const [entry] = latestPerWorkflow(await archive.historiesOf(workflowId));
  return entry ? { workflowId, history: await archive.readHistory(entry), entry } : null;
}

/** Fetches a workflow's full history from the server (the latest run unless `runId` is given). */
export async function fetchLiveHistory(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<{ history: JsonHistory; runId: string }> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const description = await handle.describe();
  return { history: historyToJson(await handle.fetchHistory()), runId: description.runId };
}

/**
 * Exports a workflow's current history into the archive on demand (a running workflow is archived as a
 * snapshot up to its last event; a later export with more events is a new entry). Returns the new entry, or
 * null when exactly this much was archived already.
 */
export async function exportToArchive(
  client: Client,
  archive: HistoryArchive,
  workflowId: string,
  runId?: string,
): Promise<HistoryEntry | null> {
  const live = await fetchLiveHistory(client, workflowId, runId);
  return archive.addHistory(live.history, { workflowId, runId: live.runId, namespace: client.options.namespace });
}
