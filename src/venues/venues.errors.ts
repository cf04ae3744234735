import { DomainError } from '../common/errors/domain-error';

export const VenueErrors = {
  notFound: () => new DomainError('VENUE_NOT_FOUND', 'not_found'),
  nameTaken: (name: string | undefined) =>
    new DomainError('VENUE_NAME_TAKEN', 'conflict', {
      key: name ? 'VENUE_NAME_TAKEN' : 'VENUE_NAME_TAKEN#unnamed',
      args: { name },
    }),
};
