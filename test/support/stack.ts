import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import pino, { type Logger } from 'pino';
import { createSmtpMailer } from '../../activities/mailer';
import { createApp } from '../../api/app';
import type { Role } from '../../api/auth/account-schema';
import type { AuthUser } from '../../api/auth/account-store';
import { createAuthServices, type AuthServices } from '../../api/auth/auth-services';
import { cookieNames } from '../../api/auth/cookies';
import { DirectiveIdAllocator, RequestLedger } from '../../api/directives/directive-ids';
import { TemporalGateway } from '../../api/temporal-gateway';
import { FileStore } from '../../lib/file-store';
import { jalaliYear } from '../../lib/jalali';
import { parseSigningKeys } from '../../lib/link-token';
import { buildRegistry, loadRegistry, type Registry } from '../../domain/registry';
import type { RegistryFile } from '../../domain/registry-schema';
import { HistoryArchive } from '../../audit/archive';
import { Archiver } from '../../worker/archiver';
import { recordSmsReceipts } from '../../worker/sms-receipts';
import { createFarmanWorker } from '../../worker/create-worker';
import { FileSentLedger } from '../../activities/sent-ledger';
export { eventually, inSeconds } from '../../reliability/harness/wait';
import { SmtpSink } from '../../reliability/harness/smtp-sink';
import { SmppSink } from '../../reliability/harness/smpp-sink';
import { SmppClient } from '../../activities/sms/smpp-client';
import { SmsLedger, type SmsLedgerEntry } from '../../activities/sms/sms-ledger';
import { ShortLinkStore } from '../../lib/short-link';

export const testSigningKeys = parseSigningKeys('t1:test-secret-0123456789abcdef0123456789abcdef');

export interface TestStack {
  client: Client;
  gateway: TemporalGateway;
  registry: Registry;
  sink: SmtpSink;
  /** The real SMPP server the worker binds to, with `sms: true`. */
  smsSink: SmppSink | null;
  /** The worker's SMPP client, with `sms: true` (for receipts in tests). */
  smsClient: SmppClient | null;
  files: FileStore;
  dataDir: string;
  /** The stack's audit archive (`<dataDir>/archive`); the worker archives its bundle there at start. */
  archive: HistoryArchive;
  archiver: Archiver;
  taskQueue: string;
  baseUrl: string;
  worker: Worker;
  auth: AuthServices;
  /** One account per role (username = role), with its password and an API token. */
  accounts: Record<Role, { user: AuthUser; password: string; token: string }>;
  /** API tokens of the office and auditor accounts, for `Authorization: Bearer`. */
  officeToken: string;
  auditorToken: string;
  adminToken: string;
  /**
   * `fetch` against the stack's base URL with the office token (or `as`'s token; `as: null` sends no
   * credentials). JSON bodies: pass `json` instead of `body`.
   */
  api(path: string, init?: ApiInit): Promise<Response>;
  /** A signed-in browser session of the role's account: the Cookie header value and its CSRF token. */
  session(role: Role): Promise<{ cookie: string; name: string; value: string; csrfToken: string }>;
  /** Stops the worker (waiting for it), the HTTP server, the sink and the connections. */
  stop(): Promise<void>;
  /** Stops only the worker, as a crash would leave things; `startWorker` brings a new one. */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
}

export interface StackOptions {
  registry?: RegistryFile;
  shardSize?: number;
  /** Secure cookies (the production default); tests drive cookies by hand, so http works either way. */
  cookieSecure?: boolean;
  /** The API's logger (silent by default); a test that reads the request log passes its own. */
  logger?: Logger;
  /** Runs the archiver in the background, as the worker process does (it is always there for `runOnce`). */
  archiver?: boolean;
  /** Serial of the first directive this stack issues; random by default (see `seedDirectiveIds`). */
  firstDirectiveSerial?: number;
  /** Creates the office, auditor and admin accounts (the default); false leaves DATA_DIR without accounts, as on a first start. */
  seedAccounts?: boolean;
  /** Sends SMS too, through a real SMPP sink (`smsSink`), with short links served under `/s/`. */
  sms?: boolean;
}

export type ApiInit = RequestInit & { as?: Role | null; json?: unknown };

/**
 * A real Farman stack for one test file: a worker on its own task queue against the run's Temporal server,
 * the real express app on a random port, a real SMTP sink, and a data directory of its own.
 */
export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const address = process.env.FARMAN_TEST_TEMPORAL_ADDRESS!;
  const namespace = process.env.FARMAN_TEST_TEMPORAL_NAMESPACE!;
  const taskQueue = `farman-test-${randomUUID()}`;
  const dataDir = path.join(process.env.FARMAN_TEST_DIR!, taskQueue);
  mkdirSync(dataDir, { recursive: true });
  seedDirectiveIds(dataDir, options.firstDirectiveSerial);
  const registry = options.registry ? buildRegistry(options.registry) : loadRegistry();
  const sink = await SmtpSink.start();
  const files = new FileStore(path.join(dataDir, 'files'));
  const archive = new HistoryArchive(path.join(dataDir, 'archive'));

  // The HTTP server listens before the worker starts, so the links the worker mails carry the real base URL;
  // the app is attached once it exists.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  const nativeConnection = await NativeConnection.connect({ address });
  const mailer = createSmtpMailer({ url: sink.url, ratePerSecond: 1000 });
  // As worker/main.ts: one ledger per data directory, kept across worker restarts.
  const sentLedger = new FileSentLedger(path.join(dataDir, 'mail', 'sent.jsonl'));
  const smsSink = options.sms ? await SmppSink.start() : null;
  const smsClient = smsSink
    ? new SmppClient({ url: smsSink.url, sourceAddress: 'Farman', ratePerSecond: 1000, bindWaitMs: 2000 })
    : null;
  const shortLinks = new ShortLinkStore(path.join(dataDir, 'short-links'));
  const sms = smsClient
    ? {
        sender: smsClient,
        shortLinks,
        ledger: new SmsLedger(new FileSentLedger<SmsLedgerEntry>(path.join(dataDir, 'sms', 'sent.jsonl'))),
      }
    : undefined;
  let worker!: Worker;
  let running: Promise<void> = Promise.resolve();
  const startWorker = async () => {
    worker = await createFarmanWorker({
      connection: nativeConnection,
      namespace,
      taskQueue,
      registry: () => registry,
      mailer,
      files,
      signingKeys: testSigningKeys,
      publicUrl: baseUrl,
      linkGraceMs: 86_400_000,
      mailFrom: 'Farman <farman@example.org>',
      workflowBundle: { codePath: process.env.FARMAN_TEST_WORKFLOW_BUNDLE! },
      archive,
      sentLedger,
      sms,
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
  await startWorker();

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const gateway = new TemporalGateway(client, { taskQueue, shardSize: options.shardSize });
  if (smsClient && sms) recordSmsReceipts(smsClient, sms.ledger, client, () => {});
  const archiver = new Archiver({ client, archive, taskQueue, intervalMs: 250, log: () => {} });
  if (options.archiver) await archiver.start();
  const auth = createAuthServices({ dataDir, cookieSecure: options.cookieSecure ?? true });
  const accounts = {} as TestStack['accounts'];
  for (const role of options.seedAccounts === false ? [] : (['office', 'auditor', 'admin'] as const)) {
    const password = `${role}-password-0123`;
    const account = await auth.accounts.create({ username: role, name: `کاربر ${role}`, role, password });
    const { token } = await auth.accounts.createToken(role, 'tests');
    accounts[role] = {
      user: { id: account.id, username: role, name: account.name, role, sessionGeneration: account.sessionGeneration },
      password,
      token,
    };
  }
  const app = createApp({
    archive,
    registry: () => registry,
    gateway,
    files,
    ids: new DirectiveIdAllocator(path.join(dataDir, 'directives')),
    ledger: new RequestLedger(path.join(dataDir, 'requests')),
    logger: options.logger ?? pino({ level: 'silent' }),
    auth,
    signingKeys: testSigningKeys,
    publicUrl: baseUrl,
    shortLinks,
    temporalReady: async () => true,
    taskQueue,
  });
  server.on('request', app);

  return {
    auth,
    accounts,
    officeToken: accounts.office?.token ?? '',
    auditorToken: accounts.auditor?.token ?? '',
    adminToken: accounts.admin?.token ?? '',
    api(urlPath: string, init: ApiInit = {}) {
      const { as = 'office', json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (as) headers.set('authorization', `Bearer ${accounts[as].token}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${baseUrl}${urlPath}`, {
        ...rest,
        headers,
        body: json !== undefined ? JSON.stringify(json) : rest.body,
      });
    },
    async session(role: Role) {
      const name = cookieNames(auth.cookieSecure).session;
      const value = await auth.sessions.create(
        accounts[role].user.id,
        (await auth.accounts.findById(accounts[role].user.id))!.sessionGeneration,
      );
      const session = await auth.sessions.read(value);
      return { cookie: `${name}=${value}`, name, value, csrfToken: session!.csrfToken };
    },
    client,
    gateway,
    registry,
    sink,
    smsSink,
    smsClient,
    files,
    dataDir,
    archive,
    archiver,
    taskQueue,
    baseUrl,
    get worker() {
      return worker;
    },
    stopWorker,
    startWorker,
    async stop() {
      await archiver.stop();
      await stopWorker();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      mailer.close();
      await sink.down();
      await smsClient?.close();
      await smsSink?.down();
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/**
 * Starts the directive serial of a data directory at `first` (a random point by default). Directive ids are
 * workflow ids and every test file of a run shares the server's namespace: stacks all counting from 1 take
 * each other's ids, and the API skips a taken id only a few times before it gives up.
 */
export function seedDirectiveIds(dataDir: string, first = randomInt(100_000, 900_000)): void {
  const dir = path.join(dataDir, 'directives');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `serial-${jalaliYear(new Date())}`), String(first - 1));
}
