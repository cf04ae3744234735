import { CODE_DIGITS } from './check-in-codes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COMPACT = /^[A-Za-z0-9_-]{22}$/;
const CODE = new RegExp(`^\\d{${CODE_DIGITS}}$`);

/** A UUID as its 16 bytes in base64url: 22 characters instead of 36, so the QR code stays coarse. */
export function compactId(uuid: string): string {
  if (!UUID.test(uuid)) throw new RangeError(`Not a UUID: ${uuid}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
}

/** The UUID a compact id (or a UUID written out) stands for; undefined for anything else. */
export function expandId(text: string): string | undefined {
  if (UUID.test(text)) return text.toLowerCase();
  if (!COMPACT.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // 22 characters carry 132 bits: the last 4 must be zero, or two texts would name one id.
  if (bytes.length !== 16 || bytes.toString('base64url') !== text) return undefined;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The path a check-in QR code opens: `/c/<session id, compact>/<code>`. Served by the pages
 * (src/web/), which show a one-tap confirmation, after signing in if needed.
 */
export function checkInLinkPath(sessionId: string, code: string): string {
  return `/c/${compactId(sessionId)}/${code}`;
}

/** The session and code of a check-in link's two parts; undefined when either is malformed. */
export function parseCheckInLink(id: string, code: string): { sessionId: string; code: string } | undefined {
  const sessionId = expandId(id);
  return sessionId && CODE.test(code) ? { sessionId, code } : undefined;
}
