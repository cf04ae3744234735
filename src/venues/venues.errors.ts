import { DomainError } from '../common/errors/domain-error';

export const VenueErrors = {
  notFound: () => new DomainError('VENUE_NOT_FOUND', 'Venue not found', 'not_found'),
  nameTaken: (name: string | undefined) =>
    new DomainError('VENUE_NAME_TAKEN', `This unit already has a venue named "${name ?? ''}"`, 'conflict'),
};
