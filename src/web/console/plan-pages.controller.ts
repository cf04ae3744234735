import { Body, Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { ClassViewsService } from '../../classes/class-views.service';
import type { ClassStatus } from '../../classes/classes.types';
import { ClassesService, type ScopedClass } from '../../classes/classes.service';
import { ListClassesQueryDto } from '../../classes/dto/class.dto';
import { ListSessionsQueryDto, type SessionDto } from '../../classes/dto/session.dto';
import { SessionsService } from '../../classes/sessions.service';
import type { AuthUser } from '../../common/auth/auth-user';
import { DomainError, ERROR_KIND_STATUS } from '../../common/errors/domain-error';
import { localDate } from '../../common/time/zoned-time';
import { Clock } from '../../common/time/clock';
import { Env } from '../../config/env';
import { OrgUnitsService } from '../../org-units/org-units.service';
import { CreatePlanDto, ListPlansQueryDto, UpdatePlanDto } from '../../plans/dto/plan.dto';
import { PlanErrors } from '../../plans/plans.errors';
import { PlansService } from '../../plans/plans.service';
import type { FormFields } from '../forms';
import { LocalWords } from '../local-words';
import { type PageContext, PageRenderer } from '../page-renderer';
import { PageId } from '../page-id.pipe';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { ConsolePages } from './console-pages.decorator';
import { fieldView } from './plan-fields';
import { intOf } from './plan-forms';
import { doneNotice, parseYear, thisYear } from './console-common';

type Plan = Awaited<ReturnType<PlansService['getInScope']>>;

/** Pages of the plan's sessions read at once (200 each): a county's year has a few dozen. */
const MAX_SESSION_PAGES = 10;
/** Classes of one plan shown (a page of the service's list; a year has four or so). */
const CLASSES_SHOWN = 100;

const QUARTER_WORDS_ZH = ['一', '二', '三', '四'];

export const CLASS_BADGE: Record<ClassStatus, string> = {
  draft: '',
  open: 'badge_ok',
  running: 'badge_ok',
  completed: '',
  cancelled: 'badge_bad',
};

/** What the plan forms show back: the values as typed, and what is wrong with which field. */
interface PlanForm {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** A refusal not tied to one field, in words. */
  general?: string;
}

/**
 * 年度计划: a county's year as four quarters and their months, with every class (its state and
 * dates, a link to its page) and every session (local date and time, topic, venue, trainer;
 * cancelled ones marked), the plan's targets against what is done (PlansService.progress, as
 * `GET /api/plans/:id` answers), and the forms to create the year's plan (`POST /api/plans`) or
 * change its targets (`PATCH /api/plans/:id`). Admins only; each sees its own part of the tree.
 */
@ConsolePages()
@Controller()
export class PlanPagesController {
  constructor(
    private readonly plans: PlansService,
    private readonly classes: ClassesService,
    private readonly sessions: SessionsService,
    private readonly views: ClassViewsService,
    private readonly orgUnits: OrgUnitsService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  @Get('console/plan')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query('year') rawYear?: string,
    @Query('plan') rawPlan?: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const year = parseYear(rawYear);
    if (year === null) return this.badYear(request, reply, context);
    await this.render(request, reply, context, year ?? thisYear(this.env, this.clock), { planId: rawPlan, done });
  }

  @FormPost('console/plan')
  async create(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const values = this.textOf(body, ['orgUnitId', 'year', 'title', 'targetClasses', 'targetPersonTimes']);
    const year = parseYear(values.year) ?? thisYear(this.env, this.clock);
    const form: PlanForm = { values, errors: {} };
    const dto = plainToInstance(CreatePlanDto, {
      orgUnitId: values.orgUnitId,
      year: intOf(values.year),
      title: values.title,
      targetClasses: intOf(values.targetClasses) ?? null,
      targetPersonTimes: intOf(values.targetPersonTimes) ?? null,
    });
    this.fieldErrors(context, form, await validate(dto, { whitelist: true, forbidNonWhitelisted: true }));
    if (Object.keys(form.errors).length === 0) {
      try {
        const plan = await this.plans.create(actor, dto);
        return void reply.redirect(`/console/plan?year=${plan.year}&plan=${plan.id}&done=planCreated`, 303);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        if (e.code === 'ORG_UNIT_NOT_FOUND' || e.code === 'PLAN_UNIT_NOT_COUNTY') {
          form.errors.orgUnitId = this.pages.errorMessage(context.lang, e);
        } else {
          form.general = this.pages.errorMessage(context.lang, e);
        }
        return this.render(request, reply, context, year, { createForm: form }, ERROR_KIND_STATUS[e.kind]);
      }
    }
    await this.render(request, reply, context, year, { createForm: form }, 400);
  }

  @FormPost('console/plan/:id')
  async update(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(PlanErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const plan = await this.plans.getInScope(actor, id);
    const values = this.textOf(body, ['title', 'targetClasses', 'targetPersonTimes']);
    const form: PlanForm = { values, errors: {} };
    const dto = plainToInstance(UpdatePlanDto, {
      title: values.title,
      targetClasses: intOf(values.targetClasses) ?? null,
      targetPersonTimes: intOf(values.targetPersonTimes) ?? null,
    });
    this.fieldErrors(context, form, await validate(dto, { whitelist: true, forbidNonWhitelisted: true }));
    if (Object.keys(form.errors).length === 0) {
      await this.plans.update(actor, plan.id, dto);
      return void reply.redirect(`/console/plan?year=${plan.year}&plan=${plan.id}&done=planSaved`, 303);
    }
    await this.render(request, reply, context, plan.year, { planId: plan.id, editForm: form }, 400);
  }

  /** The plan page of `year`: the chosen plan (or the admin's only one), else the form to create it. */
  private async render(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    year: number,
    options: { planId?: string; done?: string; createForm?: PlanForm; editForm?: PlanForm },
    status = 200,
  ): Promise<void> {
    const actor = request.user!;
    const t = (key: string, args: Record<string, string | number> = {}) => this.pages.t(context.lang, key, args);
    const listed = await this.plans.list(
      actor,
      Object.assign(new ListPlansQueryDto(), { year, page: 1, pageSize: 100 }),
    );
    const plan =
      listed.items.find((p) => p.id === options.planId) ??
      listed.items.find((p) => p.orgUnitId === actor.orgUnitId) ??
      listed.items[0];
    const base = {
      title: t('plan_title', { year }),
      // A refusal of the create form (the plan exists already) stays said when the plan is shown instead.
      problem: plan ? options.createForm?.general : undefined,
      section: 'plan' as const,
      year,
      prevYear: { href: `/console/plan?year=${year - 1}`, label: t('plan_yearLink', { year: year - 1 }) },
      nextYear: { href: `/console/plan?year=${year + 1}`, label: t('plan_yearLink', { year: year + 1 }) },
      done: doneNotice(this.pages, context.lang, 'plan_done_', options.done),
      plans:
        listed.items.length > 1
          ? listed.items.map((p) => ({
              title: p.title,
              href: `/console/plan?year=${year}&plan=${p.id}`,
              current: p.id === plan?.id,
            }))
          : null,
    };
    if (!plan) {
      const view = { ...base, create: await this.createView(actor, context, year, options.createForm) };
      return this.pages.send(request, reply, 'console/plan', context, view, status);
    }
    const view = { ...base, plan: await this.planView(actor, context, plan, options.editForm) };
    this.pages.send(request, reply, 'console/plan', context, view, status);
  }

  /** The form that creates the year's plan: the county (the admin's own, or a choice of those in scope). */
  private async createView(actor: AuthUser, context: PageContext, year: number, form?: PlanForm) {
    const t = (key: string, args: Record<string, string | number> = {}) => this.pages.t(context.lang, key, args);
    const counties = await this.orgUnits.listSubtree(actor.orgPath, ['county']);
    const values = form?.values ?? {
      orgUnitId: counties.find((c) => c.id === actor.orgUnitId)?.id ?? counties[0]?.id ?? '',
      year: String(year),
      title: t('plan_defaultTitle', { year }),
      targetClasses: '4',
      targetPersonTimes: '3000',
    };
    const errors = form?.errors ?? {};
    return {
      noCounty: counties.length === 0,
      general: form?.general,
      errorCount: Object.keys(errors).length,
      action: '/console/plan',
      fields: [
        fieldView('orgUnitId', {
          label: t('plan_county'),
          value: values.orgUnitId,
          error: errors.orgUnitId,
          options: counties.map((c) => ({ value: c.id, label: c.name })),
        }),
        fieldView('year', {
          label: t('plan_year'),
          value: values.year,
          type: 'number',
          min: 2000,
          max: 2100,
          required: true,
          error: errors.year,
        }),
        fieldView('title', {
          label: t('plan_planTitle'),
          value: values.title,
          required: true,
          maxlength: 200,
          error: errors.title,
        }),
        ...this.targetFields(context, values, errors),
      ],
    };
  }

  private targetFields(context: PageContext, values: Record<string, string>, errors: Record<string, string>) {
    const t = (key: string) => this.pages.t(context.lang, key);
    return [
      fieldView('targetClasses', {
        label: t('plan_targetClasses'),
        hint: t('plan_targetClassesHint'),
        value: values.targetClasses,
        type: 'number',
        min: 0,
        max: 1000,
        error: errors.targetClasses,
      }),
      fieldView('targetPersonTimes', {
        label: t('plan_targetPersonTimes'),
        hint: t('plan_targetPersonTimesHint'),
        value: values.targetPersonTimes,
        type: 'number',
        min: 0,
        max: 1000000,
        error: errors.targetPersonTimes,
      }),
    ];
  }

  /** The plan: targets and progress, the form to change them, and the year by quarter and month. */
  private async planView(actor: AuthUser, context: PageContext, plan: Plan, form?: PlanForm) {
    const t = (key: string, args: Record<string, string | number> = {}) => this.pages.t(context.lang, key, args);
    const now = this.clock.now();
    const progress = await this.plans.progress(plan, now);
    const classes = await this.classes.list(
      actor,
      Object.assign(new ListClassesQueryDto(), { planId: plan.id, page: 1, pageSize: CLASSES_SHOWN }),
    );
    const sessions = await this.planSessions(actor, plan.id);
    const perClass = new Map<string, number>();
    for (const s of sessions) if (s.status !== 'cancelled') perClass.set(s.classId, (perClass.get(s.classId) ?? 0) + 1);
    const values = form?.values ?? {
      title: plan.title,
      targetClasses: plan.targetClasses === null ? '' : String(plan.targetClasses),
      targetPersonTimes: plan.targetPersonTimes === null ? '' : String(plan.targetPersonTimes),
    };
    const errors = form?.errors ?? {};
    const byMonth = new Map<string, SessionDto[]>();
    const outside: SessionDto[] = [];
    for (const s of sessions) {
      const month = localDate(s.startsAt, this.env.TZ_DEFAULT).slice(0, 7);
      if (Number(month.slice(0, 4)) !== plan.year) outside.push(s);
      else byMonth.set(month, [...(byMonth.get(month) ?? []), s]);
    }
    const quarters = [1, 2, 3, 4].map((q) => {
      const stats = progress.byQuarter.find((b) => b.quarter === q);
      const ofQuarter = classes.items.filter((c) => c.entity.quarter === q);
      return {
        heading: t('plan_quarterHeading', {
          quarter: context.lang === 'zh-CN' ? QUARTER_WORDS_ZH[q - 1] : q,
          from: (q - 1) * 3 + 1,
          to: q * 3,
        }),
        id: `q${q}`,
        summary: t('plan_quarterSummary', {
          classes: stats?.classes ?? 0,
          sessions: stats?.sessionsPlanned ?? 0,
          held: stats?.sessionsHeld ?? 0,
          personTimes: stats?.personTimes ?? 0,
        }),
        newClass: { href: `/console/plan/classes/new?year=${plan.year}&quarter=${q}&plan=${plan.id}` },
        classes: ofQuarter.map((c) => this.classRow(c, perClass.get(c.entity.id) ?? 0, context, now)),
        months: [0, 1, 2].map((i) => {
          const m = (q - 1) * 3 + i + 1;
          const key = `${plan.year}-${String(m).padStart(2, '0')}`;
          return {
            id: `m${m}`,
            heading: t('plan_monthHeading', { month: m }),
            sessions: (byMonth.get(key) ?? []).map((s) => this.sessionRow(s, context, now)),
          };
        }),
      };
    });
    return {
      id: plan.id,
      title: plan.title,
      stats: [
        {
          label: t('plan_statClasses'),
          value: progress.classesHeld,
          target:
            plan.targetClasses === null
              ? t('plan_noTarget')
              : t('plan_ofTarget', { target: plan.targetClasses, rate: this.percent(progress.classesRate) }),
          max: plan.targetClasses,
          note: t('plan_classesPlanned', { count: progress.classesPlanned }),
        },
        {
          label: t('plan_statPersonTimes'),
          value: progress.personTimes,
          target:
            plan.targetPersonTimes === null
              ? t('plan_noTarget')
              : t('plan_ofTarget', { target: plan.targetPersonTimes, rate: this.percent(progress.personTimesRate) }),
          max: plan.targetPersonTimes,
          note: null,
        },
        {
          label: t('plan_statSessions'),
          value: progress.sessionsHeld,
          target: t('plan_sessionsPlanned', { count: progress.sessionsPlanned }),
          max: progress.sessionsPlanned || null,
          note: null,
        },
      ],
      edit: {
        action: `/console/plan/${plan.id}`,
        errorCount: Object.keys(errors).length,
        fields: [
          fieldView('title', {
            label: t('plan_planTitle'),
            value: values.title,
            required: true,
            maxlength: 200,
            error: errors.title,
          }),
          ...this.targetFields(context, values, errors),
        ],
      },
      quarters,
      outside: outside.map((s) => this.sessionRow(s, context, now)),
    };
  }

  /** Every session of the plan, cancelled ones too, in time order, with names. */
  private async planSessions(actor: AuthUser, planId: string): Promise<SessionDto[]> {
    const out: SessionDto[] = [];
    for (let page = 1; page <= MAX_SESSION_PAGES; page++) {
      const query = Object.assign(new ListSessionsQueryDto(), { page, pageSize: 200, includeCancelled: 'true' });
      const found = await this.sessions.listForPlan(actor, planId, query);
      out.push(...(await this.views.sessions(found.items)));
      if (out.length >= found.total || found.items.length === 0) break;
    }
    return out;
  }

  private classRow(c: ScopedClass, sessions: number, context: PageContext, now: Date) {
    const e = c.entity;
    return {
      href: `/console/classes/${e.id}`,
      title: e.title,
      status: this.pages.t(context.lang, `class_state_${e.status}`),
      badge: CLASS_BADGE[e.status],
      dates: this.words.days(e.startDate, e.endDate, context.lang, now),
      sessions,
      addSession: e.status === 'completed' || e.status === 'cancelled' ? null : `/console/classes/${e.id}/sessions/new`,
    };
  }

  private sessionRow(s: SessionDto, context: PageContext, now: Date) {
    return {
      href: `/console/sessions/${s.id}`,
      date: this.words.weekday(s.startsAt, context.lang, now),
      time: `${this.words.time(s.startsAt)}–${this.words.time(s.endsAt)}`,
      classTitle: s.class.title,
      topic: s.topic ?? '',
      venue: s.venue?.name ?? '',
      trainer: s.trainer.displayName,
      cancelled: s.status === 'cancelled',
      status: this.pages.t(context.lang, `plan_sessionStatus_${s.status}`),
      badge: s.status === 'cancelled' ? 'badge_bad' : s.status === 'held' ? '' : 'badge_ok',
    };
  }

  /** `50` for 0.5; an empty string without a target. */
  private percent(rate: number | null): string {
    return rate === null ? '' : String(Math.round(rate * 1000) / 10);
  }

  /** `?year=` that is not a year: 400, with a link to this year's plan. */
  private badYear(request: PageRequest, reply: FastifyReply, context: PageContext): void {
    const heading = this.pages.t(context.lang, 'plan_badYearTitle');
    const view = {
      title: heading,
      heading,
      lines: [this.pages.t(context.lang, 'plan_badYearText')],
      action: { href: '/console/plan', label: this.pages.t(context.lang, 'plan_thisYear') },
      layout: 'console' as const,
      section: 'plan' as const,
    };
    this.pages.send(request, reply, 'message', context, view, 400);
  }

  /** The named fields as typed (text only; anything else is empty). */
  private textOf(body: FormFields | undefined, names: string[]): Record<string, string> {
    return Object.fromEntries(names.map((n) => [n, typeof body?.[n] === 'string' ? body[n].trim() : '']));
  }

  /** A plan form's DTO errors in words, beside their fields. */
  private fieldErrors(context: PageContext, form: PlanForm, errors: ValidationError[]): void {
    const keys: Record<string, string> = {
      orgUnitId: 'plan_err_county',
      year: 'plan_err_year',
      title: 'plan_err_planTitle',
      targetClasses: 'plan_err_targetClasses',
      targetPersonTimes: 'plan_err_targetPersonTimes',
    };
    for (const e of errors) {
      form.errors[e.property] = this.pages.t(context.lang, keys[e.property] ?? 'plan_err_other');
    }
  }
}
