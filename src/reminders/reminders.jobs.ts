import { QUEUES } from '../common/queue/queues';

export const ReminderJobs = {
  queue: QUEUES.reminders,
  sessionReminder: 'session-reminder',
  enrolmentGap: 'enrolment-gap',
  rotation: 'rotation',
} as const;

/** A session's reminder at one offset, for the start it had when planned (a moved session plans new ones). */
export interface SessionReminderPayload {
  sessionId: string;
  offsetMs: number;
  /** UTC ISO; the handler does nothing if the session no longer starts then. */
  startsAt: string;
}

export interface EnrolmentGapPayload {
  classId: string;
  /** UTC ISO of the enrolment window this notice was planned for (a changed window plans anew). */
  opensAt: string;
  closesAt: string;
}

export interface RotationPayload {
  /** The schedule's moment (UTC ISO): names the round, so each round is sent once. */
  firesAt: string;
}

export const sessionReminderJobId = (sessionId: string, offsetMs: number, startsAt: Date): string =>
  `reminder.${sessionId}.${offsetMs}.${startsAt.getTime()}`;

export const enrolmentGapJobId = (classId: string, opensAt: Date, closesAt: Date): string =>
  `enrolment-gap.${classId}.${opensAt.getTime()}.${closesAt.getTime()}`;

export const rotationJobId = (firesAt: Date): string => `rotation.${firesAt.getTime()}`;
