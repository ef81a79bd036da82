import { log } from '@temporalio/activity';
import type { ChannelOutcome, MailContext } from '../unit-mail';
import type { ComposeSms } from './compose-sms';
import { PermanentSmsError, type SmsSender } from './smpp-client';
import type { SmsLedger } from './sms-ledger';

export interface UnitSmsDeps {
  sender: SmsSender;
  compose: ComposeSms;
  /** Mints the unit's short link (`/s/<code>`) for its current link generation, storing what it stands for. */
  shortLinkFor: (args: { directiveId: string; unitCode: string; generation: number; reportBy: string }) => string;
  ledger?: SmsLedger;
}

/**
 * The reference of a unit's text message: the workflow ID and the purpose, as the mail's Message-ID, so a
 * retried activity or a replayed workflow sends the same message and the ledger recognises it.
 */
export function smsReference(workflowId: string, purpose: string): string {
  return `sms.${purpose}.${workflowId}`;
}

/**
 * Texts one unit message to a mobile. Returns the outcome (accepted by the SMSC, or refused for good); a
 * transient fault (the SMSC unreachable or throttling past the retries) throws so that Temporal retries, and
 * the retry sends only the parts the SMSC has not yet accepted.
 */
export async function sendUnitSms(
  deps: UnitSmsDeps,
  ctx: Pick<MailContext, 'input' | 'unit' | 'recipient'>,
  mobile: string,
  fallback: boolean,
): Promise<ChannelOutcome> {
  const { input } = ctx;
  const reference = smsReference(input.workflowId, input.request.purpose);
  const recorded = deps.ledger?.outcome(reference);
  if (recorded) return recorded;
  const shortLink =
    ctx.recipient.role === 'head'
      ? deps.shortLinkFor({
          directiveId: input.policy.directiveId,
          unitCode: ctx.unit.code,
          generation: input.linkGeneration,
          reportBy: input.policy.reportBy,
        })
      : null;
  const text = deps.compose({ ...ctx, shortLink });
  let outcome: ChannelOutcome;
  try {
    const sent = await deps.sender.send(
      { reference, to: mobile, text },
      {
        sentParts: deps.ledger?.sentParts(reference),
        onPart: (index, smscId) =>
          deps.ledger?.putPart({
            smscId,
            reference,
            index,
            workflowId: input.workflowId,
            purpose: input.request.purpose,
          }),
      },
    );
    outcome = {
      channel: 'sms',
      delivered: true,
      to: mobile,
      reference,
      parts: sent.smscIds.length,
      smscIds: sent.smscIds,
      ...(fallback ? { fallback } : {}),
    };
  } catch (err) {
    if (!(err instanceof PermanentSmsError)) throw err;
    log.warn('SMS refused permanently', { reference, unit: ctx.unit.code, status: err.commandStatus });
    outcome = {
      channel: 'sms',
      delivered: false,
      to: mobile,
      reference,
      error: err.message,
      ...(fallback ? { fallback } : {}),
    };
  }
  deps.ledger?.putOutcome(reference, outcome);
  return outcome;
}
