import { QUEUES } from '../common/queue/queues';

export const QuizJobs = {
  queue: QUEUES.quizzes,
  /** Closes and grades an attempt still open at the end of its deadline's grace. */
  closeAttempt: 'close-attempt',
  /** Reminds trainees who have not handed the quiz in that it closes soon. */
  closingReminder: 'closing-reminder',
} as const;

/** The deadline the job was planned for: once an override or an edit moves it, the job skips. */
export interface CloseAttemptPayload {
  attemptId: string;
  deadline: string;
}

/** The close the reminder was planned for: once the quiz's close moves, the job skips. */
export interface ClosingReminderPayload {
  quizId: string;
  closesAt: string;
}

/** Per attempt and deadline: a new deadline gives a new job, the old one skips. */
export function closeAttemptJobId(attemptId: string, deadline: Date): string {
  return `quizzes.close.${attemptId}.${deadline.getTime()}`;
}

export function closingReminderJobId(quizId: string, closesAt: Date): string {
  return `quizzes.closing.${quizId}.${closesAt.getTime()}`;
}
