import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createSmtpMailer, PermanentMailError } from '../../activities/mailer';
import { freePort } from '../../worker/temporal-server';

/** A real SMTP server that keeps each message's raw bytes, or refuses one recipient with 550. */
async function rawSink(refuse?: string): Promise<{ url: string; raw: string[]; close: () => Promise<void> }> {
  const raw: string[] = [];
  const port = await freePort();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo: (address, _session, callback) =>
      address.address === refuse
        ? callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }))
        : callback(),
    onData: (stream, _session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        raw.push(Buffer.concat(chunks).toString('latin1'));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    raw,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const persian = {
  messageId: '<notice.d=1405-000001=U01@example.org>',
  from: 'Farman <farman@example.org>',
  to: { name: 'بخشدار مرکزی', address: 'head@example.org' },
  subject: 'دستورالعمل تازه: تعیین محل شعب اخذ رأی',
  text: 'دستورالعمل زیر برای واحد شما صادر شده است.',
  // Mostly ASCII markup around Persian text, as the real layout is: left to choose, nodemailer picks
  // quoted-printable for such a part.
  html: `<table role="presentation" width="100%" style="border-collapse:collapse;font-family:Vazirmatn,Tahoma,sans-serif">${'<tr><td style="padding:8px 12px;border-bottom:1px solid #e5e7eb;color:#111827">مهلت</td></tr>'.repeat(6)}</table>`,
  headers: { 'X-Farman-Unit': 'U01' },
};

describe('the SMTP mailer', () => {
  test('When it sends a Persian message, then both parts travel base64-encoded and parse back to the same text', async () => {
    const sink = await rawSink();
    const mailer = createSmtpMailer({ url: sink.url, ratePerSecond: 100 });
    try {
      await mailer.send(persian);
      expect(sink.raw).toHaveLength(1);
      const [raw] = sink.raw;
      expect(raw.match(/^Content-Transfer-Encoding: (.*)$/gim)).toEqual([
        'Content-Transfer-Encoding: base64',
        'Content-Transfer-Encoding: base64',
      ]);
      const parsed = await simpleParser(Buffer.from(raw, 'latin1'));
      expect([
        parsed.subject,
        parsed.text?.trim(),
        parsed.html,
        parsed.messageId,
        parsed.headers.get('x-farman-unit'),
      ]).toEqual([persian.subject, persian.text, persian.html, persian.messageId, 'U01']);
    } finally {
      mailer.close();
      await sink.close();
    }
  });

  test('When the relay refuses the recipient for good, then the send fails with a permanent error', async () => {
    const sink = await rawSink('head@example.org');
    const mailer = createSmtpMailer({ url: sink.url, ratePerSecond: 100 });
    try {
      await expect(mailer.send(persian)).rejects.toBeInstanceOf(PermanentMailError);
      expect(sink.raw).toHaveLength(0);
    } finally {
      mailer.close();
      await sink.close();
    }
  });
});
