import { Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { InjectRedis } from '../common/redis/redis.module';
import { Env } from '../config/env';
import { AttendanceErrors } from './attendance.errors';

/** Wrong-code counts outlive any check-in window. */
const TTL_SECONDS = 24 * 60 * 60;

/**
 * KEYS[1]: the trainee's attempts at the session. ARGV: limit, expiry. Answers the count
 * after taking a place, or -1 when the limit is reached. Check and count are one step, so
 * parallel guesses cannot all pass the check before any is counted.
 */
const RESERVE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return -1 end
n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return n`;

/** A right code gives its place back: only wrong codes count. */
const REFUND = `
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

/**
 * Limits wrong check-in codes per trainee per session, in Redis shared by every API
 * process. Each attempt takes a place before its code is checked; a right code gives it
 * back. Without Redis, check-in is refused (503): unthrottled guessing of six digits is
 * not an option, and the trainer can still mark attendance.
 */
@Injectable()
export class CheckInThrottleService {
  private readonly logger = new Logger(CheckInThrottleService.name);

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly env: Env,
  ) {}

  private key(sessionId: string, traineeId: string): string {
    return `check-in-attempts:${sessionId}:${traineeId}`;
  }

  /** Takes an attempt; answers how many remain after it if it turns out wrong. */
  async reserve(sessionId: string, traineeId: string): Promise<number> {
    let n: number;
    try {
      n = (await this.redis.eval(
        RESERVE,
        1,
        this.key(sessionId, traineeId),
        this.env.CHECK_IN_MAX_WRONG_CODES,
        TTL_SECONDS,
      )) as number;
    } catch (e) {
      this.logger.warn(`Check-in throttle unavailable, refusing check-in: ${(e as Error).message}`);
      throw AttendanceErrors.checkInUnavailable();
    }
    if (n < 0) throw AttendanceErrors.tooManyAttempts();
    return this.env.CHECK_IN_MAX_WRONG_CODES - n;
  }

  async refund(sessionId: string, traineeId: string): Promise<void> {
    try {
      await this.redis.eval(REFUND, 1, this.key(sessionId, traineeId));
    } catch (e) {
      // The count expires by itself; at worst the trainee has one attempt fewer.
      this.logger.warn(`Could not give back a check-in attempt: ${(e as Error).message}`);
    }
  }
}
