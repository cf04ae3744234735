import {
  CODE_LENGTH,
  formatVerificationCode,
  newVerificationCode,
  normaliseVerificationCode,
  verificationPath,
} from './verification-code';

describe('verification codes', () => {
  it('are 20 characters of Crockford base32, different every time', () => {
    const codes = new Set(Array.from({ length: 2000 }, () => newVerificationCode()));
    expect(codes.size).toBe(2000);
    for (const c of codes) expect(c).toMatch(/^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{20}$/);
    expect(CODE_LENGTH * 5).toBeGreaterThanOrEqual(80);
  });

  it('use every symbol of the alphabet in every position over many codes (no stuck bits)', () => {
    const seen = Array.from({ length: CODE_LENGTH }, () => new Set<string>());
    for (let i = 0; i < 3000; i++) [...newVerificationCode()].forEach((ch, k) => seen[k].add(ch));
    expect(seen.every((s) => s.size === 32)).toBe(true);
  });

  it('print in groups of four and read back however they are typed', () => {
    const code = '7K3QM9XD0A1BZZ22PQRS';
    expect(formatVerificationCode(code)).toBe('7K3Q-M9XD-0A1B-ZZ22-PQRS');
    expect(normaliseVerificationCode('7k3q-m9xd-oa1b-zz22-pqrs')).toBe(code);
    expect(normaliseVerificationCode(' 7K3Q M9XD 0AlB ZZ22 PQRS ')).toBe(code);
    expect(normaliseVerificationCode('７Ｋ３Ｑ-M9XD-0A1B-ZZ22-PQRS')).toBe(code);
    expect(verificationPath(code)).toBe('/api/certificates/verify/7K3Q-M9XD-0A1B-ZZ22-PQRS');
  });

  it('refuse what cannot be a code', () => {
    for (const bad of ['', '7K3Q-M9XD', '7K3QM9XD0A1BZZ22PQRSX', '7K3QM9XD0A1BZZ22PQR!', '7K3QM9XD0A1BZZ22PQRU']) {
      expect(normaliseVerificationCode(bad)).toBeNull();
    }
  });
});
