import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { createEvents, type EventAttributes } from 'ics';
import type { AuthUser } from '../common/auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { TransactionService } from '../common/database/transaction.service';
import { UsersService } from '../users/users.service';

interface FeedRow {
  id: string;
  starts_at: Date;
  ends_at: Date;
  sequence: number;
  session_status: 'scheduled' | 'cancelled';
  class_status: string;
  class_title: string;
  topic: string | null;
  venue_name: string | null;
  venue_address: string | null;
  updated_at: Date;
}

/** How far back a feed reaches: calendar apps keep what they already have. */
const FEED_HISTORY_DAYS = 180;

export const CalendarErrors = {
  feedNotFound: () => new DomainError('CALENDAR_FEED_NOT_FOUND', 'not_found'),
  renderFailed: () => new DomainError('CALENDAR_RENDER_FAILED', 'unprocessable'),
};

export function hashFeedToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * iCalendar feeds of a user's sessions: a trainer's the sessions it teaches, a trainee's
 * the sessions of the classes it holds a seat in, an admin's every session in its part of
 * the tree. Each session keeps its UID; SEQUENCE rises with
 * every move; cancelled sessions (or sessions of cancelled classes) say STATUS:CANCELLED.
 * Times are written in UTC, which every calendar app shows in its own zone.
 */
@Injectable()
export class CalendarService {
  constructor(
    private readonly tx: TransactionService,
    private readonly users: UsersService,
  ) {}

  /** Issues a new secret feed address for the user, replacing (revoking) any earlier one. */
  async issueFeedToken(user: AuthUser): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.users.setCalendarTokenHash(user.id, hashFeedToken(token));
    return token;
  }

  async revokeFeedToken(user: AuthUser): Promise<void> {
    await this.users.setCalendarTokenHash(user.id, null);
  }

  async userForFeedToken(token: string): Promise<AuthUser> {
    const user = /^[\w-]{20,100}$/.test(token)
      ? await this.users.findByCalendarTokenHash(hashFeedToken(token))
      : undefined;
    if (!user) throw CalendarErrors.feedNotFound();
    return user;
  }

  async render(user: AuthUser, now: Date = new Date()): Promise<string> {
    const rows = await this.sessionsFor(user, new Date(now.getTime() - FEED_HISTORY_DAYS * 86_400_000));
    const events: EventAttributes[] = rows.map((r) => {
      const cancelled = r.session_status === 'cancelled' || r.class_status === 'cancelled';
      return {
        uid: `session-${r.id}@training-lms`,
        sequence: r.sequence,
        start: r.starts_at.getTime(),
        startInputType: 'utc',
        startOutputType: 'utc',
        end: r.ends_at.getTime(),
        endInputType: 'utc',
        endOutputType: 'utc',
        title: r.topic ? `${r.class_title}：${r.topic}` : r.class_title,
        location: [r.venue_name, r.venue_address].filter(Boolean).join('，') || undefined,
        status: cancelled ? 'CANCELLED' : 'CONFIRMED',
        lastModified: r.updated_at.getTime(),
      };
    });
    const { error, value } = createEvents(events, { productId: 'training-lms/calendar', calName: '培训日程' });
    if (error || value === null) throw CalendarErrors.renderFailed();
    // ics writes an empty body for no events; a calendar with no events is still a calendar.
    return (
      value ||
      'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:training-lms/calendar\r\nX-WR-CALNAME:培训日程\r\nEND:VCALENDAR\r\n'
    );
  }

  private sessionsFor(user: AuthUser, since: Date): Promise<FeedRow[]> {
    const select = `
      SELECT s.id, s.starts_at, s.ends_at, s.sequence, s.status AS session_status, c.status AS class_status,
             c.title AS class_title, s.topic, v.name AS venue_name, v.address AS venue_address, s.updated_at
        FROM sessions s
        JOIN classes c ON c.id = s.class_id
        LEFT JOIN venues v ON v.id = s.venue_id`;
    switch (user.role) {
      case 'trainer':
        return this.tx.manager.query<FeedRow[]>(
          `${select} WHERE s.trainer_id = $1 AND c.status <> 'draft' AND s.ends_at >= $2 ORDER BY s.starts_at`,
          [user.id, since],
        );
      case 'admin':
        return this.tx.manager.query<FeedRow[]>(
          `${select} JOIN plans p ON p.id = c.plan_id JOIN org_units o ON o.id = p.org_unit_id
            WHERE o.path LIKE $1 AND s.ends_at >= $2 ORDER BY s.starts_at`,
          [`${user.orgPath}%`, since],
        );
      case 'trainee':
        // Its classes: those it holds a seat in (confirmed, or completed once the class is over).
        return this.tx.manager.query<FeedRow[]>(
          `${select} JOIN enrolments e ON e.class_id = c.id AND e.trainee_id = $1 AND e.status IN ('confirmed', 'completed')
            WHERE c.status <> 'draft' AND s.ends_at >= $2 ORDER BY s.starts_at`,
          [user.id, since],
        );
    }
  }
}
