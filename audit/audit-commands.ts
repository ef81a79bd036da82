import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { parseJalaliDateTime } from '../lib/jalali';
import { toAsciiDigits } from '../lib/persian-text';
import type { HistoryArchive } from './archive';
import { readHistoryFacts } from './history-facts';
import { isJsonHistory, type JsonHistory } from './history-json';
import { archivedDirective, archivedWorkflow, fetchLiveHistory, liveDirective } from './history-source';
import type { ReplayTarget } from './replay';
import type { SourcedHistory } from './timeline';

/**
 * The use cases behind `farman-audit` and the auditor's pages: resolving what the auditor named (an
 * archived or live workflow ID, a directive id, or a history file) to recorded histories, and reading
 * instants written as ISO or Jalali. Kept apart from argument parsing so the dashboard and the tests call
 * the same code the command line does.
 */

/** What an audit command could not do, with a message for the auditor; the CLI exits 2 on it. */
export class AuditInputError extends Error {
  override readonly name = 'AuditInputError';
}

export interface HistorySources {
  archive: HistoryArchive;
  /** A client for live histories; null when the auditor works from the archive alone. */
  client: Client | null;
  /** Read live histories even when the archive has the workflow (e.g. a running directive). */
  preferLive?: boolean;
}

/**
 * Reads a history file: plain `{ events }` (what `temporal workflow show --output json` and the archive
 * write) or `{ workflowId, history }` (the committed test histories). The workflow ID comes from the
 * wrapper, else `workflowIdOverride`, else the start event.
 */
export async function readHistoryFile(file: string, workflowIdOverride?: string): Promise<SourcedHistory> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new AuditInputError(`cannot read ${file} as JSON: ${(err as Error).message}`);
  }
  const wrapped = parsed as { workflowId?: unknown; history?: unknown };
  const history = isJsonHistory(parsed) ? parsed : isJsonHistory(wrapped.history) ? wrapped.history : null;
  if (!history) throw new AuditInputError(`${file} is not a Temporal history (no events)`);
  const workflowId = workflowIdOverride ?? (typeof wrapped.workflowId === 'string' ? wrapped.workflowId : null) ?? readHistoryFacts(history).workflowId;
  if (!workflowId) throw new AuditInputError(`${file} does not name its workflow ID: pass --workflow-id`);
  return { workflowId, history };
}

/** True when the argument looks like a workflow ID rather than a directive id or a file. */
export function isWorkflowId(arg: string): boolean {
  return arg.startsWith('directive:');
}

/** One workflow's history: a file, else the archive, else (when a client is given) the live server. */
export async function resolveWorkflow(arg: string, sources: HistorySources, workflowIdOverride?: string): Promise<SourcedHistory & { source: string }> {
  if (existsSync(arg)) return { ...(await readHistoryFile(arg, workflowIdOverride)), source: arg };
  if (!sources.preferLive) {
    const archived = await archivedWorkflow(sources.archive, arg);
    if (archived) return { workflowId: arg, history: archived.history, source: archived.entry.file };
  }
  if (sources.client) {
    try {
      return { workflowId: arg, history: (await fetchLiveHistory(sources.client, arg)).history, source: 'live' };
    } catch (err) {
      throw new AuditInputError(`${arg} is not in the archive and the server does not know it: ${(err as Error).message}`);
    }
  }
  throw new AuditInputError(`${arg} is not in the archive (use --live to read it from the server)`);
}

/** Every history of a directive (its own, shards', units'): from the archive, else live. */
export async function resolveDirective(directiveId: string, sources: HistorySources): Promise<(SourcedHistory & { source: string })[]> {
  if (!sources.preferLive) {
    const archived = await archivedDirective(sources.archive, directiveId);
    if (archived.length > 0) return archived.map((a) => ({ workflowId: a.workflowId, history: a.history, source: a.entry.file }));
  }
  if (sources.client) {
    const live = await liveDirective(sources.client, directiveId).catch((err: Error) => {
      throw new AuditInputError(`directive ${directiveId} is not in the archive and the server does not know it: ${err.message}`);
    });
    return live.map((h) => ({ ...h, source: 'live' }));
  }
  throw new AuditInputError(`directive ${directiveId} is not in the archive (use --live to read it from the server)`);
}

/**
 * What `audit replay` and `audit timeline` take: one or more history files, one workflow ID, or a directive
 * id (all its workflows).
 */
export async function resolveTargets(args: string[], sources: HistorySources, workflowIdOverride?: string): Promise<ReplayTarget[]> {
  if (args.length === 0) throw new AuditInputError('name a directive id, a workflow ID or a history file');
  const out: ReplayTarget[] = [];
  for (const arg of args) {
    if (existsSync(arg) || isWorkflowId(arg)) out.push(await resolveWorkflow(arg, sources, workflowIdOverride));
    else out.push(...(await resolveDirective(arg, sources)));
  }
  return out;
}

/**
 * Reads an instant: ISO-8601 with a zone (`2026-11-28T10:00:00Z`), a Jalali Tehran time (`1405/09/07
 * 14:30`, Persian digits welcome), or `now`. Returns ms since the epoch.
 */
export function parseInstant(text: string): number {
  const t = toAsciiDigits(text.trim());
  if (t === 'now') return Date.now();
  if (/^\d{4}-\d{2}-\d{2}T/.test(t)) {
    if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(t)) throw new AuditInputError(`${text}: an ISO instant needs a zone (Z or ±hh:mm)`);
    const ms = Date.parse(t);
    if (Number.isNaN(ms)) throw new AuditInputError(`${text} is not a valid instant`);
    return ms;
  }
  try {
    return parseJalaliDateTime(t).getTime();
  } catch (err) {
    throw new AuditInputError(`${text} is neither an ISO instant nor a Jalali date-time: ${(err as Error).message}`);
  }
}

export type { JsonHistory };
