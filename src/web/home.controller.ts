import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AttendanceService } from '../attendance/attendance.service';
import { ClassViewsService } from '../classes/class-views.service';
import { SearchSessionsQueryDto } from '../classes/dto/session.dto';
import { SessionsService } from '../classes/sessions.service';
import type { AuthUser } from '../common/auth/auth-user';
import type { Language } from '../common/i18n/i18n.loader';
import { Clock } from '../common/time/clock';
import { localDate, localDayBounds } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { InboxService } from '../notifications/inbox.service';
import { PageRenderer, type PageView } from './page-renderer';
import { QuizPages } from './quiz-pages';
import { type SessionCard, sessionCard } from './session-card';
import { WebPages } from './web-pages.decorator';
import { pageContextOf, type PageRequest } from './web-session.guard';
import { LocalWords } from './local-words';

/** How many of a trainer's coming sessions (after today's) the home page lists. */
const TRAINER_LATER = 3;

/**
 * 首页: what a trainee or trainer needs without a tap. A trainee sees the next session of its
 * classes (or the one under way), a button to check in when a window is open, and how many
 * messages are unread; a trainer, today's sessions it teaches and the next ones. Everything
 * comes from the services the API uses (sessions as `GET /api/sessions` lists them).
 */
@WebPages()
@Controller()
export class HomeController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly views: ClassViewsService,
    private readonly inbox: InboxService,
    private readonly attendance: AttendanceService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
    private readonly quizPages: QuizPages,
  ) {}

  @Get()
  async home(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const now = this.clock.now();
    const view: PageView = { title: this.pages.t(context.lang, 'homeTitle'), tab: 'home' };
    switch (actor.role) {
      case 'trainee': {
        const [next] = await this.cards(actor, context.lang, now, { from: now, pageSize: 1 });
        view.trainee = {
          next,
          openCheckIn: (await this.attendance.openCheckInsFor(actor)).length > 0,
          unread: await this.inbox.unreadCount(actor),
          // An open quiz (one in progress first), with a secondary link: the primary stays 去签到.
          quiz: (await this.quizPages.openQuiz(actor, context.lang)) ?? null,
        };
        break;
      }
      case 'trainer': {
        const zone = this.env.TZ_DEFAULT;
        const { start, end } = localDayBounds(localDate(now, zone), zone);
        const cards = await this.cards(actor, context.lang, now, { from: start, pageSize: 20, trainerId: actor.id });
        const isToday = (c: SessionCard & { startsAt: Date }) => c.startsAt < end;
        const today = cards.filter(isToday);
        // 点名 of the session under way is the page's one primary action; the others are secondary.
        const current = today.find((c) => c.inProgress);
        view.trainer = {
          today: today.map((c) => ({ ...c, primaryRollCall: c === current })),
          later: cards.filter((c) => !isToday(c)).slice(0, TRAINER_LATER),
        };
        break;
      }
      case 'admin':
        // The library's staff work in the console.
        void reply.redirect('/console', 303);
        return;
    }
    this.pages.send(request, reply, 'home', context, view);
  }

  /** The caller's scheduled sessions ending after `from`, soonest first, as cards. */
  private async cards(
    actor: AuthUser,
    lang: Language,
    now: Date,
    query: { from: Date; pageSize: number; trainerId?: string },
  ): Promise<(SessionCard & { startsAt: Date })[]> {
    const search = Object.assign(new SearchSessionsQueryDto(), {
      page: 1,
      pageSize: query.pageSize,
      from: query.from.toISOString(),
      trainerId: query.trainerId,
    });
    const found = await this.sessions.search(actor, search);
    return (await this.views.sessions(found.items)).map((s) => ({
      ...sessionCard(s, lang, this.words, now),
      startsAt: s.startsAt,
    }));
  }
}
