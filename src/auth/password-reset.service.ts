import { createHmac, hkdfSync, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { hashPassword } from '../common/auth/passwords';
import { TransactionService } from '../common/database/transaction.service';
import { DomainError } from '../common/errors/domain-error';
import { InjectRedis } from '../common/redis/redis.module';
import { Clock } from '../common/time/clock';
import { Env, jwtSecret } from '../config/env';
import { DirectSmsService } from '../notifications/direct-sms.service';
import { UsersService } from '../users/users.service';
import { PASSWORD_MAX, PASSWORD_MIN } from './auth.service';
import { PasswordResetCode } from './password-reset-code.entity';

/** How long a code sent by SMS is good for. */
export const RESET_CODE_MINUTES = 10;
/** Codes that may be tried against one sent code before it is void. */
export const RESET_CODE_TRIES = 5;

/**
 * Limits per phone number and per client address, as [count, seconds] of a fixed window. The
 * same for numbers that belong to nobody, so the limits say nothing about who is registered.
 * Per address generous enough for a training room behind one address.
 */
export const RESET_LIMITS = {
  send: { phone: [3, 3600], ip: [20, 3600] },
  verify: { phone: [10, 3600], ip: [60, 3600] },
} as const;

/**
 * KEYS[1]: a window's counter. ARGV: limit, window seconds. Counts the request; answers 0 when
 * it is within the limit, else the seconds until the window ends.
 */
const COUNT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 1 then ttl = 1 end
  return ttl
end
return 0`;

/** `139 3700 0003`, `139-3700-0003` and `+86 139 3700 0003` are `13937000003`; anything else that is not a plausible number, undefined. */
export function phoneDigits(raw: string | undefined): string | undefined {
  const text = (raw ?? '').trim();
  if (text.length > 30 || !/^\+?[\d\s()-]+$/.test(text)) return undefined;
  let digits = text.replace(/\D/g, '');
  if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
  return digits.length >= 5 && digits.length <= 20 ? digits : undefined;
}

/** The outcome of trying a code: the account whose password was set, or why not. */
export type ResetOutcome = { ok: true; userId: string; tokenVersion: number } | { ok: false };

const tooMany = (retryAfterSeconds: number) =>
  new DomainError('TOO_MANY_REQUESTS', 'too_many_requests', { details: { retryAfterSeconds } });

/**
 * 忘记密码: a 6-digit code by SMS to the phone number of an account, then a new password with
 * it. Only with an SMS gateway (SMS_PROVIDER=http): the code goes straight to the gateway
 * through the SMS channel's sender, not through the message queue (it must not wait for quiet
 * hours). Nothing the caller sees tells whether a number is registered: the same answer, the
 * same limits (per number and per address, in Redis; refused while Redis is down). Codes are
 * kept as an HMAC under a server key, last RESET_CODE_MINUTES, allow RESET_CODE_TRIES tries and
 * work once; a new one voids the older. A reset ends every older token and session.
 */
@Injectable()
export class PasswordResetService {
  private readonly logger = new Logger(PasswordResetService.name);
  private readonly key: Buffer;

  constructor(
    private readonly tx: TransactionService,
    private readonly users: UsersService,
    private readonly clock: Clock,
    private readonly sms: DirectSmsService,
    @InjectRedis() private readonly redis: Redis,
    env: Env,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', jwtSecret(env), '', 'lms password reset codes', 32));
  }

  /** Whether passwords can be reset by SMS here (an SMS gateway is configured). */
  get bySms(): boolean {
    return this.sms.available;
  }

  /**
   * Sends a new code to `phone` (digits, see phoneDigits) when it is an active account's, in
   * `text(code)`. Only the limits are counted before answering: finding the account, storing
   * its code and sending the SMS happen after the answer, so neither what it says nor how long
   * it takes tells whether the number is registered (storing a code took measurably longer
   * than finding none). 429 TOO_MANY_REQUESTS past a limit; 503 without an SMS gateway or Redis.
   */
  async request(phone: string, ip: string, text: (code: string) => string): Promise<void> {
    if (!this.sms.available) throw new DomainError('SERVICE_UNAVAILABLE', 'unavailable');
    await this.limit('send', phone, ip);
    void this.issue(phone, text).catch((e: Error) => {
      this.logger.warn(`Password reset code not issued: ${e.message}`);
    });
  }

  /** The account's new code (older ones void) and its SMS, when the number is an active account's. */
  private async issue(phone: string, text: (code: string) => string): Promise<void> {
    const user = await this.users.findActiveByPhone(phone);
    if (!user) return;
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = this.clock.now();
    const id = randomUUID();
    await this.tx.run(async (m) => {
      // One code at a time per account (two quick taps each issue one, in turn), and a new code
      // voids the older ones (and clears the used and expired).
      await m.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [user.id]);
      await m.query(`DELETE FROM password_reset_codes WHERE user_id = $1`, [user.id]);
      await m.getRepository(PasswordResetCode).insert({
        id,
        userId: user.id,
        phone,
        codeHash: this.hash(id, code),
        expiresAt: new Date(now.getTime() + RESET_CODE_MINUTES * 60_000),
        usedAt: null,
      });
    });
    await this.sms.send({ id: `password-reset-${id}`, phone, text: text(code) }).catch((e: Error) => {
      this.logger.warn(`Password reset SMS ${id} not sent: ${e.message}`);
    });
  }

  /**
   * Sets a new password with the code sent to `phone`. `{ ok: false }` when the number has no
   * live code, the code is wrong (a try used), or its tries are used up: one answer for all.
   * 429 past a limit (per number and address, counted for every try); 400 VALIDATION_FAILED
   * for a password of the wrong length.
   */
  async reset(phone: string, code: string, password: string, ip: string): Promise<ResetOutcome> {
    if (!this.sms.available) throw new DomainError('SERVICE_UNAVAILABLE', 'unavailable');
    if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
      throw new DomainError('VALIDATION_FAILED', 'invalid');
    }
    await this.limit('verify', phone, ip);
    const now = this.clock.now();
    // One transaction: the code is used if and only if the password is set with it.
    return this.tx.run(async (m): Promise<ResetOutcome> => {
      const [row] = await m.query<{ id: string; userId: string; codeHash: string }[]>(
        `SELECT id, user_id AS "userId", code_hash AS "codeHash" FROM password_reset_codes
          WHERE phone = $1 AND used_at IS NULL AND expires_at > $2 AND attempts < $3
          ORDER BY created_at DESC LIMIT 1
          FOR UPDATE`,
        [phone, now, RESET_CODE_TRIES],
      );
      if (!row) return { ok: false };
      const right = /^\d{6}$/.test(code) && this.same(row.codeHash, this.hash(row.id, code));
      await m.query(
        `UPDATE password_reset_codes SET attempts = attempts + 1, used_at = CASE WHEN $2 THEN $3::timestamptz END
          WHERE id = $1`,
        [row.id, right, now],
      );
      if (!right) return { ok: false };
      // setOwnPassword joins this transaction (TransactionService.run nests).
      const { tokenVersion } = await this.users.setOwnPassword(row.userId, await hashPassword(password));
      return { ok: true, userId: row.userId, tokenVersion };
    });
  }

  private hash(id: string, code: string): string {
    return createHmac('sha256', this.key).update(`${id}:${code}`).digest('hex');
  }

  private same(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  }

  /** Counts a request against the number's and the address's windows; 429 past either. */
  private async limit(kind: keyof typeof RESET_LIMITS, phone: string, ip: string): Promise<void> {
    const limits = RESET_LIMITS[kind];
    let waits: number[];
    try {
      waits = (await Promise.all([
        this.redis.eval(COUNT_SCRIPT, 1, `password-reset:${kind}:phone:${phone}`, ...limits.phone),
        this.redis.eval(COUNT_SCRIPT, 1, `password-reset:${kind}:ip:${ip}`, ...limits.ip),
      ])) as number[];
    } catch (e) {
      // Unthrottled guessing of six digits is not an option: the library can still help.
      this.logger.warn(`Password reset throttle unavailable, refusing: ${(e as Error).message}`);
      throw new DomainError('SERVICE_UNAVAILABLE', 'unavailable');
    }
    const wait = Math.max(...waits);
    if (wait > 0) throw tooMany(wait);
  }
}
