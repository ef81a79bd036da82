import { html, type Html } from '../../lib/html';

/**
 * The shape of every Farman message, rendered twice from the same content: right-to-left HTML for mail
 * clients (tables and inline CSS, since clients drop `<style>` and ignore flexbox) and a plain-text
 * alternative with the same facts in the same order. Every string in the content is user text or data and is
 * escaped by the `html` tag; only this module writes markup.
 */

export type MailBlock =
  | { type: 'paragraph'; text: string }
  /** Label/value rows, e.g. deadlines with the time left. */
  | { type: 'facts'; rows: [label: string, value: string][] }
  /** A long text kept as written (the directive's body, a reason). */
  | { type: 'quote'; title: string; text: string }
  | { type: 'list'; title: string; items: string[] }
  /** The one button of a message; the URL is also printed for clients that hide buttons. */
  | { type: 'action'; label: string; href: string; hint: string }
  /** A secondary link (not a button), e.g. the unit's inbox beside the directive's own page. */
  | { type: 'link'; label: string; href: string }
  | { type: 'alert'; tone: 'ok' | 'warn' | 'bad'; text: string };

export interface MailContent {
  subject: string;
  /** The line at the top of the message, e.g. «دستورالعمل جدید». */
  heading: string;
  greeting: string;
  blocks: MailBlock[];
}

const font = "font-family:Tahoma,Vazirmatn,'Segoe UI',sans-serif";
const tones = { ok: ['#eaf6ec', '#1e7b34'], warn: ['#fff4e0', '#a35d00'], bad: ['#fbeceb', '#b3261e'] } as const;

function blockHtml(block: MailBlock): Html {
  switch (block.type) {
    case 'paragraph':
      return html`<p style="margin:0 0 12px 0">${block.text}</p>`;
    case 'facts':
      return html`<table role="presentation" width="100%" cellpadding="6" cellspacing="0" style="border-collapse:collapse;margin:0 0 12px 0">${block.rows.map(
        ([label, value]) =>
          html`<tr><td style="border:1px solid #d5dbe2;background:#eef2f6;font-weight:bold;width:35%;text-align:right;vertical-align:top">${label}</td><td style="border:1px solid #d5dbe2;text-align:right;vertical-align:top">${value}</td></tr>`,
      )}</table>`;
    case 'quote':
      return html`<p style="margin:0 0 4px 0;font-weight:bold">${block.title}</p><div style="border-right:4px solid #0b5394;background:#f5f7f9;padding:8px 12px;margin:0 0 12px 0;white-space:pre-wrap">${block.text}</div>`;
    case 'list':
      return html`<p style="margin:0 0 4px 0;font-weight:bold">${block.title}</p><ul style="margin:0 0 12px 0;padding:0 20px 0 0">${block.items.map((i) => html`<li>${i}</li>`)}</ul>`;
    case 'action':
      return html`<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 4px 0"><tr><td style="background:#0b5394;border-radius:4px"><a href="${block.href}" style="display:inline-block;padding:10px 22px;color:#ffffff;text-decoration:none;font-weight:bold;${font}">${block.label}</a></td></tr></table><p style="margin:0 0 12px 0;font-size:12px;color:#5b6775">${block.hint}<br><span dir="ltr" style="direction:ltr;unicode-bidi:embed;word-break:break-all">${block.href}</span></p>`;
    case 'link':
      return html`<p style="margin:0 0 12px 0"><a href="${block.href}" style="color:#0b5394">${block.label}</a><br><span dir="ltr" style="direction:ltr;unicode-bidi:embed;word-break:break-all;font-size:12px;color:#5b6775">${block.href}</span></p>`;
    case 'alert': {
      const [bg, fg] = tones[block.tone];
      return html`<p style="margin:0 0 12px 0;padding:8px 12px;border:1px solid ${fg};background:${bg};color:${fg}">${block.text}</p>`;
    }
  }
}

/** The message as `lang="fa" dir="rtl"` HTML: a 600-pixel table, inline styles only, no images or scripts. */
export function renderMailHtml(content: MailContent): string {
  return html`<!doctype html>
<html lang="fa" dir="rtl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${content.subject}</title></head>
<body dir="rtl" style="margin:0;padding:0;background:#f5f7f9;direction:rtl">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f5f7f9;direction:rtl"><tr><td align="center" style="padding:16px 8px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" dir="rtl" style="max-width:600px;width:100%;background:#ffffff;border:1px solid #d5dbe2;direction:rtl;text-align:right;${font};font-size:14px;line-height:1.9;color:#1d2733">
<tr><td style="background:#0b5394;color:#ffffff;padding:10px 16px;font-weight:bold;text-align:right">فرمان — سامانه پیگیری دستورالعمل‌ها</td></tr>
<tr><td style="padding:16px;text-align:right">
<h1 style="font-size:18px;margin:0 0 12px 0">${content.heading}</h1>
<p style="margin:0 0 12px 0">${content.greeting}</p>
${content.blocks.map(blockHtml)}
</td></tr>
<tr><td style="padding:10px 16px;border-top:1px solid #d5dbe2;font-size:12px;color:#5b6775;text-align:right">این نامه را سامانه فرمان فرستاده است؛ به آن پاسخ ندهید. پاسخ را فقط از راه پیوند بالا بفرستید.</td></tr>
</table>
</td></tr></table>
</body>
</html>`.value;
}

function blockText(block: MailBlock): string {
  switch (block.type) {
    case 'paragraph':
      return block.text;
    case 'facts':
      return block.rows.map(([label, value]) => `${label}: ${value}`).join('\n');
    case 'quote':
      return `${block.title}:\n${block.text}`;
    case 'list':
      return `${block.title}:\n${block.items.map((i) => `- ${i}`).join('\n')}`;
    case 'action':
      return `${block.label}:\n${block.href}\n${block.hint}`;
    case 'link':
      return `${block.label}:\n${block.href}`;
    case 'alert':
      return `* ${block.text}`;
  }
}

/** The plain-text alternative: the same blocks, one paragraph each, links on lines of their own. */
export function renderMailText(content: MailContent): string {
  return [
    content.heading,
    '',
    content.greeting,
    '',
    ...content.blocks.flatMap((b) => [blockText(b), '']),
    '--',
    'این نامه را سامانه فرمان فرستاده است؛ به آن پاسخ ندهید.',
  ].join('\n');
}
