import { log } from '@temporalio/activity';
import type { Contact, Unit } from '../domain/registry-schema';
import type { Registry } from '../domain/registry';
import type { MailRecipientRole, MailRequest } from '../workflows/unit-state';
import type { UnitPolicy } from '../workflows/types';
import { PermanentMailError, type Mailer } from './mailer';
import type { SentLedger } from './sent-ledger';

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
}

/** Everything a template needs to render one message. */
export interface MailContext {
  input: SendUnitMailInput;
  unit: Unit;
  recipient: Contact & { role: MailRecipientRole };
  /** The unit's signed reply link, for messages to the head; null for escalation contacts. */
  link: string | null;
  /** The directive document (title, body, attachments) of the unit's current version. */
  document: { title: string; body: string; attachments: { name: string; sha256: string; size: number }[] };
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
  loadDocument: (specRef: string) => Promise<MailContext['document']>;
  from: string;
  /** Right-hand side of Message-IDs, e.g. the mail domain of the office. */
  messageIdDomain: string;
  observer?: MailObserver;
  /** Messages already handed to the relay: a retried send returns what was recorded instead of sending again. */
  sentLedger?: SentLedger;
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
 * Sends one message about a unit. The recipient is read from the registry now, not when the directive was
 * issued. A permanent refusal is returned as `delivered: false` (not retried); a transient fault throws so
 * that Temporal retries with backoff, bounded by the caller's schedule-to-close timeout.
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
      return { delivered: false, messageId, recipient: null, error: `unit ${input.unitCode} is no longer in the registry` };
    }
    const role = input.request.to;
    const contact = role === 'head' ? unit.head : unit.escalation[role];
    const recipient = { role, name: contact.name, title: contact.title, email: contact.email };
    const link =
      role === 'head'
        ? deps.linkFor({ directiveId: input.policy.directiveId, unitCode: unit.code, generation: input.linkGeneration, reportBy: input.policy.reportBy })
        : null;
    const document = await deps.loadDocument(input.policy.specRef);
    const { subject, text, html } = deps.compose({ input, unit, recipient: { ...contact, role }, link, document, now: new Date() });
    try {
      await deps.mailer.send({
        messageId,
        from: deps.from,
        to: { name: contact.name, address: contact.email },
        subject,
        text,
        html,
        headers: { 'X-Farman-Directive': input.policy.directiveId, 'X-Farman-Unit': unit.code, 'X-Farman-Purpose': input.request.purpose },
      });
      deps.observer?.sent(outcome);
      const result: SendUnitMailResult = { delivered: true, messageId, recipient };
      deps.sentLedger?.put(messageId, result);
      return result;
    } catch (err) {
      if (err instanceof PermanentMailError) {
        deps.observer?.undeliverable(outcome);
        log.warn('mail refused permanently', { messageId, unit: unit.code, code: err.responseCode });
        const result: SendUnitMailResult = { delivered: false, messageId, recipient, error: err.message };
        deps.sentLedger?.put(messageId, result);
        return result;
      }
      throw err;
    }
  };
}
