import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isUUID } from 'class-validator';
import { Env } from '../config/env';
import { type AuthRow, UsersService } from '../users/users.service';
import { verifyAgainstDummy, verifyPassword } from '../common/auth/passwords';
import type { User } from '../users/user.types';
import { AuthErrors } from './auth.errors';
import { LoginThrottleService } from './login-throttle.service';

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
