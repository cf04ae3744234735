import { isIPv6 } from 'node:net';
import { Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { InjectRedis } from '../common/redis/redis.module';
import { Env } from '../config/env';

/** The window the limit counts lookups in, from an address's first lookup in it. */
export const VERIFY_WINDOW_SECONDS = 60;

/**
 * KEYS[1]: the address's count. ARGV: limit, window. Answers 0 when the lookup may go on, else
 * the seconds until the window ends. Check and count are one step, so a burst of parallel
 * lookups cannot all pass before any is counted; refused lookups are not counted, so a client
 * that keeps asking is not shut out for longer than the window.
 */
const TAKE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[2])
    ttl = tonumber(ARGV[2])
  end
  return ttl
end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/**
 * Who is counted: an IPv4 address as it is (an IPv4 address written as IPv6, `::ffff:1.2.3.4`,
 * counts as that IPv4 address); an IPv6 address by its /64, which is what one phone or one
 * household gets, so rotating through the rest of a /64 does not reset the limit.
 */
export function throttleSubject(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Limits public certificate lookups per client address (CERTIFICATE_VERIFY_PER_MINUTE in a
 * minute), in Redis shared by every API process. The address is the one Fastify works out
 * with TRUST_PROXY, so behind a proxy it is the client's, not the proxy's. Codes are 100
 * random bits, so the limit is not what keeps them from being guessed: it keeps the public
 * route from being scraped or used to load the database.
 * Without Redis, lookups go on unthrottled (logged): a certificate must stay checkable when
 * Redis is down, and each lookup is one indexed read.
 */
@Injectable()
export class CertificateVerifyThrottleService {
  private readonly logger = new Logger(CertificateVerifyThrottleService.name);

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly env: Env,
  ) {}

  /** Counts one lookup from `ip`; answers 0 when it may go on, else the seconds to wait. */
  async take(ip: string): Promise<number> {
    try {
      const wait = (await this.redis.eval(
        TAKE,
        1,
        `certificate-verify:${throttleSubject(ip)}`,
        this.env.CERTIFICATE_VERIFY_PER_MINUTE,
        VERIFY_WINDOW_SECONDS,
      )) as number;
      return wait;
    } catch (e) {
      this.logger.warn(`Certificate verification throttle unavailable, allowing lookup: ${(e as Error).message}`);
      return 0;
    }
  }
}
