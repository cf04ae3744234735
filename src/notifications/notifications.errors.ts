import { DomainError } from '../common/errors/domain-error';

export const NotificationErrors = {
  notFound: () => new DomainError('NOTIFICATION_NOT_FOUND', 'not_found'),
  notFailed: (status: string) =>
    new DomainError('NOTIFICATION_NOT_FAILED', 'conflict', { args: { status }, details: { status } }),
};
