import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ClassViewsService } from '../classes/class-views.service';
import { ClassErrors } from '../classes/classes.errors';
import { ClassesService, type ScopedClass } from '../classes/classes.service';
import { ListClassesQueryDto } from '../classes/dto/class.dto';
import type { ClassDto } from '../classes/dto/class.dto';
import { ListSessionsQueryDto } from '../classes/dto/session.dto';
import { SessionsService } from '../classes/sessions.service';
import type { AuthUser } from '../common/auth/auth-user';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import {
  type ClassPlaces,
  enrolmentWindow,
  EnrolmentsService,
  mayWithdraw,
  type OwnEnrolment,
} from '../enrolments/enrolments.service';
import { AreaPages, type PageAction, pager } from './courses-common';
import { LocalWords } from './local-words';
import { type PageContext, PageRenderer } from './page-renderer';
import { sessionCard } from './session-card';
import { FormPost, WebPages } from './web-pages.decorator';
import { pageContextOf, type PageRequest } from './web-session.guard';
import { PageRoles } from './page-roles';
import { PageId } from './page-id.pipe';

/** Classes per page of the 课程 list. */
const PAGE_SIZE = 20;
/** Sessions a class page lists (a class has a few dozen at most). */
const SESSIONS_SHOWN = 200;

/** Where a trainee stands with a class, as the pages say it. */
type StateKind = 'enrolled' | 'waitlisted' | 'completed' | 'open' | 'full' | 'notYet' | 'closed' | 'noTownship';

interface ClassState {
  kind: StateKind;
  /** One short line: 已报名 / 候补第 2 位 / 还可以报名 … */
  label: string;
  /** The form to enrol (or join the waitlist), when the trainee may. */
  enrol: { action: string; label: string; waitlist: boolean } | null;
  /** The confirmation page of withdrawing, when the trainee may withdraw. */
  withdraw: string | null;
}

/**
 * 课程 for trainees: the open classes of their county with the seats left for their township
 * and where they stand, a page per class (its sessions in local time), enrolling with one
 * tap (or joining the waitlist when the township's seats are taken) and withdrawing after a
 * confirmation page. Enrolling and withdrawing are EnrolmentsService.enrol and .withdraw, the
 * steps `POST /api/classes/:id/enrolments` and `POST /api/enrolments/:id/withdraw` take, with
 * their rules and their refusals (shown with what to do next). Trainers and admins get 403 (@PageRoles).
 */
@WebPages()
@PageRoles(['trainee'], 'courses_forTrainees')
@Controller()
export class CoursesController {
  private readonly area: AreaPages;

  constructor(
    private readonly classes: ClassesService,
    private readonly views: ClassViewsService,
    private readonly sessions: SessionsService,
    private readonly enrolments: EnrolmentsService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {
    this.area = new AreaPages(pages);
  }

  @Get('courses')
  async list(@Req() request: PageRequest, @Res() reply: FastifyReply, @Query('page') rawPage?: string): Promise<void> {
    const start = this.area.listStart(request, reply, '/courses', rawPage);
    if (!start) return;
    const { context, actor, page, t } = start;
    const query = Object.assign(new ListClassesQueryDto(), { page, pageSize: PAGE_SIZE, status: 'open' });
    const found = await this.classes.list(actor, query);
    const { township, classes: places } = await this.enrolments.placesFor(
      actor,
      found.items.map((c) => c.entity),
    );
    const dtos = await this.views.classes(found.items);
    const items = found.items.map((c, i) => this.summary(c, dtos[i], places.get(c.entity.id)!, township, context));
    const view = {
      title: t('courses_title'),
      tab: 'courses' as const,
      items,
      noTownship: !township,
      pager: pager('/courses', page, PAGE_SIZE, found.total),
    };
    this.pages.send(request, reply, 'courses', context, view);
  }

  @Get('courses/:id')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const c = await this.visible(actor, id);
    const { township, classes } = await this.enrolments.placesFor(actor, [c.entity]);
    const places = classes.get(c.entity.id)!;
    const [dto] = await this.views.classes([c]);
    const listed = await this.sessions.listForClass(
      actor,
      c.entity.id,
      Object.assign(new ListSessionsQueryDto(), { page: 1, pageSize: SESSIONS_SHOWN }),
    );
    const now = this.clock.now();
    const sessions = (await this.views.sessions(listed.items)).map((s) =>
      sessionCard(s, context.lang, this.words, now),
    );
    const view = {
      title: c.entity.title,
      tab: 'courses' as const,
      course: this.summary(c, dto, places, township, context),
      sessions,
    };
    this.pages.send(request, reply, 'course', context, view);
  }

  @FormPost('courses/:id/enrol')
  async enrol(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const back = this.backLinks(context, id);
    const heading = this.area.t(context, 'courses_enrolProblemTitle');
    let c: ScopedClass;
    try {
      c = await this.visible(actor, id);
    } catch (e) {
      // No such class (for this trainee): the way on is the list.
      return this.area.problem(request, reply, context, e, heading, back.slice(-1));
    }
    try {
      const enrolment = await this.enrolments.enrol(actor, c.entity.id, undefined);
      const t = (key: string, args = {}) => this.area.t(context, key, args);
      const waitlisted = enrolment.status === 'waitlisted';
      const title = waitlisted ? t('courses_waitlistedTitle') : t('courses_enrolledTitle');
      const lines = waitlisted
        ? [
            t('courses_waitlistedText', { title: c.entity.title, position: enrolment.waitlistPosition ?? 0 }),
            t('courses_waitlistedNext'),
          ]
        : [t('courses_enrolledText', { title: c.entity.title }), t('courses_enrolledNext')];
      const view = { title, heading: title, ok: true, lines, actions: back };
      this.pages.send(request, reply, 'courses-result', context, view);
    } catch (e) {
      this.area.problem(request, reply, context, e, heading, back);
    }
  }

  /** What withdrawing means, and the button that does it (a GET changes nothing). */
  @Get('courses/:id/withdraw')
  async confirmWithdraw(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const c = await this.visible(actor, id);
    const mine = await this.ownEnrolment(actor, c);
    if (!mine) {
      // Nothing to withdraw (any more): the class page says where the trainee stands.
      return void reply.redirect(`/courses/${c.entity.id}`, 303);
    }
    const t = (key: string, args = {}) => this.area.t(context, key, args);
    const view = {
      title: t('courses_withdrawTitle'),
      classTitle: c.entity.title,
      lines: [
        mine.status === 'confirmed' ? t('courses_withdrawSeat') : t('courses_withdrawWaitlist'),
        t('courses_withdrawAgain'),
      ],
      action: `/courses/${c.entity.id}/withdraw`,
      back: `/courses/${c.entity.id}`,
    };
    this.pages.send(request, reply, 'courses-withdraw', context, view);
  }

  @FormPost('courses/:id/withdraw')
  async withdraw(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const back = this.backLinks(context, id);
    const heading = this.area.t(context, 'courses_withdrawProblemTitle');
    try {
      const c = await this.visible(actor, id);
      const mine = await this.ownEnrolment(actor, c);
      if (!mine) {
        const view = {
          title: heading,
          heading,
          ok: false,
          lines: [this.area.t(context, 'courses_notEnrolled')],
          actions: back,
        };
        return this.pages.send(request, reply, 'courses-result', context, view, 409);
      }
      await this.enrolments.withdraw(actor, mine.id);
      const title = this.area.t(context, 'courses_withdrawnTitle');
      const lines = [
        this.area.t(context, 'courses_withdrawnText', { title: c.entity.title }),
        this.area.t(context, 'courses_withdrawnNext'),
      ];
      this.pages.send(request, reply, 'courses-result', context, {
        title,
        heading: title,
        ok: true,
        lines,
        actions: back,
      });
    } catch (e) {
      this.area.problem(request, reply, context, e, heading, back);
    }
  }

  /** A class the trainee may read (its county's, announced), else CLASS_NOT_FOUND (a 404 page). */
  private async visible(actor: AuthUser, id: string): Promise<ScopedClass> {
    return this.classes.getVisible(actor, id);
  }

  /** The trainee's enrolment in the class while there is something to withdraw (a seat or a waitlist place). */
  private async ownEnrolment(actor: AuthUser, c: ScopedClass): Promise<OwnEnrolment | null> {
    const mine = (await this.enrolments.placesFor(actor, [c.entity])).classes.get(c.entity.id)!.mine;
    return mine && (mine.status === 'confirmed' || mine.status === 'waitlisted') ? mine : null;
  }

  /** A result page's ways on: the class and the list. */
  private backLinks(context: PageContext, id: string): PageAction[] {
    const list = { href: '/courses', label: this.area.t(context, 'courses_backToList') };
    return [{ href: `/courses/${id}`, label: this.area.t(context, 'courses_seeClass') }, list];
  }

  /** A class as the list and its page show it: dates, place, trainers, seats left, and where the trainee stands. */
  private summary(
    c: ScopedClass,
    dto: ClassDto,
    places: ClassPlaces,
    township: { name: string } | null,
    context: PageContext,
  ) {
    const now = this.clock.now();
    const t = (key: string, args = {}) => this.area.t(context, key, args);
    const e = c.entity;
    const state = this.state(c, places, township, now, context);
    let placesText: string | null = null;
    if (township && (state.kind === 'open' || state.kind === 'full' || state.kind === 'notYet')) {
      placesText =
        places.left > 0
          ? t('courses_placesLeft', { township: township.name, count: places.left })
          : t('courses_placesFull', { township: township.name, count: places.waitlisted });
    }
    return {
      id: e.id,
      href: `/courses/${e.id}`,
      title: e.title,
      course: dto.course.title,
      dates: this.words.days(e.startDate, e.endDate, context.lang, now),
      place: dto.venue?.name ?? null,
      trainers: this.words.list(
        dto.trainers.map((p) => p.displayName),
        context.lang,
      ),
      closes: this.words.dayTime(e.enrolmentClosesAt, context.lang, now),
      placesText,
      full: state.kind === 'full',
      state,
    };
  }

  private state(
    c: ScopedClass,
    places: ClassPlaces,
    township: { name: string } | null,
    now: Date,
    context: PageContext,
  ): ClassState {
    const t = (key: string, args = {}) => this.area.t(context, key, args);
    const e = c.entity;
    const mine = places.mine;
    // The rules EnrolmentsService enforces (enrolment-rules.ts), shown before the trainee tries.
    const withdraw = mayWithdraw(e, now, this.env.TZ_DEFAULT) ? `/courses/${e.id}/withdraw` : null;
    const none = { enrol: null, withdraw: null };
    if (mine?.status === 'confirmed')
      return { kind: 'enrolled', label: t('courses_stateEnrolled'), enrol: null, withdraw };
    if (mine?.status === 'waitlisted') {
      const label = t('courses_stateWaitlisted', { position: mine.position ?? 0 });
      return { kind: 'waitlisted', label, enrol: null, withdraw };
    }
    if (mine?.status === 'completed') return { kind: 'completed', label: t('courses_stateCompleted'), ...none };
    const window = enrolmentWindow(e, now);
    if (window === 'closed') return { kind: 'closed', label: t('courses_stateClosed'), ...none };
    if (window === 'notYet') {
      const label = t('courses_stateNotYet', {
        date: this.words.dayTime(e.enrolmentOpensAt, context.lang, now),
      });
      return { kind: 'notYet', label, ...none };
    }
    if (!township) return { kind: 'noTownship', label: t('courses_stateNoTownship'), ...none };
    const action = `/courses/${e.id}/enrol`;
    if (places.left > 0) {
      return {
        kind: 'open',
        label: t('courses_stateOpen'),
        enrol: { action, label: t('courses_enrol'), waitlist: false },
        withdraw: null,
      };
    }
    return {
      kind: 'full',
      label: t('courses_stateFull'),
      enrol: { action, label: t('courses_joinWaitlist'), waitlist: true },
      withdraw: null,
    };
  }
}
