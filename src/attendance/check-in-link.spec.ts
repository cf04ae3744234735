import { randomUUID } from 'node:crypto';
import { checkInLinkPath, compactId, expandId, parseCheckInLink } from './check-in-link';

describe('check-in links', () => {
  const id = '5b1e6c2a-4f0d-4c4e-9a51-2f7d8c3b9e10';

  it('writes the session id in 22 characters and reads it back', () => {
    const compact = compactId(id);
    expect(compact).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(expandId(compact)).toBe(id);
    expect(checkInLinkPath(id, '042917')).toBe(`/c/${compact}/042917`);
    for (let i = 0; i < 50; i++) {
      const random = randomUUID();
      expect(expandId(compactId(random))).toBe(random);
    }
  });

  it('also reads a UUID written out, in either case', () => {
    expect(expandId(id.toUpperCase())).toBe(id);
  });

  it('refuses what is not an id or a code', () => {
    const compact = compactId(id);
    expect(expandId(`${compact}A`)).toBeUndefined();
    expect(expandId(compact.slice(1))).toBeUndefined();
    expect(expandId(`${compact.slice(0, 21)}.`)).toBeUndefined();
    // The same 16 bytes with the unused low bits set: not the canonical spelling.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const noncanonical = alphabet[alphabet.indexOf(compact.at(-1)!) + 1];
    expect(expandId(compact.slice(0, 21) + noncanonical)).toBeUndefined();
    expect(() => compactId('not-a-uuid')).toThrow(RangeError);
    expect(parseCheckInLink(compact, '04291')).toBeUndefined();
    expect(parseCheckInLink(compact, '0429170')).toBeUndefined();
    expect(parseCheckInLink(compact, '04291a')).toBeUndefined();
    expect(parseCheckInLink('x', '042917')).toBeUndefined();
    expect(parseCheckInLink(compact, '042917')).toEqual({ sessionId: id, code: '042917' });
  });
});
