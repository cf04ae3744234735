import { DomainError } from '../common/errors/domain-error';

export const UserErrors = {
  notFound: () => new DomainError('USER_NOT_FOUND', 'User not found', 'not_found'),
  usernameTaken: (username: string) =>
    new DomainError('USERNAME_TAKEN', `Username "${username}" is already used`, 'conflict'),
  selfChange: (field: string) =>
    new DomainError('SELF_CHANGE_FORBIDDEN', `You cannot change your own ${field}`, 'forbidden'),
  importInvalidFile: (message: string) => new DomainError('IMPORT_INVALID_FILE', message, 'invalid'),
};
