import { randomBytes } from 'node:crypto';

/**
 * Verification codes: 100 bits of randomness as 20 characters of Crockford's base32 (no I, L, O
 * or U, so nothing reads as another), printed in five groups of four (`7K3Q-M9XD-…`) so a person
 * can type it from paper. Stored without separators, upper case. Reading is forgiving: case,
 * spaces and dashes do not matter, and O, I and L are read as 0, 1 and 1.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 20;

/** A new code (uses the system's cryptographic source). */
export function newVerificationCode(): string {
  const bytes = randomBytes(13); // 104 bits, of which the first 100 are used
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  bits >>= 4n;
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) {
    code = ALPHABET[Number(bits & 31n)] + code;
    bits >>= 5n;
  }
  return code;
}

/** The code as printed: groups of four joined by dashes. */
export function formatVerificationCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}

/** A code as typed or scanned, in its stored form; null when it cannot be one. */
export function normaliseVerificationCode(input: string): string | null {
  const s = input.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== CODE_LENGTH) return null;
  for (const ch of s) if (!ALPHABET.includes(ch)) return null;
  return s;
}

/** The public path that verifies a code (what the QR code holds after PUBLIC_BASE_URL). */
export function verificationPath(code: string): string {
  return `/api/certificates/verify/${formatVerificationCode(code)}`;
}
