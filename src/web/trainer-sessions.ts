import { Injectable } from '@nestjs/common';
import { AttendanceErrors } from '../attendance/attendance.errors';
import type { ClassSession } from '../classes/classes.types';
import { ClassViewsService } from '../classes/class-views.service';
import { SessionsService } from '../classes/sessions.service';
import type { AuthUser } from '../common/auth/auth-user';
import { CommonErrors } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import { localTime } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { isWithin } from '../org-units/org-units.service';
import type { PageContext } from './page-renderer';
import { PageRenderer } from './page-renderer';
import { type SessionCard, sessionCard } from './session-card';

/**
 * What the trainer's pages (点名, 签到码) share: who may open them, and the session as a card.
 * The services check again on every write (AttendanceService.mark, openCheckIn, closeCheckIn);
 * this only refuses early, with the same answers as the API: trainees 403 FORBIDDEN, anyone
 * outside the class (an admin of another county, a trainer not teaching it) 404
 * SESSION_NOT_FOUND, the class's other trainers 403 NOT_SESSION_TRAINER.
 */
@Injectable()
export class TrainerSessions {
  constructor(
    private readonly sessions: SessionsService,
    private readonly views: ClassViewsService,
    private readonly pages: PageRenderer,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  async assertMayTake(actor: AuthUser, sessionId: string): Promise<ClassSession> {
    if (actor.role === 'trainee') throw CommonErrors.forbidden();
    const { s, c } = await this.sessions.getWithClass(sessionId);
    const reads =
      (actor.role === 'admin' && isWithin(c.planPath, actor.orgPath)) ||
      (actor.role === 'trainer' && c.trainerIds.includes(actor.id));
    if (!reads) throw AttendanceErrors.sessionNotFound();
    if (actor.role === 'trainer' && s.trainerId !== actor.id) throw AttendanceErrors.notSessionTrainer();
    return s;
  }

  /** The session (after `assertMayTake`) and its card, in the centre's time zone. */
  async cardOf(
    actor: AuthUser,
    sessionId: string,
    context: PageContext,
  ): Promise<{ session: ClassSession; card: SessionCard }> {
    const session = await this.assertMayTake(actor, sessionId);
    const [dto] = await this.views.sessions([session]);
    const words = { today: this.pages.t(context.lang, 'today'), tomorrow: this.pages.t(context.lang, 'tomorrow') };
    return { session, card: sessionCard(dto, context.lang, this.env.TZ_DEFAULT, this.clock.now(), words) };
  }

  /** `09:30`, in the centre's time zone. */
  time(at: Date): string {
    return localTime(at, this.env.TZ_DEFAULT);
  }
}
