import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TemporalGateway } from '../api/temporal-gateway';
import type { RegistryFile } from '../domain/registry-schema';
import { generateRegistry } from '../scripts/generate-registry';
import { ensureTemporalCli, freePort, startDevServer, type DevServer } from '../worker/temporal-server';
import { unitWorkflowId } from '../workflows/contract';
import type { UnitState } from '../workflows/unit-state';
import { officeTokenIn, spawnFarman, waitUntilOk, type FarmanProcess } from './harness/processes';
import { SmtpSink, type ReceivedMail } from './harness/smtp-sink';
import { eventually } from './harness/wait';
import { SmppSink } from './harness/smpp-sink';

/**
 * A whole Farman deployment made of real processes, for fault tests: `temporal server start-dev` on a SQLite
 * FILE (so it can be SIGKILLed and started again on the same data), the worker and the API as child
 * processes (`node -r @swc-node/register worker/main.ts` / `api/main.ts`), and an in-process SMTP sink that
 * can go down and come back. Every part keeps its port across restarts, so the others reconnect to it.
 */
export interface ClusterOptions {
  /** Where the cluster keeps its files (SQLite database, stored files, accounts); created if missing. */
  dir: string;
  /** Recipients in the generated registry (scripts/generate-registry.ts); the sample Tehran registry if omitted. */
  units?: number;
  /** A prebuilt workflow bundle (the tests' global setup makes one); the worker bundles at start without it. */
  workflowBundle?: string;
  /** Extra environment of the worker (e.g. WORKER_MAX_CONCURRENT_ACTIVITIES). */
  workerEnv?: Record<string, string>;
  /** Points the worker at the cluster's SMPP sink (`smsSink`), so heads with the SMS channel are texted too. */
  sms?: boolean;
}

/** The link-signing keys of every cluster; the secret is for tests only. */
export const clusterSigningKeys = 'rl1:reliability-signing-secret-0123456789abcdef';

export class Cluster {
  server!: DevServer;
  worker!: FarmanProcess;
  apiProcess!: FarmanProcess;
  readonly sink: SmtpSink;
  /** A real SMPP server, in this process like the SMTP sink; the worker binds to it with `sms: true`. */
  smsSink!: SmppSink;
  readonly client: Client;
  readonly gateway: TemporalGateway;
  officeToken = '';
  /** How often each part was killed, for the report. */
  readonly kills = { worker: 0, server: 0, api: 0 };

  private constructor(
    private readonly options: ClusterOptions,
    readonly temporalPort: number,
    readonly apiPort: number,
    readonly workerHealthPort: number,
    private readonly connection: Connection,
    sink: SmtpSink,
    private readonly registryFile: string | undefined,
    /** The generated registry the processes read (`units`), made once. */
    readonly registry: RegistryFile | undefined,
  ) {
    this.sink = sink;
    this.client = new Client({ connection, namespace: 'default' });
    this.gateway = new TemporalGateway(this.client);
  }

  /** Starts the server, the worker and the API, and creates an office account with an API token. */
  static async start(options: ClusterOptions): Promise<Cluster> {
    mkdirSync(options.dir, { recursive: true });
    const registry = options.units ? generateRegistry(options.units) : undefined;
    let registryFile: string | undefined;
    if (registry) {
      registryFile = path.join(options.dir, 'registry.json');
      writeFileSync(registryFile, JSON.stringify(registry));
    }
    const [temporalPort, apiPort, workerHealthPort] = [await freePort(), await freePort(), await freePort()];
    const server = await startDevServer({
      cli: await ensureTemporalCli(),
      dbFile: path.join(options.dir, 'temporal.db'),
      port: temporalPort,
      uiPort: null,
      logLevel: 'error',
    });
    const connection = await Connection.connect({ address: server.address });
    const sink = await SmtpSink.start();
    const cluster = new Cluster(
      options,
      temporalPort,
      apiPort,
      workerHealthPort,
      connection,
      sink,
      registryFile,
      registry,
    );
    cluster.server = server;
    cluster.smsSink = await SmppSink.start();
    cluster.officeToken = await officeTokenIn(path.join(options.dir, 'data'));
    await Promise.all([cluster.startWorker(), cluster.startApi()]);
    return cluster;
  }

  /** Codes of every recipient (district or agency) of the generated registry, in file order. */
  recipients(): string[] {
    if (!this.registry) throw new Error('recipients() needs a generated registry (units)');
    return this.registry.units.filter((u) => u.kind !== 'province' && u.kind !== 'county').map((u) => u.code);
  }

  get address(): string {
    return `127.0.0.1:${this.temporalPort}`;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  private commonEnv(): Record<string, string> {
    return {
      TEMPORAL_ADDRESS: this.address,
      TEMPORAL_NAMESPACE: 'default',
      DATA_DIR: path.join(this.options.dir, 'data'),
      LINK_SIGNING_KEYS: clusterSigningKeys,
      PUBLIC_URL: this.baseUrl,
      LOG_LEVEL: 'warn',
      ...(this.registryFile ? { REGISTRY_FILE: this.registryFile } : {}),
    };
  }

  /** Starts a worker process and waits until its health port answers. */
  async startWorker(): Promise<void> {
    this.worker = spawnFarman('worker/main.ts', {
      ...this.commonEnv(),
      SMTP_URL: this.sink.url,
      MAIL_RATE_PER_SECOND: '1000',
      ...(this.options.sms ? { SMS_URL: this.smsSink.url, SMS_RATE_PER_SECOND: '1000' } : {}),
      WORKER_HEALTH_PORT: String(this.workerHealthPort),
      WORKER_METRICS_PORT: '0',
      ARCHIVER_INTERVAL_SECONDS: '0',
      WORKER_SHUTDOWN_GRACE_SECONDS: '2',
      ...(this.options.workflowBundle ? { WORKFLOW_BUNDLE: this.options.workflowBundle } : {}),
      ...this.options.workerEnv,
    });
    await waitUntilOk(`http://127.0.0.1:${this.workerHealthPort}/healthz`, this.worker, 120_000);
  }

  /** Starts an API process and waits until it answers. */
  async startApi(): Promise<void> {
    this.apiProcess = spawnFarman('api/main.ts', {
      ...this.commonEnv(),
      PORT: String(this.apiPort),
      HOST: '127.0.0.1',
      COOKIE_SECURE: 'false',
    });
    await waitUntilOk(`${this.baseUrl}/healthz`, this.apiProcess, 120_000);
  }

  /** SIGKILLs the worker, as a crash would, and waits until it is gone. */
  async killWorker(): Promise<void> {
    this.kills.worker += 1;
    this.worker.child.kill('SIGKILL');
    await this.worker.exited;
  }

  /** SIGKILLs the API process and waits until it is gone. */
  async killApi(): Promise<void> {
    this.kills.api += 1;
    this.apiProcess.child.kill('SIGKILL');
    await this.apiProcess.exited;
  }

  /** SIGKILLs the Temporal dev server; its SQLite file stays. */
  async killServer(): Promise<void> {
    this.kills.server += 1;
    await this.server.kill();
  }

  /** Starts the dev server again on the same file and port, and waits until the namespace answers. */
  async startServer(): Promise<void> {
    this.server = await startDevServer({
      cli: await ensureTemporalCli(),
      dbFile: path.join(this.options.dir, 'temporal.db'),
      port: this.temporalPort,
      uiPort: null,
      logLevel: 'error',
    });
  }

  /** `fetch` against the API with the office's bearer token; `json` becomes the JSON body. */
  api(urlPath: string, init: RequestInit & { json?: unknown; token?: string | null } = {}): Promise<Response> {
    const { json, token = this.officeToken, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${this.baseUrl}${urlPath}`, {
      ...rest,
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  }

  /** Issues a directive through the API and returns its id; throws with the problem when refused. */
  async issue(body: unknown): Promise<{ id: string; units: number }> {
    const res = await this.api('/api/v1/directives', { method: 'POST', json: body });
    const json = (await res.json()) as { id?: string; units?: number };
    if (res.status !== 201 || !json.id) throw new Error(`issue refused: ${res.status} ${JSON.stringify(json)}`);
    return { id: json.id, units: json.units ?? 0 };
  }

  /** The unit's state from its workflow (a query; works on closed workflows too). */
  unitState(directiveId: string, unitCode: string): Promise<UnitState> {
    return this.client.workflow.getHandle(unitWorkflowId(directiveId, unitCode)).query<UnitState>('unitState');
  }

  /** Waits, retrying through outages, until the unit's state satisfies `ready`. */
  async unitStateWhen(
    directiveId: string,
    unitCode: string,
    ready: (s: UnitState) => boolean,
    timeoutMs = 120_000,
  ): Promise<UnitState> {
    return eventually(
      async () => {
        const s = await this.unitState(directiveId, unitCode);
        return ready(s) ? s : undefined;
      },
      timeoutMs,
      `state of ${unitCode}`,
    );
  }

  /** Messages about a directive, optionally of one purpose prefix (`notice`, `reminder`, …). */
  mails(directiveId: string, purpose?: string | RegExp): ReceivedMail[] {
    return this.sink.messages.filter((m) => {
      if (m.headers.get('x-farman-directive') !== directiveId) return false;
      const p = m.headers.get('x-farman-purpose');
      if (typeof p !== 'string') return purpose === undefined;
      return purpose === undefined || (typeof purpose === 'string' ? p === purpose : purpose.test(p));
    });
  }

  /** Stops everything this cluster started (the sink too) and leaves the files. */
  async stop(): Promise<void> {
    for (const proc of [this.apiProcess, this.worker]) {
      if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
    }
    await this.connection.close().catch(() => undefined);
    await this.server?.kill();
    await this.sink.down();
    await this.smsSink.down();
  }
}

/** Counts messages by Message-ID: how many distinct ones, and how many arrived more than once (extra copies). */
export function countByMessageId(mails: readonly ReceivedMail[]): { distinct: number; extraCopies: number } {
  const seen = new Map<string, number>();
  for (const m of mails) seen.set(m.messageId, (seen.get(m.messageId) ?? 0) + 1);
  let extra = 0;
  for (const n of seen.values()) extra += n - 1;
  return { distinct: seen.size, extraCopies: extra };
}

/** A uniformly random integer in [min, max]. */
export function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}
