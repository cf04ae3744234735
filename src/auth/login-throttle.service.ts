import { Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { Env } from '../config/env';
import { InjectRedis } from '../common/redis/redis.module';

export interface ThrottleState {
  blocked: boolean;
  retryAfterSeconds: number;
}

/**
 * Counts failed logins per username and per client address in Redis, shared by every
 * API process. Only failures count: forty trainees behind one township address all get
 * in at the start of a quiz. If Redis is down, logins go on unthrottled (logged).
 */
@Injectable()
export class LoginThrottleService {
  private readonly logger = new Logger(LoginThrottleService.name);

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly env: Env,
  ) {}

  private keys(username: string, ip: string): [string, string] {
    return [`login-fail:user:${username}`, `login-fail:ip:${ip}`];
  }

  async check(username: string, ip: string): Promise<ThrottleState> {
    const [userKey, ipKey] = this.keys(username, ip);
    try {
      const [userFails, ipFails] = (await this.redis.mget(userKey, ipKey)).map((v) => Number(v ?? 0));
      const overUser = userFails >= this.env.LOGIN_MAX_FAILURES_PER_USER;
      const overIp = ipFails >= this.env.LOGIN_MAX_FAILURES_PER_IP;
      if (!overUser && !overIp) return { blocked: false, retryAfterSeconds: 0 };
      const ttl = await this.redis.ttl(overUser ? userKey : ipKey);
      return { blocked: true, retryAfterSeconds: Math.max(ttl, 1) };
    } catch (e) {
      this.logger.warn(`Login throttle unavailable, allowing attempt: ${(e as Error).message}`);
      return { blocked: false, retryAfterSeconds: 0 };
    }
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    const window = this.env.LOGIN_FAILURE_WINDOW_SECONDS;
    try {
      const multi = this.redis.multi();
      for (const key of this.keys(username, ip)) {
        multi.incr(key);
        multi.expire(key, window, 'NX');
      }
      await multi.exec();
    } catch (e) {
      this.logger.warn(`Could not record a failed login: ${(e as Error).message}`);
    }
  }

  async recordSuccess(username: string): Promise<void> {
    try {
      await this.redis.del(this.keys(username, '')[0]);
    } catch {
      // The counter expires by itself.
    }
  }
}
