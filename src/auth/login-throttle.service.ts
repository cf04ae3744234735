import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { Env } from '../config/env';
import { InjectRedis } from '../common/redis/redis.module';

export interface ThrottleState {
  blocked: boolean;
  retryAfterSeconds: number;
}

/** Seconds an address's in-flight count outlives its last attempt (only matters if a process dies mid-check). */
const IN_FLIGHT_TTL_SECONDS = 60;
/** How long a sign-in waits for its address's other sign-ins in flight before going on regardless. */
const MAX_WAIT_MS = 3000;

/**
 * Shared by the scripts: the seconds until KEYS[i] expires, giving a key that has no
 * expiry the full window (EXPIRE ... NX would need Redis 7).
 */
const EXPIRY = `
local function expiry(key, window)
  local ttl = redis.call('TTL', key)
  if ttl < 0 then
    redis.call('EXPIRE', key, window)
    return tonumber(window)
  end
  return math.max(ttl, 1)
end
local function count(key) return tonumber(redis.call('GET', key) or '0') end
`;

/**
 * KEYS: username attempts, address failures, address attempts in flight.
 * ARGV: username limit, address limit, window seconds, in-flight expiry seconds, and '1'
 * to take a place even when the address's places are all in flight (after waiting).
 * Answers 0 when the attempt is counted, -1 when the address has too many sign-ins in
 * flight to take another now, else the seconds until the limit that was hit resets.
 * Check and count are one step, so parallel attempts cannot all pass the check before
 * any of them is counted. A refused attempt is not counted.
 */
const RESERVE_SCRIPT = `${EXPIRY}
if count(KEYS[1]) >= tonumber(ARGV[1]) then return expiry(KEYS[1], ARGV[3]) end
local failed = count(KEYS[2])
if failed >= tonumber(ARGV[2]) then return expiry(KEYS[2], ARGV[3]) end
if ARGV[5] ~= '1' and failed + count(KEYS[3]) >= tonumber(ARGV[2]) then return -1 end
redis.call('INCR', KEYS[1])
expiry(KEYS[1], ARGV[3])
redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return 0`;

/** Same KEYS; ARGV[1] is 1 for a wrong password, 0 for a right one; ARGV[2] the window. */
const SETTLE_SCRIPT = `${EXPIRY}
if count(KEYS[3]) > 0 then redis.call('DECR', KEYS[3]) end
if ARGV[1] == '1' then
  redis.call('INCR', KEYS[2])
  expiry(KEYS[2], ARGV[2])
else
  redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * Limits sign-in attempts per username and failed sign-ins per client address, in Redis
 * shared by every API process. Each attempt is reserved before the slow password check,
 * so parallel guesses cannot slip past a limit while it runs:
 * - per username, the attempt counts until the password turns out right (which clears it);
 * - per address, failures and attempts in flight together stay within the limit. A right
 *   password gives its place back, and a sign-in that finds the address's places all in
 *   flight waits for one (at most MAX_WAIT_MS, then goes on) instead of being refused:
 *   a whole township, or county network, behind one address gets in at the start of a
 *   quiz, however many press the button at once. Guessing from one address across many
 *   usernames is slowed by that wait; failures already counted still block.
 * If Redis is down, logins go on unthrottled (logged).
 */
@Injectable()
export class LoginThrottleService {
  private readonly logger = new Logger(LoginThrottleService.name);

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly env: Env,
  ) {}

  private keys(username: string, ip: string): [string, string, string] {
    return [`login-fail:user:${username}`, `login-fail:ip:${ip}`, `login-pending:ip:${ip}`];
  }

  /** Counts this attempt, unless a limit is reached; settle it with recordFailure or recordSuccess. */
  async reserve(username: string, ip: string): Promise<ThrottleState> {
    const deadline = Date.now() + MAX_WAIT_MS;
    try {
      for (let waited = false; ;) {
        const answer = (await this.redis.eval(
          RESERVE_SCRIPT,
          3,
          ...this.keys(username, ip),
          this.env.LOGIN_MAX_FAILURES_PER_USER,
          this.env.LOGIN_MAX_FAILURES_PER_IP,
          this.env.LOGIN_FAILURE_WINDOW_SECONDS,
          IN_FLIGHT_TTL_SECONDS,
          waited ? 1 : 0,
        )) as number;
        if (answer >= 0) return { blocked: answer > 0, retryAfterSeconds: answer };
        // Never refuse a sign-in only because many are in flight (a county network behind one
        // address at the start of a quiz): after the wait it goes on; failures still count.
        waited = Date.now() >= deadline;
        // Jittered, so a waiting burst does not retry in lockstep.
        await sleep(50 + Math.random() * 100);
      }
    } catch (e) {
      this.logger.warn(`Login throttle unavailable, allowing attempt: ${(e as Error).message}`);
      return { blocked: false, retryAfterSeconds: 0 };
    }
  }

  recordFailure(username: string, ip: string): Promise<void> {
    return this.settle(username, ip, true);
  }

  /** A right password is no failure: clears the username's count and gives the address's place back. */
  recordSuccess(username: string, ip: string): Promise<void> {
    return this.settle(username, ip, false);
  }

  private async settle(username: string, ip: string, failed: boolean): Promise<void> {
    try {
      await this.redis.eval(
        SETTLE_SCRIPT,
        3,
        ...this.keys(username, ip),
        failed ? 1 : 0,
        this.env.LOGIN_FAILURE_WINDOW_SECONDS,
      );
    } catch (e) {
      // The counters expire by themselves.
      this.logger.warn(`Could not settle a login attempt: ${(e as Error).message}`);
    }
  }
}
