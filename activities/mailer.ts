import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';

/** A message ready for the wire. `messageId` is deterministic, so a retried send is the same message. */
export interface OutgoingMail {
  messageId: string;
  from: string;
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

/** The relay refused the message for good (5xx, a malformed address): retrying cannot help. */
export class PermanentMailError extends Error {
  constructor(
    message: string,
    readonly responseCode?: number,
  ) {
    super(message);
    this.name = 'PermanentMailError';
  }
}

/** Sends one message or throws: `PermanentMailError` for a refusal, any other error for a transient fault. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmtpMailerOptions {
  /** smtp:// or smtps:// URL, credentials optional. */
  url: string;
  /** Most messages per second, across the pool. */
  ratePerSecond: number;
  maxConnections?: number;
  /**
   * Receives the transport's connection events (connect, greeting, errors); never message content, as
   * nodemailer's `debug` stays off. Unset: the transport logs nothing.
   */
  logger?: SMTPPool.Options['logger'];
}

/** One pooled nodemailer transport per worker process. */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const url = new URL(options.url);
  const transportOptions: SMTPPool.Options = {
    pool: true,
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // A plain smtp:// URL to a local catcher must not be upgraded; set ?starttls=required to insist on it.
    ignoreTLS: url.protocol === 'smtp:' && url.searchParams.get('starttls') !== 'required',
    requireTLS: url.searchParams.get('starttls') === 'required',
    maxConnections: options.maxConnections ?? 5,
    rateDelta: 1000,
    rateLimit: options.ratePerSecond,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    logger: options.logger ?? false,
    debug: false,
  };
  const transport = nodemailer.createTransport(transportOptions);
  return {
    async send(mail) {
      try {
        await transport.sendMail({
          messageId: mail.messageId,
          from: mail.from,
          to: { name: mail.to.name, address: mail.to.address },
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: mail.headers,
          // Persian text is almost all multi-byte: base64 carries it in 4/3 of its size where quoted-printable
          // takes up to 3 bytes per byte, and nodemailer skips scanning each part to choose.
          textEncoding: 'base64',
        });
      } catch (err) {
        const e = err as { responseCode?: number; code?: string; message?: string };
        if ((e.responseCode && e.responseCode >= 500) || e.code === 'EENVELOPE') {
          throw new PermanentMailError(e.message ?? 'refused', e.responseCode);
        }
        throw err;
      }
    },
    close() {
      transport.close();
    },
  };
}
