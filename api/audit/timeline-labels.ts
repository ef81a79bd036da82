import type { DetailValue, TimelineEntry, TimelineKind } from '../../audit/timeline';
import { formatJalaliDateTime } from '../../lib/jalali';
import {
  changedFieldLabels,
  kindOfPurpose,
  mailKindLabels,
  obligationLabels,
  recipientRoleLabels,
  smsStateLabels,
} from '../../domain/persian-labels';
import { toPersianDigits } from '../../lib/persian-text';
import type { MailKind } from '../../workflows/unit-state';

/**
 * The auditor's timeline in Persian: a name for each kind of entry and a sentence built from its recorded
 * details (never from the English summary), with Jalali times and Persian digits.
 */

export const timelineKindLabels: Record<TimelineKind, string> = {
  'directive-issued': 'صدور دستورالعمل',
  'directive-amended': 'اصلاحیه دستورالعمل',
  'directive-cancelled': 'لغو دستورالعمل',
  'directive-closed': 'بستن دستورالعمل',
  'directive-completed': 'پایان دستورالعمل',
  'unit-issued': 'ابلاغ به واحد',
  acknowledged: 'اعلام وصول',
  'report-submitted': 'ارسال گزارش اقدامات',
  'extension-requested': 'درخواست تمدید',
  'extension-decided': 'تصمیم درباره تمدید',
  'deadline-extended': 'تمدید مهلت',
  'report-accepted': 'پذیرش گزارش',
  'report-returned': 'بازگشت گزارش',
  exempted: 'معافیت',
  amended: 'دریافت اصلاحیه',
  cancelled: 'لغو برای واحد',
  closed: 'بسته شدن برای واحد',
  'reminder-due': 'یادآوری خودکار',
  'reminder-requested': 'یادآوری دستی',
  'deadline-missed': 'گذشتن مهلت',
  escalation: 'ارجاع به مقام بالاتر',
  'links-revoked': 'ابطال پیوندها',
  'sms-receipt': 'رسید پیامک',
  'mail-sent': 'نامه فرستاده شد',
  'mail-failed': 'نامه تحویل نشد',
  'mail-pending': 'نامه در حال ارسال',
};

const str = (v: DetailValue | undefined): string => (v === null || v === undefined ? '' : String(v));
const when = (v: DetailValue | undefined): string => (typeof v === 'string' && v ? formatJalaliDateTime(v) : '—');
const obligation = (v: DetailValue | undefined): string =>
  obligationLabels[str(v) as 'acknowledge' | 'report'] ?? str(v);
const role = (v: DetailValue | undefined): string =>
  recipientRoleLabels[str(v) as 'head' | 'deputy' | 'governor'] ?? str(v);

/** One sentence describing the entry, in Persian. */
export function describeEntry(e: TimelineEntry): string {
  const d = e.details;
  switch (e.kind) {
    case 'directive-issued':
      return `«${str(d.title)}» برای ${toPersianDigits(str(d.units))} واحد؛ مهلت اعلام وصول ${when(d.acknowledgeBy)}، مهلت گزارش ${when(d.reportBy)}`;
    case 'directive-amended':
    case 'amended':
      return `نسخه ${toPersianDigits(str(d.version))}؛ تغییر در: ${changedFieldLabels(str(d.changes).split(', ').filter(Boolean)).join('، ')}`;
    case 'directive-cancelled':
    case 'directive-closed':
    case 'cancelled':
    case 'closed':
    case 'exempted':
      return str(d.reason);
    case 'directive-completed':
      return 'همه واحدها به پایان رسیدند';
    case 'unit-issued':
      return `نسخه ${toPersianDigits(str(d.version))}؛ اعلام وصول تا ${when(d.acknowledgeBy)}، گزارش تا ${when(d.reportBy)}`;
    case 'acknowledged':
    case 'report-submitted':
      return `${str(d.name)} (${str(d.position)})${d.submissionId ? `؛ شناسه ارسال ${str(d.submissionId)}` : ''}`;
    case 'extension-requested':
      return `تا ${when(d.until)} — ${str(d.reason)}`;
    case 'extension-decided':
      return d.approved
        ? `پذیرفته شد${d.until ? ` تا ${when(d.until)}` : ''}`
        : `رد شد${d.note ? ` — ${str(d.note)}` : ''}`;
    case 'deadline-extended':
      return [
        d.acknowledgeBy && `اعلام وصول تا ${when(d.acknowledgeBy)}`,
        d.reportBy && `گزارش تا ${when(d.reportBy)}`,
        str(d.reason),
      ]
        .filter(Boolean)
        .join('؛ ');
    case 'report-accepted':
      return str(d.note);
    case 'report-returned':
      return `${str(d.reason)}${d.reportBy ? `؛ مهلت تازه ${when(d.reportBy)}` : ''}`;
    case 'reminder-due':
    case 'deadline-missed':
      return `مهلت ${obligation(d.obligation)}`;
    case 'reminder-requested':
      return str(d.note);
    case 'escalation':
      return `سطح ${toPersianDigits(str(d.level))} به ${role(d.notify)} برای مهلت ${obligation(d.obligation)}${d.recipients ? `؛ گیرنده: ${str(d.recipients)}` : ''}`;
    case 'links-revoked':
      return 'پیوندهای پیشین باطل و پیوند تازه فرستاده شد';
    case 'sms-receipt':
      return `«${mailKindLabels[kindOfPurpose(str(d.purpose)) ?? 'notice']}»: ${smsStateLabels[str(d.state) as keyof typeof smsStateLabels] ?? str(d.state)}${d.doneAt ? ` (${when(d.doneAt)})` : ''}`;
    case 'mail-sent':
    case 'mail-failed':
    case 'mail-pending': {
      const kind = mailKindLabels[str(d.mailKind) as MailKind] ?? str(d.mailKind);
      const failed = e.kind === 'mail-failed' ? `؛ خطا: ${str(d.error)}` : '';
      return `«${kind}» به ${role(d.to)}${d.recipient ? ` — ${str(d.recipient)}` : ''}${failed}`;
    }
  }
}

/** Who acted, in Persian: the recorded actor (`office:id (name)`) shown by name, or the system. */
export function actorText(actor: string | null): string {
  if (!actor) return 'سامانه';
  if (actor.startsWith('system:')) return 'سامانه';
  const m = /^(office|unit):([^ ]+)(?: \((.*)\))?$/.exec(actor);
  if (!m) return actor;
  return m[1] === 'unit' ? `واحد ${m[3] ?? m[2]}` : `${m[3] ?? m[2]} (فرمانداری)`;
}
