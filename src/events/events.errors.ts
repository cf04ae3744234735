import { DomainError } from '../common/errors/domain-error';

export const EventErrors = {
  notFound: () => new DomainError('EVENT_NOT_FOUND', 'not_found'),
};
