import type { RedisOptions } from 'ioredis';
import type { Env } from '../../config/env';

/** Where BullMQ keeps its keys: under the service's Redis prefix, so tests and tenants stay apart. */
export function bullPrefix(env: Pick<Env, 'REDIS_PREFIX'>): string {
  return `${env.REDIS_PREFIX}bull`;
}

/**
 * Connection options for BullMQ from REDIS_URL. BullMQ refuses ioredis's `keyPrefix` (it has
 * its own `prefix`), so these never carry one.
 *
 * A producer (the API) fails fast while Redis is down: no offline queue, one retry, so a
 * request that schedules a job never waits on Redis; the reconciler adds what was missed.
 * A worker keeps retrying for as long as it takes (BullMQ's blocking commands need that).
 */
export function bullConnection(env: Pick<Env, 'REDIS_URL'>, role: 'producer' | 'worker'): RedisOptions {
  const url = new URL(env.REDIS_URL);
  const base: RedisOptions = {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  return role === 'producer'
    ? { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1 }
    : { ...base, maxRetriesPerRequest: null };
}
