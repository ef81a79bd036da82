import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../worker/temporal-server';

/** A message as received: the raw bytes are parsed only when the harness needs the link inside. */
export interface RawMail {
  messageId: string;
  raw: Buffer;
  /** The sink's own clock (ms since the epoch) when it accepted the message (end of DATA). */
  receivedAt: number;
}

/**
 * The benchmark's SMTP sink: a real in-process SMTP server that accepts everything and keeps the raw
 * message with its receive time. Unlike the test sink it does not parse each message on arrival, so a
 * 10,000-message fan-out does not spend the harness's CPU (shared with the worker and server) on MIME.
 */
export class BenchSink {
  private readonly byMessageId = new Map<string, RawMail>();
  private waiters: { match: (m: RawMail) => boolean; count: number; seen: number; resolve: () => void }[] = [];
  private server: SMTPServer | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<BenchSink> {
    const sink = new BenchSink(await freePort());
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          sink.accept(Buffer.concat(chunks), Date.now());
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(sink.port, '127.0.0.1', () => resolve());
    });
    sink.server = server;
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  private accept(raw: Buffer, receivedAt: number): void {
    const head = raw.subarray(0, Math.min(raw.length, 8192)).toString('latin1');
    const messageId = /^message-id:\s*(<[^>]+>)/im.exec(head)?.[1] ?? `<unknown-${this.byMessageId.size}>`;
    // A retried send (same Message-ID) keeps the first arrival: the fan-out ended when the first copy landed.
    if (this.byMessageId.has(messageId)) return;
    const mail = { messageId, raw, receivedAt };
    this.byMessageId.set(messageId, mail);
    for (const w of this.waiters) if (w.match(mail) && ++w.seen >= w.count) w.resolve();
    this.waiters = this.waiters.filter((w) => w.seen < w.count);
  }

  /** Messages whose Message-ID contains `fragment` (e.g. a directive's workflow ID). */
  matching(fragment: string): RawMail[] {
    return [...this.byMessageId.values()].filter((m) => m.messageId.includes(fragment));
  }

  /** Resolves once `count` messages containing `fragment` in their Message-ID have arrived. */
  waitFor(fragment: string, count: number, timeoutMs: number): Promise<RawMail[]> {
    const match = (m: RawMail) => m.messageId.includes(fragment);
    const seen = this.matching(fragment).length;
    if (seen >= count) return Promise.resolve(this.matching(fragment));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `sink: ${this.matching(fragment).length}/${count} messages for ${fragment} after ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        match,
        count,
        seen,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.matching(fragment));
        },
      });
    });
  }

  /** The first reply link (`…/u/<token>`) in a message's text. */
  static async linkIn(mail: RawMail): Promise<string> {
    const parsed = await simpleParser(mail.raw);
    const link = /https?:\/\/\S+?\/u\/[A-Za-z0-9._~-]+/.exec(parsed.text ?? '')?.[0];
    if (!link) throw new Error(`no reply link in ${mail.messageId}`);
    return link;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
