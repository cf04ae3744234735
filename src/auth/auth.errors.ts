import { DomainError } from '../common/errors/domain-error';

export const AuthErrors = {
  invalidCredentials: () => new DomainError('INVALID_CREDENTIALS', 'unauthorized'),
  inactive: () => new DomainError('ACCOUNT_INACTIVE', 'unauthorized'),
  tokenRevoked: () => new DomainError('TOKEN_REVOKED', 'unauthorized'),
  throttled: (retryAfterSeconds: number) =>
    new DomainError('TOO_MANY_LOGIN_ATTEMPTS', 'too_many_requests', {
      args: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) },
      details: { retryAfterSeconds },
    }),
};
