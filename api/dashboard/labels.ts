import { kindOfPurpose, obligationLabels, recipientRoleLabels, smsStateLabels } from '../../domain/persian-labels';
import { formatJalaliDateTime } from '../../lib/jalali';
import { toPersianDigits } from '../../lib/persian-text';
import type { Actor, ComplianceState, DirectiveState, EscalationTarget } from '../../workflows/types';
import type { Transition } from '../../workflows/unit-state';

/**
 * Persian words for the engine's English vocabulary, shared by the dashboard and the exports so that a
 * state reads the same on the screen, in the spreadsheet and in the governor's PDF.
 */

export const unitStateLabels: Record<ComplianceState, string> = {
  notified: 'ابلاغ‌شده',
  acknowledged: 'رؤیت‌شده',
  reported: 'گزارش ارسال‌شده',
  returned: 'برگشت‌خورده',
  accepted: 'پذیرفته‌شده',
  exempted: 'معاف',
  cancelled: 'لغوشده',
  closed: 'بسته‌شده',
};

export const directiveStateLabels: Record<DirectiveState, string> = {
  'fanning-out': 'در حال ابلاغ',
  open: 'باز',
  completed: 'تکمیل‌شده',
  cancelled: 'لغوشده',
  closed: 'بسته‌شده',
};

export { obligationLabels, priorityLabels } from '../../domain/persian-labels';

export const escalationTargetLabels: Record<EscalationTarget, string> = {
  deputy: recipientRoleLabels.deputy,
  governor: recipientRoleLabels.governor,
};

/** «۱۴۰۵/۰۹/۱۰ ساعت ۱۴:۳۰», or a dash for a missing instant. */
export function jalaliOrDash(instant: string | null | undefined): string {
  return instant ? formatJalaliDateTime(instant) : '—';
}

/** A number with Persian digits. */
export function fa(n: number | string): string {
  return toPersianDigits(n);
}

/** Who did something, in Persian: the office user's name, the unit, or the system's timers. */
export function actorLabel(actor: Actor): string {
  if (actor.kind === 'system') return 'سامانه';
  if (actor.kind === 'unit') return actor.name ? `${actor.name} (واحد)` : 'واحد';
  return actor.name ?? actor.id;
}

const mailKindLabels: Record<string, string> = {
  notice: 'ابلاغیه',
  reminder: 'یادآوری',
  escalation: 'ارجاع به مقام بالاتر',
  undeliverable: 'اعلام عدم تحویل',
  amendment: 'اصلاحیه',
  cancellation: 'لغو',
  'extension-decision': 'نتیجه درخواست تمدید',
  'deadline-extended': 'تمدید مهلت',
  'report-returned': 'برگشت گزارش',
  'report-accepted': 'پذیرش گزارش',
  exempted: 'معافیت',
};

const channelLabels: Record<'email' | 'sms', string> = { email: 'رایانامه', sms: 'پیامک' };

/** One line of a unit's timeline in Persian. */
export function describeTransition(t: Transition): string {
  const e = t.event;
  switch (e.type) {
    case 'issued':
      return 'دستورالعمل ابلاغ شد';
    case 'acknowledged':
      return `اعلام وصول توسط ${e.name} (${e.position})`;
    case 'reportSubmitted':
      return `گزارش اقدامات توسط ${e.name} (${e.position}) ارسال شد`;
    case 'extensionRequested':
      return `درخواست تمدید تا ${jalaliOrDash(e.until)} — ${e.reason}`;
    case 'extensionDecided':
      return e.approved
        ? `درخواست تمدید پذیرفته شد${e.until ? ` (تا ${jalaliOrDash(e.until)})` : ''}`
        : `درخواست تمدید رد شد${e.note ? ` — ${e.note}` : ''}`;
    case 'deadlineExtended': {
      const parts = [
        e.acknowledgeBy && `اعلام وصول تا ${jalaliOrDash(e.acknowledgeBy)}`,
        e.reportBy && `گزارش تا ${jalaliOrDash(e.reportBy)}`,
      ].filter(Boolean);
      return `مهلت تمدید شد: ${parts.join('، ')} — ${e.reason}`;
    }
    case 'reportAccepted':
      return `گزارش پذیرفته شد${e.note ? ` — ${e.note}` : ''}`;
    case 'reportReturned':
      return `گزارش برگشت داده شد — ${e.reason}`;
    case 'exempted':
      return `واحد معاف شد — ${e.reason}`;
    case 'amended':
      return `اصلاحیه (نسخه ${fa(e.policy.version)}) ابلاغ شد`;
    case 'cancelled':
      return `دستورالعمل لغو شد — ${e.reason}`;
    case 'closed':
      return `دستورالعمل بسته شد — ${e.reason}`;
    case 'reminderDue':
      return `یادآوری خودکار مهلت ${obligationLabels[e.obligation]}`;
    case 'deadlineMissed':
      return `مهلت ${obligationLabels[e.obligation]} گذشت`;
    case 'escalationDue':
      return `ارجاع سطح ${fa(e.level)} به ${escalationTargetLabels[e.notify]} (${obligationLabels[e.obligation]})`;
    case 'remindRequested':
      return `یادآوری دستی${e.note ? ` — ${e.note}` : ''}`;
    case 'linksRevoked':
      return 'پیوندهای قبلی باطل و پیوند تازه فرستاده شد';
    case 'mailRecorded': {
      const what = mailKindLabels[e.kind] ?? e.kind;
      const to = e.recipient ? ` به ${e.recipient.title} (${e.recipient.name})` : '';
      const line = e.delivered ? `نامه «${what}»${to} تحویل شد` : `نامه «${what}»${to} تحویل نشد`;
      if (!e.channels) return line;
      // Which channel carried it: «رایانامه: تحویل شد؛ پیامک (جایگزین): تحویل نشد».
      const channels = e.channels.map(
        (c) =>
          `${channelLabels[c.channel]}${c.fallback ? ' (جایگزین)' : ''}: ${c.delivered ? 'تحویل شد' : 'تحویل نشد'}`,
      );
      return `${line} — ${channels.join('؛ ')}`;
    }
    case 'smsReceipt':
      return `رسید پیامک «${mailKindLabels[kindOfPurpose(e.purpose) ?? ''] ?? e.purpose}»${e.part > 0 ? ` (بخش ${fa(e.part + 1)})` : ''}: ${smsStateLabels[e.state]}${e.doneAt ? ` در ${jalaliOrDash(e.doneAt)}` : ''}`;
  }
}

// English messages of the schemas and the workflows, in Persian. Anything unknown gets a general sentence
// rather than English on a Persian page.
const messageTranslations: [RegExp, string | ((m: RegExpExecArray) => string)][] = [
  [/^must be in the future$/, 'باید در آینده باشد'],
  // Before the unit rules below: a Jalali date's "day 31 does not exist" is about the date, not a unit.
  [/is not a (valid )?Jalali date-time/, 'تاریخ نامعتبر است؛ نمونه: ۱۴۰۵/۰۹/۱۰ ۱۴:۳۰'],
  [
    /^(.+): not an allowed file$/s,
    (m) => `فایل «${m[1]}» پذیرفته نیست؛ فقط PDF، تصویر PNG یا JPEG، Word، Excel، PowerPoint، متن یا CSV.`,
  ],
  [/^no file was uploaded as an attachment/, 'این پیوست بارگذاری نشده است'],
  [/^File too large$/, 'حجم هر فایل باید حداکثر ۱۰ مگابایت باشد'],
  [/^must not be empty$|^is required$|^Required$/i, 'این مورد الزامی است'],
  [/^must have at least (\d+) characters$/, (m) => `دست‌کم ${fa(m[1])} نویسه لازم است`],
  [/^must have at most (\d+) characters$/, (m) => `حداکثر ${fa(m[1])} نویسه مجاز است`],
  [/^must not be before the acknowledgement deadline$/, 'نباید پیش از مهلت اعلام وصول باشد'],
  [/^each level must come later than the one before$/, 'هر سطح ارجاع باید دیرتر از سطح قبلی باشد'],
  [/^must be a duration/, 'مدت نامعتبر است'],
  [/^must be at most 366 days$/, 'مدت حداکثر ۳۶۶ روز است'],
  [/^keys are /, 'کلید باید با حرف کوچک لاتین شروع شود و فقط حروف لاتین، رقم و _ داشته باشد'],
  [/^a choice field needs at least two options$/, 'فیلد چندگزینه‌ای دست‌کم دو گزینه لازم دارد'],
  [/^only choice fields have options$/, 'فقط فیلد چندگزینه‌ای گزینه دارد'],
  [/^duplicate key/, 'کلید تکراری است'],
  [/^max must not be below min$/, 'بیشینه نباید کمتر از کمینه باشد'],
  [/control or bidi-override/, 'نویسه‌های کنترلی مجاز نیست'],
  [/unknown unit|no unit|not found|does not exist/i, 'واحد ناشناخته است'],
  [/not a recipient|receives no directives/i, 'این واحد دستورالعمل دریافت نمی‌کند'],
  [/no units|empty|nothing to send|selects no/i, 'هیچ واحدی انتخاب نشده است'],
  [/Too small|at least 1|>=1 items/i, 'دست‌کم یک مورد را انتخاب کنید'],
  [
    /must be a whole number of working days from 1 to (\d+)$/,
    (m) => `تعداد روز کاری باید عددی صحیح از ۱ تا ${fa(m[1])} باشد`,
  ],
  [
    /must be a number of working hours above 0 and at most ([\d.]+)$/,
    (m) => `تعداد ساعت کاری باید بیش از صفر و حداکثر ${fa(m[1])} باشد`,
  ],
  [/^no working (day|time) within/, 'در این بازه روز کاری نیست'],
  [/Jalali|year|month|day|hour|minute/i, 'تاریخ نامعتبر است؛ نمونه: ۱۴۰۵/۰۹/۱۰ ۱۴:۳۰'],
];

/** A field or action message in Persian. */
export function persianMessage(english: string): string {
  for (const [pattern, persian] of messageTranslations) {
    const m = pattern.exec(english);
    if (m) return typeof persian === 'string' ? persian : persian(m);
  }
  return 'مقدار نامعتبر است';
}
