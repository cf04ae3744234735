import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import { ListQuizzesQueryDto, type QuizDto } from '../quizzes/dto/quiz.dto';
import { QuizResultsService } from '../quizzes/quiz-results.service';
import { QuizErrors } from '../quizzes/quizzes.errors';
import { QuizzesService, type ScopedQuiz } from '../quizzes/quizzes.service';
import { boardTagOf, boardView, type ContestState, contestState, pageEtag, pageEtagSuffix } from './contest-board';
import { type PageContext, PageRenderer } from './page-renderer';
import { FormPost, WebPages } from './web-pages.decorator';
import { pageContextOf, type PageRequest } from './web-session.guard';
import { PageRoles } from './page-roles';
import { PageId } from './page-id.pipe';
import { LocalWords } from './local-words';

type Quiz = ScopedQuiz['quiz'];

/** Contests the list shows at most (newest opening first, as the API lists them). */
const LIST_SIZE = 50;

/** How often the page's script asks for a new board (ms): the address of the poll carries no clock. */
const POLL_MS = 3000;

/** The order of the list: under way first, then those to come, then those over. */
const STATE_ORDER: Record<ContestState, number> = { open: 0, upcoming: 1, closed: 2 };

/**
 * 测验实况 for trainers (and admins in scope): the contests of their classes, and one
 * contest's live page: start it now, end it now (after a confirmation), and its leaderboard
 * by trainee and by township, in large type for a projector. Starting and ending change the
 * contest's opening and closing times through QuizzesService.startContestNow/endContestNow, the
 * same rules as `PATCH /api/quizzes/:id` (ending moves the deadlines of attempts in progress to
 * now), under the quiz's lock, so two trainers tapping at once start or end it once; the
 * board is QuizResultsService's, as `GET /api/quizzes/:id/leaderboard` gives it. The page's
 * script (live.js) asks for the page again every few seconds with `If-None-Match`: while no
 * attempt has finished, the answer is 304 from one count. Without JavaScript, a 刷新 link.
 */
@WebPages()
@PageRoles(['trainer', 'admin'], 'live_forStaffText')
@Controller()
export class ContestLiveController {
  constructor(
    private readonly quizzes: QuizzesService,
    private readonly results: QuizResultsService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  @Get('contests')
  async list(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = pageContextOf(request);
    const query = Object.assign(new ListQuizzesQueryDto(), { page: 1, pageSize: LIST_SIZE, mode: 'contest' });
    const found = await this.quizzes.list(request.user!, query);
    const now = this.clock.now();
    const titles = await this.quizzes.classTitles(found.items.map((q) => q.id));
    const contests = found.items
      .map((q) => ({ ...this.summary(q, context, now), classTitle: titles.get(q.classId) ?? '' }))
      .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state]);
    const view = { title: this.pages.t(context.lang, 'live_listTitle'), tab: 'home' as const, contests };
    this.pages.send(request, reply, 'contests', context, view);
  }

  @Get('contests/:id/live')
  async live(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(QuizErrors.quizNotFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const { quiz, classTitle } = await this.contest(request.user!, id);
    const now = this.clock.now();
    const state = contestState(quiz, now);
    const suffix = pageEtagSuffix([context.lang, state, request.user!.id, context.csrf]);
    const { etag: boardEtag, board } = await this.results.leaderboard(
      request.user!,
      quiz.id,
      boardTagOf(request.headers['if-none-match'], suffix),
    );
    const etag = pageEtag(boardEtag, suffix);
    if (!board) {
      void reply.code(304).header('etag', etag).header('cache-control', 'no-store').send();
      return;
    }
    const view = {
      title: this.pages.t(context.lang, 'live_title'),
      tab: 'home' as const,
      scripts: ['live.js'],
      contest: { ...this.summary(quiz, context, now), classTitle },
      board: { ...boardView(board), state, etag, poll: `/contests/${quiz.id}/live`, every: POLL_MS },
      canStart: state === 'upcoming',
      canEnd: state === 'open',
      started: request.query && (request.query as Record<string, unknown>).done === 'start',
      ended: request.query && (request.query as Record<string, unknown>).done === 'end',
    };
    const body = this.pages.prepare(request, reply, 'contest-live', context, view);
    void reply.header('etag', etag).send(body);
  }

  /** Starts the contest now: its opening time becomes now (only while it has not opened). */
  @FormPost('contests/:id/start')
  async start(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(QuizErrors.quizNotFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const started = await this.quizzes.startContestNow(request.user!, id);
    if (!started) return this.notNow(request, reply, context, id, 'live_alreadyStarted');
    void reply.redirect(`/contests/${started.id}/live?done=start`, 303);
  }

  /** The confirmation before ending: a page of its own, so it works without JavaScript. */
  @Get('contests/:id/end')
  async confirmEnd(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(QuizErrors.quizNotFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const { quiz, classTitle } = await this.contest(request.user!, id);
    const now = this.clock.now();
    if (contestState(quiz, now) !== 'open') return this.notNow(request, reply, context, quiz.id, 'live_notOpen');
    const view = {
      title: this.pages.t(context.lang, 'live_endTitle'),
      tab: 'home' as const,
      contest: { ...this.summary(quiz, context, now), classTitle },
    };
    this.pages.send(request, reply, 'contest-end', context, view);
  }

  /**
   * Ends the contest now: its closing time becomes now (only while it is open), and attempts in
   * progress are handed in by the service's deadline job.
   */
  @FormPost('contests/:id/end')
  async end(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(QuizErrors.quizNotFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const ended = await this.quizzes.endContestNow(request.user!, id);
    if (!ended) return this.notNow(request, reply, context, id, 'live_notOpen');
    void reply.redirect(`/contests/${ended.id}/live?done=end`, 303);
  }

  /** A contest the caller runs (admins in scope, the class's trainers), else 404 QUIZ_NOT_FOUND; a plain quiz is none. */
  private async contest(actor: AuthUser, id: string): Promise<{ quiz: Quiz; classTitle: string }> {
    const { quiz, cls } = await this.quizzes.getForStaff(actor, id);
    if (quiz.mode !== 'contest') throw QuizErrors.quizNotFound();
    return { quiz, classTitle: cls.entity.title };
  }

  private summary(q: Pick<QuizDto, 'id' | 'title' | 'opensAt' | 'closesAt'>, context: PageContext, now: Date) {
    const state = contestState(q, now);
    return {
      id: q.id,
      title: q.title,
      state,
      stateLabel: this.pages.t(context.lang, `live_state_${state}`),
      opensAt: this.words.when(q.opensAt, context.lang, now),
      closesAt: this.words.when(q.closesAt, context.lang, now),
    };
  }

  /** Start or end asked at the wrong moment (someone else was quicker, or the time came): say so, and show the page. */
  private notNow(request: PageRequest, reply: FastifyReply, context: PageContext, quizId: string, key: string): void {
    const t = (k: string) => this.pages.t(context.lang, k);
    const again = { href: `/contests/${quizId}/live`, label: t('live_backToLive') };
    const view = { title: t('live_title'), heading: t(key), lines: [t(`${key}Text`)], action: again };
    this.pages.send(request, reply, 'message', context, view, 409);
  }
}
