import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asyncLocalStorage, type Context } from '@temporalio/activity';
import { composeUnitMail } from '../../activities/mail/compose';
import type { Mailer, OutgoingMail } from '../../activities/mailer';
import { FileSentLedger } from '../../activities/sent-ledger';
import { createSendUnitMail, type SendUnitMailInput, type SendUnitMailResult } from '../../activities/unit-mail';
import { buildRegistry } from '../../domain/registry';
import { generateRegistry } from '../../scripts/generate-registry';
import type { UnitPolicy } from '../../workflows/types';

const ledgerFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'farman-ledger-')), 'mail', 'sent.jsonl');
const delivered = (messageId: string): SendUnitMailResult => ({
  delivered: true,
  messageId,
  recipient: { role: 'head', name: 'بخشدار', title: 'بخشدار', email: 'head@example.org' },
});

describe('the sent-mail ledger', () => {
  test('When it is opened again, then it holds what was put, drops entries older than it keeps and a torn last line', () => {
    const file = ledgerFile();
    const day = 86_400_000;
    const first = new FileSentLedger(file, day);
    first.put('<old@x>', delivered('<old@x>'));
    first.put('<new@x>', delivered('<new@x>'));
    appendFileSync(file, '{"at":"2026-11-28T00:00:00Z","messageId":"<torn');
    // Entries carry the time of their put (now); `later` opens the file two days on, past the day it keeps.
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.filter((l) => l.startsWith('{"at"') && l.endsWith('}'))).toHaveLength(2);

    const now = Date.now();
    const again = new FileSentLedger(file, day, () => now);
    expect(again.get('<new@x>')).toEqual(delivered('<new@x>'));
    expect(again.get('<torn')).toBeUndefined();
    const later = new FileSentLedger(file, day, () => now + 2 * day);
    expect([later.get('<old@x>'), later.get('<new@x>')]).toEqual([undefined, undefined]);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  test('When a worker runs for longer than the ledger keeps entries, then expired ones leave memory and the file as it goes', () => {
    const file = ledgerFile();
    const hour = 3_600_000;
    let now = Date.parse('2026-11-28T08:00:00Z');
    const ledger = new FileSentLedger(file, hour, () => now, 4);
    const fileLines = () => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
    for (const id of ['<a@x>', '<b@x>', '<c@x>']) ledger.put(id, delivered(id));
    now += 2 * hour;
    // The fourth put prunes: a, b and c have expired; d is all that is left, in memory and in the file.
    ledger.put('<d@x>', delivered('<d@x>'));
    expect([ledger.size, ledger.get('<a@x>'), ledger.get('<d@x>')]).toEqual([1, undefined, delivered('<d@x>')]);
    expect(fileLines()).toBe(1);
    // Live entries are kept through a prune: four more puts within the hour drop nothing.
    for (const id of ['<e@x>', '<f@x>', '<g@x>', '<h@x>']) ledger.put(id, delivered(id));
    expect([ledger.size, fileLines()]).toEqual([5, 5]);
    expect(new FileSentLedger(file, hour, () => now).get('<d@x>')).toEqual(delivered('<d@x>'));
  });

  test('When a send is retried after the relay accepted it, then the recorded result comes back and the head is not mailed again', async () => {
    const registry = buildRegistry(generateRegistry(5, 3));
    const [unit] = registry.recipients();
    const sent: OutgoingMail[] = [];
    const mailer: Mailer = { send: async (mail) => void sent.push(mail), close: () => undefined };
    const deps = {
      registry: () => registry,
      mailer,
      compose: composeUnitMail,
      linkFor: () => 'http://farman.test/u/token',
      loadDocument: async () => ({ title: 'دستورالعمل', body: 'متن', attachments: [] }),
      from: 'Farman <farman@example.org>',
      messageIdDomain: 'example.org',
    };
    const policy = {
      directiveId: '1405-000001',
      title: 'دستورالعمل',
      priority: 'normal',
      acknowledgeBy: '2026-12-01T10:00:00Z',
      reportBy: '2026-12-03T10:00:00Z',
      specRef: 'x',
    } as unknown as UnitPolicy;
    const input: SendUnitMailInput = {
      workflowId: `directive:1405-000001/unit:${unit.code}`,
      unitCode: unit.code,
      policy,
      linkGeneration: 1,
      request: { purpose: 'notice', kind: 'notice', to: 'head', causeSeq: 1, details: {} },
    };
    const file = ledgerFile();
    // The activities log through the activity context the worker provides; here, one that keeps the lines.
    const logged: string[] = [];
    const context = {
      log: { info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m) },
    } as unknown as Context;
    const send = (ledger?: FileSentLedger) =>
      asyncLocalStorage.run(context, () => createSendUnitMail({ ...deps, sentLedger: ledger })(input));

    const first = await send(new FileSentLedger(file));
    // A new worker process (the old one was killed before its workflow task completed) retries the send.
    const retried = await send(new FileSentLedger(file));
    expect(first).toEqual(
      expect.objectContaining({
        delivered: true,
        messageId: `<notice.directive=1405-000001/unit=${unit.code}@example.org>`,
      }),
    );
    expect(retried).toEqual(first);
    expect(sent).toHaveLength(1);
    expect(logged).toEqual(['message already handed to the relay by an earlier attempt; not sent again']);

    // Without a ledger the retry mails the head again (what the ledger is there to prevent).
    await send(undefined);
    expect(sent).toHaveLength(2);
  });
});
