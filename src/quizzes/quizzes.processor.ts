import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QUEUES } from '../common/queue/queues';
import type { JobProcessor } from '../common/queue/job-workers';
import { AttemptsService } from './attempts.service';
import { type CloseAttemptPayload, type ClosingReminderPayload, QuizJobs } from './quizzes.jobs';
import { QuizSchedulingService } from './quiz-scheduling.service';

/** Runs the quizzes queue: attempts closed at their deadline, closing reminders. */
@Injectable()
export class QuizzesProcessor implements JobProcessor {
  readonly queueName = QUEUES.quizzes;

  constructor(
    private readonly attempts: AttemptsService,
    private readonly scheduling: QuizSchedulingService,
  ) {}

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case QuizJobs.closeAttempt: {
        const { attemptId, deadline } = job.data as CloseAttemptPayload;
        return this.attempts.closeAtDeadline(attemptId, new Date(deadline));
      }
      case QuizJobs.closingReminder:
        return this.scheduling.sendClosingReminder(job.data as ClosingReminderPayload);
      default:
        throw new Error(`Unknown quizzes job ${job.name}`);
    }
  }
}
