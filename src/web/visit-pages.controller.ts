import { Body, Controller, Get, Param, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import { daysBetween, localDate } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { EnrolmentsService } from '../enrolments/enrolments.service';
import { ListVisitsQueryDto, ReportVisitDto, type VisitDto } from '../visits/dto/visit.dto';
import { VisitErrors } from '../visits/visits.errors';
import { VisitsService } from '../visits/visits.service';
import type { FormFields } from './forms';
import { type PageContext, PageRenderer } from './page-renderer';
import { FormPost, WebPages } from './web-pages.decorator';
import { pageContextOf, type PageRequest } from './web-session.guard';
import { PageRoles } from './page-roles';
import { PageId } from './page-id.pipe';
import { LocalWords } from './local-words';

/** Done visits the list shows (the latest). */
const DONE_SHOWN = 10;
/** Open visits the list shows at most (a page of the service's list: the most it gives at once). */
const PAGE = 100;
/** Checkbox fields of the trainees met: `trainee_<id>` (a form repeats no field name: the parser keeps the last). */
const TRAINEE_FIELD = /^trainee_([0-9a-f-]{36})$/;

/** What the report form shows back: the values as typed, and what is wrong with which field. */
interface ReportForm {
  visitedOn: string;
  notes: string;
  problems: string;
  followUpNeeded: boolean;
  traineeIds: string[];
  errors: Partial<Record<'visitedOn' | 'notes' | 'problems' | 'traineeIds', string>>;
}

/**
 * 回访 for trainers (and admins): the follow-up visits assigned to me, open ones first
 * (overdue, then by due date), and one visit's page with its report as a form. The form posts
 * to VisitsService.report, the same rules as `POST /api/visits/:id/report`: the fields are
 * checked with the API's own ReportVisitDto first, and every problem comes back as a Chinese
 * notice beside its field, with everything typed still in the form.
 */
@WebPages()
@PageRoles(['trainer', 'admin'], 'visits_forStaffText')
@Controller()
export class VisitPagesController {
  constructor(
    private readonly visits: VisitsService,
    private readonly enrolments: EnrolmentsService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  @Get('visits')
  async list(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const mine = (status: VisitDto['status'], pageSize: number, order: 'due' | 'latestVisit' = 'due') =>
      this.visits.list(
        actor,
        Object.assign(new ListVisitsQueryDto(), { page: 1, pageSize, status, assigneeId: actor.id }),
        order,
      );
    const [overdue, assigned, done] = await Promise.all([
      mine('overdue', PAGE),
      mine('assigned', PAGE),
      // The latest visited, not the last by due date.
      mine('done', DONE_SHOWN, 'latestVisit'),
    ]);
    const open = [...overdue.items, ...assigned.items].map((v) => this.card(v, context));
    const view = {
      title: this.pages.t(context.lang, 'visits_listTitle'),
      tab: 'visits' as const,
      open,
      openCount: overdue.total + assigned.total,
      overdueCount: overdue.total,
      more: overdue.total > PAGE || assigned.total > PAGE,
      done: done.items.map((v) => this.card(v, context)),
    };
    this.pages.send(request, reply, 'visits', context, view);
  }

  @Get('visits/:id')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(VisitErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const visit = await this.visit(request.user!, id);
    const form: ReportForm = {
      visitedOn: this.today(),
      notes: '',
      problems: '',
      followUpNeeded: false,
      traineeIds: [],
      errors: {},
    };
    const reported = (request.query as Record<string, unknown> | undefined)?.done === '1';
    await this.showVisit(request, reply, context, visit, form, 200, reported);
  }

  @FormPost('visits/:id/report')
  async report(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(VisitErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const visit = await this.visit(actor, id);
    const form = this.formOf(body ?? {});
    const dto = plainToInstance(ReportVisitDto, {
      visitedOn: form.visitedOn,
      notes: form.notes,
      problems: form.problems,
      followUpNeeded: form.followUpNeeded,
      traineeIds: form.traineeIds,
    });
    for (const e of await validate(dto, { whitelist: true, forbidNonWhitelisted: true })) {
      const field = e.property as keyof ReportForm['errors'];
      const tooLong = !!e.constraints?.maxLength;
      if (field === 'notes') form.errors.notes = tooLong ? 'visits_err_notesLong' : 'visits_err_notesEmpty';
      else if (field === 'problems') form.errors.problems = 'visits_err_problemsLong';
      else if (field === 'visitedOn') form.errors.visitedOn = 'visits_err_visitedOnShape';
      else form.errors.traineeIds = 'visits_err_trainees';
    }
    if (Object.keys(form.errors).length === 0) {
      try {
        await this.visits.report(actor, visit.id, dto);
        void reply.redirect(`/visits/${visit.id}?done=1`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        if (e.code === 'VISIT_VISITED_ON_INVALID') form.errors.visitedOn = 'visits_err_visitedOnFuture';
        else if (e.code === 'VISIT_TRAINEES_INVALID') form.errors.traineeIds = 'visits_err_trainees';
        else throw e;
      }
    }
    await this.showVisit(request, reply, context, await this.visit(actor, visit.id), form, 400, false);
  }

  private async showVisit(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    visit: VisitDto,
    form: ReportForm,
    status: number,
    reported: boolean,
  ): Promise<void> {
    const t = (key: string) => this.pages.t(context.lang, key);
    const open = visit.status === 'assigned' || visit.status === 'overdue';
    const seated = (await this.enrolments.seated(visit.class.id)).filter((e) => e.townshipId === visit.township.id);
    const names = new Map(seated.map((s) => [s.traineeId, s.displayName]));
    const chosen = new Set(open ? form.traineeIds : (visit.report?.traineeIds ?? []));
    const errors = Object.fromEntries(Object.entries(form.errors).map(([field, key]) => [field, t(key)]));
    const view = {
      title: this.pages.t(context.lang, 'visits_visitTitle', { township: visit.township.name }),
      tab: 'visits' as const,
      visit: this.card(visit, context),
      assignee: visit.assignee.displayName,
      reported,
      cancelled: visit.status === 'cancelled',
      cancelReason: visit.cancelReason,
      report: visit.report && {
        visitedOn: this.dateText(visit.report.visitedOn, context),
        notes: visit.report.notes,
        problems: visit.report.problems,
        followUpNeeded: visit.report.followUpNeeded,
        trainees: this.words.list(
          visit.report.traineeIds.map((id) => names.get(id) ?? t('visits_traineeLeft')),
          context.lang,
        ),
      },
      form: open && {
        action: `/visits/${visit.id}/report`,
        today: this.today(),
        values: form,
        errors,
        hasErrors: Object.keys(errors).length > 0,
        trainees: seated.map((s) => ({
          field: `trainee_${s.traineeId}`,
          name: s.displayName,
          checked: chosen.has(s.traineeId),
        })),
      },
    };
    this.pages.send(request, reply, 'visit', context, view, status);
  }

  /** The form's fields as typed (bounded: the DTO refuses what is too long, and says so). */
  private formOf(body: FormFields): ReportForm {
    const text = (v: string | undefined) => (typeof v === 'string' ? v : '');
    const traineeIds = Object.keys(body)
      .map((k) => TRAINEE_FIELD.exec(k)?.[1])
      .filter((v): v is string => !!v);
    return {
      visitedOn: text(body.visitedOn).trim(),
      notes: text(body.notes),
      problems: text(body.problems),
      followUpNeeded: body.followUpNeeded === '1',
      traineeIds,
      errors: {},
    };
  }

  /** A visit the caller may see (VisitsService.get: admins in scope, trainers their own), else 404. */
  private async visit(actor: AuthUser, id: string): Promise<VisitDto> {
    return this.visits.get(actor, id);
  }

  private today(): string {
    return localDate(this.clock.now(), this.env.TZ_DEFAULT);
  }

  /** `3月12日 周四` / `Thu 12 Mar`: a local date, with the year when it is not this year's. */
  private dateText(date: string, context: PageContext): string {
    return this.words.weekday(date, context.lang);
  }

  /** A visit as a card: township, class, due date with how far off it is, status. */
  private card(v: VisitDto, context: PageContext) {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const days = daysBetween(this.today(), v.dueOn);
    const open = v.status === 'assigned' || v.status === 'overdue';
    const due = !open
      ? ''
      : days < 0
        ? t('visits_daysLate', { count: -days })
        : days === 0
          ? t('visits_dueToday')
          : t('visits_daysLeft', { count: days });
    return {
      id: v.id,
      township: v.township.name,
      classTitle: v.class.title,
      dueOn: this.dateText(v.dueOn, context),
      due,
      status: v.status,
      statusLabel: t(`visits_status_${v.status}`),
      late: v.status === 'overdue',
      visitedOn: v.report ? this.dateText(v.report.visitedOn, context) : null,
    };
  }
}
