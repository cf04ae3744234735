import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { TransactionService } from '../common/database/transaction.service';
import { type NewJob, JobProducer } from '../common/queue/job-producer';
import { JobReconciler } from '../common/queue/job-reconciler';
import { QUEUES } from '../common/queue/queues';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import { ClassesService } from '../classes/classes.service';
import { EnrolmentsService } from '../enrolments/enrolments.service';
import { NotificationsService } from '../notifications/notifications.service';
import { OrgUnitsService } from '../org-units/org-units.service';
import {
  type CloseAttemptPayload,
  closeAttemptJobId,
  type ClosingReminderPayload,
  closingReminderJobId,
  QuizJobs,
} from './quizzes.jobs';
import { closingReminderAt } from './quiz-timing';

/**
 * The quizzes' timed work: each open attempt's closing job at the end of its deadline's grace,
 * each quiz's closing reminder, and what the reconciler re-creates when Redis lost them.
 * Jobs are planned after commit and carry the time they were planned for, so a moved deadline
 * or close leaves the old job to skip.
 */
@Injectable()
export class QuizSchedulingService implements OnModuleInit {
  constructor(
    private readonly tx: TransactionService,
    private readonly producer: JobProducer,
    private readonly reconciler: JobReconciler,
    private readonly notifications: NotificationsService,
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
    private readonly orgUnits: OrgUnitsService,
    @InjectQueue(QUEUES.quizzes) private readonly queue: Queue,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.reconciler.register('quizzes', () => this.reconcile());
  }

  /** After commit: the job that closes each attempt when its deadline's grace is over. */
  planDeadlines(attempts: { id: string; deadline: Date }[]): void {
    if (attempts.length === 0) return;
    // Not awaited: an answer to a trainee need not wait on Redis (the producer never throws, and
    // the reconciler plans what it could not add).
    this.tx.afterCommit(() => {
      void this.producer.add(
        this.queue,
        attempts.map((a) => this.closeJob(a)),
      );
    });
  }

  /** After commit: the quiz's closing reminder, for the close it has now. */
  planClosingReminder(quiz: { id: string; opensAt: Date; closesAt: Date }): void {
    const job = this.reminderJob(quiz);
    if (job) this.tx.afterCommit(() => this.producer.add(this.queue, [job]));
  }

  /**
   * The closing reminder: every trainee holding a seat in the class who has not finished an
   * attempt (one in progress included) and for whom the quiz is still open, once per quiz and close.
   */
  async sendClosingReminder(payload: ClosingReminderPayload): Promise<number> {
    return this.tx.run(async (m) => {
      const [quiz] = await m.query<{ id: string; title: string; class_id: string; closes_at: Date }[]>(
        `SELECT id, title, class_id, closes_at FROM quizzes WHERE id = $1 FOR SHARE`,
        [payload.quizId],
      );
      if (!quiz || quiz.closes_at.getTime() !== new Date(payload.closesAt).getTime()) return 0;
      const cls = await this.classes.lockForReading(quiz.class_id, m);
      if (!['open', 'running', 'completed'].includes(cls.entity.status)) return 0;
      const seated = await this.enrolments.seated(quiz.class_id, m);
      const rows = await m.query<{ trainee_id: string }[]>(
        `SELECT t.trainee_id FROM unnest($2::uuid[]) AS t(trainee_id)
           JOIN quizzes q ON q.id = $1
           LEFT JOIN quiz_overrides o ON o.quiz_id = q.id AND o.trainee_id = t.trainee_id
          WHERE coalesce(o.closes_at, q.closes_at) > $3
            AND NOT EXISTS (SELECT 1 FROM quiz_attempts a
                             WHERE a.quiz_id = q.id AND a.trainee_id = t.trainee_id AND a.status = 'finished')`,
        [quiz.id, seated.map((s) => s.traineeId), this.clock.now()],
      );
      const centre = await this.orgUnits.centreName(cls.planPath, m);
      return this.notifications.notify(
        rows.map((r) => r.trainee_id),
        {
          template: 'quiz-closing',
          payload: { centre, quizTitle: quiz.title, classTitle: cls.entity.title, closesAt: quiz.closes_at },
          key: closingReminderJobId(quiz.id, quiz.closes_at),
          aboutId: quiz.id,
        },
        m,
      );
    });
  }

  /**
   * For the reconciler: the closing job of every attempt in progress (an overdue one runs at
   * once) and the reminder of every quiz not yet closed. Answers how many jobs it (re)added.
   */
  async reconcile(): Promise<number> {
    const m = this.tx.manager;
    const attempts = await m.query<{ id: string; deadline: Date }[]>(
      `SELECT id, deadline FROM quiz_attempts WHERE status = 'in_progress'`,
    );
    // The reminder job checks the class when it runs (a cancelled class's quiz reminds nobody).
    const quizzes = await m.query<{ id: string; opens_at: Date; closes_at: Date }[]>(
      `SELECT id, opens_at, closes_at FROM quizzes WHERE closes_at > $1`,
      [this.clock.now()],
    );
    const jobs: NewJob[] = [
      ...attempts.map((a) => this.closeJob(a)),
      ...quizzes.flatMap((q) => this.reminderJob({ id: q.id, opensAt: q.opens_at, closesAt: q.closes_at }) ?? []),
    ];
    await this.producer.add(this.queue, jobs);
    return jobs.length;
  }

  private closeJob(a: { id: string; deadline: Date }): NewJob<CloseAttemptPayload> {
    const due = a.deadline.getTime() + this.env.QUIZ_GRACE_SECONDS * 1000;
    return {
      name: QuizJobs.closeAttempt,
      data: { attemptId: a.id, deadline: a.deadline.toISOString() },
      opts: { jobId: closeAttemptJobId(a.id, a.deadline), delay: Math.max(0, due - this.clock.now().getTime()) },
    };
  }

  private reminderJob(quiz: { id: string; opensAt: Date; closesAt: Date }): NewJob<ClosingReminderPayload> | null {
    const now = this.clock.now().getTime();
    const at = closingReminderAt(quiz, this.env.QUIZ_CLOSING_REMINDER_MINUTES);
    if (!at || quiz.closesAt.getTime() <= now) return null;
    return {
      name: QuizJobs.closingReminder,
      data: { quizId: quiz.id, closesAt: quiz.closesAt.toISOString() },
      opts: { jobId: closingReminderJobId(quiz.id, quiz.closesAt), delay: Math.max(0, at.getTime() - now) },
    };
  }
}
