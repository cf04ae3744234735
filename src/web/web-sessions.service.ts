import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { Clock } from '../common/time/clock';
import { AUTH_ROW_SQL, type AuthRow } from '../users/users.service';
import { randomToken, RANDOM_TOKEN } from './csrf';
import { SESSION_DAYS } from './web-cookies';
import { WebSession } from './web-session.entity';

/** A session's `last_seen_at` (and so its expiry) is moved on at most this often: one write a minute, not one a page. */
const TOUCH_AFTER_MS = 60_000;
const LIFETIME_MS = SESSION_DAYS * 86_400_000;

/** The caller's row exactly as the bearer-token guard reads it (AUTH_ROW_SQL), joined to the session in one query. */
const CALLER_SQL = AUTH_ROW_SQL.replace('WHERE u.id = $1', 'WHERE u.id = ws.user_id');
if (CALLER_SQL === AUTH_ROW_SQL) throw new Error('AUTH_ROW_SQL no longer selects by `u.id = $1`');
const SESSION_SQL = `
  SELECT ws.id AS "sessionId", ws.token_version AS "sessionVersion", ws.last_seen_at AS "lastSeenAt", a.*
    FROM web_sessions ws CROSS JOIN LATERAL (${CALLER_SQL}) a
   WHERE ws.token_hash = $1 AND ws.expires_at > $2`;

interface SessionRow extends AuthRow {
  sessionId: string;
  sessionVersion: number;
  lastSeenAt: Date;
}

/** A cookie resolved to its session and the signed-in user. */
export interface ResolvedSession {
  id: string;
  user: AuthUser;
  /** The expiry was moved on: send the cookie again with its full lifetime. */
  refreshed: boolean;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Cookie sessions of the pages, kept in PostgreSQL (`web_sessions`) so the server can end
 * them: sign-out deletes the row, and a session stops at its next request once its user is
 * deactivated or has a new role or password (the user's `token_version` moved past the one
 * the session was started with, as for bearer tokens). 30 days from the last use.
 */
@Injectable()
export class WebSessionsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
  ) {}

  /** Starts a session for a user who has just signed in; answers the cookie's token (never stored). */
  async start(user: { id: string; tokenVersion: number }): Promise<string> {
    const token = randomToken();
    const now = this.clock.now();
    await this.tx.run(async (m) => {
      // The user's expired sessions go here, so the table holds little more than live ones.
      await m.query(`DELETE FROM web_sessions WHERE user_id = $1 AND expires_at <= $2`, [user.id, now]);
      await m.getRepository(WebSession).insert({
        tokenHash: hashOf(token),
        userId: user.id,
        tokenVersion: user.tokenVersion,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + LIFETIME_MS),
      });
    });
    return token;
  }

  /**
   * The session a cookie names and its user, in one query; undefined when there is none, it
   * expired, or its user was deactivated or had its access revoked since (that session is
   * deleted). Moves the expiry on when the session was last seen over a minute ago.
   */
  async resolve(token: string): Promise<ResolvedSession | undefined> {
    if (!RANDOM_TOKEN.test(token)) return undefined;
    const now = this.clock.now();
    const [row] = await this.tx.manager.query<SessionRow[]>(SESSION_SQL, [hashOf(token), now]);
    if (!row) return undefined;
    const { sessionId, sessionVersion, lastSeenAt, tokenVersion, ...user } = row;
    if (!user.active || tokenVersion !== sessionVersion) {
      await this.tx.manager.query(`DELETE FROM web_sessions WHERE id = $1`, [sessionId]);
      return undefined;
    }
    const refreshed = now.getTime() - new Date(lastSeenAt).getTime() >= TOUCH_AFTER_MS;
    if (refreshed) {
      await this.tx.manager.query(`UPDATE web_sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1`, [
        sessionId,
        now,
        new Date(now.getTime() + LIFETIME_MS),
      ]);
    }
    return { id: sessionId, user, refreshed };
  }

  /**
   * Ends every session of a user at once (a new password): those started before it would stop
   * at their next request anyway (the token version moved on); this removes them now.
   */
  async endAllOf(userId: string): Promise<void> {
    await this.tx.manager.query(`DELETE FROM web_sessions WHERE user_id = $1`, [userId]);
  }

  /** Ends the session a cookie names (sign-out). */
  async end(token: string): Promise<void> {
    if (!RANDOM_TOKEN.test(token)) return;
    await this.tx.manager.query(`DELETE FROM web_sessions WHERE token_hash = $1`, [hashOf(token)]);
  }
}
