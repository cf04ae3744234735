import { Matches } from 'class-validator';
import { messageKey } from './validation';

/**
 * Characters no text we store may hold: NUL and the other control characters (tab, line
 * feed and carriage return excepted), halves of a character (lone UTF-16 surrogates, which
 * PostgreSQL cannot store), and the invisible marks that reorder text
 * (bidirectional overrides, embeddings, isolates and marks), which can make a name read
 * as another on screen, in a spreadsheet or on a certificate.
 */
export const FORBIDDEN_TEXT_CHARACTER =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A name or title: one line, so also no tab, line feed or carriage return. */
export const SINGLE_LINE = /^[^\t\n\r]*$/;

/** True when `text` holds a character no stored text may hold (FORBIDDEN_TEXT_CHARACTER). */
export function hasForbiddenCharacter(text: string): boolean {
  return FORBIDDEN_TEXT_CHARACTER.test(text);
}

/** Names and titles are one line (the body parser already refuses control and direction characters). */
export const IsSingleLine = (options: { each?: boolean } = {}): PropertyDecorator =>
  Matches(SINGLE_LINE, { ...options, message: messageKey('SINGLE_LINE') });
