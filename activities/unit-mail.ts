import { log } from '@temporalio/activity';
import { channelsOf, type Channel, type Contact, type Unit } from '../domain/registry-schema';
import type { Registry } from '../domain/registry';
import type { MailChannelRecord, MailRecipientRole, MailRequest } from '../workflows/unit-state';
import type { UnitPolicy } from '../workflows/types';
import { PermanentMailError, type Mailer } from './mailer';
import type { SentLedger } from './sent-ledger';
import { sendUnitSms, type UnitSmsDeps } from './sms/unit-sms';

/** What the unit workflow asks for: one message about one unit, identified by its purpose. */
export interface SendUnitMailInput {
  workflowId: string;
  unitCode: string;
  policy: UnitPolicy;
  linkGeneration: number;
  request: MailRequest;
}

/** What is recorded in the unit's history: who it went to (as the registry said at send time) and how. */
export interface SendUnitMailResult {
  delivered: boolean;
  messageId: string;
  recipient: { role: MailRecipientRole; name: string; title: string; email: string } | null;
  error?: string;
  /**
   * What each channel did, when the message went by SMS as well or instead (absent for e-mail alone, as
   * before SMS, so those results are recorded exactly as they were).
   */
  channels?: ChannelOutcome[];
}

/** What one channel did with a unit's message, as recorded in its history. */
export type ChannelOutcome = MailChannelRecord;

/** Everything a template needs to render one message. */
export interface MailContext {
  input: SendUnitMailInput;
  unit: Unit;
  recipient: Contact & { role: MailRecipientRole };
  /** The unit's signed reply link, for messages to the head; null for escalation contacts. */
  link: string | null;
  /** The unit's inbox (every open directive), for messages to the head; null for escalation contacts or when not wired. */
  inboxLink?: string | null;
  /** The directive document (title, body, attachments) of the unit's current version. */
  document: {
    title: string;
    body: string;
    attachments: { name: string; sha256: string; size: number }[];
    /** The directive asks that urgent and immediate messages go by SMS too, to everyone with a mobile. */
    smsForUrgent?: boolean;
  };
  now: Date;
}

export type ComposeMail = (ctx: MailContext) => { subject: string; text: string; html: string };

/** Told the outcome of each send, for metrics (worker/metrics.ts). Must not throw. */
export interface MailObserver {
  /** The relay accepted the message. */
  sent(mail: { kind: string; to: MailRecipientRole }): void;
  /** The message was refused for good, or had no recipient (`delivered: false`). */
  undeliverable(mail: { kind: string; to: MailRecipientRole }): void;
}

export interface UnitMailDeps {
  registry: () => Registry;
  mailer: Mailer;
  compose: ComposeMail;
  /** Mints the unit's signed reply link (the token is made here, never in workflow code). */
  linkFor: (args: { directiveId: string; unitCode: string; generation: number; reportBy: string }) => string;
  /** Mints the unit's signed inbox link (`/k/<token>`), with the unit's current inbox generation. */
  inboxLinkFor?: (args: { unitCode: string; reportBy: string }) => Promise<string>;
  loadDocument: (specRef: string) => Promise<MailContext['document']>;
  from: string;
  /** Right-hand side of Message-IDs, e.g. the mail domain of the office. */
  messageIdDomain: string;
  observer?: MailObserver;
  /** Messages already handed to the relay: a retried send returns what was recorded instead of sending again. */
  sentLedger?: SentLedger;
  /** The SMS channel; unset, every message goes by e-mail whatever the registry's channels say. */
  sms?: UnitSmsDeps;
}

/**
 * The Message-ID of a unit's message: the workflow ID and the purpose, so a retried activity (or a replayed
 * workflow) produces the same ID and a receiving system can drop the duplicate. `:` is not allowed in a
 * Message-ID's local part, so it becomes `=`.
 */
export function unitMessageId(workflowId: string, purpose: string, domain: string): string {
  return `<${purpose}.${workflowId.replace(/:/g, '=')}@${domain}>`;
}

/**
 * The channels a message goes on first: the person's (e-mail when the registry names none), plus SMS when the
 * directive asks for it at urgent and immediate priorities; SMS only with a mobile and an SMS channel set up.
 */
export function channelsFor(
  contact: Contact,
  priority: string,
  smsForUrgent: boolean,
  smsAvailable: boolean,
): Set<Channel> {
  const wanted = new Set(channelsOf(contact));
  if (smsForUrgent && (priority === 'urgent' || priority === 'immediate')) wanted.add('sms');
  if (!smsAvailable || !contact.mobile) wanted.delete('sms');
  if (wanted.size === 0) wanted.add('email');
  return wanted;
}

/**
 * Sends one message about a unit, on the recipient's channels. The recipient is read from the registry now,
 * not when the directive was issued. A channel's permanent refusal is a result, not an error: when every
 * channel the person has was refused, the message falls back to the other channel (e-mail after a refused
 * SMS, SMS to the registry's mobile after a bounced e-mail), and only when that fails too is it
 * `delivered: false`, which the workflow escalates as undeliverable. A transient fault throws so that
 * Temporal retries with backoff; the ledgers make the retry skip what an earlier attempt already sent.
 */
export function createSendUnitMail(deps: UnitMailDeps) {
  return async function sendUnitMail(input: SendUnitMailInput): Promise<SendUnitMailResult> {
    const messageId = unitMessageId(input.workflowId, input.request.purpose, deps.messageIdDomain);
    const recorded = deps.sentLedger?.get(messageId);
    if (recorded) {
      log.info('message already handed to the relay by an earlier attempt; not sent again', { messageId });
      return recorded;
    }
    const unit = deps.registry().get(input.unitCode);
    const outcome = { kind: input.request.kind, to: input.request.to };
    if (!unit) {
      deps.observer?.undeliverable(outcome);
      return {
        delivered: false,
        messageId,
        recipient: null,
        error: `unit ${input.unitCode} is no longer in the registry`,
      };
    }
    const role = input.request.to;
    const contact = role === 'head' ? unit.head : unit.escalation[role];
    const recipient = { role, name: contact.name, title: contact.title, email: contact.email };
    const document = await deps.loadDocument(input.policy.specRef);
    const ctx = { input, unit, recipient: { ...contact, role } };
    const wanted = channelsFor(contact, input.policy.priority, document.smsForUrgent === true, deps.sms !== undefined);
    const smsDeps = deps.sms;
    const mobile = contact.mobile;

    const byEmail = async (fallback: boolean): Promise<ChannelOutcome> => {
      const done = deps.sentLedger?.get(`email:${messageId}`);
      if (done) return emailOutcome(done, contact.email, fallback);
      const link =
        role === 'head'
          ? deps.linkFor({
              directiveId: input.policy.directiveId,
              unitCode: unit.code,
              generation: input.linkGeneration,
              reportBy: input.policy.reportBy,
            })
          : null;
      const inboxLink =
        role === 'head' && deps.inboxLinkFor
          ? await deps.inboxLinkFor({ unitCode: unit.code, reportBy: input.policy.reportBy })
          : null;
      const { subject, text, html } = deps.compose({ ...ctx, link, inboxLink, document, now: new Date() });
      let result: SendUnitMailResult;
      try {
        await deps.mailer.send({
          messageId,
          from: deps.from,
          to: { name: contact.name, address: contact.email },
          subject,
          text,
          html,
          headers: {
            'X-Farman-Directive': input.policy.directiveId,
            'X-Farman-Unit': unit.code,
            'X-Farman-Purpose': input.request.purpose,
          },
        });
        result = { delivered: true, messageId, recipient };
      } catch (err) {
        if (!(err instanceof PermanentMailError)) throw err;
        log.warn('mail refused permanently', { messageId, unit: unit.code, code: err.responseCode });
        result = { delivered: false, messageId, recipient, error: err.message };
      }
      // Recorded per channel only when another channel follows, whose transient failure would retry this one.
      if (wanted.has('sms') || fallback) deps.sentLedger?.put(`email:${messageId}`, result);
      return emailOutcome(result, contact.email, fallback);
    };
    const bySms = (fallback: boolean) => sendUnitSms(smsDeps!, ctx, mobile!, fallback);

    const outcomes: ChannelOutcome[] = [];
    if (wanted.has('email')) outcomes.push(await byEmail(false));
    if (wanted.has('sms')) outcomes.push(await bySms(false));
    if (!outcomes.some((o) => o.delivered)) {
      if (!wanted.has('email')) outcomes.push(await byEmail(true));
      else if (!wanted.has('sms') && smsDeps && mobile) outcomes.push(await bySms(true));
    }
    const delivered = outcomes.some((o) => o.delivered);
    if (delivered) deps.observer?.sent(outcome);
    else deps.observer?.undeliverable(outcome);
    const errors = outcomes.flatMap((o) => (o.error ? [o.error] : []));
    const result: SendUnitMailResult = {
      delivered,
      messageId,
      recipient,
      ...(!delivered && errors.length > 0 ? { error: errors.join('; ') } : {}),
      ...(outcomes.length === 1 && outcomes[0].channel === 'email' ? {} : { channels: outcomes }),
    };
    deps.sentLedger?.put(messageId, result);
    return result;
  };
}

function emailOutcome(result: SendUnitMailResult, to: string, fallback: boolean): ChannelOutcome {
  return {
    channel: 'email',
    delivered: result.delivered,
    to,
    reference: result.messageId,
    ...(result.error ? { error: result.error } : {}),
    ...(fallback ? { fallback } : {}),
  };
}
