/**
 * What kind of failure a domain error is. The one exception filter maps kinds to
 * HTTP statuses; services never throw HttpException.
 */
export type ErrorKind =
  | 'invalid' // 400
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'payload_too_large' // 413
  | 'unsupported_media_type' // 415
  | 'unprocessable' // 422
  | 'too_many_requests' // 429
  | 'unavailable'; // 503

export const ERROR_KIND_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  unavailable: 503,
};

/** A value a message quotes: Dates are shown in the centre's local time, arrays as a list. */
export type MessageArg = string | number | Date | readonly (string | number)[] | null | undefined;

export interface DomainErrorOptions {
  /** The message's key in the `errors` translations (src/common/i18n/locales); the code when left out. */
  key?: string;
  /** Values the message quotes, by name (`{name}` in the translation). */
  args?: Record<string, MessageArg>;
  /** Extra, client-safe fields of the error body (e.g. row errors, the conflicting id). */
  details?: Record<string, unknown>;
}

/**
 * A failure a client can act on: a stable upper-snake `code` to switch on, a kind that
 * decides the status, and a message the exception filter writes in the caller's language
 * (Chinese unless `Accept-Language` asks for English) from the translations.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    readonly options: DomainErrorOptions = {},
  ) {
    super(options.key ?? code);
    this.name = 'DomainError';
  }

  /** The message's key among the translations. */
  get messageKey(): string {
    return `errors.${this.options.key ?? this.code}`;
  }

  get details(): Record<string, unknown> | undefined {
    return this.options.details;
  }
}

/** Errors any module may raise. Module-specific ones live in `<domain>.errors.ts`. */
export const CommonErrors = {
  forbidden: () => new DomainError('FORBIDDEN', 'forbidden'),
};
