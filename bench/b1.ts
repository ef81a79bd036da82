import type { Server } from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../api/app';
import { createAuthServices } from '../api/auth/auth-services';
import { DirectiveIdAllocator, RequestLedger } from '../api/directives/directive-ids';
import { TemporalGateway } from '../api/temporal-gateway';
import { FileStore } from '../lib/file-store';
import { parseSigningKeys } from '../lib/link-token';
import type { Registry } from '../domain/registry';
import { freePort } from '../worker/temporal-server';
import { closeUpdate, defaultShardSize, directiveWorkflowId, unitWorkflowId } from '../workflows/contract';
import type { DirectiveStatus } from '../workflows/types';
import type { FanOutTiming } from './b0';
import { BenchSink } from './bench-sink';
import { childStartedTimes, fetchHistories } from './histories';

/** The signing keys of benchmark links (`kid:secret`); a benchmark secret, never a production one. */
export const benchSigningKeys = 'b1:bench-secret-0123456789abcdef0123456789abcdef';

/**
 * B1, Farman: the real express app (in this process, on a random port) in front of the real gateway, and a
 * real SMTP sink. The worker runs in its own process (WorkerHost) against the same server, file store and
 * sink. Directives are issued through `POST /api/v1/directives`; replies go through the unit pages.
 */
export class FarmanUnderTest {
  private constructor(
    readonly client: Client,
    readonly gateway: TemporalGateway,
    readonly sink: BenchSink,
    readonly baseUrl: string,
    /** The gateway's options object, held so the limit control can issue one directive with other shards. */
    readonly gatewayOptions: { shardSize?: number },
    private readonly token: string,
    private readonly server: Server,
  ) {}

  static async start(
    client: Client,
    registry: Registry,
    dataDir: string,
    shardSize = defaultShardSize,
  ): Promise<FarmanUnderTest> {
    const sink = await BenchSink.start();
    const gatewayOptions: { shardSize?: number } = { shardSize };
    const gateway = new TemporalGateway(client, gatewayOptions);
    const auth = createAuthServices({ dataDir, cookieSecure: true });
    await auth.accounts.create({
      username: 'office',
      name: 'کارشناس سنجش',
      role: 'office',
      password: 'office-password-0123',
    });
    const { token } = await auth.accounts.createToken('office', 'bench');
    // The app must know its own public URL (links and the same-origin check) before it listens.
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const app = createApp({
      registry: () => registry,
      gateway,
      files: new FileStore(path.join(dataDir, 'files')),
      ids: new DirectiveIdAllocator(path.join(dataDir, 'directives')),
      ledger: new RequestLedger(path.join(dataDir, 'requests')),
      logger: pino({ level: 'silent' }),
      auth,
      signingKeys: parseSigningKeys(benchSigningKeys),
      publicUrl: baseUrl,
      temporalReady: async () => true,
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(port, '127.0.0.1', () => resolve(s));
    });
    return new FarmanUnderTest(client, gateway, sink, baseUrl, gatewayOptions, token, server);
  }

  /**
   * Issues a directive to `codes` through the API and waits until the sink has every unit's notice. The
   * fan-out ends at the sink's receive time of the last notice; the start of the last unit is read from the
   * shards' (or the directive's) histories.
   */
  async fanOut(codes: string[], timeoutMs: number): Promise<FanOutTiming & { directiveId: string }> {
    const t0 = Date.now();
    const directiveId = await this.issue(codes);
    const notices = await this.sink.waitFor(
      `notice.${directiveWorkflowId(directiveId).replace(/:/g, '=')}/`,
      codes.length,
      timeoutMs,
    );
    const lastNotice = Math.max(...notices.map((m) => m.receivedAt));
    const status = await this.gateway.directiveStatus(directiveId);
    const trackers = status.shards.length > 0 ? status.shards : [directiveWorkflowId(directiveId)];
    const { histories } = await fetchHistories(this.client, trackers);
    const lastStart = Math.max(...histories.flatMap((h) => childStartedTimes(h.history)));
    const fanOutMs = lastNotice - t0;
    return {
      directiveId,
      units: codes.length,
      allStartedMs: lastStart - t0,
      fanOutMs,
      unitsPerSecond: codes.length / (fanOutMs / 1000),
    };
  }

  /** Issues a directive to `codes` through `POST /api/v1/directives` as the office; returns its id. */
  async issue(codes: string[], overrides: Record<string, unknown> = {}): Promise<string> {
    const now = Date.now();
    const day = 86_400_000;
    const res = await fetch(`${this.baseUrl}/api/v1/directives`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'سنجش سرعت ابلاغ',
        body: 'این دستورالعمل برای سنجش سرعت سامانه صادر شده است.',
        priority: 'normal',
        targets: { mode: 'list', codes },
        acknowledgeBy: new Date(now + 2 * day).toISOString(),
        reportBy: new Date(now + 3 * day).toISOString(),
        reminders: { acknowledge: [], report: [] },
        escalation: [],
        form: [],
        acceptance: 'automatic',
        ...overrides,
      }),
    });
    const json = (await res.json()) as { id?: string };
    if (res.status !== 201 || !json.id) throw new Error(`issue failed: ${res.status} ${JSON.stringify(json)}`);
    return json.id;
  }

  /** The reply links of a directive's units, read from their notices (parsed now, outside any timing). */
  async links(directiveId: string): Promise<string[]> {
    const notices = this.sink.matching(`notice.${directiveWorkflowId(directiveId).replace(/:/g, '=')}/`);
    const links: string[] = [];
    for (const m of notices) links.push(await BenchSink.linkIn(m));
    return links;
  }

  /**
   * A district head's click: GET the mailed link, then POST the acknowledgement form found on the page
   * (with its submission id), as a browser would (same-origin fetch metadata). Returns the POST's latency
   * in ms, from sending it to the 303 that follows the recorded update; `pageMs` is told the GET's.
   */
  async acknowledge(link: string, pageMs?: (ms: number) => void): Promise<number> {
    const tGet = performance.now();
    const page = await fetch(link);
    const html = await page.text();
    if (page.status !== 200) throw new Error(`GET unit page: ${page.status}`);
    pageMs?.(performance.now() - tGet);
    const form = /<form[^>]*action="([^"]*\/acknowledge)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
    if (!form) throw new Error('no acknowledgement form on the unit page');
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(form[2])?.[1];
    if (!submissionId) throw new Error('no submission id in the acknowledgement form');
    const action = new URL(form[1].replace(/&amp;/g, '&'), link).toString();
    const body = new URLSearchParams({ submissionId, name: 'مریم احمدی', position: 'بخشدار' });
    const t0 = performance.now();
    const res = await fetch(action, {
      method: 'POST',
      body,
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    });
    await res.arrayBuffer();
    const ms = performance.now() - t0;
    if (res.status !== 303) throw new Error(`POST acknowledge: ${res.status}`);
    return ms;
  }

  /** Closes a directive (every open unit closes) and waits for it to complete; returns its final status. */
  async close(directiveId: string): Promise<DirectiveStatus> {
    await this.gateway.directiveUpdate(
      directiveId,
      closeUpdate,
      { reason: 'پایان سنجش', by: { kind: 'office', id: 'bench' } },
      `close-${directiveId}`,
    );
    return this.client.workflow.getHandle(directiveWorkflowId(directiveId)).result() as Promise<DirectiveStatus>;
  }

  /** Every workflow ID of a directive: the directive, its shards, its units. */
  async workflowIds(directiveId: string, codes: string[]): Promise<string[]> {
    const status = await this.gateway.directiveStatus(directiveId);
    return [directiveWorkflowId(directiveId), ...status.shards, ...codes.map((c) => unitWorkflowId(directiveId, c))];
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await this.sink.stop();
  }
}
