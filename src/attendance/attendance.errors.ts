import { DomainError } from '../common/errors/domain-error';

export const AttendanceErrors = {
  sessionNotFound: () => new DomainError('SESSION_NOT_FOUND', 'not_found'),
  notSessionTrainer: () => new DomainError('NOT_SESSION_TRAINER', 'forbidden'),
  sessionCancelled: () => new DomainError('SESSION_CANCELLED', 'conflict', { key: 'SESSION_CANCELLED_NO_ATTENDANCE' }),
  classNotActive: (status: string) =>
    new DomainError('ATTENDANCE_CLASS_NOT_ACTIVE', 'conflict', { args: { status }, details: { status } }),
  /** `minutes`: how long before the start attendance opens, for messages that say so. */
  tooEarly: (opensAt: Date, minutes: number) =>
    new DomainError('ATTENDANCE_TOO_EARLY', 'conflict', { args: { opensAt, minutes }, details: { opensAt } }),
  enrolmentsInvalid: (enrolmentIds: string[]) =>
    new DomainError('ATTENDANCE_ENROLMENT_INVALID', 'unprocessable', { details: { enrolmentIds } }),
  stale: (conflicts: { enrolmentId: string; version: number; status: string | null }[]) =>
    new DomainError('ATTENDANCE_STALE', 'conflict', { details: { conflicts } }),
  sessionEnded: () => new DomainError('CHECK_IN_SESSION_ENDED', 'conflict'),
  checkInClosed: () => new DomainError('CHECK_IN_CLOSED', 'conflict'),
  notEnrolled: () => new DomainError('NOT_ENROLLED', 'forbidden'),
  codeInvalid: (attemptsLeft: number) =>
    new DomainError('CHECK_IN_CODE_INVALID', 'invalid', { args: { attemptsLeft }, details: { attemptsLeft } }),
  tooManyAttempts: () => new DomainError('CHECK_IN_TOO_MANY_ATTEMPTS', 'too_many_requests'),
  markedByTrainer: (status: string) =>
    new DomainError('ATTENDANCE_MARKED_BY_TRAINER', 'conflict', { args: { status }, details: { status } }),
  checkInUnavailable: () => new DomainError('CHECK_IN_UNAVAILABLE', 'unavailable'),
};
