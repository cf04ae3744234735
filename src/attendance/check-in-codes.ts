import { createHmac, timingSafeEqual } from 'node:crypto';

/** Codes rotate every 30 seconds (the TOTP time step, RFC 6238). */
export const STEP_SECONDS = 30;
export const CODE_DIGITS = 6;
/** Steps a typed code is accepted for: its own and the next (a code that rotated while being typed). */
export const TYPED_CODE_STEPS = 2;
/**
 * Steps a code reached through the QR code's link is accepted for: five minutes, so that a
 * trainee who scans it and must first sign in on the phone (slowly, for many) still gets in
 * with one tap. Still only while the window is open, and never from before it opened.
 */
export const LINK_CODE_STEPS = 10;

/** The HMACs RFC 6238 names; RFC 4226 (HOTP) itself uses SHA-1. */
export type OtpAlgorithm = 'sha1' | 'sha256' | 'sha512';

/**
 * Check-in codes use SHA-256: nothing needs them to agree with an authenticator app, so
 * there is no reason to keep SHA-1.
 */
const CODE_ALGORITHM: OtpAlgorithm = 'sha256';

/**
 * HOTP (RFC 4226): the HMAC of the 8-byte big-endian counter, cut to `digits` decimal
 * digits by dynamic truncation (section 5.3).
 */
export function hotp(secret: Buffer, counter: number, digits = 6, algorithm: OtpAlgorithm = 'sha1'): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError(`HOTP counter must be >= 0 (${counter})`);
  // 31 bits give at most 10 digits; RFC 4226 asks for at least 6.
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) throw new RangeError(`HOTP digits: 6 to 10 (${digits})`);
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 10 ** digits).padStart(digits, '0');
}

/** The TOTP time step of an instant (RFC 6238, T0 = 0): floor(unix seconds / 30). */
export function stepOf(at: Date): number {
  return Math.floor(at.getTime() / (STEP_SECONDS * 1000));
}

/** When a step's code stops being the one shown (it is still accepted for one more step). */
export function stepEndsAt(step: number): Date {
  return new Date((step + 1) * STEP_SECONDS * 1000);
}

/** TOTP (RFC 6238): HOTP with the time step of `at` as counter. */
export function totp(secret: Buffer, at: Date, digits = 6, algorithm: OtpAlgorithm = 'sha1'): string {
  return hotp(secret, stepOf(at), digits, algorithm);
}

export interface WindowRef {
  sessionId: string;
  /** When the window opened: part of the window's key, so a reopened window has new codes. */
  openedAt: Date;
}

/** A window's own HOTP key: HMAC-SHA256(server key, `${sessionId}:${openedAt in ms}`). */
export function windowKey(key: Buffer, w: WindowRef): Buffer {
  return createHmac('sha256', key).update(`${w.sessionId}:${w.openedAt.getTime()}`).digest();
}

/**
 * The code of a window at a time step: HOTP with the window's key and the step as counter
 * (TOTP of the window's key, in effect). Nothing is stored: any process holding the server
 * key derives the same code.
 */
export function codeAt(key: Buffer, w: WindowRef, step: number): string {
  return hotp(windowKey(key, w), step, CODE_DIGITS, CODE_ALGORITHM);
}

/**
 * True when `code` is the window's code of the step at `at` or of one of the `steps - 1`
 * steps before (by default the step before: a trainee typing a code that rotated
 * meanwhile). Steps before the window opened never match.
 */
export function verifyCode(key: Buffer, w: WindowRef, code: string, at: Date, steps = TYPED_CODE_STEPS): boolean {
  const given = Buffer.from(code.padEnd(CODE_DIGITS, ' ').slice(0, 16));
  const secret = windowKey(key, w);
  const now = stepOf(at);
  const first = stepOf(w.openedAt);
  let ok = false;
  for (let step = now; step > now - steps; step--) {
    if (step < first) continue;
    const expected = Buffer.from(hotp(secret, step, CODE_DIGITS, CODE_ALGORITHM));
    // Compare every candidate in constant time; no early exit on a match.
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
