import { DomainError } from '../common/errors/domain-error';
import type { ClassStatus } from './class-status';

export const ClassErrors = {
  notFound: () => new DomainError('CLASS_NOT_FOUND', 'Class not found', 'not_found'),
  invalidDate: (field: string) => new DomainError('INVALID_DATE', `${field} is not a real YYYY-MM-DD date`, 'invalid'),
  datesOutsideQuarter: (year: number, quarter: number) =>
    new DomainError(
      'CLASS_DATES_OUTSIDE_QUARTER',
      `startDate and endDate must be in quarter ${quarter} of ${year}, start first`,
      'invalid',
    ),
  attendancePointsInvalid: () =>
    new DomainError(
      'ATTENDANCE_POINTS_INVALID',
      'At least one attendance status must earn a point (a session is worth the highest)',
      'invalid',
    ),
  limitsInvalid: () =>
    new DomainError(
      'CLASS_LIMITS_INVALID',
      'Township limits must satisfy minPerTownship ≤ maxPerTownship ≤ capacity',
      'invalid',
    ),
  enrolmentWindowInvalid: () =>
    new DomainError(
      'ENROLMENT_WINDOW_INVALID',
      'Enrolment must open before it closes, and close no later than the last day of the class',
      'invalid',
    ),
  trainerNotFound: (ids: string[]) =>
    new DomainError(
      'TRAINER_NOT_FOUND',
      'Each trainer must be an active trainer in your part of the tree',
      'not_found',
      {
        trainerIds: ids,
      },
    ),
  invalidTransition: (from: ClassStatus, action: string) =>
    new DomainError('INVALID_TRANSITION', `A ${from} class cannot ${action}`, 'conflict', { status: from }),
  notEditable: (status: ClassStatus) =>
    new DomainError('CLASS_NOT_EDITABLE', `A ${status} class can no longer be changed`, 'conflict', { status }),
  sessionsOutsideDates: () =>
    new DomainError('CLASS_SESSIONS_OUTSIDE_DATES', 'Some sessions would fall outside the new dates', 'conflict'),
  trainerHasSessions: (trainerIds: string[]) =>
    new DomainError(
      'CLASS_TRAINER_HAS_SESSIONS',
      'A trainer to be removed still teaches sessions of this class',
      'conflict',
      {
        trainerIds,
      },
    ),
};

export const SessionErrors = {
  notFound: () => new DomainError('SESSION_NOT_FOUND', 'Session not found', 'not_found'),
  outsideClassDates: (date: string) =>
    new DomainError('SESSION_OUTSIDE_CLASS_DATES', `A session on ${date} falls outside the class dates`, 'invalid'),
  timeOrder: () => new DomainError('SESSION_TIME_ORDER', 'endsAt must be after startsAt', 'invalid'),
  tooLong: () => new DomainError('SESSION_TOO_LONG', 'A session lasts at most 12 hours', 'invalid'),
  trainerRequired: () =>
    new DomainError(
      'SESSION_TRAINER_REQUIRED',
      "The class has several trainers: name the session's trainer (trainerId)",
      'invalid',
    ),
  trainerNotInClass: () =>
    new DomainError('SESSION_TRAINER_NOT_IN_CLASS', 'The trainer must be one of the class trainers', 'invalid'),
  cancelled: () => new DomainError('SESSION_CANCELLED', 'The session is cancelled', 'conflict'),
  rangeOrder: () => new DomainError('SESSION_RANGE_ORDER', '`from` must be before `to`', 'invalid'),
  conflict: (other: { id: string; startsAt: Date; with: 'trainer' | 'venue' } | undefined) =>
    new DomainError(
      'SESSION_CONFLICT',
      other
        ? `The ${other.with} is already booked by session ${other.id} at ${other.startsAt.toISOString()}`
        : 'The trainer or the venue is already booked at that time',
      'conflict',
      other ? { conflictingSessionId: other.id, conflictWith: other.with } : undefined,
    ),
  recurrence: (code: string, message: string) => new DomainError(code, message, 'invalid'),
};
