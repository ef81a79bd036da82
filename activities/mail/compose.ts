import { formatJalaliDateTime, formatTimeLeft } from '../../lib/jalali';
import {
  changedFieldLabels,
  kindOfPurpose,
  mailKindLabels,
  obligationLabels,
  priorityLabels,
  recipientRoleLabels,
} from '../../domain/persian-labels';
import { toPersianDigits } from '../../lib/persian-text';
import type { MailRequest } from '../../workflows/unit-state';
import type { ComposeMail, MailContext } from '../unit-mail';
import { renderMailHtml, renderMailText, type MailBlock, type MailContent } from './mail-layout';

type Details = MailRequest['details'];

const text = (d: Details, key: string): string | null => {
  const v = d[key];
  return typeof v === 'string' && v !== '' ? v : null;
};
const list = (d: Details, key: string): string[] => {
  const v = d[key];
  return Array.isArray(v) ? v : [];
};

/** A deadline as «۱۴۰۵/۰۹/۱۰ ساعت ۱۴:۰۰ (۲ روز و ۳ ساعت مانده)». */
function deadline(iso: string, now: Date): string {
  return `${formatJalaliDateTime(iso)} (${formatTimeLeft(iso, now)})`;
}

/** The directive's facts every message to the head repeats: what, how urgent, by when. */
function directiveFacts(ctx: MailContext, which: ('acknowledge' | 'report')[]): MailBlock {
  const { policy } = ctx.input;
  const rows: [string, string][] = [
    ['دستورالعمل', `${policy.title} (شماره ${toPersianDigits(policy.directiveId)})`],
    ['فوریت', priorityLabels[policy.priority]],
    ['واحد', ctx.unit.name],
  ];
  if (which.includes('acknowledge'))
    rows.push([`مهلت ${obligationLabels.acknowledge}`, deadline(policy.acknowledgeBy, ctx.now)]);
  if (which.includes('report')) rows.push([`مهلت ${obligationLabels.report}`, deadline(policy.reportBy, ctx.now)]);
  return { type: 'facts', rows };
}

function replyAction(ctx: MailContext, label = 'مشاهده دستورالعمل و پاسخ'): MailBlock[] {
  if (!ctx.link) return [];
  return [
    {
      type: 'action',
      label,
      href: ctx.link,
      hint: 'این پیوند ویژه واحد شماست و نیازی به نام کاربری ندارد؛ آن را برای دیگران نفرستید.',
    },
    ...inboxBlock(ctx),
  ];
}

/** The unit's inbox (کارتابل): every open directive in one list, beside this directive's own link. */
function inboxBlock(ctx: MailContext): MailBlock[] {
  return ctx.inboxLink
    ? [{ type: 'link', label: 'کارتابل واحد: همه دستورالعمل‌های باز شما، فوری‌ترین نخست', href: ctx.inboxLink }]
    : [];
}

function attachmentsBlock(ctx: MailContext): MailBlock[] {
  if (ctx.document.attachments.length === 0) return [];
  return [
    {
      type: 'list',
      title: 'پیوست‌ها (از صفحه دستورالعمل دریافت کنید)',
      items: ctx.document.attachments.map((a) => a.name),
    },
  ];
}

/** The body of each kind of message; the subject and greeting are shared. */
function blocksFor(ctx: MailContext): { heading?: string; blocks: MailBlock[] } {
  const { request, policy } = ctx.input;
  const d = request.details;
  const note = (title: string, key: string): MailBlock[] =>
    text(d, key) ? [{ type: 'quote', title, text: text(d, key)! }] : [];
  switch (request.kind) {
    case 'notice': {
      const fresh = request.purpose !== 'notice';
      return {
        heading: fresh ? 'پیوند تازه دستورالعمل' : undefined,
        blocks: [
          ...(fresh
            ? [
                {
                  type: 'alert',
                  tone: 'warn',
                  text: 'پیوندهای پیشین این دستورالعمل باطل شده‌اند؛ از این پس فقط پیوند این نامه کار می‌کند.',
                } as const,
              ]
            : []),
          {
            type: 'paragraph',
            text: 'دستورالعمل زیر برای واحد شما صادر شده است. لطفاً دریافت آن را اعلام کنید و گزارش اقدامات را تا پایان مهلت بفرستید.',
          },
          directiveFacts(ctx, ['acknowledge', 'report']),
          { type: 'quote', title: 'متن دستورالعمل', text: ctx.document.body },
          ...attachmentsBlock(ctx),
          ...replyAction(ctx),
        ],
      };
    }
    case 'reminder': {
      const obligation = d.obligation === 'acknowledge' ? 'acknowledge' : 'report';
      const due = text(d, 'deadline') ?? (obligation === 'acknowledge' ? policy.acknowledgeBy : policy.reportBy);
      return {
        blocks: [
          {
            type: 'paragraph',
            text: `مهلت ${obligationLabels[obligation]} برای دستورالعمل زیر ${formatTimeLeft(due, ctx.now)} است.`,
          },
          directiveFacts(ctx, [obligation]),
          ...note('یادداشت فرمانداری', 'note'),
          ...replyAction(ctx),
        ],
      };
    }
    case 'escalation': {
      const obligation = d.obligation === 'acknowledge' ? 'acknowledge' : 'report';
      const due = text(d, 'deadline') ?? policy.reportBy;
      return {
        blocks: [
          {
            type: 'paragraph',
            text: `${ctx.unit.name} تا پایان مهلت، ${obligationLabels[obligation]} دستورالعمل زیر را انجام نداده است. این پیگیری مرحله ${toPersianDigits(Number(d.level ?? 1))} است.`,
          },
          {
            type: 'facts',
            rows: [
              ['دستورالعمل', `${policy.title} (شماره ${toPersianDigits(policy.directiveId)})`],
              ['فوریت', priorityLabels[policy.priority]],
              ['واحد', ctx.unit.name],
              ['رئیس واحد', `${ctx.unit.head.title}، ${ctx.unit.head.name} (${ctx.unit.head.email})`],
              [`مهلت ${obligationLabels[obligation]}`, deadline(due, ctx.now)],
            ],
          },
        ],
      };
    }
    case 'undeliverable': {
      const failed = kindOfPurpose(text(d, 'failedPurpose') ?? '');
      return {
        blocks: [
          {
            type: 'alert',
            tone: 'bad',
            text: `نامه «${failed ? mailKindLabels[failed] : 'دستورالعمل'}» به ${ctx.unit.name} تحویل نشد. تا نشانی رئیس واحد در فهرست واحدها اصلاح نشود، این واحد از دستورالعمل خبر ندارد.`,
          },
          {
            type: 'facts',
            rows: [
              ['دستورالعمل', `${policy.title} (شماره ${toPersianDigits(policy.directiveId)})`],
              ['رئیس واحد', `${ctx.unit.head.title}، ${ctx.unit.head.name}`],
              ['نشانی', ctx.unit.head.email],
              ['پاسخ سرور نامه', text(d, 'error') ?? 'نامشخص'],
              [`مهلت ${obligationLabels.acknowledge}`, deadline(policy.acknowledgeBy, ctx.now)],
              [`مهلت ${obligationLabels.report}`, deadline(policy.reportBy, ctx.now)],
            ],
          },
        ],
      };
    }
    case 'amendment': {
      const changes = changedFieldLabels(list(d, 'changes'));
      return {
        heading: `اصلاحیه دستورالعمل (نسخه ${toPersianDigits(Number(d.version ?? policy.version))})`,
        blocks: [
          {
            type: 'paragraph',
            text: 'دستورالعمل زیر اصلاح شده است. لطفاً نسخه تازه را بخوانید و دوباره اعلام وصول کنید؛ اگر گزارش فرستاده بودید، پیش‌نویس آن در صفحه دستورالعمل نگه داشته شده است.',
          },
          {
            type: 'list',
            title: 'آنچه تغییر کرده است',
            items: changes.length > 0 ? changes : ['(فهرست تغییرات ثبت نشده است)'],
          },
          directiveFacts(ctx, ['acknowledge', 'report']),
          { type: 'quote', title: 'متن دستورالعمل (نسخه تازه)', text: ctx.document.body },
          ...attachmentsBlock(ctx),
          ...replyAction(ctx),
        ],
      };
    }
    case 'cancellation':
      return {
        blocks: [
          { type: 'alert', tone: 'warn', text: 'این دستورالعمل لغو شده است و اقدامی لازم نیست.' },
          directiveFacts(ctx, []),
          ...note('علت لغو', 'reason'),
          ...inboxBlock(ctx),
        ],
      };
    case 'extension-decision': {
      const approved = d.approved === true;
      const until = text(d, 'until');
      return {
        blocks: [
          approved
            ? {
                type: 'alert',
                tone: 'ok',
                text: `درخواست تمدید مهلت پذیرفته شد${until ? `؛ مهلت تازه ارسال گزارش: ${deadline(until, ctx.now)}` : ''}.`,
              }
            : { type: 'alert', tone: 'bad', text: 'درخواست تمدید مهلت پذیرفته نشد؛ مهلت پیشین به قوت خود باقی است.' },
          directiveFacts(ctx, ['report']),
          ...note('توضیح فرمانداری', 'note'),
          ...replyAction(ctx),
        ],
      };
    }
    case 'deadline-extended':
      return {
        blocks: [
          { type: 'paragraph', text: 'فرمانداری مهلت این دستورالعمل را تغییر داد. مهلت‌های تازه:' },
          directiveFacts(ctx, ['acknowledge', 'report']),
          ...note('علت', 'reason'),
          ...replyAction(ctx),
        ],
      };
    case 'report-returned':
      return {
        blocks: [
          {
            type: 'alert',
            tone: 'warn',
            text: 'گزارش شما برای اصلاح بازگردانده شد. پاسخ پیشین در فرم نگه داشته شده است؛ آن را اصلاح و دوباره ارسال کنید.',
          },
          ...note('علت بازگشت', 'reason'),
          directiveFacts(ctx, ['report']),
          ...replyAction(ctx, 'اصلاح و ارسال دوباره گزارش'),
        ],
      };
    case 'report-accepted':
      return {
        blocks: [
          { type: 'alert', tone: 'ok', text: 'گزارش شما پذیرفته شد. اقدام دیگری درباره این دستورالعمل لازم نیست.' },
          directiveFacts(ctx, []),
          ...note('یادداشت فرمانداری', 'note'),
          ...replyAction(ctx, 'مشاهده سابقه'),
        ],
      };
    case 'exempted':
      return {
        blocks: [
          { type: 'alert', tone: 'ok', text: 'واحد شما از این دستورالعمل معاف شد و اقدامی لازم نیست.' },
          directiveFacts(ctx, []),
          ...note('علت', 'reason'),
          ...inboxBlock(ctx),
        ],
      };
  }
}

/** The content of one message, before rendering; exported so that tests can read what a template says. */
export function unitMailContent(ctx: MailContext): MailContent {
  const { request, policy } = ctx.input;
  const urgent = policy.priority === 'normal' ? '' : `[${priorityLabels[policy.priority]}] `;
  const { heading, blocks } = blocksFor(ctx);
  const role = ctx.recipient.role;
  return {
    subject: `${urgent}${mailKindLabels[request.kind]}: ${policy.title}`,
    heading: heading ?? mailKindLabels[request.kind],
    greeting: `${ctx.recipient.name}، ${ctx.recipient.title} محترم${role === 'head' ? '' : ` (${recipientRoleLabels[role]})`}،`,
    blocks,
  };
}

/**
 * Renders a unit message as right-to-left HTML and plain text from one content. Every user-supplied string
 * (title, body, reasons, names) is escaped in the HTML; dates are Jalali in Asia/Tehran with the time left
 * measured from `ctx.now`.
 */
export const composeUnitMail: ComposeMail = (ctx: MailContext) => {
  const content = unitMailContent(ctx);
  return { subject: content.subject, text: renderMailText(content), html: renderMailHtml(content) };
};
