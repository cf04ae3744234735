import { DomainError } from '../common/errors/domain-error';

export const EnrolmentErrors = {
  notFound: () => new DomainError('ENROLMENT_NOT_FOUND', 'not_found'),
  traineeNotFound: () => new DomainError('TRAINEE_NOT_FOUND', 'not_found'),
  traineeRequired: () => new DomainError('TRAINEE_REQUIRED', 'invalid'),
  cannotEnrolOthers: () => new DomainError('CANNOT_ENROL_OTHERS', 'forbidden'),
  closed: () => new DomainError('ENROLMENT_CLOSED', 'conflict'),
  already: (enrolmentId: string) => new DomainError('ALREADY_ENROLLED', 'conflict', { details: { enrolmentId } }),
  noTownship: () => new DomainError('TRAINEE_WITHOUT_TOWNSHIP', 'conflict'),
  notWithdrawable: (status: string) =>
    new DomainError('NOT_WITHDRAWABLE', 'conflict', { args: { status }, details: { status } }),
  limitsBelowEnrolment: () => new DomainError('LIMITS_BELOW_ENROLMENT', 'conflict'),
  withdrawClosed: () => new DomainError('WITHDRAW_CLOSED', 'conflict'),
};
