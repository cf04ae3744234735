import { createHmac, timingSafeEqual } from 'node:crypto';

/** Codes rotate every 30 seconds (as TOTP, RFC 6238). */
export const STEP_SECONDS = 30;
export const CODE_DIGITS = 6;

export interface WindowRef {
  sessionId: string;
  /** When the window opened: part of the signed message, so a reopened window has new codes. */
  openedAt: Date;
}

export function stepOf(at: Date): number {
  return Math.floor(at.getTime() / 1000 / STEP_SECONDS);
}

/** When a step's code stops being the one shown (it is still accepted for one more step). */
export function stepEndsAt(step: number): Date {
  return new Date((step + 1) * STEP_SECONDS * 1000);
}

/**
 * The code of a window at a time step: HMAC-SHA256 of session, opening and step, cut to
 * six digits by RFC 4226's dynamic truncation. Nothing is stored: any process holding the
 * key derives the same code.
 */
export function codeAt(key: Buffer, w: WindowRef, step: number): string {
  const mac = createHmac('sha256', key).update(`${w.sessionId}:${w.openedAt.getTime()}:${step}`).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 10 ** CODE_DIGITS).padStart(CODE_DIGITS, '0');
}

/**
 * True when `code` is the window's code of the step at `at` or of the step before (a
 * trainee typing a code that rotated meanwhile). Steps before the window opened never match.
 */
export function verifyCode(key: Buffer, w: WindowRef, code: string, at: Date): boolean {
  const given = Buffer.from(code.padEnd(CODE_DIGITS, ' ').slice(0, 16));
  const now = stepOf(at);
  const first = stepOf(w.openedAt);
  let ok = false;
  for (const step of [now, now - 1]) {
    if (step < first) continue;
    const expected = Buffer.from(codeAt(key, w, step));
    // Compare every candidate in constant time; no early exit on a match.
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
