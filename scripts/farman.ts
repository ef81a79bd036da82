import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { roles, newAccountSchema, viewAccount, type Role } from '../api/auth/account-schema';
import { AccountStore } from '../api/auth/account-store';
import {
  commandBody,
  isUnitCommandName,
  unitCommandNames,
  unitCommands,
  type CommandText,
} from '../api/office/unit-commands';
import { exitCodes, usageExit, withConventions } from './cli-conventions';

/**
 * `farman`: the office's command line.
 *
 * Local account commands (`admin create`, `users add|list|passwd|disable|enable`, `token create|revoke`)
 * work on the account store in DATA_DIR directly: they need access to the server's disk, not a running API, which is
 * how the first admin comes to exist. The other commands call the API at FARMAN_URL with the API token in
 * FARMAN_TOKEN. Progress goes to stderr; `--json` prints machine-readable results on stdout.
 */

class CliError extends Error {}

interface Problem {
  status?: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}

function accountStore(): AccountStore {
  return new AccountStore(path.resolve(process.env.DATA_DIR ?? '.data'));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Reads a password without echo from the terminal. */
async function promptPassword(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError('no terminal to ask for a password: use --password-stdin');
  process.stderr.write(question);
  process.stdin.setRawMode(true);
  process.stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          process.stdin.setRawMode(false);
          process.stdin.pause();
          process.stdin.off('data', onData);
          process.stderr.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') {
          process.stdin.setRawMode(false);
          return reject(new CliError('cancelled'));
        }
        value = ch === '\u007f' ? value.slice(0, -1) : value + ch;
      }
    };
    process.stdin.on('data', onData);
  });
}

async function passwordFrom(options: { passwordStdin?: boolean }): Promise<string> {
  if (options.passwordStdin) return readStdin();
  const first = await promptPassword('password: ');
  const again = await promptPassword('again: ');
  if (first !== again) throw new CliError('the passwords differ');
  return first;
}

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

async function addAccount(options: {
  username: string;
  name: string;
  role: Role;
  passwordStdin?: boolean;
  password?: boolean;
  json?: boolean;
}): Promise<void> {
  const password = options.password === false ? undefined : await passwordFrom(options);
  const parsed = newAccountSchema.safeParse({
    username: options.username,
    name: options.name,
    role: options.role,
    password,
  });
  if (!parsed.success)
    throw new CliError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  const account = await accountStore().create(parsed.data);
  print(!!options.json, viewAccount(account), `created ${account.role} account ${account.username} (${account.id})`);
}

// ---- the API client ------------------------------------------------------------------------------------

function apiBase(): { url: string; token: string } {
  const token = process.env.FARMAN_TOKEN;
  if (!token) throw new CliError('set FARMAN_TOKEN to an API token (farman token create …)');
  return { url: (process.env.FARMAN_URL ?? 'http://localhost:3000').replace(/\/+$/, ''), token };
}

/** Calls the API (a JSON body, or FormData as multipart); retries "try again" answers (503) a few times. */
async function call(
  method: string,
  urlPath: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const { url, token } = apiBase();
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${url}/api/v1${urlPath}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body instanceof FormData ? body : body !== undefined ? JSON.stringify(body) : undefined,
    }).catch((err: Error) => {
      throw new CliError(`cannot reach ${url}: ${err.message}`);
    });
    if (res.status === 503 && attempt < 4) {
      process.stderr.write(`the server is busy; retrying (${attempt}/3)…\n`);
      await new Promise((r) => setTimeout(r, 1000 * attempt));
      continue;
    }
    if (!res.ok) {
      const problem = (await res.json().catch(() => ({}))) as Problem;
      const fields = (problem.errors ?? []).map((e) => `\n  ${e.path}: ${e.message}`).join('');
      throw new CliError(`${res.status}: ${problem.detail ?? res.statusText}${fields}`);
    }
    return res;
  }
}

async function callJson<T>(
  method: string,
  urlPath: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<T> {
  return (await call(method, urlPath, body, headers)).json() as Promise<T>;
}

interface Status {
  state: string;
  total: number;
  started: number;
  counts: Record<string, number>;
  overdue: number;
}
interface ListItem {
  id: string;
  title: string;
  priority: string;
  state: string;
  compliancePercent: number;
  status: Status;
}
interface Detail {
  id: string;
  title: string;
  state: string;
  compliancePercent: number;
  status: Status;
  units: { unitCode: string; name: string; state: string; overdue: string | null; escalationLevel: number }[];
}

function readDirectiveFile(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
}

/** Shows the fan-out's progress on stderr until every unit has started. */
async function followFanOut(id: string): Promise<Status> {
  for (;;) {
    const status = await callJson<Status>('GET', `/directives/${id}`).then((d) => (d as unknown as Detail).status);
    if (process.stderr.isTTY) process.stderr.write(`\rstarted ${status.started}/${status.total} units`);
    if (status.state !== 'fanning-out') {
      if (process.stderr.isTTY) process.stderr.write('\n');
      return status;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

const program = withConventions(new Command('farman'), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
})
  .description("Farman's command line for the governor's office")
  .addHelpText(
    'after',
    `\nResults go to stdout (--json for machine-readable output), messages and errors to stderr.\nExit status: ${exitCodes.ok} done, ${exitCodes.failure} failed (the API refused, a request failed), ${exitCodes.usage} bad usage.`,
  );

const admin = program.command('admin').description('first-time setup, against DATA_DIR');
admin
  .command('create')
  .description('create an admin account (the first one, or another)')
  .requiredOption('--username <username>')
  .requiredOption('--name <name>', "the person's name, in Persian")
  .option('--password-stdin', 'read the password from standard input')
  .option('--json', 'print JSON')
  .action((o: { username: string; name: string; passwordStdin?: boolean; json?: boolean }) =>
    addAccount({ ...o, role: 'admin' }),
  );

const users = program.command('users').description('accounts, against DATA_DIR');
users
  .command('add')
  .description('create an office, auditor or admin account')
  .requiredOption('--username <username>')
  .requiredOption('--name <name>')
  .addOption(new Option('--role <role>').choices(roles).makeOptionMandatory())
  .option('--password-stdin', 'read the password from standard input')
  .option('--no-password', 'an account that signs in only with API tokens')
  .option('--json', 'print JSON')
  .action(addAccount);
users
  .command('list')
  .option('--json', 'print JSON')
  .action(async (o: { json?: boolean }) => {
    const accounts = (await accountStore().list()).map(viewAccount);
    print(
      !!o.json,
      accounts,
      accounts
        .map(
          (a) =>
            `${a.username}\t${a.role}\t${a.disabled ? 'disabled' : 'active'}\t${a.name}\t${a.tokens.filter((t) => !t.revokedAt).length} token(s)`,
        )
        .join('\n'),
    );
  });
users
  .command('passwd')
  .description("set an account's password")
  .requiredOption('--username <username>')
  .option('--password-stdin')
  .action(async (o: { username: string; passwordStdin?: boolean }) => {
    await accountStore().setPassword(o.username, await passwordFrom(o));
    process.stderr.write('password set\n');
  });

for (const action of ['disable', 'enable'] as const) {
  users
    .command(action)
    .description(
      action === 'disable'
        ? 'disable an account: its sessions end and its tokens stop working'
        : 'enable a disabled account again',
    )
    .requiredOption('--username <username>')
    .action(async (o: { username: string }) => {
      await accountStore().setDisabled(o.username, action === 'disable');
      process.stderr.write(`${action}d\n`);
    });
}

const token = program.command('token').description('API tokens, against DATA_DIR');
token
  .command('create')
  .description('create an API token for an account; it is printed once')
  .requiredOption('--username <username>')
  .requiredOption('--name <name>', 'what the token is for, e.g. "laptop of Ms. Ahmadi"')
  .option('--json', 'print JSON')
  .action(async (o: { username: string; name: string; json?: boolean }) => {
    const created = await accountStore().createToken(o.username, o.name);
    if (!o.json) process.stderr.write(`token ${created.id} for ${o.username}; keep it now, it is not shown again:\n`);
    print(!!o.json, created, created.token);
  });
token
  .command('revoke')
  .requiredOption('--username <username>')
  .requiredOption('--id <tokenId>')
  .action(async (o: { username: string; id: string }) => {
    await accountStore().revokeToken(o.username, o.id);
    process.stderr.write(`revoked ${o.id}\n`);
  });

program
  .command('issue <file>')
  .description('issue a directive from a JSON or YAML file (the body of POST /api/v1/directives)')
  .option('--request-id <id>', 'client request id; repeating it returns the directive it created')
  .option('--no-wait', 'do not wait for every unit to be notified')
  .option('--attach <files...>', 'upload these files and attach them (PDF, images, DOCX, XLSX, PPTX, CSV, TXT)')
  .option('--json', 'print JSON')
  .action(async (file: string, o: { requestId?: string; wait: boolean; attach?: string[]; json?: boolean }) => {
    const body = readDirectiveFile(file) as Record<string, unknown>;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new CliError(`${file} must hold one directive object`);
    body.clientRequestId ??= o.requestId ?? `cli-${randomUUID()}`;
    for (const attachment of o.attach ?? []) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(readFileSync(attachment))]), path.basename(attachment));
      const ref = await callJson<Record<string, unknown>>('POST', '/files', form);
      body.attachments = [...(Array.isArray(body.attachments) ? body.attachments : []), ref];
      if (!o.json) process.stderr.write(`uploaded ${path.basename(attachment)}\n`);
    }
    const res = await call('POST', '/directives', body);
    const created = (await res.json()) as {
      id: string;
      created: boolean;
      units: number;
      acknowledgeBy: { jalali: string };
      reportBy: { jalali: string };
    };
    if (!o.json) {
      const deadlines = `acknowledge by ${created.acknowledgeBy.jalali}, report by ${created.reportBy.jalali}`;
      process.stderr.write(
        `${created.created ? 'issued' : 'already issued'} ${created.id} to ${created.units} units; ${deadlines}\n`,
      );
    }
    const status = o.wait ? await followFanOut(created.id) : undefined;
    print(!!o.json, { ...created, status }, created.id);
  });

program
  .command('list')
  .description('list directives, newest first')
  .option('--state <states>', 'fanning-out, open, completed, cancelled or closed (comma-separated)')
  .option('--priority <priority>')
  .option('--text <words>')
  .option('--from <date>', 'issued on or after (ISO or Jalali, e.g. 1405/09/01)')
  .option('--to <date>', 'issued before')
  .option('--campaign <id>', 'only directives of this campaign')
  .option('--limit <n>', 'at most this many', '50')
  .option('--json', 'print JSON')
  .action(
    async (o: {
      state?: string;
      priority?: string;
      text?: string;
      from?: string;
      to?: string;
      campaign?: string;
      limit: string;
      json?: boolean;
    }) => {
      const wanted = Number(o.limit);
      if (!Number.isInteger(wanted) || wanted < 1) throw new CliError('--limit must be a positive whole number');
      const items: ListItem[] = [];
      let cursor: string | null = null;
      do {
        const q = new URLSearchParams({ limit: String(Math.min(100, wanted - items.length)) });
        for (const [k, v] of Object.entries({
          state: o.state,
          priority: o.priority,
          text: o.text,
          issuedFrom: o.from,
          issuedTo: o.to,
          campaign: o.campaign,
          cursor,
        }))
          if (v) q.set(k, v);
        const page: { items: ListItem[]; nextCursor: string | null } = await callJson('GET', `/directives?${q}`);
        items.push(...page.items);
        cursor = page.nextCursor;
        if (cursor && process.stderr.isTTY) process.stderr.write(`\r${items.length} directives…`);
      } while (cursor && items.length < wanted);
      if (process.stderr.isTTY && items.length) process.stderr.write('\r');
      print(
        !!o.json,
        items,
        items
          .map((d) => `${d.id}\t${d.state}\t${d.compliancePercent}%\t${d.status.overdue} overdue\t${d.title}`)
          .join('\n') || '(none)',
      );
    },
  );

program
  .command('status <id>')
  .description("a directive's counts and units")
  .option('--json', 'print JSON')
  .action(async (id: string, o: { json?: boolean }) => {
    const d = await callJson<Detail>('GET', `/directives/${encodeURIComponent(id)}`);
    const counts = Object.entries(d.status.counts)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ');
    const lines = [
      `${d.id}  ${d.title}`,
      `state ${d.state}, ${d.compliancePercent}% complied, ${d.status.overdue} overdue; ${counts}`,
      ...d.units.map(
        (u) =>
          `  ${u.unitCode}\t${u.state}${u.overdue ? ` (overdue: ${u.overdue}, level ${u.escalationLevel})` : ''}\t${u.name}`,
      ),
    ];
    print(!!o.json, d, lines.join('\n'));
  });

program
  .command('remind <id>')
  .description('remind now every unit whose report is due, or one unit')
  .option('--unit <code>')
  .option('--note <text>')
  .option('--json', 'print JSON')
  .action(async (id: string, o: { unit?: string; note?: string; json?: boolean }) => {
    const base = `/directives/${encodeURIComponent(id)}`;
    const run = `cli-remind-${randomUUID()}`;
    const body = o.note ? { note: o.note } : {};
    if (o.unit) {
      const result = await callJson('POST', `${base}/units/${encodeURIComponent(o.unit)}/remind`, body, {
        'idempotency-key': run,
      });
      return print(!!o.json, result, `reminded ${o.unit}`);
    }
    const detail = await callJson<Detail>('GET', base);
    const due = detail.units.filter((u) => ['notified', 'acknowledged', 'returned'].includes(u.state));
    const done: string[] = [];
    const skipped: { unitCode: string; reason: string }[] = [];
    for (const unit of due) {
      try {
        await call('POST', `${base}/units/${encodeURIComponent(unit.unitCode)}/remind`, body, {
          'idempotency-key': `${run}:${unit.unitCode}`,
        });
        done.push(unit.unitCode);
      } catch (err) {
        if (!(err instanceof CliError) || !/^409/.test(err.message)) throw err;
        skipped.push({ unitCode: unit.unitCode, reason: err.message });
      }
      process.stderr.write(`\rreminded ${done.length}/${due.length}`);
    }
    if (due.length) process.stderr.write('\n');
    print(
      !!o.json,
      { done, skipped },
      `reminded ${done.length} unit(s)${skipped.length ? `, skipped ${skipped.length}` : ''}`,
    );
  });

program
  .command('unit <action> <id> <code>')
  .description(`act on one unit of a directive: ${unitCommandNames.join(', ')}`)
  .option('--reason <text>')
  .option('--note <text>')
  .option('--acknowledge-by <jalali>', 'new acknowledgement deadline, e.g. "1405/09/20 14:00"')
  .option('--report-by <jalali>', 'new report deadline')
  .option('--request-id <id>', 'the extension request to decide')
  .addOption(new Option('--decision <decision>', 'decide-extension: approve or reject').choices(['approve', 'reject']))
  .option('--until <jalali>', 'decide-extension: the deadline granted')
  .option('--json', 'print JSON')
  .action(async (action: string, id: string, code: string, o: CommandText & { requestId?: string; json?: boolean }) => {
    // The same table as the API and the dashboard: the body is checked here by the API's own schema.
    if (!isUnitCommandName(action))
      throw new CliError(`unknown action ${action}: one of ${unitCommandNames.join(', ')}`);
    const body = commandBody(action, o);
    const parsed = unitCommands[action].body.safeParse(body);
    if (!parsed.success)
      throw new CliError(parsed.error.issues.map((i) => `${i.path.join('.') || action}: ${i.message}`).join('\n'));
    if (action === 'decide-extension' && !o.requestId) throw new CliError('decide-extension needs --request-id');
    const route = unitCommands[action].route.path.replace('{requestId}', encodeURIComponent(o.requestId ?? ''));
    const url = `/directives/${encodeURIComponent(id)}/units/${encodeURIComponent(code)}/${route}`;
    const result = await callJson<{ state: { state: string } }>('POST', url, body, {
      'idempotency-key': `cli-${action}-${randomUUID()}`,
    });
    print(!!o.json, result, `${code}: ${action} recorded, now ${result.state.state}`);
  });

program
  .command('cancel <id>')
  .description('cancel (withdraw) a directive')
  .requiredOption('--reason <text>')
  .option('--json', 'print JSON')
  .action(async (id: string, o: { reason: string; json?: boolean }) => {
    const status = await callJson<Status>('POST', `/directives/${encodeURIComponent(id)}/cancel`, { reason: o.reason });
    print(!!o.json, status, `${id} is ${status.state}`);
  });

program
  .command('export <id>')
  .description('download the compliance report')
  .addOption(new Option('--format <format>').choices(['csv', 'xlsx', 'pdf']).makeOptionMandatory())
  .requiredOption('--out <file>')
  .action(async (id: string, o: { format: string; out: string }) => {
    process.stderr.write(`exporting ${id} as ${o.format}…\n`);
    const res = await call('GET', `/directives/${encodeURIComponent(id)}/export.${o.format}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    writeFileSync(o.out, bytes);
    process.stderr.write(`wrote ${o.out} (${bytes.length} bytes)\n`);
  });

const campaigns = program.command('campaign').description('campaigns: sets of directives followed together at the HQ');
campaigns
  .command('create <id> <title>')
  .description('create a campaign (id: lower-case letters, digits and dashes, e.g. election-1405)')
  .option('--description <text>')
  .option('--json', 'print JSON')
  .action(async (id: string, title: string, o: { description?: string; json?: boolean }) => {
    const created = await callJson<{ id: string }>('POST', '/campaigns', { id, title, description: o.description });
    print(!!o.json, created, created.id);
  });
campaigns
  .command('list')
  .description('list campaigns')
  .option('--json', 'print JSON')
  .action(async (o: { json?: boolean }) => {
    const { campaigns: list } = await callJson<{ campaigns: { id: string; title: string; directives: number }[] }>(
      'GET',
      '/campaigns',
    );
    print(!!o.json, list, list.map((c) => `${c.id}\t${c.directives} directives\t${c.title}`).join('\n') || '(none)');
  });

campaigns
  .command('report <id>')
  .description("download the HQ meeting's report of a campaign")
  .addOption(new Option('--format <format>').choices(['pdf', 'xlsx']).makeOptionMandatory())
  .requiredOption('--out <file>')
  .action(async (id: string, o: { format: string; out: string }) => {
    const res = await call('GET', `/campaigns/${encodeURIComponent(id)}/report.${o.format}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    writeFileSync(o.out, bytes);
    process.stderr.write(`wrote ${o.out} (${bytes.length} bytes)\n`);
  });

program
  .command('record <unit>')
  .description("a unit's record across directives (on time, late, missing, escalations, open now)")
  .option('--campaign <id>')
  .option('--json', 'print JSON')
  .action(async (unit: string, o: { campaign?: string; json?: boolean }) => {
    const q = new URLSearchParams();
    if (o.campaign) q.set('campaign', o.campaign);
    const r = await callJson<{ complete: boolean; figures: Record<string, { count: number }> }>(
      'GET',
      `/units/${encodeURIComponent(unit)}/record?${q}`,
    );
    const lines = Object.entries(r.figures).map(([k, v]) => `${k}\t${v.count}`);
    print(!!o.json, r, [...lines, ...(r.complete ? [] : ['INCOMPLETE: some directives could not be read'])].join('\n'));
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  const usage = usageExit(err);
  if (usage !== null) process.exit(usage);
  const known =
    err instanceof CliError ||
    (err as { code?: string }).code === 'not-found' ||
    (err as { status?: number }).status !== undefined;
  process.stderr.write(`farman: ${known ? (err as Error).message : String((err as Error)?.stack ?? err)}\n`);
  process.exit(exitCodes.failure);
});
