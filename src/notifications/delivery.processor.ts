import { Injectable } from '@nestjs/common';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { JobProcessor } from '../common/queue/job-workers';
import { QUEUES } from '../common/queue/queues';
import { Env } from '../config/env';
import { deliveryConcurrency } from './delivery-concurrency';
import { DeliveryService } from './delivery.service';
import type { DeliverPayload } from './notifications.jobs';

/** Delivers e-mail and SMS; retried with backoff (JOB_ATTEMPTS, JOB_BACKOFF_MS), held back in quiet hours. */
@Injectable()
export class DeliveryProcessor implements JobProcessor {
  readonly queueName = QUEUES.notifications;
  /**
   * A delivery holds a PostgreSQL connection while the message goes out (delivery.service.ts):
   * at most half the pool, so the other queues always have connections left.
   */
  readonly concurrency: number;

  constructor(
    private readonly delivery: DeliveryService,
    env: Env,
  ) {
    this.concurrency = deliveryConcurrency(env);
  }

  async process(job: Job<DeliverPayload>, token?: string): Promise<string> {
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await this.delivery.deliver(job.data.notificationId, job.data.generation, final);
    switch (outcome.kind) {
      case 'sent':
      case 'skipped':
      case 'expired':
        return outcome.kind;
      case 'wait':
        await job.moveToDelayed(outcome.until.getTime(), token);
        throw new DelayedError();
      case 'failed':
        throw outcome.final ? new UnrecoverableError(outcome.reason) : new Error(outcome.reason);
    }
  }

  /** A delivery that crashed for good (not a refusal, already recorded): the message becomes `failed`, for admins. */
  async failedForGood(job: Job<DeliverPayload>, error: Error): Promise<void> {
    await this.delivery.markFailed(job.data.notificationId, job.data.generation, error.message);
  }
}
