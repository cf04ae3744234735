import { Injectable } from '@nestjs/common';
import { AttendanceService } from '../attendance/attendance.service';
import type { ClassSession } from '../classes/classes.types';
import { ClassViewsService } from '../classes/class-views.service';
import type { AuthUser } from '../common/auth/auth-user';
import { type DomainError, type MessageArg } from '../common/errors/domain-error';
import type { PageContext } from './page-renderer';
import { type SessionCard, sessionCard } from './session-card';
import { LocalWords } from './local-words';

/**
 * What the trainer's pages (点名, 签到码) share: the session as a card. Who may take a session's attendance is AttendanceService's rule, checked by each of
 * its calls (with the API's answers: 404 SESSION_NOT_FOUND outside the class, 403
 * NOT_SESSION_TRAINER for the class's other trainers); trainees are refused before, by the
 * routes' @PageRoles (403 FORBIDDEN to the pages' scripts, as `@Roles` refuses them on the API).
 */
@Injectable()
export class TrainerSessions {
  constructor(
    private readonly attendance: AttendanceService,
    private readonly views: ClassViewsService,
    private readonly words: LocalWords,
  ) {}

  /** The session (if the actor may take its attendance) and its card, in the centre's time zone. */
  async cardOf(
    actor: AuthUser,
    sessionId: string,
    context: PageContext,
  ): Promise<{ session: ClassSession; card: SessionCard }> {
    const { session } = await this.attendance.sessionForTaking(actor, sessionId);
    const [dto] = await this.views.sessions([session]);
    return { session, card: sessionCard(dto, context.lang, this.words) };
  }

  /** Now, by the injected clock. */
  now(): Date {
    return this.words.now();
  }

  /**
   * `{minutes}` and `{time}` for the hints that say when attendance opens, from the service's
   * ATTENDANCE_TOO_EARLY (its `opensAt` and `minutes`); empty for any other error.
   */
  openingArgs(e: DomainError): Record<string, MessageArg> {
    const { opensAt, minutes } = e.options.args ?? {};
    return opensAt instanceof Date ? { minutes, time: this.time(opensAt) } : {};
  }

  /** `09:30`, in the centre's time zone. */
  time(at: Date): string {
    return this.words.time(at);
  }
}
