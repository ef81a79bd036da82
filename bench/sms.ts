import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { composeUnitSms } from '../activities/sms/compose-sms';
import { DevSmsc } from '../activities/sms/dev-smsc';
import type { DeliveryReceipt } from '../activities/sms/delivery-receipt';
import { SmppClient } from '../activities/sms/smpp-client';
import { smsReference } from '../activities/sms/unit-sms';
import { parseSigningKeys } from '../lib/link-token';
import { buildRegistry } from '../domain/registry';
import { registryFileSchema } from '../domain/registry-schema';
import { shortLinkCode } from '../lib/short-link';
import { generateRegistry } from '../scripts/generate-registry';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { createSmtpMailer } from '../activities/mailer';
import { FileSentLedger } from '../activities/sent-ledger';
import { SmsLedger, type SmsLedgerEntry } from '../activities/sms/sms-ledger';
import { FileStore } from '../lib/file-store';
import { ShortLinkStore } from '../lib/short-link';
import { createFarmanWorker, workflowsPath } from '../worker/create-worker';
import { ensureTemporalCli, freePort, startDevServer } from '../worker/temporal-server';
import { benchSigningKeys, FarmanUnderTest } from './b1';
import type { UnitPolicy } from '../workflows/types';

/**
 * SMS fan-out benchmark: one notice to the head of each of N units (1,100 by default, a synthetic registry),
 * composed as the worker composes it (Persian, short link), sent through the SMPP client to the dev SMSC on
 * this machine, with delivery receipts. Measures messages and parts per second for each SMPP window asked
 * for, and the time until the last receipt. It measures the SMS path (composer, client, SMPP, SMSC), not
 * Temporal's fan-out, which bench/run.ts measures; a provider's SMSC allows far less (its account's rate).
 *
 * With `--through-temporal` it also runs the whole path once: a Temporal dev server, the Farman API and an
 * in-process worker sending e-mail to a sink and SMS to the dev SMSC (window 20, as the worker's default),
 * one urgent directive with `smsForUrgent` to every unit, timed from the request to the SMSC's last message.
 *
 *   npm run bench:sms -- [--units 1100] [--windows 1,10,50] [--rate 100000] [--through-temporal]
 */

const { values } = parseArgs({
  options: {
    units: { type: 'string', default: '1100' },
    windows: { type: 'string', default: '1,10,50' },
    rate: { type: 'string', default: '100000' },
    'through-temporal': { type: 'boolean', default: false },
  },
});
const units = Number(values.units);
const windows = values.windows.split(',').map(Number);
const rate = Number(values.rate);

interface Round {
  window: number;
  messages: number;
  parts: number;
  seconds: number;
  messagesPerSecond: number;
  partsPerSecond: number;
  receipts: number;
  secondsToLastReceipt: number;
  receivedBySmsc: number;
}

async function round(window: number, texts: { reference: string; to: string; text: string }[]): Promise<Round> {
  const smsc = new DevSmsc({ port: await freePort(), receiptDelayMs: 0 });
  await smsc.up();
  const client = new SmppClient({
    url: `smpp://bench:bench@127.0.0.1:${smsc.options.port}`,
    sourceAddress: 'Farman',
    ratePerSecond: rate,
    window,
  });
  const receipts: DeliveryReceipt[] = [];
  let lastReceiptAt = 0;
  client.onReceipt((r) => {
    receipts.push(r);
    lastReceiptAt = performance.now();
  });
  // Bound before the clock starts, as a worker's client is.
  const warmUp = await client.send({ reference: 'warm-up', to: '+989120000000', text: 'warm-up' });
  while (!receipts.some((r) => r.smscId === warmUp.smscIds[0])) await new Promise((r) => setTimeout(r, 5));
  receipts.length = 0;
  const partsBefore = smsc.parts.length;
  const started = performance.now();
  const results = await Promise.all(texts.map((t) => client.send(t)));
  const seconds = (performance.now() - started) / 1000;
  const parts = results.reduce((n, r) => n + r.smscIds.length, 0);
  const deadline = Date.now() + 30_000;
  while (receipts.length < parts && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await client.close();
  const receivedBySmsc = smsc.parts.length - partsBefore;
  await smsc.down();
  return {
    window,
    messages: texts.length,
    parts,
    seconds: Number(seconds.toFixed(3)),
    messagesPerSecond: Math.round(texts.length / seconds),
    partsPerSecond: Math.round(parts / seconds),
    receipts: receipts.length,
    secondsToLastReceipt: Number(((lastReceiptAt - started) / 1000).toFixed(3)),
    receivedBySmsc,
  };
}

async function main(): Promise<void> {
  const registry = buildRegistry(registryFileSchema.parse(generateRegistry(units)));
  const keys = parseSigningKeys('bench:bench-secret-0123456789abcdef0123456789');
  const now = Date.now();
  const policy: UnitPolicy = {
    directiveId: '1405-000001',
    version: 1,
    title: 'تعیین محل استقرار صندوق‌های اخذ رأی',
    priority: 'urgent',
    specRef: 'bench',
    acknowledgeBy: new Date(now + 86_400_000).toISOString(),
    reportBy: new Date(now + 3 * 86_400_000).toISOString(),
    reminders: { acknowledge: [], report: [] },
    escalation: [],
    form: [],
    acceptance: 'manual',
  };
  const composeStarted = performance.now();
  const texts = registry.recipients().map((unit) => {
    const workflowId = `bench:${unit.code}`;
    const shortLink = `https://farman.example.org/s/${shortLinkCode(keys, { directiveId: policy.directiveId, unitCode: unit.code, generation: 1 })}`;
    const text = composeUnitSms({
      input: {
        workflowId,
        unitCode: unit.code,
        policy,
        linkGeneration: 1,
        request: { purpose: 'notice', kind: 'notice', to: 'head', causeSeq: 1, details: {} },
      },
      unit,
      recipient: { ...unit.head, role: 'head' },
      shortLink,
    });
    return { reference: smsReference(workflowId, 'notice'), to: unit.head.mobile!, text };
  });
  const composeMs = performance.now() - composeStarted;
  const rounds: Round[] = [];
  for (const window of windows) {
    const r = await round(window, texts);
    rounds.push(r);
    console.log(
      `window ${window}: ${r.messages} messages (${r.parts} parts) in ${r.seconds} s: ${r.messagesPerSecond} messages/s, ${r.partsPerSecond} parts/s; ${r.receipts} receipts, the last after ${r.secondsToLastReceipt} s`,
    );
  }
  const throughTemporal = values['through-temporal'] ? await fanOutThroughTemporal(units) : null;
  if (throughTemporal)
    console.log(
      `through Temporal: ${throughTemporal.messages} SMS in ${throughTemporal.seconds} s from the request: ${throughTemporal.messagesPerSecond} messages/s`,
    );
  const result = {
    bench: 'sms-fan-out',
    at: new Date().toISOString(),
    // The machine is shared: the load average says how much else was running.
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverage: os.loadavg(),
    },
    units,
    rateLimitPerSecond: rate,
    composeMillisecondsTotal: Number(composeMs.toFixed(1)),
    onePartShare: Number((texts.filter((t) => t.text.length <= 70).length / texts.length).toFixed(3)),
    rounds,
    throughTemporal,
  };
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.at.replace(/[:.]/g, '-')}-sms-${units}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

/** One directive to every unit through Temporal, the API and the worker; SMS timed at the dev SMSC. */
async function fanOutThroughTemporal(n: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'farman-bench-sms-'));
  const server = await startDevServer({
    cli: await ensureTemporalCli(),
    dbFile: path.join(dir, 'temporal.db'),
    uiPort: null,
    logLevel: 'error',
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const registry = buildRegistry(registryFileSchema.parse(generateRegistry(n)));
  const dataDir = path.join(dir, 'data');
  const smsc = new DevSmsc({ port: await freePort(), receiptDelayMs: 0 });
  await smsc.up();
  const farman = await FarmanUnderTest.start(client, registry, dataDir);
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const mailer = createSmtpMailer({ url: farman.sink.url, ratePerSecond: 10_000 });
  const sender = new SmppClient({
    url: `smpp://bench:bench@127.0.0.1:${smsc.options.port}`,
    sourceAddress: 'Farman',
    ratePerSecond: 10_000,
  });
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve(workflowsPath), logger: quiet });
  const worker = await createFarmanWorker({
    connection: nativeConnection,
    namespace: server.namespace,
    registry: () => registry,
    mailer,
    files: new FileStore(path.join(dataDir, 'files')),
    signingKeys: parseSigningKeys(benchSigningKeys),
    publicUrl: farman.baseUrl,
    linkGraceMs: 86_400_000,
    mailFrom: 'Farman <farman@example.org>',
    workflowBundle: { code: bundle.code },
    sentLedger: new FileSentLedger(path.join(dataDir, 'mail', 'sent.jsonl')),
    sms: {
      sender,
      shortLinks: new ShortLinkStore(path.join(dataDir, 'short-links')),
      ledger: new SmsLedger(new FileSentLedger<SmsLedgerEntry>(path.join(dataDir, 'sms', 'sent.jsonl'))),
    },
  });
  const running = worker.run();
  try {
    const codes = registry.recipients().map((u) => u.code);
    const t0 = Date.now();
    await farman.issue(codes, { priority: 'urgent', smsForUrgent: true });
    const deadline = Date.now() + 600_000;
    while (smsc.messages.length < codes.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const last = Math.max(...smsc.messages.map((m) => m.receivedAt));
    const seconds = (last - t0) / 1000;
    return {
      units: codes.length,
      messages: smsc.messages.length,
      parts: smsc.parts.length,
      seconds: Number(seconds.toFixed(3)),
      messagesPerSecond: Math.round(smsc.messages.length / seconds),
      firstMessageAfterSeconds: Number(((Math.min(...smsc.messages.map((m) => m.receivedAt)) - t0) / 1000).toFixed(3)),
      window: 20,
    };
  } finally {
    worker.shutdown();
    await running;
    await sender.close();
    mailer.close();
    await farman.stop();
    await smsc.down();
    await nativeConnection.close();
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
