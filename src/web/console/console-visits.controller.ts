import { Body, Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { isUUID, validate } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { DomainError, ERROR_KIND_STATUS } from '../../common/errors/domain-error';
import { Clock } from '../../common/time/clock';
import { daysBetween, localDate } from '../../common/time/zoned-time';
import { Env } from '../../config/env';
import { EnrolmentsService } from '../../enrolments/enrolments.service';
import { ListVisitsQueryDto, UpdateVisitDto, type VisitDto } from '../../visits/dto/visit.dto';
import { VisitErrors } from '../../visits/visits.errors';
import { type VisitCandidate, type VisitFilters, VisitsService } from '../../visits/visits.service';
import type { FormFields } from '../forms';
import { LocalWords } from '../local-words';
import { PageId } from '../page-id.pipe';
import { type PageContext, PageRenderer } from '../page-renderer';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { ConsolePages } from './console-pages.decorator';
import { consolePager, doneNotice, pageParam } from './console-common';

/** Visits per page of the list. */
const PAGE_SIZE = 30;
/** "Due soon": still open and due within this many days from today (today included). */
const DUE_SOON_DAYS = 7;

/** The list's status filter: the open visits (default), those due soon, the overdue, the done. */
export const VISIT_VIEWS = ['open', 'due', 'overdue', 'done'] as const;
type VisitView = (typeof VISIT_VIEWS)[number];

/** What the reassignment form shows back: the values as chosen, and what is wrong with which field. */
interface ReassignForm {
  assigneeId: string;
  dueOn: string;
  errors: Partial<Record<'assigneeId' | 'dueOn', string>>;
  refusal?: { message: string; next: string };
}

/**
 * 回访 in the console: the visits of the admin's part of the tree by assignee (how many each
 * holds, open, overdue and done), filtered by status and assignee, due dates in the centre's
 * zone, overdue said in words and with a badge; one visit's page with its report once done
 * (read-only: trainers report on their own pages) and, while open, the form that gives it to
 * someone else or moves its due date: VisitsService.update, the step `PATCH /api/visits/:id` takes.
 */
@ConsolePages()
@Controller('console')
export class ConsoleVisitsController {
  constructor(
    private readonly visits: VisitsService,
    private readonly enrolments: EnrolmentsService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  @Get('visits')
  async list(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const view: VisitView = VISIT_VIEWS.includes(query.status as VisitView) ? (query.status as VisitView) : 'open';
    const assigneeId = typeof query.assigneeId === 'string' && isUUID(query.assigneeId) ? query.assigneeId : undefined;
    const page = pageParam(query.page) ?? 1;
    const filters: VisitFilters = Object.assign(new ListVisitsQueryDto(), {
      page,
      pageSize: PAGE_SIZE,
      assigneeId,
      ...this.filterOf(view),
    });
    const [found, people] = await Promise.all([
      this.visits.list(actor, filters, view === 'done' ? 'latestVisit' : 'due'),
      this.visits.assigneeCounts(actor),
    ]);
    const chosen = people.find((p) => p.id === assigneeId);
    const params = { status: view === 'open' ? undefined : view, assigneeId };
    this.pages.send(request, reply, 'console/visits', context, {
      title: t('ops_visits_title'),
      section: 'visits',
      people: people.map((p) => ({
        ...p,
        open: p.assigned + p.overdue,
        href: `/console/visits?assigneeId=${p.id}`,
        current: p.id === assigneeId,
      })),
      views: VISIT_VIEWS.map((v) => ({ value: v, label: t(`ops_visits_view_${v}`), selected: v === view })),
      assignees: people.map((p) => ({ value: p.id, label: p.displayName, selected: p.id === assigneeId })),
      caption: chosen
        ? t('ops_visits_captionOf', {
            view: t(`ops_visits_view_${view}`),
            name: chosen.displayName,
            total: found.total,
          })
        : t('ops_visits_caption', { view: t(`ops_visits_view_${view}`), total: found.total }),
      items: found.items.map((v) => this.row(v, context)),
      pager: consolePager('/console/visits', params, found),
      filtered: view !== 'open' || !!assigneeId,
    });
  }

  @Get('visits/:id')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(VisitErrors.notFound)) id: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const visit = await this.visits.get(request.user!, id);
    const form: ReassignForm = { assigneeId: visit.assignee.id, dueOn: visit.dueOn, errors: {} };
    await this.showVisit(request, reply, visit, form, 200, done);
  }

  /** Gives the visit to someone else and/or moves its due date; the new assignee is told (by the service). */
  @FormPost('visits/:id')
  async reassign(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(VisitErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const actor = request.user!;
    const visit = await this.visits.get(actor, id);
    const form: ReassignForm = {
      assigneeId: (body?.assigneeId ?? '').trim(),
      dueOn: (body?.dueOn ?? '').trim(),
      errors: {},
    };
    // Only what changed goes to the service: an overdue visit keeps its past due date unless it is moved.
    const dto = plainToInstance(UpdateVisitDto, {
      assigneeId: form.assigneeId === visit.assignee.id ? undefined : form.assigneeId || null,
      dueOn: form.dueOn === visit.dueOn ? undefined : form.dueOn || null,
    });
    for (const e of await validate(dto, { whitelist: true, forbidNonWhitelisted: true })) {
      if (e.property === 'assigneeId') form.errors.assigneeId = 'ops_visit_err_assignee';
      if (e.property === 'dueOn') form.errors.dueOn = 'ops_visit_err_dueOnShape';
    }
    let status = 400;
    if (Object.keys(form.errors).length === 0) {
      try {
        await this.visits.update(actor, visit.id, dto);
        void reply.redirect(`/console/visits/${visit.id}?done=saved`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        if (e.code === 'VISIT_ASSIGNEE_INVALID') form.errors.assigneeId = 'ops_visit_err_assigneeInvalid';
        else if (e.code === 'VISIT_DUE_ON_INVALID') form.errors.dueOn = 'ops_visit_err_dueOnPast';
        else {
          form.refusal = this.pages.refusal(pageContextOf(request).lang, e, 'ops_');
          status = ERROR_KIND_STATUS[e.kind];
        }
      }
    }
    await this.showVisit(request, reply, await this.visits.get(actor, visit.id), form, status);
  }

  private filterOf(view: VisitView): Partial<VisitFilters> {
    switch (view) {
      case 'open':
        return { openOnly: true };
      case 'due':
        return { status: 'assigned', dueBefore: this.dayAfter(DUE_SOON_DAYS + 1) };
      case 'overdue':
        return { status: 'overdue' };
      case 'done':
        return { status: 'done' };
    }
  }

  private async showVisit(
    request: PageRequest,
    reply: FastifyReply,
    visit: VisitDto,
    form: ReassignForm,
    status: number,
    done?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const open = visit.status === 'assigned' || visit.status === 'overdue';
    let candidates: VisitCandidate[] = [];
    if (open) candidates = await this.visits.candidates(request.user!, visit.id);
    let trainees: string | null = null;
    if (visit.report) {
      const seated = await this.enrolments.seated(visit.class.id);
      const names = new Map(seated.map((s) => [s.traineeId, s.displayName]));
      trainees = visit.report.traineeIds.length
        ? this.words.list(
            visit.report.traineeIds.map((tid) => names.get(tid) ?? t('ops_visit_traineeLeft')),
            context.lang,
          )
        : null;
    }
    const errors = Object.fromEntries(Object.entries(form.errors).map(([field, key]) => [field, t(key)]));
    const errorCount = Object.keys(errors).length;
    this.pages.send(
      request,
      reply,
      'console/visit',
      context,
      {
        title: t('ops_visit_title', { township: visit.township.name }),
        section: 'visits',
        visit: this.row(visit, context),
        done: doneNotice(this.pages, context.lang, 'ops_visit_done_', done),
        refusal: form.refusal,
        cancelReason: visit.status === 'cancelled' ? (visit.cancelReason ?? t('ops_visit_noReason')) : null,
        report: visit.report && {
          visitedOn: this.words.weekday(visit.report.visitedOn, context.lang),
          notes: visit.report.notes,
          problems: visit.report.problems,
          followUp: t(visit.report.followUpNeeded ? 'ops_visit_followUpYes' : 'ops_visit_followUpNo'),
          trainees,
        },
        form: open && {
          action: `/console/visits/${visit.id}`,
          today: this.today(),
          dueOn: form.dueOn,
          candidates: candidates.map((c) => ({
            value: c.id,
            label: `${c.displayName}（${t(`ops_role_${c.role}`)}）`,
            selected: c.id === form.assigneeId,
          })),
          errors,
          errorCount,
        },
      },
      status,
    );
  }

  /** A visit as a row of the list (and the head of its page): due date local, status in words and a badge. */
  private row(v: VisitDto, context: PageContext) {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const days = daysBetween(this.today(), v.dueOn);
    const open = v.status === 'assigned' || v.status === 'overdue';
    const when = !open
      ? ''
      : days < 0
        ? t('ops_visits_daysLate', { count: -days })
        : days === 0
          ? t('ops_visits_dueToday')
          : t('ops_visits_daysLeft', { count: days });
    const badge = { assigned: '', overdue: 'badge_bad', done: 'badge_ok', cancelled: '' }[v.status];
    return {
      id: v.id,
      href: `/console/visits/${v.id}`,
      township: v.township.name,
      classTitle: v.class.title,
      assignee: v.assignee.displayName,
      dueOn: this.words.weekday(v.dueOn, context.lang),
      when,
      status: t(`ops_visits_status_${v.status}`),
      badge,
      late: v.status === 'overdue',
      visitedOn: v.report ? this.words.weekday(v.report.visitedOn, context.lang) : null,
      linkText: t(open ? 'ops_visits_open' : 'ops_visits_read'),
      linkLabel: t(open ? 'ops_visits_openOne' : 'ops_visits_readOne', { township: v.township.name }),
    };
  }

  private today(): string {
    return localDate(this.clock.now(), this.env.TZ_DEFAULT);
  }

  /** The local date `days` after today. */
  private dayAfter(days: number): string {
    return DateTime.fromISO(this.today(), { zone: this.env.TZ_DEFAULT }).plus({ days }).toISODate()!;
  }
}
