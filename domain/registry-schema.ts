import { z } from 'zod';
import { persianText } from '../lib/persian-text';
import { mobileNumberSchema } from './mobile-number';

/**
 * The registry of organisational units: province → county governorate → district office, plus executive
 * agencies under a county. A recipient is an office (a position), not a person: the head's name and e-mail
 * are read from here at the moment a notice is sent, and the record keeps who it was.
 */

export const unitKinds = ['province', 'county', 'district', 'agency'] as const;
export const unitKindSchema = z.enum(unitKinds);
export type UnitKind = z.infer<typeof unitKindSchema>;

/** Units of these kinds receive directives; provinces and counties are the hierarchy above them. */
export const recipientKinds: readonly UnitKind[] = ['district', 'agency'];

export const unitCodeSchema = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9-]{1,39}$/, 'unit codes are 2-40 upper-case letters, digits and dashes');

/** How a person is told that something is waiting: by e-mail, by SMS (پیامک), or both. */
export const channels = ['email', 'sms'] as const;
export const channelSchema = z.enum(channels);
export type Channel = z.infer<typeof channelSchema>;

export const contactSchema = z
  .object({
    /** The office title, e.g. «بخشدار مرکزی» or «معاون فرماندار». */
    title: persianText(1, 200),
    name: persianText(1, 200),
    email: z.email(),
    /** An Iranian mobile number in any usual written form; stored as E.164 (`+989123456789`). */
    mobile: mobileNumberSchema.optional(),
    /** The channels this person is told on; absent means e-mail only (see `channelsOf`). */
    channels: z
      .array(channelSchema)
      .min(1, 'must name at least one channel')
      .refine((list) => new Set(list).size === list.length, 'must not repeat a channel')
      .optional(),
  })
  .refine((c) => !c.channels?.includes('sms') || c.mobile !== undefined, {
    message: 'a contact told by SMS needs a mobile number',
    path: ['mobile'],
  });
export type Contact = z.infer<typeof contactSchema>;

/** The channels a contact is told on, e-mail when the registry names none. */
export function channelsOf(contact: Pick<Contact, 'channels'>): readonly Channel[] {
  return contact.channels ?? ['email'];
}

export const escalationContactsSchema = z.object({
  deputy: contactSchema,
  governor: contactSchema,
});
export type EscalationContacts = z.infer<typeof escalationContactsSchema>;

export const unitEntrySchema = z.object({
  code: unitCodeSchema,
  name: persianText(1, 200),
  kind: unitKindSchema,
  /** Code of the unit above; absent only for a province. */
  parent: unitCodeSchema.optional(),
  head: contactSchema,
  /** Escalation contacts; when absent they are inherited from the nearest ancestor that has them. */
  escalation: escalationContactsSchema.optional(),
});
export type UnitEntry = z.infer<typeof unitEntrySchema>;

export const registryFileSchema = z.object({
  /** Free text saying where the data comes from, e.g. "sample data". */
  source: z.string().max(500).optional(),
  units: z.array(unitEntrySchema).min(1),
});
export type RegistryFile = z.infer<typeof registryFileSchema>;

/** A unit with its escalation contacts resolved through the hierarchy. */
export type Unit = UnitEntry & { escalation: EscalationContacts; county?: string };
