import { csrfToken, csrfValid, formBinding, randomToken, RANDOM_TOKEN, sessionBinding } from './csrf';

describe('form tokens', () => {
  const key = Buffer.alloc(32, 1);

  it('accepts the token of its binding only', () => {
    const token = csrfToken(key, sessionBinding('a'));
    expect(csrfValid(key, sessionBinding('a'), token)).toBe(true);
    expect(csrfValid(key, sessionBinding('b'), token)).toBe(false);
    expect(csrfValid(key, formBinding('a'), token)).toBe(false);
    expect(csrfValid(Buffer.alloc(32, 2), sessionBinding('a'), token)).toBe(false);
  });

  it('refuses what is missing, not text, or the wrong length', () => {
    const token = csrfToken(key, sessionBinding('a'));
    for (const given of [undefined, null, '', 42, [token], token.slice(1), `${token}x`, 'x'.repeat(1000)]) {
      expect(csrfValid(key, sessionBinding('a'), given)).toBe(false);
    }
  });

  it('makes random values of 32 bytes', () => {
    const a = randomToken();
    expect(a).toMatch(RANDOM_TOKEN);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(randomToken()).not.toBe(a);
  });
});
