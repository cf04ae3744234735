import { DomainError } from '../common/errors/domain-error';

export const EnrolmentErrors = {
  notFound: () => new DomainError('ENROLMENT_NOT_FOUND', 'Enrolment not found', 'not_found'),
  traineeNotFound: () =>
    new DomainError('TRAINEE_NOT_FOUND', 'No such active trainee in your part of the tree', 'not_found'),
  traineeRequired: () => new DomainError('TRAINEE_REQUIRED', 'Say which trainee to enrol (traineeId)', 'invalid'),
  cannotEnrolOthers: () => new DomainError('CANNOT_ENROL_OTHERS', 'Trainees can only enrol themselves', 'forbidden'),
  closed: () =>
    new DomainError(
      'ENROLMENT_CLOSED',
      'Enrolment is only possible while the class is open and its window runs',
      'conflict',
    ),
  already: (enrolmentId: string) =>
    new DomainError('ALREADY_ENROLLED', 'This trainee is already enrolled in the class', 'conflict', { enrolmentId }),
  noTownship: () =>
    new DomainError(
      'TRAINEE_WITHOUT_TOWNSHIP',
      'Only staff of a township or of a village under one can enrol: they count for that township',
      'conflict',
    ),
  notWithdrawable: (status: string) =>
    new DomainError('NOT_WITHDRAWABLE', `A ${status} enrolment cannot be withdrawn`, 'conflict', { status }),
  limitsBelowEnrolment: () =>
    new DomainError(
      'LIMITS_BELOW_ENROLMENT',
      'More trainees already hold seats than the new capacity or township maximum allows',
      'conflict',
    ),
  withdrawClosed: () =>
    new DomainError(
      'WITHDRAW_CLOSED',
      'Trainees can withdraw only before the class starts; ask the library',
      'conflict',
    ),
};
