import { Injectable, Logger } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';

/** A job to add: deterministic `jobId`, so adding it twice is harmless. */
export interface NewJob<T = unknown> {
  name: string;
  data: T;
  opts: JobsOptions & { jobId: string };
}

/** How long a producer waits on Redis before giving up (the reconciler adds what was missed). */
const REDIS_WAIT_MS = 2000;

/** After a failed add, how long adds give up at once before trying Redis again. */
const RETRY_AFTER_MS = 10_000;

/** Jobs added per round trip. */
const CHUNK = 500;

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Adds and removes jobs on behalf of committed changes. It never throws: PostgreSQL holds
 * the truth and the change has committed, so Redis being down costs only a delay until the
 * reconciler re-creates the jobs (see job-reconciler.ts). Answers whether Redis took it.
 */
@Injectable()
export class JobProducer {
  private readonly logger = new Logger(JobProducer.name);
  /**
   * Until when Redis is taken for down after a failed add: meanwhile adds give up at once, so
   * requests during an outage do not each wait REDIS_WAIT_MS (the reconciler adds the jobs later).
   */
  private downUntil = 0;

  async add(queue: Queue, jobs: NewJob[]): Promise<boolean> {
    if (jobs.length === 0) return true;
    if (Date.now() < this.downUntil) {
      this.logger.debug(`Redis down: ${jobs.length} ${queue.name} job(s) left to the reconciler`);
      return false;
    }
    try {
      // In chunks: a large batch (the reconciler's) must not look like an outage by taking long.
      for (let i = 0; i < jobs.length; i += CHUNK) await within(queue.addBulk(jobs.slice(i, i + CHUNK)), REDIS_WAIT_MS);
      return true;
    } catch (e) {
      this.downUntil = Date.now() + RETRY_AFTER_MS;
      this.logger.warn(
        `Could not queue ${jobs.length} ${queue.name} job(s) (${(e as Error).message}); the reconciler will add them`,
      );
      return false;
    }
  }

  /** Removes jobs that no longer apply; one that is running or already gone is left (its handler re-checks). */
  async remove(queue: Queue, jobIds: string[]): Promise<void> {
    if (Date.now() < this.downUntil) return;
    try {
      await within(Promise.all(jobIds.map((id) => queue.remove(id))), REDIS_WAIT_MS);
    } catch (e) {
      this.logger.warn(
        `Could not remove ${queue.name} job(s) (${(e as Error).message}); their handlers will skip them`,
      );
    }
  }
}
