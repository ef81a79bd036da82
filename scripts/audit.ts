import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { Command, Option } from 'commander';
import { z } from 'zod';
import {
  AuditInputError,
  IncompleteHistories,
  parseInstant,
  resolveTargets,
  resolveWorkflow,
  type HistorySources,
} from '../audit/audit-commands';
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
import { exitCodes, usageExit, withConventions } from './cli-conventions';

const configSchema = z.object({ ...temporalFields, ...dataFields });

/** Where a command writes: its output, and progress and messages (stderr for the command line). */
export interface AuditIo {
  out: (text: string) => void;
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

const stdio: AuditIo = { out: (t) => process.stdout.write(t), err: process.stderr };

/** The options every audit command takes. */
interface CommonOptions {
  format: OutputFormat;
  json?: boolean;
  archive?: string;
  live?: boolean;
  address?: string;
  namespace?: string;
}

function addCommonOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'output format').choices(outputFormats).default('table'))
    .option('--json', 'the same as --format json')
    .option('--archive <dir>', 'the archive (default ARCHIVE_DIR, else DATA_DIR/archive)')
    .option('--live', 'read histories from the server even when the archive has them closed')
    .option(
      '--address <host:port>',
      'Temporal, for what the archive lacks (default TEMPORAL_ADDRESS, else 127.0.0.1:7233)',
    )
    .option('--namespace <ns>', 'Temporal namespace (default TEMPORAL_NAMESPACE, else default)');
}

const exitHelp = `
Histories come from the archive; what it lacks (a running workflow, a run not archived yet) is read from
the server. An answer that would still be partial is refused: nothing on stdout, exit status 3, and each
missing history named on stderr.

Exit status: ${exitCodes.ok} all good, ${exitCodes.failure} a finding (tampering, non-determinism), ${exitCodes.usage} bad usage or unreadable input,
${exitCodes.incomplete} the answer would be partial (histories missing from both the archive and the server).`;

/** Runs one audit command; returns the exit status ({@link exitCodes}: 0 good, 1 a finding, 2 bad usage, 3 partial). */
export async function runAudit(
  argv: string[],
  io: Partial<AuditIo> = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { out, err: stderr } = { ...stdio, ...io };
  const program = withConventions(new Command('farman-audit'), { out, err: (t) => stderr.write(t) })
    .description("read, verify and replay Farman's audit archive")
    .addHelpText('after', exitHelp);
  let code: number = exitCodes.ok;
  let connection: Connection | null = null;
  const config = parseConfig(configSchema, env);

  /** The shared set-up of a command: output format, archive, and a server reached only when needed. */
  const context = (o: CommonOptions) => {
    const archive = new HistoryArchive(o.archive ?? archiveDirOf(config));
    const client = async (): Promise<Client> => {
      connection ??= await Connection.connect({
        address: o.address ?? config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
        connectTimeout: 5_000,
      });
      return new Client({ connection, namespace: o.namespace ?? config.TEMPORAL_NAMESPACE });
    };
    const sources: HistorySources = { archive, server: client, preferLive: o.live };
    return { format: o.json ? 'json' : o.format, archive, client, sources };
  };

  addCommonOptions(
    program.command('verify').description("check the manifest chain and every archived file's hash"),
  ).action(async (o: CommonOptions) => {
    const { archive, format } = context(o);
    if (!existsSync(archive.dir)) throw new AuditInputError(`there is no archive at ${archive.dir}`);
    const report = await verifyArchive(archive, progressCounter('verified', stderr));
    const rows: Row[] = report.problems.map((p) => ({
      position: p.position,
      kind: p.kind,
      file: p.file,
      detail: p.detail,
    }));
    if (format === 'json') out(`${JSON.stringify(report, null, 2)}\n`);
    else if (rows.length > 0) out(formatRows(rows, ['position', 'kind', 'file', 'detail'], format));
    stderr.write(
      `${report.ok ? 'archive intact' : `archive NOT intact: ${report.problems.length} problem(s)`}: ${report.entries} entries, ${report.filesChecked} files checked, head ${report.headHash}\n`,
    );
    code = report.ok ? exitCodes.ok : exitCodes.failure;
  });

  addCommonOptions(
    program
      .command('replay <targets...>')
      .description('replay histories (a directive id, workflow IDs or files) with the archived bundle of their build'),
  )
    .option('--workflow-id <id>', 'the workflow ID of a history file that does not record it')
    .option('--bundle <file>', 'replay with this workflow bundle instead of the archived one')
    .option('--jobs <n>', "replay in up to N processes (default: the machine's cores; 25+ histories each)")
    .action(async (args: string[], o: CommonOptions & { workflowId?: string; bundle?: string; jobs?: string }) => {
      const { archive, format, sources } = context(o);
      const jobs = o.jobs === undefined ? availableParallelism() : Number(o.jobs);
      if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)
        throw new AuditInputError('--jobs must be a whole number from 1 to 64');
      const targets = await resolveTargets(args, sources, o.workflowId);
      const override = o.bundle ? await readFile(o.bundle, 'utf8') : null;
      const outcomes = await replayHistories(
        targets,
        async (buildId) => override ?? (await archive.bundleCode(buildId)),
        progressCounter('replayed', stderr),
        { processes: jobs },
      );
      const rows: Row[] = outcomes.map((r) => ({
        workflowId: r.workflowId,
        deterministic: r.deterministic ? 'yes' : 'NO',
        build: r.buildId?.slice(0, 12) ?? '',
        error: r.errorName ? `${r.errorName}: ${r.error}` : '',
        source: r.source,
      }));
      out(formatRows(rows, ['workflowId', 'deterministic', 'build', 'error', 'source'], format));
      code = outcomes.every((r) => r.deterministic) ? exitCodes.ok : exitCodes.failure;
    });

  addCommonOptions(
    program.command('timeline <targets...>').description("the directive's timeline, from its recorded histories"),
  )
    .option('--unit <code>', "only this unit's entries (and the directive's)")
    .option('--workflow-id <id>', 'the workflow ID of a history file that does not record it')
    .action(async (args: string[], o: CommonOptions & { unit?: string; workflowId?: string }) => {
      const { format, sources } = context(o);
      const targets = await resolveTargets(args, sources, o.workflowId);
      const entries = buildTimeline(targets, { unit: o.unit });
      const rows: Row[] = entries.map((e) => ({ ...e, unit: e.unit ?? '', details: JSON.stringify(e.details) }));
      const columns =
        format === 'table'
          ? ['jalali', 'at', 'unit', 'kind', 'actor', 'summary']
          : ['at', 'jalali', 'workflowId', 'unit', 'kind', 'actor', 'summary', 'details', 'eventId'];
      out(format === 'json' ? `${JSON.stringify(entries, null, 2)}\n` : formatRows(rows, columns, format));
    });

  addCommonOptions(program.command('state <target>').description("a unit's state as of an instant"))
    .requiredOption('--at <instant>', 'an ISO instant with a zone, a Jalali Tehran time (1405/09/10 14:30), or now')
    .option('--workflow-id <id>', 'the workflow ID of a history file that does not record it')
    .action(async (arg: string, o: CommonOptions & { at: string; workflowId?: string }) => {
      const { format, sources } = context(o);
      const at = parseInstant(o.at);
      const target = await resolveWorkflow(arg, sources, o.workflowId);
      const state = unitStateAt(target.workflowId, target.history, at);
      out(
        format === 'json'
          ? `${JSON.stringify(state, null, 2)}\n`
          : formatRows(stateRows(state, at), ['field', 'value'], format),
      );
    });

  addCommonOptions(
    program.command('export <workflowId>').description("archive a workflow's history now (running or closed)"),
  )
    .option('--run-id <id>', 'this run instead of the latest')
    .action(async (workflowId: string, o: CommonOptions & { runId?: string }) => {
      const { archive, client } = context(o);
      const entry = await exportToArchive(await client(), archive, workflowId, o.runId);
      stderr.write(
        entry
          ? `archived ${entry.file} (entry ${entry.seq}, ${entry.status}, ${entry.events} events)\n`
          : 'already archived: nothing new\n',
      );
    });

  addCommonOptions(program.command('archive').description('archive every closed workflow not archived yet (one pass)'))
    .option('--task-queue <name>', 'the task queue whose workflows to archive', defaultTaskQueue)
    .action(async (o: CommonOptions & { taskQueue: string }) => {
      const { archive, client } = context(o);
      const archiver = new Archiver({
        client: await client(),
        archive,
        taskQueue: o.taskQueue,
        log: (msg, f) => stderr.write(`${msg} ${JSON.stringify(f)}\n`),
      });
      await archive.reconcile((await client()).options.namespace);
      const pass = await archiver.runOnce();
      stderr.write(`listed ${pass.listed} closed workflows, archived ${pass.archived}, failed ${pass.failed}\n`);
      code = pass.failed > 0 ? exitCodes.failure : exitCodes.ok;
    });

  try {
    if (argv.length === 0) {
      stderr.write(program.helpInformation());
      return exitCodes.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    const usage = usageExit(err);
    if (usage !== null) return usage;
    if (err instanceof IncompleteHistories) {
      stderr.write(`farman-audit: ${err.message}\n`);
      return exitCodes.incomplete;
    }
    if (err instanceof AuditInputError) {
      stderr.write(`farman-audit: ${err.message}\n`);
      return exitCodes.usage;
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
