import { QUEUES } from '../common/queue/queues';

export const NotificationJobs = {
  queue: QUEUES.notifications,
  /** Delivers one e-mail or SMS notification (the inbox needs no delivery). */
  deliver: 'deliver',
} as const;

export interface DeliverPayload {
  notificationId: string;
  /** The delivery generation this job is for: a job of an earlier one (before an admin's retry) does nothing. */
  generation: number;
}

/** One job per notification and delivery generation (an admin's retry is a new generation). */
export function deliverJobId(notificationId: string, generation: number): string {
  return `deliver.${notificationId}.${generation}`;
}
