import { DomainError } from '../common/errors/domain-error';

export const AuthErrors = {
  invalidCredentials: () => new DomainError('INVALID_CREDENTIALS', 'Wrong username or password', 'unauthorized'),
  inactive: () => new DomainError('ACCOUNT_INACTIVE', 'This account is deactivated', 'unauthorized'),
  tokenRevoked: () =>
    new DomainError('TOKEN_REVOKED', 'This sign-in is no longer valid: please sign in again', 'unauthorized'),
  throttled: (retryAfterSeconds: number) =>
    new DomainError('TOO_MANY_LOGIN_ATTEMPTS', 'Too many failed sign-ins: wait and try again', 'too_many_requests', {
      retryAfterSeconds,
    }),
};
