import type { ClassStatus } from './class-status';

/**
 * Domain events, raised after the change has committed. The jobs that send reminders
 * and assign follow-up visits subscribe to these (payloads carry ids; handlers reload).
 */
export const ClassEvents = {
  statusChanged: 'class.status-changed',
  /** Raised inside the completing transaction; listeners' changes commit or roll back with it. */
  completing: 'class.completing',
  /** Raised inside the cancelling transaction; listeners' changes commit or roll back with it. */
  cancelling: 'class.cancelling',
  /** Raised inside the transaction that changed capacity or the township maximum. */
  limitsChanged: 'class.limits-changed',
  sessionScheduled: 'session.scheduled',
  sessionRescheduled: 'session.rescheduled',
  sessionCancelled: 'session.cancelled',
  /** Raised inside the transaction that moves a session or its venue (notices to those already reminded join it). */
  sessionChanging: 'session.changing',
  /** Raised inside the transaction that cancels one session (not a whole class: its cancellation says it all). */
  sessionCancelling: 'session.cancelling',
} as const;

export interface ClassStatusChangedEvent {
  classId: string;
  from: ClassStatus;
  to: ClassStatus;
  actorId: string;
}

export interface ClassCompletingEvent {
  classId: string;
}

export interface ClassCancellingEvent {
  classId: string;
}

export interface ClassLimitsChangedEvent {
  classId: string;
}

export interface SessionScheduledEvent {
  sessionId: string;
  classId: string;
  startsAt: string;
}

export interface SessionRescheduledEvent {
  sessionId: string;
  classId: string;
  previousStartsAt: string;
  startsAt: string;
  sequence: number;
}

export interface SessionCancelledEvent {
  sessionId: string;
  classId: string;
  startsAt: string;
}

/** A session's start or venue is changing; raised inside that transaction, before it commits. */
export interface SessionChangingEvent {
  sessionId: string;
  classId: string;
  previousStartsAt: string;
  startsAt: string;
  /** True when the start changes (else only the venue does). */
  moved: boolean;
  sequence: number;
}

/** One session is being cancelled; raised inside that transaction, before it commits. */
export interface SessionCancellingEvent {
  sessionId: string;
  classId: string;
  startsAt: string;
}
