import { DomainError } from '../common/errors/domain-error';

export const ImportErrors = {
  /** No such import, or not one the caller started. */
  notFound: () => new DomainError('IMPORT_NOT_FOUND', 'not_found'),
};
