import { formatJalaliDate, formatJalaliDateTime } from '../../lib/jalali';
import { mailKindLabels } from '../../domain/persian-labels';
import type { MailContext } from '../unit-mail';
import { splitSms } from './sms-text';

/** What an SMS template needs: the mail's context and the unit's short link (null for escalation contacts). */
export type SmsContext = Pick<MailContext, 'input' | 'unit' | 'recipient'> & { shortLink: string | null };

export type ComposeSms = (ctx: SmsContext) => string;

/** The deadline a message is about: the detail's own (a reminder, an escalation) or the report's. */
function dueOf(ctx: SmsContext): { due: string; what: string } {
  const { request, policy } = ctx.input;
  const acknowledge = request.details.obligation === 'acknowledge';
  const given = request.details.deadline;
  const due = typeof given === 'string' && given ? given : acknowledge ? policy.acknowledgeBy : policy.reportBy;
  return { due, what: acknowledge ? 'اعلام وصول' : 'گزارش' };
}

/**
 * The candidates for one message, the fullest first. Each names the unit, what is due and by when (Jalali),
 * and ends with the short link when there is one; the shorter ones drop the directive's title, then the
 * time of day, then the office's name, and the last the link's scheme.
 */
function candidates(ctx: SmsContext): string[] {
  const full = wordings(ctx, ctx.shortLink);
  // Last resort before a second part: the link without `https://`. Phones make a link of a bare host name,
  // and the scheme is 8 of a Persian part's 70 characters.
  const bare = ctx.shortLink?.startsWith('https://')
    ? wordings(ctx, ctx.shortLink.slice('https://'.length)).slice(-1)
    : [];
  return [...full, ...bare];
}

function wordings(ctx: SmsContext, shortLink: string | null): string[] {
  const { request, policy } = ctx.input;
  const unit = ctx.unit.name;
  const title = `«${policy.title}»`;
  const link = shortLink ? ` ${shortLink}` : '';
  const { due, what } = dueOf(ctx);
  const when = [formatJalaliDateTime(due), formatJalaliDate(due)];
  switch (request.kind) {
    case 'notice':
      return [
        ...when.map((w) => `فرمانداری: دستورالعمل ${title} برای ${unit}؛ اعلام وصول و گزارش تا ${w}${link}`),
        ...when.map((w) => `${unit}: دستورالعمل تازه؛ گزارش تا ${w}${link}`),
        `${unit}: گزارش تا ${when[1]}${link}`,
      ];
    case 'reminder':
      return [
        ...when.map((w) => `یادآوری فرمانداری: ${what} ${unit} برای دستورالعمل ${title} تا ${w}${link}`),
        ...when.map((w) => `یادآوری: ${what} ${unit} تا ${w}${link}`),
        `${unit}: ${what} تا ${when[1]}${link}`,
      ];
    case 'escalation':
      return [
        ...when.map((w) => `پیگیری: ${unit} ${what} دستورالعمل ${title} را تا ${w} انجام نداده است${link}`),
        ...when.map((w) => `پیگیری: ${unit} ${what} را تا ${w} نفرستاده${link}`),
      ];
    default:
      return [
        `${mailKindLabels[request.kind]}: ${title} برای ${unit}${link}`,
        `${mailKindLabels[request.kind]}، ${unit}${link}`,
      ];
  }
}

/**
 * The SMS text of a unit's message (notice, reminder, escalation, and a short line for the other kinds):
 * the fullest wording in the fewest parts, so one part wherever any wording fits one. A unit whose name alone
 * passes a part's length is sent in concatenated parts (an operator is paid per part, so fewer is better).
 */
export const composeUnitSms: ComposeSms = (ctx) => {
  const options = candidates(ctx);
  let best = options[0];
  let bestParts = Infinity;
  for (const text of options) {
    const parts = splitSms(text).parts.length;
    if (parts < bestParts) [best, bestParts] = [text, parts];
  }
  return best;
};
