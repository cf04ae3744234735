import Redis from 'ioredis';
import type { Env } from '../../config/env';
import { bullConnection } from './queue-connection';

export class RedisPolicyError extends Error {}

/** Reads Redis's eviction policy: CONFIG GET where allowed, else INFO (managed services often disable CONFIG). */
export async function evictionPolicy(redis: Redis): Promise<string> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    if (policy) return policy;
  } catch {
    // CONFIG is disabled: fall back to INFO.
  }
  const info = await redis.info('memory');
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? 'unknown';
}

/**
 * BullMQ keeps its jobs in Redis keys; a policy that evicts keys under memory pressure
 * would silently drop reminders. The worker refuses to start unless Redis says `noeviction`.
 */
export async function assertNoEviction(env: Pick<Env, 'REDIS_URL'>): Promise<void> {
  const redis = new Redis({ ...bullConnection(env, 'producer'), lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const policy = await evictionPolicy(redis);
    if (policy !== 'noeviction') {
      throw new RedisPolicyError(
        `Redis's maxmemory-policy is "${policy}": it may evict job keys and lose reminders. BullMQ needs ` +
          '"noeviction": set `maxmemory-policy noeviction` in redis.conf (or run `redis-cli CONFIG SET ' +
          'maxmemory-policy noeviction`), then start the worker again.',
      );
    }
  } finally {
    redis.disconnect();
  }
}
