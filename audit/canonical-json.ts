import { createHash } from 'node:crypto';

/**
 * The canonical JSON of a plain value: object keys sorted, no whitespace, `undefined` members dropped, as
 * `JSON.stringify` writes strings and numbers. Two equal values always give the same text, so a hash over it
 * identifies the value and not the way it happened to be written. Only plain data (objects, arrays,
 * strings, finite numbers, booleans, null) is accepted; anything else throws, because it would not survive a
 * round trip through a JSON file.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot canonicalise the number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`cannot canonicalise a value of type ${typeof value}`);
}

/** Lower-case hex SHA-256 of a string (as UTF-8) or of bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
