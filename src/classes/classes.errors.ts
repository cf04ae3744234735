import { DomainError } from '../common/errors/domain-error';
import type { ClassStatus } from './class-status';
import type { RecurrenceError } from './recurrence';

export const ClassErrors = {
  notFound: () => new DomainError('CLASS_NOT_FOUND', 'not_found'),
  invalidDate: (field: string) => new DomainError('INVALID_DATE', 'invalid', { args: { field }, details: { field } }),
  datesOutsideQuarter: (year: number, quarter: number) =>
    new DomainError('CLASS_DATES_OUTSIDE_QUARTER', 'invalid', { args: { year, quarter } }),
  attendancePointsInvalid: () => new DomainError('ATTENDANCE_POINTS_INVALID', 'invalid'),
  limitsInvalid: () => new DomainError('CLASS_LIMITS_INVALID', 'invalid'),
  enrolmentWindowInvalid: () => new DomainError('ENROLMENT_WINDOW_INVALID', 'invalid'),
  trainerNotFound: (ids: string[]) =>
    new DomainError('TRAINER_NOT_FOUND', 'not_found', { details: { trainerIds: ids } }),
  invalidTransition: (from: ClassStatus, action: string) =>
    new DomainError('INVALID_TRANSITION', 'conflict', {
      key: `INVALID_TRANSITION#${action}`,
      args: { status: from },
      details: { status: from },
    }),
  notEditable: (status: ClassStatus) =>
    new DomainError('CLASS_NOT_EDITABLE', 'conflict', { args: { status }, details: { status } }),
  sessionsOutsideDates: () => new DomainError('CLASS_SESSIONS_OUTSIDE_DATES', 'conflict'),
  trainerHasSessions: (trainerIds: string[]) =>
    new DomainError('CLASS_TRAINER_HAS_SESSIONS', 'conflict', { details: { trainerIds } }),
  requiredQuizInvalid: (quizId: string) =>
    new DomainError('CLASS_REQUIRED_QUIZ_INVALID', 'unprocessable', { details: { requiredQuizId: quizId } }),
};

export const SessionErrors = {
  notFound: () => new DomainError('SESSION_NOT_FOUND', 'not_found'),
  outsideClassDates: (date: string) =>
    new DomainError('SESSION_OUTSIDE_CLASS_DATES', 'invalid', { args: { date }, details: { date } }),
  timeOrder: () => new DomainError('SESSION_TIME_ORDER', 'invalid'),
  tooLong: () => new DomainError('SESSION_TOO_LONG', 'invalid'),
  trainerRequired: () => new DomainError('SESSION_TRAINER_REQUIRED', 'invalid'),
  trainerNotInClass: () => new DomainError('SESSION_TRAINER_NOT_IN_CLASS', 'invalid'),
  cancelled: () => new DomainError('SESSION_CANCELLED', 'conflict'),
  rangeOrder: () => new DomainError('SESSION_RANGE_ORDER', 'invalid'),
  timesOrRecurrence: () => new DomainError('VALIDATION_FAILED', 'invalid', { key: 'SESSION_TIMES_OR_RECURRENCE' }),
  conflict: (other: { id: string; startsAt: Date; with: 'trainer' | 'venue' } | undefined) =>
    other
      ? new DomainError('SESSION_CONFLICT', 'conflict', {
          key: `SESSION_CONFLICT#${other.with}`,
          args: { startsAt: other.startsAt },
          details: { conflictingSessionId: other.id, conflictWith: other.with },
        })
      : new DomainError('SESSION_CONFLICT', 'conflict'),
  recurrence: (e: RecurrenceError) => new DomainError(e.code, 'invalid', { key: e.key, args: e.args }),
};
