import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';

/** The committed histories replayed by the suite: one folder per scenario, one file per workflow. */
export const historiesDir = path.join(__dirname, '..', 'histories');

export interface RecordedHistory {
  scenario: string;
  workflowId: string;
  file: string;
  history: temporal.api.history.v1.IHistory;
}

/** File names cannot hold `:` and `/` portably; the real workflow ID is kept inside the file. */
function fileNameOf(workflowId: string): string {
  return `${workflowId.replace(/[:/]/g, '_')}.json`;
}

/**
 * Fetches a workflow's history and writes it as `{ workflowId, history }`, where `history` is the proto JSON
 * that `temporal workflow show --output json` also produces.
 */
export async function recordHistory(client: Client, scenario: string, workflowId: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const dir = path.join(historiesDir, scenario);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, fileNameOf(workflowId)),
    `{"workflowId":${JSON.stringify(workflowId)},"history":${historyToJSON(history)}}\n`,
  );
}

/** Every committed history, with its real workflow ID. */
export function loadHistories(dir = historiesDir): RecordedHistory[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(path.join(dir, d.name))
        .filter((f) => f.endsWith('.json'))
        .map((f) => {
          const file = path.join(dir, d.name, f);
          const parsed = JSON.parse(readFileSync(file, 'utf8')) as { workflowId: string; history: unknown };
          return { scenario: d.name, workflowId: parsed.workflowId, file, history: historyFromJSON(parsed.history) };
        }),
    );
}
