import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from './canonical-json';
import { readHistoryFacts } from './history-facts';
import { isJsonHistory, type JsonHistory } from './history-json';
import {
  chainEntry,
  entryKey,
  parseManifest,
  type BundleEntry,
  type HistoryEntry,
  type ManifestEntry,
  type UnchainedEntry,
} from './manifest';

/**
 * The append-only audit archive on disk:
 *
 *   manifest.jsonl                            one hash-chained line per archived file (see manifest.ts)
 *   histories/<workflow id>/<run id>.json     the full history of a closed run
 *   histories/<workflow id>/<run id>@<n>.json a running run exported on demand, up to event n
 *   bundles/<sha256>.js                       the workflow code bundle of a build (its build id is its hash)
 *
 * Every write goes file first (temporary name, fsync, rename, fsync of the directory), manifest line second
 * (append, fsync). A crash between the two leaves a complete file that no line names; `reconcile` adopts it
 * on the next start, and drops a torn last manifest line. Writers take `.lock`, so the worker's archiver and
 * an auditor's on-demand export never interleave lines. Nothing is ever rewritten or deleted.
 */
export class HistoryArchive {
  readonly manifestPath: string;
  private readonly lockPath: string;
  private cache: { version: string; entries: ManifestEntry[] } | null = null;

  constructor(readonly dir: string) {
    this.manifestPath = path.join(dir, 'manifest.jsonl');
    this.lockPath = path.join(dir, '.lock');
  }

  /** Where a run's history goes: the workflow ID is percent-encoded, so `:` and `/` stay in one directory name. */
  static historyFile(workflowId: string, runId: string, runningUpTo?: number): string {
    return [
      'histories',
      encodeURIComponent(workflowId),
      `${encodeURIComponent(runId)}${runningUpTo ? `@${runningUpTo}` : ''}.json`,
    ].join('/');
  }

  static bundleFile(buildId: string): string {
    return `bundles/${buildId}.js`;
  }

  /** The manifest's readable entries, in file order. A missing manifest is an empty archive. */
  async entries(): Promise<ManifestEntry[]> {
    // The parsed manifest is kept while the file keeps the size and time this process last saw (its own
    // appends update them), so the archiver's frequent reads of a large manifest cost a stat, not a parse.
    const version = await this.manifestVersion();
    if (this.cache?.version !== version) {
      const entries = parseManifest(await this.manifestText()).lines.flatMap((l) => (l.entry ? [l.entry] : []));
      this.cache = { version, entries };
    }
    return [...this.cache.entries];
  }

  /** The history entries of a workflow ID (all its runs and exports), oldest first. */
  async historiesOf(workflowId: string): Promise<HistoryEntry[]> {
    return (await this.entries()).filter((e): e is HistoryEntry => e.kind === 'history' && e.workflowId === workflowId);
  }

  /** Reads an archived file and checks it against the manifest's hash; a changed file is an error, not data. */
  async readFile(entry: Pick<ManifestEntry, 'file' | 'sha256'>): Promise<Buffer> {
    const bytes = await readFile(this.resolve(entry.file));
    if (sha256Hex(bytes) !== entry.sha256) throw new ArchiveTampered(entry.file);
    return bytes;
  }

  async readHistory(entry: HistoryEntry): Promise<JsonHistory> {
    return JSON.parse((await this.readFile(entry)).toString('utf8')) as JsonHistory;
  }

  /** The archived bundle of a build, or null when the archive does not hold it. */
  async bundleCode(buildId: string): Promise<string | null> {
    try {
      const bytes = await readFile(this.resolve(HistoryArchive.bundleFile(buildId)));
      if (sha256Hex(bytes) !== buildId) throw new ArchiveTampered(HistoryArchive.bundleFile(buildId));
      return bytes.toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /**
   * Archives a history unless the same run (or, for a running run, the same number of events) is already
   * archived. Returns the new entry, or null when it was already there.
   */
  async addHistory(
    history: JsonHistory,
    run: { workflowId: string; runId: string; namespace: string },
  ): Promise<HistoryEntry | null> {
    const added = await this.addHistories([{ history, ...run }]);
    return added[0] ?? null;
  }

  /** Archives several histories under one lock; returns the entries actually added. */
  async addHistories(
    runs: { history: JsonHistory; workflowId: string; runId: string; namespace: string }[],
  ): Promise<HistoryEntry[]> {
    return this.withLock(async (state) => {
      const added: HistoryEntry[] = [];
      for (const run of runs) {
        const facts = readHistoryFacts(run.history);
        const running = facts.status === 'Running';
        const meta = { workflowId: run.workflowId, runId: run.runId, status: facts.status, events: facts.lastEventId };
        if (state.keys.has(entryKey(meta))) continue;
        const file = HistoryArchive.historyFile(run.workflowId, run.runId, running ? facts.lastEventId : undefined);
        const bytes = Buffer.from(JSON.stringify(run.history), 'utf8');
        await this.writeDurably(file, bytes);
        const entry = (await this.append(state, {
          kind: 'history',
          ...meta,
          namespace: run.namespace,
          workflowType: facts.workflowType,
          startTime: facts.startTime,
          closeTime: facts.closeTime,
          buildIds: facts.buildIds,
          file,
          sha256: sha256Hex(bytes),
          size: bytes.length,
          archivedAt: new Date().toISOString(),
        })) as HistoryEntry;
        added.push(entry);
      }
      return added;
    });
  }

  /** Archives a workflow bundle under its SHA-256 (the build id) and returns that id; a repeat is a no-op. */
  async addBundle(code: string): Promise<string> {
    const buildId = sha256Hex(code);
    await this.withLock(async (state) => {
      if (state.keys.has(entryKey({ buildId }))) return;
      const file = HistoryArchive.bundleFile(buildId);
      const bytes = Buffer.from(code, 'utf8');
      await this.writeDurably(file, bytes);
      await this.append(state, {
        kind: 'bundle',
        buildId,
        file,
        sha256: buildId,
        size: bytes.length,
        archivedAt: new Date().toISOString(),
      });
    });
    return buildId;
  }

  /**
   * Repairs what a crash can leave: drops a torn (unterminated, unreadable) last manifest line, deletes
   * temporary files, and appends entries for complete files that no line names (the crash came between the
   * file and its line). Files that are not readable histories or bundles are left alone for `verify` to
   * report. Returns what it did.
   */
  async reconcile(
    namespace: string,
  ): Promise<{ tornLineDropped: boolean; adopted: string[]; temporaryRemoved: number }> {
    const tornLineDropped = await this.withLock(async () => {
      const text = await this.manifestText();
      if (text.length === 0 || text.endsWith('\n')) return false;
      const lastBreak = text.lastIndexOf('\n');
      if (parseManifest(text.slice(lastBreak + 1)).unreadable.length === 0) {
        await this.appendRaw('\n');
        return false;
      }
      await truncate(this.manifestPath, Buffer.byteLength(text.slice(0, lastBreak + 1)));
      return true;
    });
    let temporaryRemoved = 0;
    const adopted: string[] = [];
    const named = new Set((await this.entries()).map((e) => e.file));
    for (const file of await this.listFiles()) {
      if (file.endsWith('.tmp')) {
        await rm(this.resolve(file), { force: true });
        temporaryRemoved += 1;
        continue;
      }
      if (named.has(file)) continue;
      const bytes = await readFile(this.resolve(file));
      if (file.startsWith('bundles/')) {
        if (`bundles/${sha256Hex(bytes)}.js` === file) {
          await this.addBundle(bytes.toString('utf8'));
          adopted.push(file);
        }
        continue;
      }
      const run = parseHistoryFile(file);
      let history: unknown;
      try {
        history = JSON.parse(bytes.toString('utf8'));
      } catch {
        continue;
      }
      if (!run || !isJsonHistory(history)) continue;
      const entry = await this.addHistory(history, { ...run, namespace });
      if (entry?.file === file) adopted.push(file);
    }
    return { tornLineDropped, adopted, temporaryRemoved };
  }

  /** Every file under histories/ and bundles/, as archive-relative paths. */
  async listFiles(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string) => {
      let names: string[];
      try {
        names = await readdir(this.resolve(rel));
      } catch {
        return;
      }
      for (const name of names.sort()) {
        const child = `${rel}/${name}`;
        if ((await stat(this.resolve(child))).isDirectory()) await walk(child);
        else out.push(child);
      }
    };
    await walk('histories');
    await walk('bundles');
    return out;
  }

  /** Absolute path of an archive-relative file; refuses paths that climb out of the archive. */
  resolve(file: string): string {
    const full = path.resolve(this.dir, file);
    if (!full.startsWith(path.resolve(this.dir) + path.sep)) throw new Error(`not a path inside the archive: ${file}`);
    return full;
  }

  /** Size and modification time of the manifest, or `none`. */
  private async manifestVersion(): Promise<string> {
    return stat(this.manifestPath).then(
      (st) => `${st.size}:${st.mtimeMs}`,
      () => 'none',
    );
  }

  async manifestText(): Promise<string> {
    try {
      return await readFile(this.manifestPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
  }

  private async writeDurably(file: string, bytes: Buffer): Promise<void> {
    const target = this.resolve(file);
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomUUID()}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
    await syncDirectory(path.dirname(target));
  }

  private async append(state: LockedState, entry: UnchainedEntry): Promise<ManifestEntry> {
    const chained = chainEntry(entry, state.last);
    const line = `${JSON.stringify(chained)}\n`;
    const cached = this.cache !== null && this.cache.version === (await this.manifestVersion());
    await this.appendRaw(line);
    if (cached) {
      this.cache!.entries.push(chained);
      this.cache!.version = await this.manifestVersion();
    }
    state.last = chained;
    state.keys.add(entryKey(chained));
    return chained;
  }

  private async appendRaw(text: string): Promise<void> {
    const handle = await open(this.manifestPath, 'a');
    try {
      await handle.appendFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /**
   * Runs `fn` holding the archive's lock file, with the manifest's last entry and keys read fresh under it.
   * A lock left by a dead process (same host) is taken over; a live holder is waited for, up to 30 s.
   */
  private async withLock<T>(fn: (state: LockedState) => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const handle = await open(this.lockPath, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
        await handle.writeFile(String(process.pid));
        await handle.close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = Number(await readFile(this.lockPath, 'utf8').catch(() => ''));
        if (holder > 0 && holder !== process.pid && !isAlive(holder)) {
          await rm(this.lockPath, { force: true });
          continue;
        }
        if (Date.now() > deadline)
          throw new Error(`the archive at ${this.dir} is locked by process ${holder || 'unknown'}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    try {
      const entries = await this.entries();
      const state: LockedState = { last: entries.at(-1) ?? null, keys: new Set(entries.map((e) => entryKey(e))) };
      return await fn(state);
    } finally {
      await rm(this.lockPath, { force: true });
    }
  }
}

interface LockedState {
  last: ManifestEntry | null;
  keys: Set<string>;
}

/** An archived file whose bytes no longer match the hash the manifest recorded for it. */
export class ArchiveTampered extends Error {
  override readonly name = 'ArchiveTampered';
  constructor(readonly file: string) {
    super(`archived file ${file} does not match its recorded SHA-256`);
  }
}

/** Workflow ID and run ID back from a history file's path, or null for any other path. */
export function parseHistoryFile(file: string): { workflowId: string; runId: string } | null {
  const m = /^histories\/([^/]+)\/([^/@]+)(?:@\d+)?\.json$/.exec(file);
  if (!m) return null;
  try {
    return { workflowId: decodeURIComponent(m[1]), runId: decodeURIComponent(m[2]) };
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export type { BundleEntry, HistoryEntry, ManifestEntry };
