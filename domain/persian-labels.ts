import type { MailKind, SmsDeliveryState } from './mail-kind';
import type { Priority } from './directive-schema';

/**
 * The Persian words the mails and pages show for the engine's codes. One table per code set, so a mail and a
 * page never call the same thing by two names. Type-only imports keep this module free to load anywhere.
 */

/** Priority (فوریت) as the office writes it on a letter. */
export const priorityLabels: Record<Priority, string> = {
  normal: 'عادی',
  urgent: 'فوری',
  immediate: 'آنی',
};

/** A unit's compliance state, as the unit and the office read it. */
export const complianceStateLabels: Record<string, string> = {
  notified: 'ابلاغ شده، در انتظار اعلام وصول',
  acknowledged: 'اعلام وصول شده، در انتظار گزارش',
  reported: 'گزارش ارسال شده، در انتظار بررسی فرمانداری',
  returned: 'گزارش برای اصلاح بازگردانده شده',
  accepted: 'گزارش پذیرفته شده',
  exempted: 'معاف شده',
  cancelled: 'دستورالعمل لغو شده',
  closed: 'دستورالعمل بسته شده',
};

/** What a deadline is for. */
export const obligationLabels: Record<'acknowledge' | 'report', string> = {
  acknowledge: 'اعلام وصول',
  report: 'ارسال گزارش اقدامات',
};

/** The rungs of the escalation ladder, and the unit's own head. */
export const recipientRoleLabels: Record<'head' | 'deputy' | 'governor', string> = {
  head: 'رئیس واحد',
  deputy: 'معاون فرماندار',
  governor: 'فرماندار',
};

/**
 * The directive's fields by their code names, for «what changed» in an amendment. An unknown name (a field
 * added later) is shown as is rather than dropped, so an amendment never looks emptier than it was.
 */
export const directiveFieldLabels: Record<string, string> = {
  title: 'عنوان',
  body: 'متن دستورالعمل',
  priority: 'فوریت',
  acknowledgeBy: 'مهلت اعلام وصول',
  reportBy: 'مهلت ارسال گزارش',
  reminders: 'زمان یادآوری‌ها',
  escalation: 'مراحل پیگیری',
  form: 'فرم گزارش',
  attachments: 'پیوست‌ها',
  acceptance: 'شیوه پذیرش گزارش',
  smsForUrgent: 'پیامک برای پیام‌های فوری',
};

/** Persian labels for a list of changed directive fields, in the order given. */
export function changedFieldLabels(changes: readonly string[]): string[] {
  return changes.map((c) => directiveFieldLabels[c] ?? c);
}

/** Each kind of message, as its subject line begins and the history names it. */
export const mailKindLabels: Record<MailKind, string> = {
  notice: 'دستورالعمل جدید',
  reminder: 'یادآوری مهلت',
  escalation: 'پیگیری: اقدام نشده در مهلت',
  undeliverable: 'نامه به واحد تحویل نشد',
  amendment: 'اصلاحیه دستورالعمل',
  cancellation: 'لغو دستورالعمل',
  'extension-decision': 'نتیجه درخواست تمدید مهلت',
  'deadline-extended': 'تمدید مهلت',
  'report-returned': 'بازگشت گزارش برای اصلاح',
  'report-accepted': 'پذیرش گزارش',
  exempted: 'معافیت از دستورالعمل',
};

/** The kind of a message from its purpose (`reminder-2`, `amendment-v3`, `notice-g2` …), or null. */
export function kindOfPurpose(purpose: string): MailKind | null {
  const kinds = Object.keys(mailKindLabels) as MailKind[];
  return (
    kinds.filter((k) => purpose === k || purpose.startsWith(`${k}-`)).sort((a, b) => b.length - a.length)[0] ?? null
  );
}

/** What the SMSC's delivery receipt says of a text message. */
export const smsStateLabels: Record<SmsDeliveryState, string> = {
  delivered: 'به گوشی رسید',
  failed: 'نرسید',
  expired: 'منقضی شد و نرسید',
  accepted: 'پذیرفته شد',
  unknown: 'نامعلوم',
};
