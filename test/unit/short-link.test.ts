import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseSigningKeys } from '../../lib/link-token';
import { shortCodePattern, shortLinkCode, ShortLinkStore } from '../../lib/short-link';

const keys = parseSigningKeys('k1:0123456789abcdef0123456789abcdef,k0:fedcba9876543210fedcba9876543210');
const target = { directiveId: '1405-000123', unitCode: 'THR-TEH-MRK', generation: 1 };

describe('SMS short codes', () => {
  test('When the same unit link is shortened twice, then the code is the same 11 characters (66 bits)', () => {
    const code = shortLinkCode(keys, target);
    expect(code).toMatch(shortCodePattern);
    expect(shortLinkCode(keys, { ...target })).toBe(code);
  });

  test('When the generation, unit, directive or key differs, then the code differs', () => {
    const code = shortLinkCode(keys, target);
    expect(shortLinkCode(keys, { ...target, generation: 2 })).not.toBe(code);
    expect(shortLinkCode(keys, { ...target, unitCode: 'THR-TEH-KAN' })).not.toBe(code);
    expect(shortLinkCode(keys, { ...target, directiveId: '1405-000124' })).not.toBe(code);
    expect(shortLinkCode(parseSigningKeys('k2:another-secret-of-32-characters-x'), target)).not.toBe(code);
  });

  test('When a code is stored, then it resolves to its token; malformed and unknown codes resolve to nothing', () => {
    const store = new ShortLinkStore(mkdtempSync(path.join(tmpdir(), 'farman-short-')));
    const code = shortLinkCode(keys, target);
    store.put(code, 'v1.k1.payload.mac');
    store.put(code, 'v1.k1.payload.mac');
    expect(store.get(code)).toBe('v1.k1.payload.mac');
    expect(store.get('AAAAAAAAAAA')).toBeNull();
    expect(store.get('../../etc/pa')).toBeNull();
    expect(store.get(`${code}x`)).toBeNull();
    expect(() => store.put('../x', 't')).toThrow();
  });
});
