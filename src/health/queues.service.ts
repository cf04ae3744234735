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

/** What the job machinery is doing, read from Redis (GET /api/admin/queues, /health). */
@Injectable()
export class QueuesService {
  private readonly logger = new Logger(QueuesService.name);

  constructor(@Inject(ALL_QUEUES) private readonly queues: Queue[]) {}

  /** Throws 503 SERVICE_UNAVAILABLE when Redis does not answer in time. */
  async states(now = Date.now()): Promise<QueueState[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.read(now),
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
