import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isUUID } from 'class-validator';
import { Env } from '../config/env';
import { type AuthRow, UsersService } from '../users/users.service';
import type { AuthUser } from '../common/auth/auth-user';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../common/auth/passwords';
import type { User } from '../users/user.types';
import { DomainError } from '../common/errors/domain-error';
import { AuthErrors } from './auth.errors';
import { LoginThrottleService } from './login-throttle.service';

/** A password's length, as for accounts admins make (CreateUserDto) and self-service changes. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export interface JwtPayload {
  sub: string;
  /** The user's token version when signed: raised on deactivation, role or password change. */
  ver: number;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly throttle: LoginThrottleService,
    private readonly env: Env,
  ) {}

  /**
   * Checks a username and password, throttled per username and address, per username, and
   * per address (see LoginThrottleService). The attempt is reserved before the (slow)
   * password check, so parallel guesses cannot slip past a limit while it runs, and settled after it.
   */
  async validateCredentials(rawUsername: string, password: string, ip: string): Promise<User> {
    const username = rawUsername.trim().toLowerCase();
    const attempt = await this.throttle.reserve(username, ip);
    if (attempt.blocked) throw AuthErrors.throttled(attempt.retryAfterSeconds);
    let user: User | null = null;
    try {
      const found = await this.users.findByUsernameWithHash(username);
      const ok = found ? await verifyPassword(found.passwordHash, password) : await verifyAgainstDummy(password);
      // A deactivated account is answered and counted like a wrong password: neither the
      // answer nor the throttle may tell a guesser that the password was right.
      if (found?.active && ok) user = found;
    } finally {
      // An error counts as a failure.
      if (user) await this.throttle.recordSuccess(attempt);
      else await this.throttle.recordFailure(attempt);
    }
    if (!user) throw AuthErrors.invalidCredentials();
    return user;
  }

  /**
   * A signed-in user's own password change: the current password is checked as a sign-in is
   * (same throttle, so a borrowed phone cannot guess it), then the new one (8–128 characters,
   * checked by the caller as for accounts an admin makes) is stored and every older token and
   * session ends. Answers the new token version, for the session the caller keeps.
   */
  async changePassword(
    actor: Pick<AuthUser, 'id' | 'username'>,
    current: string,
    next: string,
    ip: string,
  ): Promise<{ tokenVersion: number }> {
    if (next.length < PASSWORD_MIN || next.length > PASSWORD_MAX) throw new DomainError('VALIDATION_FAILED', 'invalid');
    const user = await this.validateCredentials(actor.username, current, ip);
    if (user.id !== actor.id) throw AuthErrors.invalidCredentials();
    return this.users.setOwnPassword(actor.id, await hashPassword(next));
  }

  async issueToken(user: Pick<User, 'id' | 'tokenVersion'>): Promise<{ accessToken: string; expiresIn: number }> {
    const payload: JwtPayload = { sub: user.id, ver: user.tokenVersion };
    return { accessToken: await this.jwt.signAsync(payload), expiresIn: this.env.JWT_EXPIRES_IN_SECONDS };
  }

  /** Loads the caller for a verified token; refuses deactivated users and revoked tokens. */
  async resolveToken(payload: JwtPayload): Promise<AuthRow> {
    // Only a well-formed id reaches PostgreSQL, which fails (a 500) on a malformed uuid.
    const row = isUUID(payload.sub) ? await this.users.findAuthRow(payload.sub) : undefined;
    if (!row || row.tokenVersion !== payload.ver) throw AuthErrors.tokenRevoked();
    if (!row.active) throw AuthErrors.inactive();
    return row;
  }
}
