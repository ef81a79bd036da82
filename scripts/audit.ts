import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { AuditInputError, parseInstant, resolveTargets, resolveWorkflow, type HistorySources } from '../audit/audit-commands';
import { HistoryArchive } from '../audit/archive';
import { exportToArchive } from '../audit/history-source';
import { formatRows, outputFormats, progressCounter, type OutputFormat, type Row } from '../audit/output';
import { replayHistories } from '../audit/replay';
import { stateRows, unitStateAt } from '../audit/state-at';
import { buildTimeline } from '../audit/timeline';
import { verifyArchive } from '../audit/verify-archive';
import { archiveDirOf, dataFields, parseConfig, temporalFields } from '../lib/config';
import { taskQueue as defaultTaskQueue } from '../workflows/contract';
import { Archiver } from '../worker/archiver';

const usage = `farman-audit: read, verify and replay Farman's audit archive

usage: farman-audit <command> [arguments] [options]

commands:
  verify                              check the manifest chain and every archived file's hash
  replay <directive|workflowId|file>… replay histories with the archived bundle of their build
  timeline <directive|file>… [--unit CODE]
                                      the directive's timeline, from its recorded histories
  state <workflowId|file> --at <instant>
                                      a unit's state as of an instant (ISO with zone, Jalali, or now)
  export <workflowId> [--run-id ID]   archive a workflow's history now (running or closed)
  archive                             archive every closed workflow not archived yet (one pass)

options:
  --format table|json|csv   output format (default table)
  --archive DIR             the archive (default ARCHIVE_DIR, else DATA_DIR/archive)
  --live                    read histories from the server even when the archive has them
  --address HOST:PORT       Temporal (default TEMPORAL_ADDRESS, else 127.0.0.1:7233)
  --namespace NS            Temporal namespace (default TEMPORAL_NAMESPACE, else default)
  --workflow-id ID          the workflow ID of a history file that does not record it
  --bundle FILE             replay with this workflow bundle instead of the archived one
  --jobs N                  replay in up to N processes (default: the machine's cores; 25+ histories each)
  --task-queue NAME         for archive: the task queue whose workflows to archive (default farman)

exit status: 0 all good, 1 a finding (tampering, non-determinism), 2 bad usage or unreadable input`;

const configSchema = z.object({ ...temporalFields, ...dataFields });

/** Where a command writes: its output, and progress and messages (stderr for the command line). */
export interface AuditIo {
  out: (text: string) => void;
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

const stdio: AuditIo = { out: (t) => process.stdout.write(t), err: process.stderr };

/** Runs one audit command; returns the exit status (0 good, 1 a finding, 2 bad usage or input). */
export async function runAudit(argv: string[], io: Partial<AuditIo> = {}, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { out, err: stderr } = { ...stdio, ...io };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'table' },
        archive: { type: 'string' },
        live: { type: 'boolean', default: false },
        address: { type: 'string' },
        namespace: { type: 'string' },
        unit: { type: 'string' },
        at: { type: 'string' },
        'workflow-id': { type: 'string' },
        'run-id': { type: 'string' },
        bundle: { type: 'string' },
        jobs: { type: 'string' },
        'task-queue': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    return 2;
  }
  const { values: o, positionals } = parsed;
  const [command, ...args] = positionals;
  if (o.help || !command || command === 'help') {
    out(`${usage}\n`);
    return command || o.help ? 0 : 2;
  }
  if (!(outputFormats as readonly string[]).includes(o.format)) {
    stderr.write(`--format must be one of ${outputFormats.join(', ')}\n`);
    return 2;
  }
  const format = o.format as OutputFormat;
  const jobs = o.jobs === undefined ? availableParallelism() : Number(o.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) {
    stderr.write('--jobs must be a whole number from 1 to 64\n');
    return 2;
  }
  const config = parseConfig(configSchema, env);
  const archive = new HistoryArchive(o.archive ?? archiveDirOf(config));
  const needsClient = o.live || command === 'export' || command === 'archive';
  let connection: Connection | null = null;
  const client = async (): Promise<Client> => {
    connection ??= await Connection.connect({ address: o.address ?? config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233', connectTimeout: 5_000 });
    return new Client({ connection, namespace: o.namespace ?? config.TEMPORAL_NAMESPACE });
  };
  const sources: HistorySources = { archive, client: needsClient ? await client() : null, preferLive: o.live };
  try {
    switch (command) {
      case 'verify': {
        if (!existsSync(archive.dir)) throw new AuditInputError(`there is no archive at ${archive.dir}`);
        const report = await verifyArchive(archive, progressCounter('verified', stderr));
        const rows: Row[] = report.problems.map((p) => ({ position: p.position, kind: p.kind, file: p.file, detail: p.detail }));
        if (format === 'json') out(`${JSON.stringify(report, null, 2)}\n`);
        else if (rows.length > 0) out(formatRows(rows, ['position', 'kind', 'file', 'detail'], format));
        stderr.write(`${report.ok ? 'archive intact' : `archive NOT intact: ${report.problems.length} problem(s)`}: ${report.entries} entries, ${report.filesChecked} files checked, head ${report.headHash}\n`);
        return report.ok ? 0 : 1;
      }
      case 'replay': {
        const targets = await resolveTargets(args, sources, o['workflow-id']);
        const override = o.bundle ? await readFile(o.bundle, 'utf8') : null;
        const outcomes = await replayHistories(targets, async (buildId) => override ?? (await archive.bundleCode(buildId)), progressCounter('replayed', stderr), { processes: jobs });
        const rows: Row[] = outcomes.map((r) => ({ workflowId: r.workflowId, deterministic: r.deterministic ? 'yes' : 'NO', build: r.buildId?.slice(0, 12) ?? '', error: r.errorName ? `${r.errorName}: ${r.error}` : '', source: r.source }));
        out(formatRows(rows, ['workflowId', 'deterministic', 'build', 'error', 'source'], format));
        return outcomes.every((r) => r.deterministic) ? 0 : 1;
      }
      case 'timeline': {
        const targets = await resolveTargets(args, sources, o['workflow-id']);
        const entries = buildTimeline(targets, { unit: o.unit });
        const rows: Row[] = entries.map((e) => ({ ...e, unit: e.unit ?? '', details: JSON.stringify(e.details) }));
        const columns = format === 'table' ? ['jalali', 'at', 'unit', 'kind', 'actor', 'summary'] : ['at', 'jalali', 'workflowId', 'unit', 'kind', 'actor', 'summary', 'details', 'eventId'];
        out(format === 'json' ? `${JSON.stringify(entries, null, 2)}\n` : formatRows(rows, columns, format));
        return 0;
      }
      case 'state': {
        if (args.length !== 1 || !o.at) throw new AuditInputError('usage: state <workflowId|file> --at <instant>');
        const at = parseInstant(o.at);
        const target = await resolveWorkflow(args[0], sources, o['workflow-id']);
        const state = unitStateAt(target.workflowId, target.history, at);
        out(format === 'json' ? `${JSON.stringify(state, null, 2)}\n` : formatRows(stateRows(state, at), ['field', 'value'], format));
        return 0;
      }
      case 'export': {
        if (args.length !== 1) throw new AuditInputError('usage: export <workflowId> [--run-id ID]');
        const entry = await exportToArchive(await client(), archive, args[0], o['run-id']);
        stderr.write(entry ? `archived ${entry.file} (entry ${entry.seq}, ${entry.status}, ${entry.events} events)\n` : 'already archived: nothing new\n');
        return 0;
      }
      case 'archive': {
        const archiver = new Archiver({ client: await client(), archive, taskQueue: o['task-queue'] ?? defaultTaskQueue, log: (msg, f) => stderr.write(`${msg} ${JSON.stringify(f)}\n`) });
        await archive.reconcile((await client()).options.namespace);
        const pass = await archiver.runOnce();
        stderr.write(`listed ${pass.listed} closed workflows, archived ${pass.archived}, failed ${pass.failed}\n`);
        return pass.failed > 0 ? 1 : 0;
      }
      default:
        stderr.write(`unknown command ${command}\n\n${usage}\n`);
        return 2;
    }
  } catch (err) {
    if (err instanceof AuditInputError) {
      stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    await (connection as Connection | null)?.close();
  }
}

if (require.main === module) {
  runAudit(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(2);
    },
  );
}
