import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Form tokens against cross-site requests. Every form of the pages carries one in a hidden
 * `_csrf` field (or a script sends it as `X-CSRF-Token`), and a POST without the right one is
 * refused. A token is an HMAC under the server key of what it is bound to:
 * - `session:<id>` for a signed-in browser: the same for the session's whole life, so any
 *   open tab's form works, and useless to anyone without the session;
 * - `form:<random>` before signing in (the login form): the random value lives in a
 *   short-lived HttpOnly cookie of its own, so another site can neither read it nor, lacking
 *   the server key, make the matching token.
 */
export function csrfToken(key: Buffer, binding: string): string {
  return createHmac('sha256', key).update(binding).digest('base64url');
}

/** Whether `given` is the token for `binding`, compared in constant time. */
export function csrfValid(key: Buffer, binding: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length > 100) return false;
  const expected = Buffer.from(csrfToken(key, binding));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export const sessionBinding = (sessionId: string): string => `session:${sessionId}`;
export const formBinding = (cookieValue: string): string => `form:${cookieValue}`;

/** A fresh random value for the pre-session form cookie (and for session tokens): 32 bytes, base64url. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What a cookie made by randomToken() looks like: anything else is not ours. */
export const RANDOM_TOKEN = /^[A-Za-z0-9_-]{43}$/;
