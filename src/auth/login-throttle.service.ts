import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { Env } from '../config/env';
import { InjectRedis } from '../common/redis/redis.module';

/** An attempt the throttle let through: settle it with recordFailure or recordSuccess. */
export interface ReservedAttempt {
  blocked: false;
  username: string;
  ip: string;
  /** False when Redis was unreachable: nothing was reserved, so there is nothing to settle. */
  reserved: boolean;
  /** Whether the account-wide limit applied (the address is not one the account signed in from lately). */
  countsForAccount: boolean;
}

export type LoginAttempt = ReservedAttempt | { blocked: true; retryAfterSeconds: number };

/** Seconds an attempt's place in flight outlives it (only matters if a process dies mid-check). */
const IN_FLIGHT_TTL_SECONDS = 60;
/** How long a sign-in waits for a place when its address has many in flight before going on regardless. */
const MAX_WAIT_MS = 3000;

/**
 * Every Redis key of one attempt, in the order the scripts read them as KEYS[1..11].
 * Addresses never contain `|`, so `address|username` names one pair unambiguously.
 */
export function throttleKeys(username: string, ip: string) {
  const pair = `${ip}|${username}`;
  return {
    pairFailures: `login:fail:pair:${pair}`,
    pairInFlight: `login:busy:pair:${pair}`,
    pairLock: `login:lock:pair:${pair}`,
    accountFailures: `login:fail:user:${username}`,
    accountInFlight: `login:busy:user:${username}`,
    accountLock: `login:lock:user:${username}`,
    /** The address's failures not yet forgiven, in total and (next key) per username. */
    ipFailures: `login:fail:ip:${ip}`,
    ipFailuresByUsername: `login:fail:ip-users:${ip}`,
    ipInFlight: `login:busy:ip:${ip}`,
    ipLock: `login:lock:ip:${ip}`,
    /** Present while this address is one the username signed in from lately. */
    knownAddress: `login:known:${pair}`,
  };
}

const COUNT = `local function count(key) return tonumber(redis.call('GET', key) or '0') end`;

/**
 * ARGV: pair, account and address limits, in-flight expiry seconds, '1' after waiting.
 * Answers {0, 1 if the account limit applies} when the attempt takes its places, {-1, 0}
 * when it should wait for one, else {seconds to wait, 0}. Check and take are one step, so
 * parallel guesses cannot all pass the check before any of them is counted; a refused
 * attempt is not counted. Each scope keeps failures plus attempts in flight within its
 * limit; past the limit (once its refusal is over) it lets one attempt through at a time.
 */
const RESERVE_SCRIPT = `${COUNT}
local pairLimit, accountLimit, ipLimit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local waited = ARGV[5] == '1'
-- Its owner signed in from here lately: guessing it from elsewhere must not lock this address out.
local known = redis.call('EXISTS', KEYS[11]) == 1
local function left(lock)
  local ms = redis.call('PTTL', lock)
  if ms <= 0 then return 0 end
  return math.ceil(ms / 1000)
end
local retry = math.max(left(KEYS[3]), left(KEYS[10]))
if not known then retry = math.max(retry, left(KEYS[6])) end
if retry > 0 then return {retry, 0} end
local function full(failures, inFlight, limit)
  local f, b = count(failures), count(inFlight)
  if f >= limit then return b > 0 end
  return f + b >= limit
end
local ipFull = full(KEYS[7], KEYS[9], ipLimit)
-- A burst of sign-ins behind one address is never refused for being many at once: after
-- waiting it goes on while the address's settled failures are under the limit.
if waited and count(KEYS[7]) < ipLimit then ipFull = false end
if ipFull or full(KEYS[1], KEYS[2], pairLimit) or (not known and full(KEYS[4], KEYS[5], accountLimit)) then
  if waited then return {1, 0} end
  return {-1, 0}
end
local function take(inFlight)
  redis.call('INCR', inFlight)
  redis.call('EXPIRE', inFlight, ARGV[4])
end
take(KEYS[2])
take(KEYS[9])
if known then return {0, 0} end
take(KEYS[5])
return {0, 1}`;

/**
 * ARGV: '1' for a failure, '0' for a sign-in; '1' if the account limit applied; pair,
 * account and address limits; window and backoff seconds; seconds an address stays known;
 * the username.
 */
const SETTLE_SCRIPT = `${COUNT}
local function release(inFlight) if count(inFlight) > 0 then redis.call('DECR', inFlight) end end
release(KEYS[2])
release(KEYS[9])
if ARGV[2] == '1' then release(KEYS[5]) end
local window, backoff = tonumber(ARGV[6]), tonumber(ARGV[7])
-- From the limit on, each failure refuses the scope for the backoff, doubled per failure
-- past the limit, at most the window. Failures are forgotten a window after the last one
-- (and the refusal it caused). Answers the seconds they are kept.
local function fail(failures, lock, limit)
  local n = redis.call('INCR', failures)
  local hold = 0
  if n >= limit then
    hold = math.min(backoff * 2 ^ math.min(n - limit, 30), window)
    redis.call('SET', lock, '1', 'EX', hold)
  end
  redis.call('EXPIRE', failures, window + hold)
  return window + hold
end
if ARGV[1] == '1' then
  fail(KEYS[1], KEYS[3], tonumber(ARGV[3]))
  if ARGV[2] == '1' then fail(KEYS[4], KEYS[6], tonumber(ARGV[4])) end
  redis.call('HINCRBY', KEYS[8], ARGV[9], 1)
  redis.call('EXPIRE', KEYS[8], fail(KEYS[7], KEYS[10], tonumber(ARGV[5])))
else
  redis.call('DEL', KEYS[1], KEYS[3])
  -- The address's failures for this username were typos, not guesses: forgive them.
  local forgiven = tonumber(redis.call('HGET', KEYS[8], ARGV[9]) or '0')
  if forgiven > 0 then
    redis.call('HDEL', KEYS[8], ARGV[9])
    if redis.call('DECRBY', KEYS[7], forgiven) <= 0 then redis.call('DEL', KEYS[7]) end
  end
  if tonumber(ARGV[8]) > 0 then redis.call('SET', KEYS[11], '1', 'EX', ARGV[8]) end
end
return 0`;

/**
 * Slows password guessing without locking out a training room behind one address. Limits,
 * in Redis shared by every API process:
 * - per username and address (LOGIN_MAX_FAILURES_PER_USER): someone guessing one account;
 *   a right password clears it, and the same account from another address is unaffected;
 * - per username from any address it has not signed in from lately
 *   (LOGIN_MAX_ACCOUNT_FAILURES): guessing spread over many addresses. Addresses the owner
 *   signed in from are exempt, so guessing cannot lock the owner out;
 * - per address (LOGIN_MAX_FAILURES_PER_IP): failures counted per username and forgiven
 *   when that username signs in there, so a class's typos vanish as each trainee gets in,
 *   while an address cycling through usernames never succeeds and piles them up.
 * Past a limit the scope is refused for LOGIN_BACKOFF_SECONDS, doubled with each further
 * failure up to the window. Each attempt takes its places before the slow password check,
 * so parallel guesses cannot slip past a limit; one that finds its address's places all in
 * flight waits for one (at most MAX_WAIT_MS, then goes on while the address is under its
 * limit), so however many right passwords arrive at once, none is refused.
 * If Redis is down, sign-ins go on unthrottled (logged).
 */
@Injectable()
export class LoginThrottleService {
  private readonly logger = new Logger(LoginThrottleService.name);

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly env: Env,
  ) {}

  /** Takes this attempt's places, unless a limit refuses it; settle it with recordFailure or recordSuccess. */
  async reserve(username: string, ip: string): Promise<LoginAttempt> {
    const keys = Object.values(throttleKeys(username, ip));
    const deadline = Date.now() + MAX_WAIT_MS;
    try {
      for (let waited = false; ;) {
        const [answer, countsForAccount] = (await this.redis.eval(
          RESERVE_SCRIPT,
          keys.length,
          ...keys,
          this.env.LOGIN_MAX_FAILURES_PER_USER,
          this.env.LOGIN_MAX_ACCOUNT_FAILURES,
          this.env.LOGIN_MAX_FAILURES_PER_IP,
          IN_FLIGHT_TTL_SECONDS,
          waited ? 1 : 0,
        )) as [number, number];
        if (answer > 0) return { blocked: true, retryAfterSeconds: answer };
        if (answer === 0)
          return { blocked: false, username, ip, reserved: true, countsForAccount: countsForAccount === 1 };
        waited = Date.now() >= deadline;
        // Jittered, so a waiting burst does not retry in lockstep.
        await sleep(50 + Math.random() * 100);
      }
    } catch (e) {
      this.logger.warn(`Login throttle unavailable, allowing attempt: ${(e as Error).message}`);
      return { blocked: false, username, ip, reserved: false, countsForAccount: false };
    }
  }

  /** A wrong password, an unknown username, a deactivated account or an error during the check. */
  recordFailure(attempt: ReservedAttempt): Promise<void> {
    return this.settle(attempt, true);
  }

  /** A right password on an active account: clears the pair, forgives the address, remembers the address. */
  recordSuccess(attempt: ReservedAttempt): Promise<void> {
    return this.settle(attempt, false);
  }

  private async settle(attempt: ReservedAttempt, failed: boolean): Promise<void> {
    if (!attempt.reserved) return;
    const keys = Object.values(throttleKeys(attempt.username, attempt.ip));
    try {
      await this.redis.eval(
        SETTLE_SCRIPT,
        keys.length,
        ...keys,
        failed ? 1 : 0,
        attempt.countsForAccount ? 1 : 0,
        this.env.LOGIN_MAX_FAILURES_PER_USER,
        this.env.LOGIN_MAX_ACCOUNT_FAILURES,
        this.env.LOGIN_MAX_FAILURES_PER_IP,
        this.env.LOGIN_FAILURE_WINDOW_SECONDS,
        this.env.LOGIN_BACKOFF_SECONDS,
        this.env.LOGIN_KNOWN_ADDRESS_DAYS * 86_400,
        attempt.username,
      );
    } catch (e) {
      // The counters expire by themselves.
      this.logger.warn(`Could not settle a login attempt: ${(e as Error).message}`);
    }
  }
}
