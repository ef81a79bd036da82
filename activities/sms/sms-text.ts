/**
 * How a text becomes SMS parts. Persian needs UCS-2 (data_coding 8): 70 UTF-16 units in a single message,
 * 67 per part once a concatenation header (UDH, 6 bytes of the 140) rides in each part. Text that is all
 * GSM 03.38 (plain Latin) goes as GSM-7: 160 septets alone, 153 per part; the extension characters
 * (`{ } [ ] ~ \ | ^ €`) take two septets each.
 */

export type SmsEncoding = 'gsm7' | 'ucs2';

/** SMPP data_coding for each encoding: 0 is the SMSC's default alphabet, GSM 03.38 on every GSM network. */
export const dataCodingOf: Record<SmsEncoding, number> = { gsm7: 0x00, ucs2: 0x08 };

/** Characters per part: alone, and with a concatenation header. */
export const partLimits: Record<SmsEncoding, { single: number; concatenated: number }> = {
  gsm7: { single: 160, concatenated: 153 },
  ucs2: { single: 70, concatenated: 67 },
};

/** The most parts Farman sends for one message; handsets and SMSCs commonly stop at 6 to 10. */
export const maxParts = 6;

const gsmBasic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const gsmExtension = '^{}\\[~]|€';

/** Septets a character takes in GSM-7, or null when GSM-7 cannot carry it. */
function septets(ch: string): 1 | 2 | null {
  if (gsmBasic.includes(ch)) return 1;
  if (gsmExtension.includes(ch)) return 2;
  return null;
}

/** The encoding a text needs: GSM-7 when every character is in GSM 03.38, UCS-2 otherwise. */
export function encodingOf(text: string): SmsEncoding {
  for (const ch of text) if (septets(ch) === null) return 'ucs2';
  return 'gsm7';
}

/** The length of a text in its encoding's units: septets for GSM-7, UTF-16 code units for UCS-2. */
export function smsLength(text: string, encoding = encodingOf(text)): number {
  if (encoding === 'ucs2') return text.length;
  let n = 0;
  for (const ch of text) n += septets(ch) ?? 1;
  return n;
}

/** A text cut into the parts it is sent as. */
export interface SmsParts {
  encoding: SmsEncoding;
  /** One string per part, in order; joined they give the text back. */
  parts: string[];
}

/**
 * Cuts a text into parts: one when it fits a single message, otherwise parts that each fit beside a
 * concatenation header. A cut never splits a surrogate pair (UCS-2) or an escape sequence (GSM-7), and
 * falls on a space when there is one in the last fifth of the part, so a word is not broken across parts
 * (phones join the parts anyway; a phone that shows them apart shows whole words).
 */
export function splitSms(text: string): SmsParts {
  const encoding = encodingOf(text);
  const { single, concatenated } = partLimits[encoding];
  if (smsLength(text, encoding) <= single) return { encoding, parts: [text] };
  const chars = [...text];
  const parts: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let used = 0;
    let end = start;
    while (end < chars.length) {
      const cost = encoding === 'ucs2' ? chars[end].length : (septets(chars[end]) ?? 1);
      if (used + cost > concatenated) break;
      used += cost;
      end += 1;
    }
    if (end < chars.length) {
      const space = chars.lastIndexOf(' ', end - 1);
      if (space >= start && end - space <= Math.ceil(concatenated / 5)) end = space + 1;
    }
    parts.push(chars.slice(start, end).join(''));
    start = end;
  }
  return { encoding, parts };
}

/**
 * The 6-byte concatenation UDH of one part (IEI 0x00: 8-bit reference): length 5, IEI, IE length 3, the
 * reference shared by the parts of one message, the number of parts, and this part's number from 1.
 */
export function concatenationUdh(reference: number, total: number, sequence: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, sequence]);
}
