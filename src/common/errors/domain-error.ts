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

export class DomainError extends Error {
  constructor(
    /** Stable upper-snake code clients can switch on. */
    readonly code: string,
    message: string,
    readonly kind: ErrorKind,
    /** Extra, client-safe fields added to the error body (e.g. row errors, the conflicting id). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Errors any module may raise. Module-specific ones live in `<domain>.errors.ts`. */
export const CommonErrors = {
  forbidden: (message = 'You do not have permission to do this') => new DomainError('FORBIDDEN', message, 'forbidden'),
  validation: (message: string, errors?: unknown[]) =>
    new DomainError('VALIDATION_FAILED', message, 'invalid', errors ? { errors } : undefined),
};
