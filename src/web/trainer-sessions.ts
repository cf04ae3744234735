import { Injectable } from '@nestjs/common';
import { AttendanceService } from '../attendance/attendance.service';
import type { ClassSession } from '../classes/classes.types';
import { ClassViewsService } from '../classes/class-views.service';
import type { AuthUser } from '../common/auth/auth-user';
import { CommonErrors, type DomainError, type MessageArg } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import { localTime } from '../common/time/zoned-time';
import { Env } from '../config/env';
import type { PageContext } from './page-renderer';
import { PageRenderer } from './page-renderer';
import { type SessionCard, sessionCard } from './session-card';

/**
 * What the trainer's pages (点名, 签到码) share: the role check of their routes, and the session
 * as a card. Who may take a session's attendance is AttendanceService's rule, checked by each of
 * its calls (with the API's answers: 404 SESSION_NOT_FOUND outside the class, 403
 * NOT_SESSION_TRAINER for the class's other trainers); trainees are refused here first, with
 * 403 FORBIDDEN, as `@Roles` refuses them on the API.
 */
@Injectable()
export class TrainerSessions {
  constructor(
    private readonly attendance: AttendanceService,
    private readonly views: ClassViewsService,
    private readonly pages: PageRenderer,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  /** Trainer pages are for trainers and admins (no read: the service checks the session). */
  assertStaff(actor: AuthUser): void {
    if (actor.role === 'trainee') throw CommonErrors.forbidden();
  }

  /** The session (if the actor may take its attendance) and its card, in the centre's time zone. */
  async cardOf(
    actor: AuthUser,
    sessionId: string,
    context: PageContext,
  ): Promise<{ session: ClassSession; card: SessionCard }> {
    this.assertStaff(actor);
    const { session } = await this.attendance.sessionForTaking(actor, sessionId);
    const [dto] = await this.views.sessions([session]);
    const words = { today: this.pages.t(context.lang, 'today'), tomorrow: this.pages.t(context.lang, 'tomorrow') };
    return { session, card: sessionCard(dto, context.lang, this.env.TZ_DEFAULT, this.clock.now(), words) };
  }

  /** Now, by the injected clock. */
  now(): Date {
    return this.clock.now();
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
    return localTime(at, this.env.TZ_DEFAULT);
  }
}
