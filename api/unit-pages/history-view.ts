import { formatJalaliDateTime } from '../../lib/jalali';
import { changedFieldLabels, mailKindLabels, obligationLabels, recipientRoleLabels } from '../../domain/persian-labels';
import { toPersianDigits } from '../../lib/persian-text';
import type { Actor } from '../../workflows/types';
import type { Transition, UnitState } from '../../workflows/unit-state';
import { html, type Html } from '../../lib/html';

/**
 * The unit's recorded transitions in Persian, for its own page: what happened, when, and who did it. The
 * same log the auditors replay, so the page never tells a different story from the history.
 */

function who(by: Actor): string {
  if (by.kind === 'system') return 'سامانه';
  if (by.kind === 'office') return by.name ? `فرمانداری (${by.name})` : 'فرمانداری';
  return by.name ? `${by.name}${by.title ? `، ${by.title}` : ''}` : 'واحد';
}

/** One transition in a sentence, or null for transitions that are noise on this page. */
export function describeTransition(t: Transition): string | null {
  const e = t.event;
  switch (e.type) {
    case 'issued':
      return `دستورالعمل (نسخه ${toPersianDigits(e.policy.version)}) ابلاغ شد.`;
    case 'acknowledged':
      return `اعلام وصول شد: ${e.name}، ${e.position}.`;
    case 'reportSubmitted':
      return `گزارش اقدامات ارسال شد: ${e.name}، ${e.position}.`;
    case 'extensionRequested':
      return `درخواست تمدید مهلت تا ${formatJalaliDateTime(e.until)} ثبت شد. علت: ${e.reason}`;
    case 'extensionDecided':
      return e.approved
        ? `درخواست تمدید پذیرفته شد${e.until ? `؛ مهلت تازه ${formatJalaliDateTime(e.until)}` : ''}.${e.note ? ` ${e.note}` : ''}`
        : `درخواست تمدید پذیرفته نشد.${e.note ? ` ${e.note}` : ''}`;
    case 'deadlineExtended':
      return `فرمانداری مهلت را تغییر داد${e.acknowledgeBy ? `؛ اعلام وصول تا ${formatJalaliDateTime(e.acknowledgeBy)}` : ''}${e.reportBy ? `؛ گزارش تا ${formatJalaliDateTime(e.reportBy)}` : ''}. علت: ${e.reason}`;
    case 'reportAccepted':
      return `گزارش پذیرفته شد.${e.note ? ` ${e.note}` : ''}`;
    case 'reportReturned':
      return `گزارش برای اصلاح بازگردانده شد. علت: ${e.reason}`;
    case 'exempted':
      return `واحد معاف شد. علت: ${e.reason}`;
    case 'amended':
      return `اصلاحیه (نسخه ${toPersianDigits(e.policy.version)}) ابلاغ شد؛ تغییرات: ${changedFieldLabels(e.changes).join('، ') || '—'}.`;
    case 'cancelled':
      return `دستورالعمل لغو شد. علت: ${e.reason}`;
    case 'closed':
      return `دستورالعمل بسته شد. ${e.reason}`;
    case 'reminderDue':
      return `یادآوری مهلت ${obligationLabels[e.obligation]}.`;
    case 'remindRequested':
      return `یادآوری از سوی فرمانداری.${e.note ? ` ${e.note}` : ''}`;
    case 'deadlineMissed':
      return `مهلت ${obligationLabels[e.obligation]} گذشت.`;
    case 'escalationDue':
      return `پیگیری مرحله ${toPersianDigits(e.level)}: به ${recipientRoleLabels[e.notify]} اطلاع داده شد.`;
    case 'linksRevoked':
      return 'پیوندهای پیشین باطل شد و پیوند تازه فرستاده شد.';
    case 'smsReceipt':
      return null;
    case 'mailRecorded':
      if (e.delivered) return null;
      return `نامه «${mailKindLabels[e.kind]}» تحویل نشد.`;
  }
}

/** The history table: newest last, as it happened. */
export function historyTable(state: UnitState): Html {
  const rows = state.log.flatMap((t) => {
    const text = describeTransition(t);
    return text
      ? [html`<tr><td class="nowrap">${formatJalaliDateTime(t.at)}</td><td>${text}</td><td>${who(t.by)}</td></tr>`]
      : [];
  });
  return html`<table class="history"><thead><tr><th>زمان</th><th>رویداد</th><th>انجام‌دهنده</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The office's decisions about this unit, newest first: what the head must know before acting again. */
export function officeDecisions(state: UnitState): string[] {
  return state.log
    .filter((t) =>
      ['extensionDecided', 'deadlineExtended', 'reportReturned', 'reportAccepted', 'exempted'].includes(t.event.type),
    )
    .reverse()
    .map((t) => `${formatJalaliDateTime(t.at)}: ${describeTransition(t)}`);
}
