import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import type { Queue } from 'bullmq';
import { ALL_QUEUES } from '../common/queue/queues';

const TIMEOUT_MS = 1500;

const STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
  'paused',
] as const;

export interface QueueState {
  name: string;
  counts: Record<(typeof STATES)[number], number>;
  /** Seconds the oldest job has been waiting to run; null when none waits. */
  oldestWaitingSeconds: number | null;
  /** Worker processes connected to this queue right now; null where Redis will not say (CLIENT LIST disabled). */
  workers: number | null;
}

/** A job that failed after every try, as an admin sees it: what it was, when and why it failed. */
export interface FailedJob {
  queue: string;
  id: string;
  name: string;
  /** Tries made. */
  attempts: number;
  failedAt: Date | null;
  /** The last error's message (cut to FAILED_REASON_MAX characters). */
  reason: string;
}

/** Longest failure reason shown (a stack or a gateway's page would fill the screen). */
const FAILED_REASON_MAX = 300;

/** What a retry of a failed job found: retried, or nothing to retry (gone, or no longer failed). */
export type RetryOutcome = 'retried' | 'notFailed';

/** What the job machinery is doing, read from Redis (GET /api/admin/queues, /health, the console's 运行). */
@Injectable()
export class QueuesService {
  private readonly logger = new Logger(QueuesService.name);

  constructor(@Inject(ALL_QUEUES) private readonly queues: Queue[]) {}

  /** Throws 503 SERVICE_UNAVAILABLE when Redis does not answer in time. */
  states(now = Date.now()): Promise<QueueState[]> {
    return this.inTime(this.read(now));
  }

  /**
   * The latest `perQueue` failed jobs of each queue (the newest first), with why they failed.
   * Throws 503 SERVICE_UNAVAILABLE when Redis does not answer in time.
   */
  failedJobs(perQueue: number): Promise<FailedJob[]> {
    return this.inTime(
      Promise.all(
        this.queues.map(async (q) =>
          (await q.getFailed(0, perQueue - 1))
            .filter((job) => !!job?.id)
            .map((job) => ({
              queue: q.name,
              id: job.id!,
              name: job.name,
              attempts: job.attemptsMade,
              failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
              reason: (job.failedReason || '').slice(0, FAILED_REASON_MAX),
            })),
        ),
      ).then((lists) => lists.flat()),
    );
  }

  /**
   * Runs a failed job again, its tries started over. Harmless: every handler reloads its state
   * and skips what no longer applies (notifications.jobs.ts and the others), and a message's
   * delivery job skips a message that is not pending, so its retry is NotificationsService.retry.
   * `notFailed` for an unknown queue or job, or one no longer failed.
   */
  retryFailed(queueName: string, jobId: string): Promise<RetryOutcome> {
    const queue = this.queues.find((q) => q.name === queueName);
    if (!queue) return Promise.resolve('notFailed');
    return this.inTime(
      (async (): Promise<RetryOutcome> => {
        const job = await queue.getJob(jobId);
        if (!job || !(await job.isFailed())) return 'notFailed';
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return 'retried';
      })(),
    );
  }

  private async inTime<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), TIMEOUT_MS))),
      ]);
    } catch (e) {
      this.logger.warn(`Queues unreadable: ${(e as Error).message}`);
      throw new DomainError('SERVICE_UNAVAILABLE', 'unavailable');
    } finally {
      clearTimeout(timer);
    }
  }

  private read(now: number): Promise<QueueState[]> {
    return Promise.all(
      this.queues.map(async (q) => {
        const [counts, oldest, workers] = await Promise.all([
          q.getJobCounts(...STATES),
          // getWaiting counts from the oldest: its first entry has waited longest.
          q.getWaiting(0, 0),
          // CLIENT LIST, which this needs, is disabled on some managed Redis services: then unknown.
          q.getWorkersCount().catch(() => null),
        ]);
        // Waiting since it became ready: a delayed job (a reminder planned a week ahead) only then.
        const since = oldest[0] ? oldest[0].timestamp + (oldest[0].delay ?? 0) : undefined;
        return {
          name: q.name,
          counts: Object.fromEntries(STATES.map((s) => [s, counts[s] ?? 0])) as QueueState['counts'],
          oldestWaitingSeconds: since ? Math.max(0, Math.round((now - since) / 1000)) : null,
          workers,
        };
      }),
    );
  }
}
