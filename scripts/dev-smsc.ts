import { createServer, type Server } from 'node:http';
import { DevSmsc, type ReceivedSms } from '../activities/sms/dev-smsc';
import { html } from '../lib/html';
import { toPersianDigits } from '../lib/persian-text';

/**
 * The dev SMSC of `npm start`: an SMPP server (activities/sms/dev-smsc.ts) on DEV_SMSC_PORT (2775) and a
 * page on DEV_SMS_INBOX_PORT (1081) listing the messages it received, reassembled, newest first, with
 * their parts. Nothing leaves the machine; the worker binds to it when SMS_URL is unset.
 */

/** The inbox page: every message with its recipient, sender, time, encoding and parts. */
export function renderSmsInbox(messages: readonly ReceivedSms[]): string {
  const rows = [...messages].reverse().slice(0, 500);
  return html`<!doctype html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>پیامک‌های دریافتی (SMSC آزمایشی)</title>
<style>body{font-family:Vazirmatn,Tahoma,sans-serif;margin:2rem;background:#f6f7f9}article{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.75rem 1rem;margin:.5rem 0;max-width:40rem}
.meta{color:#555;font-size:.85rem;direction:ltr;text-align:left}.text{white-space:pre-wrap;font-size:1.05rem;margin:.4rem 0}</style></head>
<body><h1>پیامک‌های دریافتی</h1><p>SMSC آزمایشی فرمان؛ ${toPersianDigits(messages.length)} پیامک. این صفحه هر پنج ثانیه تازه می‌شود.</p>
${rows.map(
  (
    m,
  ) => html`<article><div class="meta">to +${m.to} · from ${m.from} · ${new Date(m.receivedAt).toISOString()} · ${m.parts[0].dataCoding === 8 ? 'UCS-2' : 'GSM-7'} · ${m.parts.length} part(s) · ${m.parts.map((p) => p.smscId).join(', ')}</div>
<div class="text">${m.text}</div></article>`,
)}
</body></html>`.value;
}

/** Starts the SMSC and its page; resolves once both listen. */
export async function startDevSmsc(options: {
  smppPort: number;
  webPort: number;
  host?: string;
}): Promise<{ smsc: DevSmsc; web: Server; stop(): Promise<void> }> {
  const smsc = new DevSmsc({ port: options.smppPort, host: options.host });
  await smsc.up();
  const web = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    if (req.url === '/messages.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(smsc.messages));
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(renderSmsInbox(smsc.messages));
  });
  await new Promise<void>((resolve) => web.listen(options.webPort, options.host ?? '127.0.0.1', () => resolve()));
  return {
    smsc,
    web,
    async stop() {
      await smsc.down();
      await new Promise<void>((resolve) => web.close(() => resolve()));
    },
  };
}

if (require.main === module) {
  const smppPort = Number(process.env.DEV_SMSC_PORT ?? 2775);
  const webPort = Number(process.env.DEV_SMS_INBOX_PORT ?? 1081);
  startDevSmsc({ smppPort, webPort })
    .then((dev) => {
      console.log(`[dev-smsc] SMPP on 127.0.0.1:${smppPort}, messages on http://localhost:${webPort}`);
      const quit = () => void dev.stop().then(() => process.exit(0));
      process.once('SIGTERM', quit);
      process.once('SIGINT', quit);
    })
    .catch((err: Error) => {
      console.error(`[dev-smsc] failed to start: ${err.message}`);
      process.exit(1);
    });
}
