import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Env } from '../config/env';
import { type AuthRow, UsersService } from '../users/users.service';
import { verifyAgainstDummy, verifyPassword } from '../users/passwords';
import type { User } from '../users/user.entity';
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
   * Checks a username and password; throttles repeated failures per username and per address.
   * The attempt is counted before the (slow) password check, so parallel guesses cannot slip
   * past the limit while it runs, and settled after it.
   */
  async validateCredentials(rawUsername: string, password: string, ip: string): Promise<User> {
    const username = rawUsername.trim().toLowerCase();
    const state = await this.throttle.reserve(username, ip);
    if (state.blocked) throw AuthErrors.throttled(state.retryAfterSeconds);
    let user: User | null = null;
    let ok = false;
    try {
      user = await this.users.findByUsernameWithHash(username);
      ok = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
    } finally {
      // A right password is no guess, even for a deactivated account; an error counts as a failure.
      if (ok) await this.throttle.recordSuccess(username, ip);
      else await this.throttle.recordFailure(username, ip);
    }
    if (!user || !ok) throw AuthErrors.invalidCredentials();
    if (!user.active) throw AuthErrors.inactive();
    return user;
  }

  async issueToken(user: Pick<User, 'id' | 'tokenVersion'>): Promise<{ accessToken: string; expiresIn: number }> {
    const payload: JwtPayload = { sub: user.id, ver: user.tokenVersion };
    return { accessToken: await this.jwt.signAsync(payload), expiresIn: this.env.JWT_EXPIRES_IN_SECONDS };
  }

  /** Loads the caller for a verified token; refuses deactivated users and revoked tokens. */
  async resolveToken(payload: JwtPayload): Promise<AuthRow> {
    const row = typeof payload.sub === 'string' ? await this.users.findAuthRow(payload.sub) : undefined;
    if (!row || row.tokenVersion !== payload.ver) throw AuthErrors.tokenRevoked();
    if (!row.active) throw AuthErrors.inactive();
    return row;
  }
}
