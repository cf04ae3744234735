import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { AttendanceSummaryService } from '../../attendance/attendance-summary.service';
import type { AttendanceSummaryDto } from '../../attendance/dto/attendance.dto';
import {
  CLASS_ACTIONS,
  CLASS_STATUSES,
  type ClassAction,
  type ClassStatus,
  isEditable,
  TRANSITIONS,
} from '../../classes/classes.types';
import type { Language } from '../../common/i18n/i18n.loader';
import { ClassViewsService } from '../../classes/class-views.service';
import { ClassErrors } from '../../classes/classes.errors';
import { ClassesService, type ScopedClass } from '../../classes/classes.service';
import { ListClassesQueryDto } from '../../classes/dto/class.dto';
import { ListSessionsQueryDto } from '../../classes/dto/session.dto';
import { SessionsService } from '../../classes/sessions.service';
import { CertificatesService } from '../../certificates/certificates.service';
import type { AuthUser } from '../../common/auth/auth-user';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { Clock } from '../../common/time/clock';
import { Env } from '../../config/env';
import type { QuotaDto, RosterDto } from '../../enrolments/dto/enrolment.dto';
import { EnrolmentsService } from '../../enrolments/enrolments.service';
import { QuizzesService } from '../../quizzes/quizzes.service';
import { ListQuizzesQueryDto } from '../../quizzes/dto/quiz.dto';
import { EnrolmentGapService } from '../../reminders/enrolment-gap.service';
import { LocalWords, percentText } from '../local-words';
import { type PageContext, PageRenderer } from '../page-renderer';
import { PageId } from '../page-id.pipe';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { CLASS_BADGE, classHref, ENROLMENT_BADGE, sendRefusal, wordsOf } from './console-class-common';
import { consolePager, doneNotice, pageParam, thisYear, yearChoices } from './console-common';
import { ConsolePages } from './console-pages.decorator';

/** Classes per page of the list. */
const PAGE_SIZE = 20;
/** Sessions a class page lists (a class has a few dozen at most; the service gives 200 at once). */
const SESSIONS_SHOWN = 200;

type Words = ReturnType<typeof wordsOf>;

/**
 * 班级 in the console: the classes of the admin's part of the organisation (filtered by year and
 * state, paged), and one class's page: its facts, sessions (each with its sign-in sheet), the
 * quota by township with whom to call and a warning below the minimum, the roster with exports
 * and the admin's enrol and withdraw, the attendance summary with its export; and its state
 * changes (open, start, complete, cancel), each after a page saying what will happen to this
 * class. Everything through the services the API calls (ClassesService, EnrolmentsService,
 * AttendanceSummaryService…), with the signed-in admin: another part's class is a 404.
 */
@ConsolePages()
@Controller('console')
export class ConsoleClassesController {
  constructor(
    private readonly classes: ClassesService,
    private readonly views: ClassViewsService,
    private readonly sessions: SessionsService,
    private readonly enrolments: EnrolmentsService,
    private readonly summaries: AttendanceSummaryService,
    private readonly quizzes: QuizzesService,
    private readonly certificates: CertificatesService,
    private readonly gaps: EnrolmentGapService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  @Get('classes')
  async list(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query() raw: Record<string, string | undefined>,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = wordsOf(this.pages, context);
    const year = raw.year ?? '';
    const state = raw.state ?? '';
    const page = pageParam(raw.page);
    const query = plainToInstance(ListClassesQueryDto, {
      page: page ?? 1,
      pageSize: PAGE_SIZE,
      ...(year !== '' && { year }),
      ...(state !== '' && { status: state }),
    });
    const problems = await validate(query, { whitelist: true });
    const errors = {
      year: problems.some((p) => p.property === 'year') ? t('class_err_year') : null,
      state: problems.some((p) => p.property === 'status') ? t('class_err_state') : null,
      page: page === undefined ? t('class_err_page') : null,
    };
    const filters = this.filters(year, state, t);
    if (errors.year || errors.state || errors.page) {
      const view = { title: t('class_listTitle'), section: 'classes' as const, filters, errors, invalid: true };
      return this.pages.send(request, reply, 'console/classes', context, view, 400);
    }
    const found = await this.classes.list(actor, query);
    const dtos = await this.views.classes(found.items);
    const quotas = await Promise.all(found.items.map((c) => this.enrolments.quota(actor, c.entity.id)));
    const now = this.clock.now();
    const items = found.items.map((c, i) => {
      const q = quotas[i];
      // Townships to chase while enrolment can still change it; afterwards the numbers are history.
      const below = chasing(c.entity.status) ? belowMinimum(q) : [];
      return {
        href: classHref(c.entity.id),
        title: c.entity.title,
        course: dtos[i].course.title,
        quarter: t('class_quarter', { year: c.entity.startDate.slice(0, 4), quarter: c.entity.quarter }),
        dates: this.words.days(c.entity.startDate, c.entity.endDate, context.lang, now),
        state: t(`class_state_${c.entity.status}`),
        badge: CLASS_BADGE[c.entity.status],
        enrolled: t('class_enrolledOf', { confirmed: q.confirmed, capacity: q.capacity }),
        waitlisted: q.waitlisted > 0 ? t('class_waitlistedCount', { count: q.waitlisted }) : null,
        below: below.length
          ? { count: t('class_belowCount', { count: below.length }), names: this.words.list(below, context.lang) }
          : null,
      };
    });
    const view = {
      title: t('class_listTitle'),
      section: 'classes' as const,
      filters,
      errors,
      items,
      total: found.total,
      pager: consolePager(
        '/console/classes',
        { year, state },
        { page: query.page, pageSize: PAGE_SIZE, total: found.total },
      ),
    };
    this.pages.send(request, reply, 'console/classes', context, view);
  }

  @Get('classes/:id')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
    @Query('done') done?: string,
    @Query('enrolment') enrolmentId?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = wordsOf(this.pages, context);
    const c = await this.classes.getManaged(actor, id);
    const now = this.clock.now();
    const [dto] = await this.views.classes([c]);
    const listed = await this.sessions.listForClass(
      actor,
      id,
      Object.assign(new ListSessionsQueryDto(), { page: 1, pageSize: SESSIONS_SHOWN, includeCancelled: 'true' }),
    );
    const sessions = await this.views.sessions(listed.items);
    const quota = await this.enrolments.quota(actor, id);
    const roster = await this.enrolments.roster(actor, id);
    const summary = await this.summaries.summary(actor, id, now);
    const e = c.entity;
    const editable = isEditable(e.status);
    const withdrawable = e.status !== 'completed' && e.status !== 'cancelled';
    const requiredQuiz = e.requiredQuizId ? await this.quizTitle(actor, id, e.requiredQuizId) : null;

    const view = {
      title: e.title,
      section: 'classes' as const,
      notice: this.doneNotice(done, enrolmentId, roster, quota, t, context.lang),
      cls: {
        id,
        title: e.title,
        state: t(`class_state_${e.status}`),
        badge: CLASS_BADGE[e.status],
        stateHint: t(`class_stateHint_${e.status}`),
        facts: [
          { label: t('class_course'), value: dto.course.title },
          {
            label: t('class_quarterLabel'),
            value: t('class_quarter', { year: e.startDate.slice(0, 4), quarter: e.quarter }),
          },
          { label: t('class_dates'), value: this.words.days(e.startDate, e.endDate, context.lang, now) },
          { label: t('class_venue'), value: dto.venue?.name ?? t('console_none') },
          {
            label: t('class_trainers'),
            value: this.words.list(
              dto.trainers.map((p) => p.displayName),
              context.lang,
            ),
          },
          { label: t('class_capacity'), value: String(e.capacity) },
          { label: t('class_perTownship'), value: t('class_minMax', { min: e.minPerTownship, max: e.maxPerTownship }) },
          {
            label: t('class_window'),
            value: t('class_windowText', {
              opens: this.words.dayTime(e.enrolmentOpensAt, context.lang, now),
              closes: this.words.dayTime(e.enrolmentClosesAt, context.lang, now),
            }),
          },
          { label: t('class_threshold'), value: `${percentText(e.attendanceThreshold * 100)}%` },
          { label: t('class_requiredQuiz'), value: requiredQuiz ?? t('console_none') },
        ],
      },
      editHref: editable ? classHref(id, '/edit') : null,
      addSessionsHref: editable ? classHref(id, '/sessions/new') : null,
      links: await this.links(actor, c, t),
      actions: CLASS_ACTIONS.filter((a) => TRANSITIONS[a].from.includes(e.status)).map((a) => ({
        href: classHref(id, `/${a}`),
        label: t(`class_action_${a}`),
        danger: a === 'cancel',
      })),
      sessions: sessions.map((s) => ({
        day: this.words.weekday(s.startsAt, context.lang, now),
        time: `${this.words.time(s.startsAt)}–${this.words.time(s.endsAt)}`,
        topic: s.topic ?? '',
        trainer: s.trainer.displayName,
        venue: s.venue?.name ?? dto.venue?.name ?? t('console_none'),
        state: t(`class_session_${s.status}`),
        badge: s.status === 'cancelled' ? 'badge_bad' : s.status === 'held' ? '' : 'badge_ok',
        href: `/console/sessions/${s.id}`,
        sheetHref: `/console/sessions/${s.id}/sign-in-sheet`,
      })),
      quota: this.quotaView(quota, chasing(e.status), t),
      roster: {
        csv: classHref(id, '/roster.csv'),
        xlsx: classHref(id, '/roster.xlsx'),
        enrolHref: classHref(id, '/enrol'),
        mayEnrol: e.status === 'open',
        confirmed: roster.confirmed,
        waitlisted: roster.waitlisted,
        rows: roster.townships.flatMap((tw) =>
          tw.enrolments.map((r) => ({
            name: r.displayName,
            township: tw.name,
            phone: r.phone,
            state:
              r.status === 'waitlisted'
                ? t('class_enrolment_waitlistedAt', { position: r.position ?? 0 })
                : t(`class_enrolment_${r.status}`),
            badge: ENROLMENT_BADGE[r.status],
            withdrawHref:
              withdrawable && (r.status === 'confirmed' || r.status === 'waitlisted')
                ? classHref(id, `/enrolments/${r.enrolmentId}/withdraw`)
                : null,
          })),
        ),
      },
      attendance: this.attendanceView(summary, id, t),
    };
    this.pages.send(request, reply, 'console/class', context, view);
  }

  @Get('classes/:id/open')
  confirmOpen(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ) {
    return this.confirm(req, reply, id, 'open');
  }

  @Get('classes/:id/start')
  confirmStart(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ) {
    return this.confirm(req, reply, id, 'start');
  }

  @Get('classes/:id/complete')
  confirmComplete(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ) {
    return this.confirm(req, reply, id, 'complete');
  }

  @Get('classes/:id/cancel')
  confirmCancel(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ) {
    return this.confirm(req, reply, id, 'cancel');
  }

  @FormPost('classes/:id/open')
  open(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', PageId(ClassErrors.notFound)) id: string) {
    return this.transition(req, reply, id, 'open');
  }

  @FormPost('classes/:id/start')
  start(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', PageId(ClassErrors.notFound)) id: string) {
    return this.transition(req, reply, id, 'start');
  }

  @FormPost('classes/:id/complete')
  complete(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', PageId(ClassErrors.notFound)) id: string) {
    return this.transition(req, reply, id, 'complete');
  }

  @FormPost('classes/:id/cancel')
  cancel(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', PageId(ClassErrors.notFound)) id: string) {
    return this.transition(req, reply, id, 'cancel');
  }

  /**
   * What a state change will do to this class, in words, and the button that does it (a GET
   * changes nothing). A change the class's state does not allow is refused here already, in words.
   */
  private async confirm(request: PageRequest, reply: FastifyReply, id: string, action: ClassAction): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = wordsOf(this.pages, context);
    const c = await this.classes.getManaged(actor, id);
    const back = { href: classHref(id), label: t('class_backToClass') };
    const heading = t(`class_action_${action}`);
    if (!TRANSITIONS[action].from.includes(c.entity.status)) {
      const refused = ClassErrors.invalidTransition(c.entity.status, action);
      return sendRefusal(this.pages, request, reply, context, refused, heading, back);
    }
    const { lines, warnings } = await this.consequences(actor, c, action, context, t);
    const view = {
      title: heading,
      section: 'classes' as const,
      heading,
      classTitle: c.entity.title,
      intro: t('class_confirmIntro'),
      lines,
      warnings,
      form: { action: classHref(id, `/${action}`), label: t(`class_do_${action}`), danger: action === 'cancel' },
      back,
    };
    this.pages.send(request, reply, 'console/class-confirm', context, view);
  }

  private async transition(request: PageRequest, reply: FastifyReply, id: string, action: ClassAction): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = wordsOf(this.pages, context);
    await this.classes.getManaged(actor, id);
    try {
      await this.classes.transition(actor, id, action);
    } catch (e) {
      const back = { href: classHref(id), label: t('class_backToClass') };
      return sendRefusal(this.pages, request, reply, context, e, t(`class_action_${action}`), back);
    }
    void reply.redirect(classHref(id, `?done=${action}`), 303);
  }

  /**
   * What the change does, read from what the services and jobs really do: ClassesService.transition,
   * the enrolments' listeners (completing, cancelling), the enrolment-gap notice planned on opening
   * (EnrolmentGapService), the visits assigned on completion (VisitSchedulingService).
   */
  private async consequences(
    actor: AuthUser,
    c: ScopedClass,
    action: ClassAction,
    context: PageContext,
    t: Words,
  ): Promise<{ lines: string[]; warnings: string[] }> {
    const e = c.entity;
    const now = this.clock.now();
    const quota = await this.enrolments.quota(actor, e.id);
    const lang = context.lang;
    const when = (d: Date) => this.words.dayTime(d, lang, now);
    switch (action) {
      case 'open': {
        const lines = [
          t('class_open_what', { opens: when(e.enrolmentOpensAt), closes: when(e.enrolmentClosesAt) }),
          t('class_open_noMessages'),
        ];
        const warnings: string[] = [];
        const noticeAt = this.gaps.noticeAt(e);
        if (!noticeAt) {
          warnings.push(t('class_open_windowPast', { closes: when(e.enrolmentClosesAt) }));
          return { lines, warnings };
        }
        const below = quota.townships.filter((x) => x.confirmed < e.minPerTownship);
        lines.push(
          t('class_open_gap', {
            when: noticeAt <= now ? t('class_open_gapNow') : when(noticeAt),
            min: e.minPerTownship,
          }),
          t('class_open_belowNow', { below: below.length, townships: quota.townships.length, min: e.minPerTownship }),
        );
        const noContacts = quota.townships.filter((x) => x.contacts.length === 0).map((x) => x.name);
        if (noContacts.length) {
          warnings.push(
            t('class_open_noContacts', { count: noContacts.length, names: this.words.list(noContacts, lang) }),
          );
        }
        return { lines, warnings };
      }
      case 'start':
        return {
          lines: [
            t('class_start_what'),
            t('class_start_counts', { confirmed: quota.confirmed, waitlisted: quota.waitlisted }),
            t('class_start_noMessages'),
          ],
          warnings: [],
        };
      case 'complete': {
        const sending = quota.townships.filter((x) => x.confirmed > 0).map((x) => x.name);
        const lines = [t('class_complete_what', { confirmed: quota.confirmed })];
        if (quota.waitlisted > 0) lines.push(t('class_complete_waitlist', { waitlisted: quota.waitlisted }));
        lines.push(
          sending.length
            ? t('class_complete_visits', {
                count: sending.length,
                names: this.words.list(sending, lang),
                days: this.env.VISIT_DUE_DAYS,
              })
            : t('class_complete_noVisits'),
          t('class_complete_certificates'),
          t('class_complete_final'),
        );
        return { lines, warnings: [] };
      }
      case 'cancel': {
        const all = await this.sessions.listForClass(
          actor,
          e.id,
          Object.assign(new ListSessionsQueryDto(), { page: 1, pageSize: SESSIONS_SHOWN }),
        );
        const live = all.items;
        const held = live.filter((s) => s.startsAt <= now).length;
        const told = quota.confirmed + quota.waitlisted;
        const lines = [
          told > 0
            ? t('class_cancel_trainees', { confirmed: quota.confirmed, waitlisted: quota.waitlisted })
            : t('class_cancel_noTrainees'),
          t('class_cancel_trainers', { count: c.trainerIds.length }),
          live.length
            ? t(held ? 'class_cancel_sessionsHeld' : 'class_cancel_sessions', { count: live.length, held })
            : t('class_cancel_noSessions'),
        ];
        return { lines, warnings: [t('class_cancel_final')] };
      }
    }
  }

  private doneNotice(
    done: string | undefined,
    enrolmentId: string | undefined,
    roster: RosterDto,
    quota: QuotaDto,
    t: Words,
    lang: Language,
  ): { text: string; warn: boolean } | null {
    if (done === 'enrolled') {
      for (const tw of roster.townships) {
        const r = tw.enrolments.find((x) => x.enrolmentId === enrolmentId);
        if (!r) continue;
        if (r.status !== 'waitlisted')
          return { text: t('class_done_enrolled', { name: r.displayName, township: tw.name }), warn: false };
        const q = quota.townships.find((x) => x.townshipId === tw.townshipId);
        const townshipFull = !!q && q.confirmed >= q.max;
        const text = townshipFull
          ? t('class_done_waitlistedTownship', {
              name: r.displayName,
              township: tw.name,
              confirmed: q.confirmed,
              max: q.max,
              position: r.position ?? 0,
            })
          : t('class_done_waitlistedClass', {
              name: r.displayName,
              confirmed: quota.confirmed,
              capacity: quota.capacity,
              position: r.position ?? 0,
            });
        return { text, warn: true };
      }
      return null;
    }
    const text = doneNotice(this.pages, lang, 'class_done_', done);
    return text ? { text, warn: false } : null;
  }

  private quotaView(quota: QuotaDto, warnNow: boolean, t: Words) {
    const rows = quota.townships.map((x) => {
      const short = x.confirmed < x.min;
      return {
        name: x.name,
        confirmed: x.confirmed,
        limits: t('class_minMax', { min: x.min, max: x.max }),
        waitlisted: x.waitlisted,
        warn: short,
        state: short
          ? t('class_quota_short', { count: x.min - x.confirmed })
          : x.status === 'full'
            ? t('class_quota_full')
            : x.status === 'none'
              ? t('class_quota_none')
              : t('class_quota_ok'),
        badge: short ? 'badge_warn' : x.status === 'full' ? 'badge_ok' : '',
        contacts: x.contacts.map((p) => ({
          name: p.displayName,
          phone: p.phone,
          tel: p.phone ? `tel:${p.phone.replace(/[^\d+]/g, '')}` : null,
        })),
      };
    });
    const below = rows.filter((r) => r.warn).length;
    return {
      confirmed: quota.confirmed,
      capacity: quota.capacity,
      waitlisted: quota.waitlisted,
      below,
      belowText: below && warnNow ? t('class_quota_belowWarning', { count: below }) : null,
      rows,
    };
  }

  private attendanceView(s: AttendanceSummaryDto, id: string, t: Words) {
    const rate = (r: number | null) => (r === null ? t('class_att_noRate') : `${percentText(r * 100)}%`);
    return {
      xlsx: classHref(id, '/attendance.xlsx'),
      held: s.sessionsHeld,
      trainees: s.trainees,
      meeting: s.meetingThreshold,
      personTimes: s.personTimes,
      rate: rate(s.rate),
      threshold: `${percentText(s.threshold * 100)}%`,
      rows: s.townships.flatMap((tw) =>
        tw.enrolments.map((r) => ({
          name: r.displayName,
          township: tw.name,
          present: r.present,
          late: r.late,
          excused: r.excused,
          absent: r.absent,
          unmarked: r.unmarked,
          personTimes: r.personTimes,
          rate: rate(r.rate),
          meets: r.meetsThreshold ? t('class_att_meets') : t('class_att_notYet'),
          badge: r.meetsThreshold ? 'badge_ok' : 'badge_warn',
        })),
      ),
    };
  }

  /**
   * Where to go from the class page: its quizzes (and a new one, unless the class is cancelled);
   * once completed, its certificates ("发放证书" while none is issued yet) and the visits (the
   * visits page has no class filter: the whole list).
   */
  private async links(actor: AuthUser, c: ScopedClass, t: Words) {
    const e = c.entity;
    const links = [{ href: `/console/quizzes?classId=${e.id}`, label: t('class_quizzes'), primary: false }];
    if (e.status !== 'cancelled') {
      links.push({ href: `/console/quizzes/new?classId=${e.id}`, label: t('class_newQuiz'), primary: false });
    }
    if (e.status === 'completed') {
      const issued = await this.certificates.listForClass(
        actor,
        e.id,
        Object.assign(new PageQueryDto(), { page: 1, pageSize: 1 }),
      );
      links.push(
        issued.total === 0
          ? { href: `/console/certificates?classId=${e.id}`, label: t('class_issueCertificates'), primary: true }
          : { href: `/console/certificates?classId=${e.id}`, label: t('class_certificates'), primary: false },
        { href: '/console/visits', label: t('class_visits'), primary: false },
      );
    }
    return links;
  }

  /** The required quiz's title (one of the class's quizzes). */
  private async quizTitle(actor: AuthUser, classId: string, quizId: string): Promise<string | null> {
    const found = await this.quizzes.list(
      actor,
      Object.assign(new ListQuizzesQueryDto(), { page: 1, pageSize: 100, classId }),
    );
    return found.items.find((q) => q.id === quizId)?.title ?? null;
  }

  /** The toolbar's choices, the current ones selected. */
  private filters(year: string, state: string, t: Words) {
    const current = thisYear(this.env, this.clock);
    const chosen = /^\d{4}$/.test(year) ? Number(year) : undefined;
    const years = yearChoices(current, chosen ?? current).map((y) => String(y.value));
    return {
      years: [{ value: '', label: t('console_all'), selected: year === '' }].concat(
        years.map((y) => ({ value: y, label: y, selected: y === year })),
      ),
      states: [{ value: '', label: t('console_all'), selected: state === '' }].concat(
        CLASS_STATUSES.map((s) => ({ value: s, label: t(`class_state_${s}`), selected: s === state })),
      ),
    };
  }
}

/** Whether townships below the minimum are still to chase: before and during enrolment. */
function chasing(status: ClassStatus): boolean {
  return status === 'draft' || status === 'open';
}

/** Townships below the class's minimum (none at all counts as below), by name. */
function belowMinimum(q: QuotaDto): string[] {
  return q.townships.filter((x) => x.confirmed < x.min).map((x) => x.name);
}
