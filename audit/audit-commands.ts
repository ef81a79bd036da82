import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { parseJalaliDateTime } from '../lib/jalali';
import { toAsciiDigits } from '../lib/persian-text';
import { directiveWorkflowId } from '../workflows/contract';
import type { HistoryArchive, HistoryEntry } from './archive';
import { readHistoryFacts } from './history-facts';
import { isJsonHistory, type JsonHistory } from './history-json';
import { archivedDirective, archivedWorkflow, fetchLiveHistory } from './history-source';
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

/**
 * The answer would be partial: histories it needs are neither closed in the archive nor readable from the
 * server. The CLI prints nothing on stdout and exits 3, naming each missing history.
 */
export class IncompleteHistories extends Error {
  override readonly name = 'IncompleteHistories';
  constructor(
    readonly missing: string[],
    why: string,
  ) {
    super(
      `refusing a partial answer: ${missing.length} histor${missing.length === 1 ? 'y is' : 'ies are'} missing (${why}):\n${missing.map((m) => `  ${m}`).join('\n')}`,
    );
  }
}

export interface HistorySources {
  archive: HistoryArchive;
  /**
   * Connects to the server for what the archive lacks (running workflows, runs not archived yet); null when
   * the caller has no server. Called at most once, and only when needed; a rejection means it is unreachable.
   */
  server: (() => Promise<Client>) | null;
  /** Read live histories even when the archive has the workflow closed (e.g. to compare the two). */
  preferLive?: boolean;
}

type Resolved = SourcedHistory & { source: string };

/**
 * Reads histories from the server on behalf of one command: connects on first use, remembers why it could
 * not, and answers null for a workflow the server does not know (or cannot be reached for).
 */
function liveReader(sources: HistorySources): {
  read(workflowId: string): Promise<Resolved | null>;
  unavailable(): string;
} {
  let client: Promise<Client> | null = null;
  let failure = sources.server ? '' : 'no server was given';
  return {
    async read(workflowId) {
      if (!sources.server) return null;
      client ??= sources.server();
      let connected: Client;
      try {
        connected = await client;
      } catch (err) {
        failure = `the server cannot be reached: ${(err as Error).message}`;
        return null;
      }
      try {
        return { workflowId, history: (await fetchLiveHistory(connected, workflowId)).history, source: 'live' };
      } catch (err) {
        failure ||= `the server does not have them: ${(err as Error).message}`;
        return null;
      }
    },
    unavailable: () => failure || 'the server does not have them',
  };
}

/** How a running snapshot is named when it is all the archive has. */
const snapshotNote = (e: HistoryEntry) =>
  `${e.workflowId} (the archive has it only up to event ${e.events}, while it was running)`;

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
  const workflowId =
    workflowIdOverride ??
    (typeof wrapped.workflowId === 'string' ? wrapped.workflowId : null) ??
    readHistoryFacts(history).workflowId;
  if (!workflowId) throw new AuditInputError(`${file} does not name its workflow ID: pass --workflow-id`);
  return { workflowId, history };
}

/** True when the argument looks like a workflow ID rather than a directive id or a file. */
export function isWorkflowId(arg: string): boolean {
  return arg.startsWith('directive:');
}

/**
 * One workflow's history: a file, else the archive's closed run, else the server (also for a workflow the
 * archive holds only as a running snapshot, which may have moved on since).
 * @throws IncompleteHistories when only a running snapshot exists and the server cannot give more;
 *   AuditInputError when neither the archive nor the server knows the workflow.
 */
export async function resolveWorkflow(
  arg: string,
  sources: HistorySources,
  workflowIdOverride?: string,
): Promise<Resolved> {
  if (existsSync(arg)) return { ...(await readHistoryFile(arg, workflowIdOverride)), source: arg };
  const archived = await archivedWorkflow(sources.archive, arg);
  const closed =
    archived && archived.entry.status !== 'Running'
      ? { workflowId: arg, history: archived.history, source: archived.entry.file }
      : null;
  if (closed && !sources.preferLive) return closed;
  const live = liveReader(sources);
  const fromServer = await live.read(arg);
  if (fromServer) return fromServer;
  if (closed) return closed;
  if (archived) throw new IncompleteHistories([snapshotNote(archived.entry)], live.unavailable());
  throw new AuditInputError(`${arg} is not in the archive, and ${live.unavailable()}`);
}

/**
 * Every history of a directive (its own, its shards', its units'), complete: each is the closed run from
 * the archive or the current one from the server, and every child a history records is there too. The
 * directive's own history says which children it started, so nothing depends on visibility's lag.
 * @throws IncompleteHistories naming each history that neither source could give (a partial answer would
 *   look complete); AuditInputError when neither source knows the directive at all.
 */
export async function resolveDirective(directiveId: string, sources: HistorySources): Promise<Resolved[]> {
  const archived = new Map((await archivedDirective(sources.archive, directiveId)).map((a) => [a.workflowId, a]));
  const live = liveReader(sources);
  const out: Resolved[] = [];
  const missing: string[] = [];
  const root = directiveWorkflowId(directiveId);
  const queue = [root];
  const seen = new Set<string>();
  for (let workflowId = queue.shift(); workflowId !== undefined; workflowId = queue.shift()) {
    if (seen.has(workflowId)) continue;
    seen.add(workflowId);
    const a = archived.get(workflowId);
    const closed = a && a.entry.status !== 'Running' ? { workflowId, history: a.history, source: a.entry.file } : null;
    const found = (closed && !sources.preferLive ? closed : null) ?? (await live.read(workflowId)) ?? closed;
    if (found) out.push(found);
    else
      missing.push(
        a
          ? snapshotNote(a.entry)
          : workflowId === root
            ? `${root} (the directive's own history, which names the units it started)`
            : workflowId,
      );
    // A running snapshot still names the children started before it, so they can be named when missing.
    const known = found ?? a;
    if (known) queue.push(...readHistoryFacts(known.history).children.map((c) => c.workflowId));
  }
  if (out.length === 0 && archived.size === 0)
    throw new AuditInputError(`directive ${directiveId} is not in the archive, and ${live.unavailable()}`);
  if (missing.length > 0) throw new IncompleteHistories(missing.sort(), live.unavailable());
  return out;
}

/**
 * What `audit replay` and `audit timeline` take: one or more history files, one workflow ID, or a directive
 * id (all its workflows).
 */
export async function resolveTargets(
  args: string[],
  sources: HistorySources,
  workflowIdOverride?: string,
): Promise<ReplayTarget[]> {
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
    if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(t))
      throw new AuditInputError(`${text}: an ISO instant needs a zone (Z or ±hh:mm)`);
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
