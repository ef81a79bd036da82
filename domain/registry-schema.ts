import { z } from 'zod';
import { persianText } from '../lib/persian-text';

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

export const contactSchema = z.object({
  /** The office title, e.g. «بخشدار مرکزی» or «معاون فرماندار». */
  title: persianText(1, 200),
  name: persianText(1, 200),
  email: z.email(),
});
export type Contact = z.infer<typeof contactSchema>;

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
