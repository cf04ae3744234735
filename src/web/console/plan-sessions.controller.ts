import { Body, Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { ClassViewsService } from '../../classes/class-views.service';
import { type ClassSession, isEditable } from '../../classes/classes.types';
import { ClassErrors, SessionErrors } from '../../classes/classes.errors';
import { ClassesService, type ScopedClass } from '../../classes/classes.service';
import { CreateSessionsDto, UpdateSessionDto } from '../../classes/dto/session.dto';
import { SessionsService } from '../../classes/sessions.service';
import type { AuthUser } from '../../common/auth/auth-user';
import { DomainError, ERROR_KIND_STATUS } from '../../common/errors/domain-error';
import { Clock } from '../../common/time/clock';
import { localDate, localTime } from '../../common/time/zoned-time';
import { Env } from '../../config/env';
import { PlansService } from '../../plans/plans.service';
import { UsersService } from '../../users/users.service';
import { ListVenuesQueryDto } from '../../venues/dto/venue.dto';
import { VenuesService } from '../../venues/venues.service';
import type { FormFields } from '../forms';
import { LocalWords } from '../local-words';
import { type PageContext, PageRenderer } from '../page-renderer';
import { PageId } from '../page-id.pipe';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { doneNotice } from './console-common';
import { ConsolePages } from './console-pages.decorator';
import { fieldView } from './plan-fields';
import { instantText } from './plan-forms';
import { CLASS_BADGE } from './plan-pages.controller';

const FIELDS = ['date', 'startTime', 'endTime', 'venueId', 'trainerId', 'topic', 'whatToBring'] as const;
type Field = (typeof FIELDS)[number];

interface SessionForm {
  values: Record<Field, string>;
  errors: Partial<Record<Field, string>>;
  general?: string;
  /** The other session a double booking names (its page). */
  conflictHref?: string;
}

/** Which field a service's refusal belongs beside; the rest are said above the form. */
const REFUSAL_FIELD: Record<string, Field> = {
  SESSION_CONFLICT: 'date',
  SESSION_OUTSIDE_CLASS_DATES: 'date',
  SESSION_TIME_ORDER: 'endTime',
  SESSION_TOO_LONG: 'endTime',
  SESSION_TRAINER_NOT_IN_CLASS: 'trainerId',
  SESSION_TRAINER_REQUIRED: 'trainerId',
  VENUE_NOT_FOUND: 'venueId',
};

/**
 * A session in the console: its page with the form that moves or changes it (new date and
 * times, venue, trainer, topic, what to bring: `PATCH /api/sessions/:id`'s SessionsService.update),
 * cancelling it after a confirmation page (`DELETE /api/sessions/:id`'s SessionsService.cancel,
 * which tells the class's trainees and trainer), and adding one session to a class (`POST
 * /api/classes/:id/sessions`). A double booking of the trainer or the venue is refused by the
 * service; the page says which session it clashes with, beside the date.
 */
@ConsolePages()
@Controller()
export class PlanSessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly classes: ClassesService,
    private readonly views: ClassViewsService,
    private readonly plans: PlansService,
    private readonly venues: VenuesService,
    private readonly users: UsersService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  @Get('console/sessions/:id')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const { s, c } = await this.sessions.getManagedView(request.user!, id);
    await this.showSession(request, reply, context, s, c, this.valuesOf(s), 200, done);
  }

  @FormPost('console/sessions/:id')
  async move(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const { s, c } = await this.sessions.getManagedView(actor, id);
    const form = this.formOf(body);
    const times = this.times(context, form);
    const dto = plainToInstance(UpdateSessionDto, {
      ...times,
      trainerId: form.values.trainerId,
      venueId: form.values.venueId === '' ? null : form.values.venueId,
      topic: form.values.topic,
      whatToBring: form.values.whatToBring,
    });
    await this.dtoErrors(context, form, dto);
    if (Object.keys(form.errors).length === 0) {
      try {
        await this.sessions.update(actor, s.id, dto);
        return void reply.redirect(`/console/sessions/${s.id}?done=moved`, 303);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        this.refusal(context, form, e);
        return this.showSession(request, reply, context, s, c, form, ERROR_KIND_STATUS[e.kind]);
      }
    }
    await this.showSession(request, reply, context, s, c, form, 400);
  }

  /** What cancelling does, and the button that does it (a GET changes nothing). */
  @Get('console/sessions/:id/cancel')
  async confirmCancel(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const { s, c } = await this.sessions.getManagedView(request.user!, id);
    if (s.status === 'cancelled') return void reply.redirect(`/console/sessions/${s.id}`, 303);
    const t = (key: string, args: Record<string, string | number> = {}) => this.pages.t(context.lang, key, args);
    const ahead = s.startsAt > this.clock.now();
    const view = {
      title: t('plan_cancelTitle'),
      section: 'plan' as const,
      what: t('plan_cancelWhat', { classTitle: c.entity.title, when: this.when(s, context) }),
      lines: [t('plan_cancelKept'), ahead ? t('plan_cancelTold') : t('plan_cancelPast'), t('plan_cancelReminders')],
      action: `/console/sessions/${s.id}/cancel`,
      back: `/console/sessions/${s.id}`,
    };
    this.pages.send(request, reply, 'console/plan-session-cancel', context, view);
  }

  @FormPost('console/sessions/:id/cancel')
  async cancel(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const { s, c } = await this.sessions.getManagedView(actor, id);
    try {
      await this.sessions.cancel(actor, s.id);
      return void reply.redirect(`/console/sessions/${s.id}?done=cancelled`, 303);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const form = this.valuesOf(s);
      form.general = this.pages.errorMessage(context.lang, e);
      await this.showSession(request, reply, context, s, c, form, ERROR_KIND_STATUS[e.kind]);
    }
  }

  @Get('console/classes/:id/sessions/new')
  async newSession(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const c = await this.classes.getManaged(request.user!, id);
    const today = localDate(this.clock.now(), this.env.TZ_DEFAULT);
    const start = today > c.entity.startDate && today <= c.entity.endDate ? today : c.entity.startDate;
    const form: SessionForm = {
      values: {
        date: start,
        startTime: '09:00',
        endTime: '12:00',
        venueId: '',
        trainerId: c.trainerIds.length === 1 ? c.trainerIds[0] : '',
        topic: '',
        whatToBring: '',
      },
      errors: {},
    };
    await this.showNew(request, reply, context, c, form);
  }

  @FormPost('console/classes/:id/sessions/new')
  async addSession(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const c = await this.classes.getManaged(actor, id);
    const form = this.formOf(body);
    const dto = plainToInstance(CreateSessionsDto, {
      ...this.times(context, form),
      trainerId: form.values.trainerId || undefined,
      venueId: form.values.venueId || undefined,
      topic: form.values.topic || undefined,
      whatToBring: form.values.whatToBring || undefined,
    });
    await this.dtoErrors(context, form, dto);
    if (Object.keys(form.errors).length === 0) {
      try {
        const [created] = await this.sessions.create(actor, c.entity.id, dto);
        return void reply.redirect(`/console/sessions/${created.id}?done=created`, 303);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        this.refusal(context, form, e);
        return this.showNew(request, reply, context, c, form, ERROR_KIND_STATUS[e.kind]);
      }
    }
    await this.showNew(request, reply, context, c, form, 400);
  }

  /** The form's start and end as instants with the centre's offset; the fields' errors when not real. */
  private times(context: PageContext, form: SessionForm): { startsAt: string; endsAt: string } {
    const zone = this.env.TZ_DEFAULT;
    const t = (key: string) => this.pages.t(context.lang, key);
    const v = form.values;
    const startsAt = instantText(v.date, v.startTime, zone);
    const endsAt = instantText(v.date, v.endTime, zone);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v.date) || (!startsAt && /^\d\d:\d\d$/.test(v.startTime))) {
      form.errors.date = t('plan_err_sessionDate');
    }
    if (!startsAt && !form.errors.date) form.errors.startTime = t('plan_err_time');
    if (!endsAt && !form.errors.date) form.errors.endTime = t('plan_err_time');
    return { startsAt: startsAt ?? '', endsAt: endsAt ?? '' };
  }

  private async dtoErrors(context: PageContext, form: SessionForm, dto: object): Promise<void> {
    const keys: Partial<Record<string, Field>> = {
      trainerId: 'trainerId',
      venueId: 'venueId',
      topic: 'topic',
      whatToBring: 'whatToBring',
    };
    for (const e of await validate(dto, { whitelist: true, forbidNonWhitelisted: true })) {
      const field = keys[e.property];
      if (!field) continue; // startsAt / endsAt: said beside the date and times already
      form.errors[field] ??= this.pages.t(
        context.lang,
        field === 'topic' || field === 'whatToBring' ? 'plan_err_topic' : 'plan_err_other',
      );
    }
  }

  private refusal(context: PageContext, form: SessionForm, e: DomainError): void {
    const message = this.pages.errorMessage(context.lang, e);
    const field = REFUSAL_FIELD[e.code];
    if (field) form.errors[field] = message;
    else form.general = message;
    const other = e.code === 'SESSION_CONFLICT' ? e.details?.conflictingSessionId : undefined;
    if (typeof other === 'string') form.conflictHref = `/console/sessions/${other}`;
  }

  private formOf(body: FormFields | undefined): SessionForm {
    const values = Object.fromEntries(
      FIELDS.map((n) => [n, typeof body?.[n] === 'string' ? body[n].trim() : '']),
    ) as Record<Field, string>;
    return { values, errors: {} };
  }

  /** A session's form as it stands. */
  private valuesOf(s: ClassSession): SessionForm {
    const zone = this.env.TZ_DEFAULT;
    return {
      values: {
        date: localDate(s.startsAt, zone),
        startTime: localTime(s.startsAt, zone),
        endTime: localTime(s.endsAt, zone),
        venueId: s.venueId ?? '',
        trainerId: s.trainerId,
        topic: s.topic ?? '',
        whatToBring: s.whatToBring ?? '',
      },
      errors: {},
    };
  }

  private when(s: ClassSession, context: PageContext): string {
    return `${this.words.weekday(s.startsAt, context.lang)} ${this.words.time(s.startsAt)}–${this.words.time(s.endsAt)}`;
  }

  /** The form's fields: date and times, venue (of the class's county), trainer (of the class), topic, what to bring. */
  private async fields(actor: AuthUser, context: PageContext, c: ScopedClass, form: SessionForm, adding: boolean) {
    const t = (key: string, args: Record<string, string | number> = {}) => this.pages.t(context.lang, key, args);
    const plan = await this.plans.getInScope(actor, c.entity.planId);
    const venues = (
      await this.venues.list(
        actor,
        Object.assign(new ListVenuesQueryDto(), { orgUnitId: plan.orgUnitId, page: 1, pageSize: 100 }),
      )
    ).items;
    const people = await this.users.refs(c.trainerIds);
    const classVenue = venues.find((v) => v.id === c.entity.venueId);
    const v = form.values;
    const e = form.errors;
    const noVenue = adding ? t('plan_classVenue', { venue: classVenue?.name ?? t('plan_noVenue') }) : t('plan_noVenue');
    return {
      plan,
      list: [
        fieldView('date', {
          label: t('plan_sessionDate'),
          value: v.date,
          type: 'date',
          required: true,
          error: e.date,
          min: c.entity.startDate,
          max: c.entity.endDate,
          hint: t('plan_sessionDateHint', {
            dates: this.words.days(c.entity.startDate, c.entity.endDate, context.lang),
          }),
        }),
        fieldView('startTime', {
          label: t('plan_startTime'),
          value: v.startTime,
          type: 'time',
          required: true,
          error: e.startTime,
        }),
        fieldView('endTime', {
          label: t('plan_endTime'),
          value: v.endTime,
          type: 'time',
          required: true,
          error: e.endTime,
        }),
        fieldView('venueId', {
          label: t('plan_venue'),
          value: v.venueId,
          error: e.venueId,
          options: [{ value: '', label: noVenue }, ...venues.map((x) => ({ value: x.id, label: x.name }))],
        }),
        fieldView('trainerId', {
          label: t('plan_sessionTrainer'),
          value: v.trainerId,
          error: e.trainerId,
          options: [
            ...(c.trainerIds.length > 1 && adding ? [{ value: '', label: t('plan_choose') }] : []),
            ...c.trainerIds.map((id) => ({ value: id, label: people.get(id)?.displayName ?? id })),
          ],
        }),
        fieldView('topic', { label: t('plan_topic'), value: v.topic, error: e.topic, maxlength: 200 }),
        fieldView('whatToBring', {
          label: t('plan_whatToBring'),
          value: v.whatToBring,
          error: e.whatToBring,
          maxlength: 200,
        }),
      ],
    };
  }

  private async showSession(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    s: ClassSession,
    c: ScopedClass,
    form: SessionForm,
    status: number,
    done?: string,
  ): Promise<void> {
    const actor = request.user!;
    const t = (key: string, args: Record<string, string | number> = {}) => this.pages.t(context.lang, key, args);
    const [dto] = await this.views.sessions([s]);
    const fields = await this.fields(actor, context, c, form, false);
    const cancelled = s.status === 'cancelled';
    const editable = !cancelled && isEditable(c.entity.status);
    const errorCount = Object.keys(form.errors).length;
    const view = {
      title: t('plan_sessionTitle', { classTitle: c.entity.title, when: this.words.weekday(s.startsAt, context.lang) }),
      section: 'plan' as const,
      back: {
        href: `/console/plan?year=${fields.plan.year}&plan=${fields.plan.id}`,
        label: t('plan_backToPlan', { year: fields.plan.year }),
      },
      done: doneNotice(this.pages, context.lang, 'plan_done_', done),
      facts: [
        { label: t('plan_colClass'), value: c.entity.title, href: `/console/classes/${c.entity.id}` },
        { label: t('plan_colDate'), value: this.when(s, context) },
        { label: t('plan_venue'), value: dto.venue?.name ?? t('plan_noVenue') },
        { label: t('plan_sessionTrainer'), value: dto.trainer.displayName },
        { label: t('plan_topic'), value: dto.topic ?? t('console_none') },
        { label: t('plan_whatToBring'), value: dto.whatToBring ?? t('console_none') },
      ],
      status: t(`plan_sessionStatus_${dto.status}`),
      badge: cancelled ? 'badge_bad' : dto.status === 'held' ? '' : 'badge_ok',
      classStatus: { text: t(`class_state_${c.entity.status}`), badge: CLASS_BADGE[c.entity.status] },
      cancelled,
      notEditable: !cancelled && !editable,
      general: form.general,
      conflictHref: form.conflictHref,
      form: editable && {
        action: `/console/sessions/${s.id}`,
        errorCount,
        fields: fields.list,
      },
      cancel: !cancelled && c.entity.status !== 'completed' ? `/console/sessions/${s.id}/cancel` : null,
    };
    this.pages.send(request, reply, 'console/plan-session', context, view, status);
  }

  private async showNew(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    c: ScopedClass,
    form: SessionForm,
    status = 200,
  ): Promise<void> {
    const t = (key: string, args: Record<string, string | number> = {}) => this.pages.t(context.lang, key, args);
    const fields = await this.fields(request.user!, context, c, form, true);
    const editable = isEditable(c.entity.status);
    const view = {
      title: t('plan_newSessionTitle', { classTitle: c.entity.title }),
      section: 'plan' as const,
      back: { href: `/console/classes/${c.entity.id}`, label: t('plan_backToClass', { classTitle: c.entity.title }) },
      notEditable: !editable ? t('plan_classNotEditable', { status: t(`class_state_${c.entity.status}`) }) : null,
      general: form.general,
      conflictHref: form.conflictHref,
      errorCount: Object.keys(form.errors).length,
      form: editable && { action: `/console/classes/${c.entity.id}/sessions/new`, fields: fields.list },
    };
    this.pages.send(request, reply, 'console/plan-session-new', context, view, status);
  }
}
