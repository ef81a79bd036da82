import { formatJalaliDateTime, formatTimeLeft } from '../../domain/jalali';
import type { ComposeMail, MailContext } from '../unit-mail';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

const subjects: Record<string, string> = {
  notice: 'دستورالعمل جدید',
  reminder: 'یادآوری مهلت',
  escalation: 'گزارش عدم اقدام در مهلت',
  undeliverable: 'نامه به واحد تحویل نشد',
  amendment: 'اصلاحیه دستورالعمل',
  cancellation: 'لغو دستورالعمل',
  'extension-decision': 'تصمیم درباره درخواست تمدید مهلت',
  'deadline-extended': 'تمدید مهلت',
  'report-returned': 'گزارش برای اصلاح بازگردانده شد',
  'report-accepted': 'گزارش پذیرفته شد',
  exempted: 'معافیت از دستورالعمل',
};

/**
 * Renders a unit message as plain text and right-to-left HTML. Every user-supplied string is escaped in
 * the HTML; dates are Jalali in Asia/Tehran with the time left.
 */
export const composeUnitMail: ComposeMail = (ctx: MailContext) => {
  const { policy, request } = ctx.input;
  const subject = `${subjects[request.kind] ?? 'فرمان'}: ${policy.title}`;
  const lines = [
    `${ctx.recipient.title} محترم، ${ctx.recipient.name}`,
    '',
    `${subjects[request.kind] ?? ''} — ${ctx.unit.name}`,
    `عنوان: ${policy.title}`,
    `مهلت اعلام وصول: ${formatJalaliDateTime(policy.acknowledgeBy)} (${formatTimeLeft(policy.acknowledgeBy, ctx.now)})`,
    `مهلت ارسال گزارش: ${formatJalaliDateTime(policy.reportBy)} (${formatTimeLeft(policy.reportBy, ctx.now)})`,
  ];
  if (request.kind === 'notice' || request.kind === 'amendment') lines.push('', ctx.document.body);
  if (ctx.link) lines.push('', `پیوند پاسخ: ${ctx.link}`);
  const text = lines.join('\n');
  const html = `<!doctype html><html lang="fa" dir="rtl"><body style="direction:rtl;text-align:right;font-family:Tahoma,sans-serif">${lines
    .map((l) => `<p>${escapeHtml(l)}</p>`)
    .join('')}</body></html>`;
  return { subject, text, html };
};
