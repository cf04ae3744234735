import type { Env } from '../config/env';

/** Deliveries one worker runs at once: WORKER_CONCURRENCY, but never more than half the database pool. */
export function deliveryConcurrency(env: Pick<Env, 'WORKER_CONCURRENCY' | 'DATABASE_POOL_SIZE'>): number {
  return Math.max(1, Math.min(env.WORKER_CONCURRENCY, Math.floor(env.DATABASE_POOL_SIZE / 2)));
}
