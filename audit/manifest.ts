import { z } from 'zod';
import { canonicalJson, sha256Hex } from './canonical-json';

/**
 * The archive's manifest: one JSON line per archived file, each line hash-chained to the one before it.
 * `hash` is the SHA-256 of the canonical JSON of the entry without `hash` (so including `prevHash`), and
 * `prevHash` is the previous line's `hash` (64 zeros for the first line). Changing, removing or moving any
 * line therefore breaks the chain at that position; only cutting lines off the end keeps the chain intact,
 * which is why `verify` also reports archived files that no line names, and prints the head hash for the
 * auditor to note outside the archive.
 */

export const genesisHash = '0'.repeat(64);

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/** How a workflow execution ended, in the words of Temporal's visibility (`ExecutionStatus`). */
export const executionStatuses = [
  'Running',
  'Completed',
  'Failed',
  'Canceled',
  'Terminated',
  'ContinuedAsNew',
  'TimedOut',
] as const;
export type ExecutionStatus = (typeof executionStatuses)[number];

const common = {
  /** Position in the manifest, from 1; a line out of place shows as a gap or a repeat. */
  seq: z.number().int().min(1),
  /** Path of the archived file, relative to the archive directory, with `/` separators. */
  file: z.string().min(1),
  sha256: sha256Schema,
  size: z.number().int().min(0),
  archivedAt: z.string(),
  prevHash: sha256Schema,
  hash: sha256Schema,
};

export const historyEntrySchema = z.object({
  ...common,
  kind: z.literal('history'),
  workflowId: z.string().min(1),
  runId: z.string().min(1),
  namespace: z.string().min(1),
  workflowType: z.string(),
  status: z.enum(executionStatuses),
  startTime: z.string(),
  closeTime: z.string().nullable(),
  /** Id of the last event in the file; a running workflow may be exported again with more events. */
  events: z.number().int().min(1),
  /** Build ids of the workflow bundles that completed the run's workflow tasks, in order of first use. */
  buildIds: z.array(z.string()),
});

export const bundleEntrySchema = z.object({
  ...common,
  kind: z.literal('bundle'),
  /** The build id: the bundle's own SHA-256, which is also its file name. */
  buildId: sha256Schema,
});

export const manifestEntrySchema = z.discriminatedUnion('kind', [historyEntrySchema, bundleEntrySchema]);
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type BundleEntry = z.infer<typeof bundleEntrySchema>;

/** An entry before it is chained: everything but `seq`, `prevHash` and `hash`. */
export type UnchainedEntry =
  Omit<HistoryEntry, 'seq' | 'prevHash' | 'hash'> | Omit<BundleEntry, 'seq' | 'prevHash' | 'hash'>;

/** The hash an entry must carry: SHA-256 of its canonical JSON without `hash`. */
export function entryHash(entry: Omit<ManifestEntry, 'hash'> & { hash?: string }): string {
  const { hash: _hash, ...rest } = entry;
  return sha256Hex(canonicalJson(rest));
}

/** Chains an entry after `previous` (or as the first entry) and returns the line to append. */
export function chainEntry(entry: UnchainedEntry, previous: ManifestEntry | null): ManifestEntry {
  const linked = { ...entry, seq: (previous?.seq ?? 0) + 1, prevHash: previous?.hash ?? genesisHash };
  return { ...linked, hash: entryHash(linked) };
}

/**
 * The key that makes archiving idempotent: a closed run is archived once; a running run once per event count
 * (a later export of the same run has more events); a bundle once.
 */
export function entryKey(
  entry: Pick<HistoryEntry, 'workflowId' | 'runId' | 'status' | 'events'> | Pick<BundleEntry, 'buildId'>,
): string {
  if ('buildId' in entry) return `bundle:${entry.buildId}`;
  return entry.status === 'Running'
    ? `history:${entry.workflowId}:${entry.runId}@${entry.events}`
    : `history:${entry.workflowId}:${entry.runId}`;
}

/** A manifest line that could not be read as an entry. */
export interface UnreadableLine {
  position: number;
  text: string;
  error: string;
}

/** Splits manifest text into parsed entries and unreadable lines, each with its 1-based line position. */
export function parseManifest(text: string): {
  lines: { position: number; entry: ManifestEntry | null; raw: string }[];
  unreadable: UnreadableLine[];
} {
  const lines: { position: number; entry: ManifestEntry | null; raw: string }[] = [];
  const unreadable: UnreadableLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const position = i + 1;
    try {
      const parsed = manifestEntrySchema.safeParse(JSON.parse(raw));
      if (parsed.success) {
        lines.push({ position, entry: parsed.data, raw });
        return;
      }
      unreadable.push({
        position,
        text: raw.slice(0, 200),
        error: parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '),
      });
    } catch (err) {
      unreadable.push({ position, text: raw.slice(0, 200), error: (err as Error).message });
    }
    lines.push({ position, entry: null, raw });
  });
  return { lines, unreadable };
}
