/** What a message to a unit's people is about; each kind has its Persian label and template. */
export type MailKind =
  | 'notice'
  | 'reminder'
  | 'escalation'
  | 'undeliverable'
  | 'amendment'
  | 'cancellation'
  | 'extension-decision'
  | 'deadline-extended'
  | 'report-returned'
  | 'report-accepted'
  | 'exempted';

/** What an SMSC's delivery receipt says became of a text message. */
export type SmsDeliveryState = 'delivered' | 'failed' | 'expired' | 'accepted' | 'unknown';
