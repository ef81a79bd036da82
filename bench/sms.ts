import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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
import { freePort } from '../worker/temporal-server';
import type { UnitPolicy } from '../workflows/types';

/**
 * SMS fan-out benchmark: one notice to the head of each of N units (1,100 by default, a synthetic registry),
 * composed as the worker composes it (Persian, short link), sent through the SMPP client to the dev SMSC on
 * this machine, with delivery receipts. Measures messages and parts per second for each SMPP window asked
 * for, and the time until the last receipt. It measures the SMS path (composer, client, SMPP, SMSC), not
 * Temporal's fan-out, which bench/run.ts measures; a provider's SMSC allows far less (its account's rate).
 *
 *   npm run bench:sms -- [--units 1100] [--windows 1,10,50] [--rate 100000]
 */

const { values } = parseArgs({
  options: { units: { type: 'string', default: '1100' }, windows: { type: 'string', default: '1,10,50' }, rate: { type: 'string', default: '100000' } },
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
  const client = new SmppClient({ url: `smpp://bench:bench@127.0.0.1:${smsc.options.port}`, sourceAddress: 'Farman', ratePerSecond: rate, window });
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
      input: { workflowId, unitCode: unit.code, policy, linkGeneration: 1, request: { purpose: 'notice', kind: 'notice', to: 'head', causeSeq: 1, details: {} } },
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
    console.log(`window ${window}: ${r.messages} messages (${r.parts} parts) in ${r.seconds} s: ${r.messagesPerSecond} messages/s, ${r.partsPerSecond} parts/s; ${r.receipts} receipts, the last after ${r.secondsToLastReceipt} s`);
  }
  const result = {
    bench: 'sms-fan-out',
    at: new Date().toISOString(),
    // The machine is shared: the load average says how much else was running.
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: os.loadavg() },
    units,
    rateLimitPerSecond: rate,
    composeMillisecondsTotal: Number(composeMs.toFixed(1)),
    onePartShare: Number((texts.filter((t) => t.text.length <= 70).length / texts.length).toFixed(3)),
    rounds,
  };
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.at.replace(/[:.]/g, '-')}-sms-${units}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
