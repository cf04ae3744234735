import { DomainError } from '../common/errors/domain-error';

export const AttendanceErrors = {
  sessionNotFound: () => new DomainError('SESSION_NOT_FOUND', 'Session not found', 'not_found'),
  notSessionTrainer: () =>
    new DomainError(
      'NOT_SESSION_TRAINER',
      'Only the trainer of this session (or an admin) may take its attendance',
      'forbidden',
    ),
  sessionCancelled: () =>
    new DomainError('SESSION_CANCELLED', 'The session is cancelled: it has no attendance', 'conflict'),
  classNotActive: (status: string) =>
    new DomainError('ATTENDANCE_CLASS_NOT_ACTIVE', `A ${status} class takes no attendance`, 'conflict', { status }),
  tooEarly: (opensAt: Date) =>
    new DomainError(
      'ATTENDANCE_TOO_EARLY',
      `Attendance opens 30 minutes before the session starts, at ${opensAt.toISOString()}`,
      'conflict',
      { opensAt: opensAt.toISOString() },
    ),
  enrolmentsInvalid: (enrolmentIds: string[]) =>
    new DomainError(
      'ATTENDANCE_ENROLMENT_INVALID',
      'Attendance is taken only for confirmed enrolments of this class',
      'unprocessable',
      { enrolmentIds },
    ),
  stale: (conflicts: { enrolmentId: string; version: number; status: string | null }[]) =>
    new DomainError(
      'ATTENDANCE_STALE',
      'Some records changed since you read them (a check-in or another mark): reload and try again',
      'conflict',
      { conflicts },
    ),
  sessionEnded: () => new DomainError('CHECK_IN_SESSION_ENDED', 'The session has ended: check-in is over', 'conflict'),
  checkInClosed: () => new DomainError('CHECK_IN_CLOSED', 'Self check-in is not open for this session', 'conflict'),
  notEnrolled: () => new DomainError('NOT_ENROLLED', 'You hold no confirmed place in this class', 'forbidden'),
  codeInvalid: (attemptsLeft: number) =>
    new DomainError('CHECK_IN_CODE_INVALID', 'The code is wrong or has expired', 'invalid', { attemptsLeft }),
  tooManyAttempts: () =>
    new DomainError(
      'CHECK_IN_TOO_MANY_ATTEMPTS',
      'Too many wrong codes for this session: ask the trainer to mark you',
      'too_many_requests',
    ),
  markedByTrainer: (status: string) =>
    new DomainError('ATTENDANCE_MARKED_BY_TRAINER', `Your trainer has already recorded you as ${status}`, 'conflict', {
      status,
    }),
  checkInUnavailable: () =>
    new DomainError('CHECK_IN_UNAVAILABLE', 'Self check-in is unavailable right now: ask the trainer', 'unavailable'),
};
