import { DomainError } from '../common/errors/domain-error';

export const UserErrors = {
  notFound: () => new DomainError('USER_NOT_FOUND', 'not_found'),
  usernameTaken: (username: string) => new DomainError('USERNAME_TAKEN', 'conflict', { args: { username } }),
  selfChange: (field: string) =>
    new DomainError('SELF_CHANGE_FORBIDDEN', 'forbidden', { args: { field }, details: { field } }),
};
