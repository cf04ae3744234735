import type { ClassStatus } from '../classes/classes.types';
import { localDayBounds } from '../common/time/zoned-time';

/**
 * The enrolment rules that need no database, used by EnrolmentsService (which enforces them)
 * and by the pages (which show them): seats left under the two hard limits, the enrolment
 * window, and until when a trainee may withdraw.
 */

/** A class's two hard limits on confirmed trainees. */
export interface SeatLimits {
  /** Confirmed trainees of one township, at most. */
  maxPerTownship: number;
  /** Confirmed trainees of the class, at most. */
  capacity: number;
}

/** Confirmed trainees of a class counted for one township: the numbers the limits apply to. */
export interface SeatCounts {
  townshipConfirmed: number;
  classConfirmed: number;
}

/**
 * Seats a new trainee of the counted township would get now: the smaller of what is left to
 * the township and to the class, never below 0. 0 means the next one is waitlisted.
 */
export function seatsLeft(counts: SeatCounts, limits: SeatLimits): number {
  return Math.max(
    0,
    Math.min(limits.maxPerTownship - counts.townshipConfirmed, limits.capacity - counts.classConfirmed),
  );
}

/** Where a class stands for enrolling: not open yet, open now, or closed (not open, or past its deadline). */
export type EnrolmentWindow = 'notYet' | 'open' | 'closed';

/** The class fields the enrolment window reads. */
export interface WindowFields {
  status: ClassStatus;
  enrolmentOpensAt: Date;
  enrolmentClosesAt: Date;
}

/** A trainee may enrol only in an `open` class, from `enrolmentOpensAt` (included) to `enrolmentClosesAt` (excluded). */
export function enrolmentWindow(cls: WindowFields, now: Date): EnrolmentWindow {
  if (cls.status !== 'open' || now >= cls.enrolmentClosesAt) return 'closed';
  return now < cls.enrolmentOpensAt ? 'notYet' : 'open';
}

/** The class fields the withdrawal rule reads. */
export interface WithdrawFields {
  status: ClassStatus;
  /** `YYYY-MM-DD`, a local day in `zone`. */
  startDate: string;
}

/**
 * A trainee may withdraw (itself) only from an `open` class before its first day begins, at
 * local midnight in `zone`; after that only an admin can. (Admins' own rule is in the service.)
 */
export function mayWithdraw(cls: WithdrawFields, now: Date, zone: string): boolean {
  return cls.status === 'open' && now < localDayBounds(cls.startDate, zone).start;
}
