import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../worker/temporal-server';

export interface ReceivedMail {
  messageId: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: ParsedMail['headers'];
  /** The sink's own clock when the message was accepted. */
  receivedAt: number;
}

/**
 * A real SMTP server in the test process: accepts every message (or refuses chosen recipients with a 5xx),
 * parses it with mailparser, and keeps it for assertions. It can be stopped and started again on the same
 * port to play a relay outage.
 */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  /** Recipients refused with 550 (a permanent failure). */
  readonly refuse = new Set<string>();
  private server: SMTPServer | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink(await freePort());
    await sink.up();
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 20 * 1024 * 1024,
      onRcptTo: (address, _session, callback) => {
        if (this.refuse.has(address.address.toLowerCase())) {
          const err = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
          return callback(err);
        }
        callback();
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.messages.push({
              messageId: mail.messageId ?? '',
              to: (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) =>
                a.value.map((v) => (v.address ?? '').toLowerCase()),
              ),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              headers: mail.headers,
              receivedAt: Date.now(),
            });
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    // A client killed mid-session (a fault test SIGKILLs the worker) resets its socket: that is the
    // client's failure, not the sink's, and must not crash the test process.
    server.on('error', () => undefined);
    this.server = server;
  }

  /** Stops listening; connections are refused until `up()` runs again. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.includes(address.toLowerCase()));
  }

  withHeader(name: string, value: string): ReceivedMail[] {
    return this.messages.filter((m) => m.headers.get(name.toLowerCase()) === value);
  }
}
