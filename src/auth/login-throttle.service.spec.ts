import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { validateEnv } from '../config/env';
import { LoginThrottleService, type ReservedAttempt, throttleKeys } from './login-throttle.service';

/** The throttle's rules, pinned edge by edge against the real Redis its scripts run in. */
describe('LoginThrottleService', () => {
  const prefix = `lms:test:throttle:${randomUUID().slice(0, 8)}:`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(validateEnv(process.env).REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length)));
    redis.disconnect();
  });

  /** Small limits and short waits, so every edge is a few calls away. */
  function throttle(env: Record<string, string> = {}): LoginThrottleService {
    return new LoginThrottleService(
      redis,
      validateEnv({
        ...process.env,
        LOGIN_MAX_FAILURES_PER_USER: '3',
        LOGIN_MAX_ACCOUNT_FAILURES: '5',
        LOGIN_MAX_FAILURES_PER_IP: '6',
        LOGIN_BACKOFF_SECONDS: '10',
        LOGIN_FAILURE_WINDOW_SECONDS: '100',
        ...env,
      }),
    );
  }

  /** A fresh username and address, so no test sees another's counters. */
  function fresh(): { user: string; ip: string } {
    const n = randomUUID().slice(0, 8);
    return { user: `user-${n}`, ip: `10.${parseInt(n.slice(0, 2), 16)}.${parseInt(n.slice(2, 4), 16)}.1` };
  }

  async function reserved(s: LoginThrottleService, user: string, ip: string): Promise<ReservedAttempt> {
    const attempt = await s.reserve(user, ip);
    if (attempt.blocked) throw new Error(`refused for ${attempt.retryAfterSeconds} s`);
    return attempt;
  }

  async function failOnce(s: LoginThrottleService, user: string, ip: string): Promise<void> {
    await s.recordFailure(await reserved(s, user, ip));
  }

  async function succeed(s: LoginThrottleService, user: string, ip: string): Promise<void> {
    await s.recordSuccess(await reserved(s, user, ip));
  }

  it('refuses a username at one address from its limit on, for the backoff doubled per further failure, at most the window', async () => {
    const s = throttle({ LOGIN_MAX_ACCOUNT_FAILURES: '100', LOGIN_MAX_FAILURES_PER_IP: '100' });
    const { user, ip } = fresh();
    const lock = throttleKeys(user, ip).pairLock;
    for (let i = 0; i < 3; i++) await failOnce(s, user, ip);
    const waits: number[] = [];
    for (let round = 0; round < 6; round++) {
      const refused = await s.reserve(user, ip);
      waits.push(refused.blocked ? refused.retryAfterSeconds : 0);
      await redis.del(lock); // the wait is over
      await failOnce(s, user, ip);
    }
    expect(waits).toEqual([10, 20, 40, 80, 100, 100]);
    // Failures are kept a window past the refusal they caused, so waiting it out does not reset them.
    expect(await redis.ttl(throttleKeys(user, ip).pairFailures)).toBeGreaterThan(190);
  });

  it('does not count a refused attempt', async () => {
    const s = throttle();
    const { user, ip } = fresh();
    for (let i = 0; i < 3; i++) await failOnce(s, user, ip);
    for (let i = 0; i < 3; i++) expect(await s.reserve(user, ip)).toEqual({ blocked: true, retryAfterSeconds: 10 });
    expect(await redis.get(throttleKeys(user, ip).pairFailures)).toBe('3');
  });

  it('clears a username at one address when it signs in there, and no other address', async () => {
    const s = throttle({ LOGIN_MAX_FAILURES_PER_IP: '100' });
    const { user, ip } = fresh();
    const other = fresh().ip;
    for (let i = 0; i < 2; i++) await failOnce(s, user, ip);
    for (let i = 0; i < 2; i++) await failOnce(s, user, other);
    await succeed(s, user, ip);
    expect(await redis.get(throttleKeys(user, ip).pairFailures)).toBeNull();
    expect(await redis.get(throttleKeys(user, other).pairFailures)).toBe('2');
  });

  it("forgives an address a username's failures when it signs in there, and only that username's", async () => {
    const s = throttle();
    const { ip } = fresh();
    const [typist, other] = [fresh().user, fresh().user];
    for (let i = 0; i < 2; i++) await failOnce(s, typist, ip);
    await failOnce(s, other, ip);
    expect(await redis.get(throttleKeys('', ip).ipFailures)).toBe('3');
    await succeed(s, typist, ip);
    expect(await redis.get(throttleKeys('', ip).ipFailures)).toBe('1');
    expect(await redis.hgetall(throttleKeys('', ip).ipFailuresByUsername)).toEqual({ [other]: '1' });
  });

  it('refuses an address cycling through usernames from its limit on, with backoff', async () => {
    const s = throttle();
    const { ip } = fresh();
    for (let i = 0; i < 6; i++) await failOnce(s, fresh().user, ip);
    expect(await s.reserve(fresh().user, ip)).toEqual({ blocked: true, retryAfterSeconds: 10 });
    await redis.del(throttleKeys('', ip).ipLock);
    await failOnce(s, fresh().user, ip);
    expect(await s.reserve(fresh().user, ip)).toEqual({ blocked: true, retryAfterSeconds: 20 });
  });

  it('limits a username across addresses, except where it signed in lately', async () => {
    const s = throttle();
    const { user, ip: home } = fresh();
    await succeed(s, user, home);
    expect(await redis.ttl(throttleKeys(user, home).knownAddress)).toBeGreaterThan(29 * 86_400);
    for (let i = 0; i < 5; i++) await failOnce(s, user, fresh().ip);
    expect(await s.reserve(user, fresh().ip)).toEqual({ blocked: true, retryAfterSeconds: 10 });
    const atHome = await reserved(s, user, home);
    expect(atHome.countsForAccount).toBe(false);
    await s.recordFailure(atHome);
    // A failure at home counts for that address, not against the account everywhere.
    expect(await redis.get(throttleKeys(user, home).accountFailures)).toBe('5');
  });

  it('exempts no address from the account limit with LOGIN_KNOWN_ADDRESS_DAYS=0', async () => {
    const s = throttle({ LOGIN_KNOWN_ADDRESS_DAYS: '0' });
    const { user, ip: home } = fresh();
    await succeed(s, user, home);
    for (let i = 0; i < 5; i++) await failOnce(s, user, fresh().ip);
    expect(await s.reserve(user, home)).toEqual({ blocked: true, retryAfterSeconds: 10 });
  });

  it('counts attempts in flight, so parallel guesses cannot pass a limit', async () => {
    const s = throttle();
    const { user, ip } = fresh();
    const first = await Promise.all([1, 2, 3].map(() => reserved(s, user, ip)));
    // The limit is taken by attempts still being checked: a fourth waits for their outcome.
    const fourth = s.reserve(user, ip);
    await Promise.all(first.map((a) => s.recordFailure(a)));
    expect(await fourth).toEqual({ blocked: true, retryAfterSeconds: 10 });
  });

  it('past a limit, once the wait is over, lets one attempt through at a time', async () => {
    const s = throttle();
    const { user, ip } = fresh();
    for (let i = 0; i < 3; i++) await failOnce(s, user, ip);
    await redis.del(throttleKeys(user, ip).pairLock);
    const probe = await reserved(s, user, ip);
    const second = s.reserve(user, ip);
    await s.recordFailure(probe);
    expect(await second).toEqual({ blocked: true, retryAfterSeconds: 20 });
  });

  it('lets a sign-in waiting for a place at a busy address in as soon as one is free', async () => {
    const s = throttle({ LOGIN_MAX_FAILURES_PER_IP: '2' });
    const { ip } = fresh();
    const busy = await Promise.all([fresh().user, fresh().user].map((u) => reserved(s, u, ip)));
    const waiting = s.reserve(fresh().user, ip);
    await s.recordSuccess(busy[0]);
    expect(await waiting).toMatchObject({ blocked: false, reserved: true });
    expect(await redis.get(throttleKeys('', ip).ipInFlight)).toBe('2');
  });

  it('lets sign-ins through unthrottled when Redis is unreachable', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const s = new LoginThrottleService(down, validateEnv(process.env));
      const attempt = await s.reserve('anyone', '10.0.0.1');
      expect(attempt).toMatchObject({ blocked: false, reserved: false });
      await expect(s.recordFailure(attempt as ReservedAttempt)).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('Login throttle unavailable'));
    } finally {
      warn.mockRestore();
      down.disconnect();
    }
  });
});
