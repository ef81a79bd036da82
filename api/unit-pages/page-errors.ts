import { MulterError } from 'multer';
import { LinkTokenError } from '../../lib/link-token';
import { toPersianDigits } from '../../lib/persian-text';
import { NotFound, Rejected, Unavailable, ValidationFailed, type FieldIssue } from '../errors';
import { uploadLimits } from './uploads';

/**
 * The one place where anything that goes wrong behind a unit's link becomes what the district head reads:
 * an HTTP status, a Persian title and message. Routes throw; the router's error handler and the form
 * re-render both ask this module, so the same failure always reads the same way.
 *
 * Status choices: a malformed or forged token gets 403, not 404. The verifier spends the same work on every
 * bad token and does not say which part failed, so a truncated link (a mail client wrapped it) and a forged
 * one look alike; "this link is refused" is true of both, while 404 would suggest the page moved. A genuine
 * token whose directive or unit does not exist gets 404; an expired, revoked or cancelled one 410 (it
 * existed and is gone for good).
 */

/** Why a genuine (correctly signed) link is refused. */
export type LinkRefusal = 'unknown' | 'revoked' | 'cancelled' | 'mismatch';

export class LinkRefused extends Error {
  constructor(
    readonly refusal: LinkRefusal,
    /** The office's reason, for a cancelled directive. */
    readonly reason?: string,
  ) {
    super(`link refused: ${refusal}`);
    this.name = 'LinkRefused';
  }
}

/** A POST that did not come from this site's own page (no same-origin evidence). */
export class CrossSiteRefused extends Error {
  constructor() {
    super('cross-site form post refused');
    this.name = 'CrossSiteRefused';
  }
}

/** A form without its submission id (an old or hand-made form): nothing can be recorded safely. */
export class FormIncomplete extends Error {
  constructor() {
    super('the form has no valid submission id');
    this.name = 'FormIncomplete';
  }
}

/** Too many short-link look-ups from one client address; it may try again after `retryAfter` seconds. */
export class TooManyLookups extends Error {
  constructor(readonly retryAfter: number) {
    super('too many short-link look-ups');
    this.name = 'TooManyLookups';
  }
}

export interface PageProblem {
  status: number;
  title: string;
  message: string;
  /** The office's own words (e.g. why a directive was cancelled), shown as written. */
  detail?: string;
  retryAfter?: number;
}

const retryMessage = 'سامانه موقتاً در دسترس نیست؛ پاسخ شما ثبت نشد، لطفاً دوباره تلاش کنید';

/** Maps any error on a unit page to what the page says. `method` decides whether a reply could have been lost. */
export function pageProblem(err: unknown, method: string): PageProblem {
  const posting = method === 'POST';
  if (err instanceof LinkTokenError) {
    if (err.problem === 'expired') {
      return {
        status: 410,
        title: 'پیوند منقضی شده است',
        message: 'مهلت استفاده از این پیوند گذشته است. برای پیگیری این دستورالعمل با فرمانداری تماس بگیرید.',
      };
    }
    return {
      status: 403,
      title: 'پیوند نامعتبر است',
      message:
        'این پیوند معتبر نیست. شاید نشانی ناقص کپی شده یا تغییر کرده باشد؛ پیوند را به‌طور کامل از نامه باز کنید.',
    };
  }
  if (err instanceof LinkRefused) {
    switch (err.refusal) {
      case 'revoked':
        return {
          status: 410,
          title: 'پیوند باطل شده است',
          message: 'این پیوند باطل شده است؛ پیوند تازه برای شما ارسال شده است',
        };
      case 'cancelled':
        return {
          status: 410,
          title: 'دستورالعمل لغو شده است',
          message: 'این دستورالعمل از سوی فرمانداری لغو شده است و اقدامی لازم نیست.',
          detail: err.reason,
        };
      case 'mismatch':
        return { status: 403, title: 'پیوند نامعتبر است', message: 'این پیوند به این صفحه تعلق ندارد.' };
      case 'unknown':
        return { status: 404, title: 'پیدا نشد', message: 'دستورالعمل یا واحدی با این پیوند پیدا نشد.' };
    }
  }
  if (err instanceof TooManyLookups) {
    return {
      status: 429,
      title: 'درخواست‌ها بیش از اندازه است',
      message: 'از این نشانی درخواست‌های زیادی رسیده است؛ لطفاً چند دقیقه دیگر دوباره تلاش کنید.',
      retryAfter: err.retryAfter,
    };
  }
  if (err instanceof CrossSiteRefused) {
    return {
      status: 403,
      title: 'درخواست پذیرفته نشد',
      message: 'این فرم فقط از صفحه خود سامانه فرمان پذیرفته می‌شود. صفحه را از پیوند نامه باز کنید و دوباره بفرستید.',
    };
  }
  if (err instanceof FormIncomplete) {
    return {
      status: 400,
      title: 'فرم ناقص است',
      message: 'این فرم ناقص است و ثبت نشد. صفحه را از پیوند نامه دوباره باز کنید.',
    };
  }
  if (err instanceof NotFound) return { status: 404, title: 'پیدا نشد', message: 'آنچه خواستید پیدا نشد.' };
  if (err instanceof Unavailable) {
    return {
      status: 503,
      title: 'سامانه در دسترس نیست',
      message: posting ? retryMessage : 'سامانه موقتاً در دسترس نیست؛ لطفاً چند دقیقه دیگر دوباره تلاش کنید.',
      retryAfter: 5,
    };
  }
  if (err instanceof Rejected) return { status: 409, title: 'ثبت نشد', message: rejectionMessage(err) };
  if (err instanceof ValidationFailed)
    return { status: 422, title: 'ثبت نشد', message: 'برخی از بخش‌های فرم نادرست است.' };
  if (err instanceof MulterError) return { status: 413, title: 'ثبت نشد', message: uploadLimitMessage(err) };
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.too.large') return { status: 413, title: 'ثبت نشد', message: 'فرم بیش از اندازه بزرگ است.' };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return { status: 400, title: 'درخواست نادرست', message: 'درخواست نادرست است.' };
  return {
    status: 500,
    title: 'خطای داخلی',
    message: posting
      ? 'خطایی در سامانه رخ داد و پاسخ شما ثبت نشد؛ لطفاً دوباره تلاش کنید.'
      : 'خطایی در سامانه رخ داد؛ لطفاً دوباره تلاش کنید.',
  };
}

/** Why the workflow refused a reply, in words a district head can act on. */
export function rejectionMessage(err: Rejected): string {
  switch (err.code) {
    case 'closed':
      return /cancel/i.test(err.message)
        ? 'این دستورالعمل لغو شده است و پاسخی نمی‌پذیرد.'
        : 'کار این واحد با این دستورالعمل پایان یافته است و پاسخ تازه‌ای پذیرفته نمی‌شود.';
    case 'not-allowed':
      if (/already acknowledged/i.test(err.message)) return 'این نسخه از دستورالعمل پیش‌تر اعلام وصول شده است.';
      if (/already submitted/i.test(err.message)) return 'گزارش شما پیش‌تر ارسال شده و در انتظار بررسی فرمانداری است.';
      if (/waiting for a decision/i.test(err.message))
        return 'درخواست تمدید پیشین شما هنوز در انتظار تصمیم فرمانداری است.';
      if (/nothing is due/i.test(err.message)) return 'مهلتی برای تمدید باقی نیست؛ گزارش پیش‌تر ارسال شده است.';
      return 'این اقدام در وضعیت کنونی مجاز نیست.';
    case 'invalid':
      return 'برخی از بخش‌های فرم نادرست است.';
    case 'link-revoked':
      return 'این پیوند باطل شده است؛ از پیوند تازه‌ای که برایتان فرستاده شده استفاده کنید.';
    default:
      return 'این درخواست با وضعیت کنونی سازگار نیست.';
  }
}

/** The workflow's and the page's field messages (English, from `validateReport` and the state machine) in Persian. */
export function fieldMessage(message: string): string {
  const n = (s: string) => toPersianDigits(s);
  const table: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^is required$/, () => 'این بخش را پر کنید.'],
    [/^must be text$/, () => 'متن وارد کنید.'],
    [/^must have at most (\d+) characters$/, (m) => `حداکثر ${n(m[1])} نویسه مجاز است.`],
    [/^must be a number$/, () => 'یک عدد وارد کنید.'],
    [/^must be at least (.+)$/, (m) => `باید دست‌کم ${n(m[1])} باشد.`],
    [/^must be at most (.+)$/, (m) => `باید حداکثر ${n(m[1])} باشد.`],
    [/^must be yes or no$/, () => 'بله یا خیر را انتخاب کنید.'],
    [/^must be a date$/, () => 'یک تاریخ معتبر وارد کنید، مانند ۱۴۰۵/۰۹/۱۰.'],
    [/^must be one of the options$/, () => 'یکی از گزینه‌ها را انتخاب کنید.'],
    [/^must have at most (\d+) files$/, (m) => `حداکثر ${n(m[1])} فایل مجاز است.`],
    [/^must reference stored files$/, () => 'فایل نامعتبر است.'],
    [/^is not a field of this form$/, () => 'این بخش در فرم نیست.'],
    [/later than the current report deadline/, () => 'تاریخ درخواستی باید پس از مهلت کنونی ارسال گزارش باشد.'],
    [/^must be in the future$/, () => 'تاریخ باید در آینده باشد.'],
  ];
  for (const [pattern, say] of table) {
    const m = pattern.exec(message);
    if (m) return say(m);
  }
  return 'مقدار این بخش نادرست است.';
}

/** Field issues (paths like `values.stations`) as Persian messages keyed by the form's field names. */
export function fieldErrors(issues: readonly FieldIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.replace(/^values\./, '');
    out[key] ??= fieldMessage(issue.message);
  }
  return out;
}

/** An upload limit that multer enforced, said in Persian with the numbers. */
export function uploadLimitMessage(err: MulterError): string {
  switch (err.code) {
    case 'LIMIT_FILE_SIZE':
      return `حجم هر فایل باید حداکثر ${toPersianDigits(uploadLimits.fileSize / 1024 / 1024)} مگابایت باشد.`;
    case 'LIMIT_FILE_COUNT':
      return `حداکثر ${toPersianDigits(uploadLimits.files)} فایل در هر فرم پذیرفته می‌شود.`;
    case 'LIMIT_UNEXPECTED_FILE':
      return 'این فرم چنین فایلی نمی‌پذیرد.';
    default:
      return 'فرم بیش از اندازه بزرگ است.';
  }
}
