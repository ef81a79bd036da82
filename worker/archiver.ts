import type { Client } from '@temporalio/client';
import type { HistoryArchive } from '../audit/archive';
import { fetchLiveHistory } from '../audit/history-source';
import { entryKey } from '../audit/manifest';

/**
 * Archives every closed workflow of the task queue promptly, because Temporal drops closed workflows after
 * the namespace's retention (24 h on the dev server) and has archival switched off.
 *
 * Why a loop in the worker process rather than a scheduled Temporal workflow: the export is a read of
 * Temporal plus a local, fsync'd file write into this host's archive, with the manifest as its own
 * idempotency record. A workflow for it would write histories of its own that then need archiving, and its
 * activity would have to run where the archive disk is anyway. The loop is restart-safe: on start it
 * reconciles the archive (adopts files a crash left without a manifest line), and every pass lists closed
 * workflows through visibility from a watermark (the newest archived close time, less an overlap that
 * covers visibility's lag) and exports only the runs the manifest does not already hold.
 */

export interface ArchiverOptions {
  client: Client;
  archive: HistoryArchive;
  /** Only workflows of this task queue are archived (tests run one queue per stack on a shared server). */
  taskQueue: string;
  /** Pause between passes; a pass that found work is followed at once by another. */
  intervalMs?: number;
  /** How far before the newest archived close time each pass looks again. */
  overlapMs?: number;
  /** Histories fetched at the same time. */
  concurrency?: number;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

export interface PassResult {
  listed: number;
  archived: number;
  failed: number;
}

export class Archiver {
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly intervalMs: number;
  private readonly overlapMs: number;
  private readonly concurrency: number;

  constructor(private readonly options: ArchiverOptions) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.overlapMs = options.overlapMs ?? 5 * 60_000;
    this.concurrency = options.concurrency ?? 4;
  }

  /** Reconciles the archive, then runs passes until `stop()`. A failed pass is logged and retried next time. */
  async start(): Promise<void> {
    const repaired = await this.options.archive.reconcile(this.options.client.options.namespace);
    if (repaired.tornLineDropped || repaired.adopted.length > 0) this.log('archive reconciled', repaired);
    this.loop = (async () => {
      while (!this.stopped) {
        let found = 0;
        try {
          found = (await this.runOnce()).archived;
        } catch (err) {
          this.log('archive pass failed', { error: (err as Error).message });
        }
        if (found === 0 && !this.stopped) await new Promise<void>((resolve) => this.sleep(resolve));
      }
    })();
  }

  /** Stops after the pass in progress; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** Runs one pass now: lists closed runs since the watermark and archives those not yet archived. */
  async runOnce(): Promise<PassResult> {
    const { client, archive, taskQueue } = this.options;
    const entries = await archive.entries();
    const keys = new Set(entries.map((e) => entryKey(e)));
    const closeTimes = entries.flatMap((e) => (e.kind === 'history' && e.closeTime ? [Date.parse(e.closeTime)] : []));
    const watermark = closeTimes.length > 0 ? new Date(Math.max(...closeTimes) - this.overlapMs).toISOString() : null;
    const query = [
      `TaskQueue = '${taskQueue.replace(/'/g, '')}'`,
      `ExecutionStatus != 'Running'`,
      ...(watermark ? [`CloseTime > '${watermark}'`] : []),
    ].join(' AND ');
    const todo: { workflowId: string; runId: string }[] = [];
    let listed = 0;
    for await (const wf of client.workflow.list({ query })) {
      listed += 1;
      // A closed run is keyed by its run alone, whatever its status and length.
      if (!keys.has(entryKey({ workflowId: wf.workflowId, runId: wf.runId, status: 'Completed', events: 0 })))
        todo.push({ workflowId: wf.workflowId, runId: wf.runId });
    }
    let archived = 0;
    let failed = 0;
    for (let i = 0; i < todo.length; i += this.concurrency) {
      const batch = todo.slice(i, i + this.concurrency);
      const fetched = await Promise.allSettled(
        batch.map((run) =>
          fetchLiveHistory(client, run.workflowId, run.runId).then((live) => ({ ...run, history: live.history })),
        ),
      );
      const ok = fetched.flatMap((r, j) => {
        if (r.status === 'fulfilled') return [{ ...r.value, namespace: client.options.namespace }];
        failed += 1;
        this.log('history export failed', { workflowId: batch[j].workflowId, error: (r.reason as Error).message });
        return [];
      });
      archived += (await archive.addHistories(ok)).length;
    }
    if (archived > 0) this.log('histories archived', { archived, listed });
    return { listed, archived, failed };
  }

  private sleep(resolve: () => void): void {
    const timer = setTimeout(() => {
      this.wake = null;
      resolve();
    }, this.intervalMs);
    this.wake = () => {
      clearTimeout(timer);
      this.wake = null;
      resolve();
    };
  }

  private log(msg: string, fields: Record<string, unknown>): void {
    (this.options.log ?? ((m, f) => console.log(JSON.stringify({ level: 'info', msg: m, ...f }))))(msg, fields);
  }
}
