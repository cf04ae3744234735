import { Body, Controller, Get, Query, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { ClassViewsService } from '../../classes/class-views.service';
import { CreateClassDto } from '../../classes/dto/class.dto';
import { CreateSessionsDto, RecurrenceDto, SearchSessionsQueryDto } from '../../classes/dto/session.dto';
import { MAX_OCCURRENCES, type Occurrence } from '../../classes/classes.types';
import { SessionsService } from '../../classes/sessions.service';
import type { AuthUser } from '../../common/auth/auth-user';
import { DomainError, ERROR_KIND_STATUS } from '../../common/errors/domain-error';
import { Clock } from '../../common/time/clock';
import { localDate, localDayBounds, quarterOf } from '../../common/time/zoned-time';
import { Env } from '../../config/env';
import { CoursesService } from '../../courses/courses.service';
import { CreateCourseDto, ListCoursesQueryDto } from '../../courses/dto/course.dto';
import { ListPlansQueryDto } from '../../plans/dto/plan.dto';
import { PlansService } from '../../plans/plans.service';
import { ListUsersQueryDto } from '../../users/dto/user.dto';
import { UsersService } from '../../users/users.service';
import { CreateVenueDto, ListVenuesQueryDto } from '../../venues/dto/venue.dto';
import { VenuesService } from '../../venues/venues.service';
import type { FormFields } from '../forms';
import { LocalWords } from '../local-words';
import { type PageContext, PageRenderer } from '../page-renderer';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { ConsolePages } from './console-pages.decorator';
import { fieldView } from './plan-fields';
import {
  buildRule,
  instantText,
  intOf,
  parseDates,
  PATTERNS,
  quarterDates,
  type RuleFields,
  ruleFieldsOf,
  WEEKDAY_CODES,
} from './plan-forms';
import { doneNotice, parseYear, thisYear } from './console-common';

type Plan = Awaited<ReturnType<PlansService['getInScope']>>;

/** A course's levels, as `POST /api/courses` takes them. */
const COURSE_LEVELS = ['beginner', 'intermediate', 'advanced'] as const satisfies readonly CreateCourseDto['level'][];

/** Checkbox fields of the class's trainers: `trainer_<id>` (a form repeats no field name: the parser keeps the last). */
const TRAINER_FIELD = /^trainer_([0-9a-f-]{36})$/;
/** Courses, venues and trainers a select offers (a page of the services' lists; a county has a few). */
const CHOICES = 100;

/** The new-class form's text fields (the trainers and the weekdays are checkboxes). */
const TEXT_FIELDS = [
  'planId',
  'courseId',
  'title',
  'quarter',
  'startDate',
  'endDate',
  'venueId',
  'capacity',
  'minPerTownship',
  'maxPerTownship',
  'opensDate',
  'opensTime',
  'closesDate',
  'closesTime',
  'threshold',
  'startTime',
  'durationMinutes',
  'exdates',
  'sessionTrainerId',
  'topic',
  'whatToBring',
] as const;
type TextField = (typeof TEXT_FIELDS)[number];

interface ClassForm {
  values: Record<TextField, string>;
  trainerIds: string[];
  rule: RuleFields;
  /** Catalogue words beside fields, by field id. */
  errors: Record<string, string>;
  /** A refusal not tied to one field, in words. */
  general?: string;
  /** The other session a double booking names (its page). */
  conflictHref?: string;
}

/** One date of the preview. */
interface PreviewRow {
  n: number | null;
  date: string;
  time: string;
  skipped: boolean;
  /** Ends after the class's last day. */
  outside: boolean;
  /** Another session of the same trainer or venue at that time. */
  clash: string | null;
}

/** The small forms beside the class form (a course, a venue) when they were refused. */
interface SideForm {
  values: Record<string, string>;
  errors: Record<string, string>;
  general?: string;
}

/** DTO properties to the form's field ids (the instants come from a date and a time field each). */
const DTO_FIELD: Record<string, string> = {
  enrolmentOpensAt: 'opensDate',
  enrolmentClosesAt: 'closesDate',
  attendanceThreshold: 'threshold',
  trainerIds: 'trainers',
  trainerId: 'sessionTrainerId',
};

/** The words beside a field the DTO refused. */
const DTO_ERROR: Record<string, string> = {
  planId: 'plan_err_plan',
  courseId: 'plan_err_course',
  title: 'plan_err_title',
  quarter: 'plan_err_quarter',
  startDate: 'plan_err_date',
  endDate: 'plan_err_date',
  venueId: 'plan_err_venue',
  trainers: 'plan_err_trainers',
  capacity: 'plan_err_capacity',
  minPerTownship: 'plan_err_perTownship',
  maxPerTownship: 'plan_err_perTownship',
  opensDate: 'plan_err_instant',
  closesDate: 'plan_err_instant',
  threshold: 'plan_err_threshold',
  startTime: 'plan_err_startTime',
  durationMinutes: 'plan_err_duration',
  exdates: 'plan_err_exdates',
  sessionTrainerId: 'plan_err_sessionTrainer',
  topic: 'plan_err_topic',
  whatToBring: 'plan_err_topic',
};

/** Which field a service's refusal belongs beside; the rest are said above the form. */
const REFUSAL_FIELD: Record<string, string> = {
  PLAN_NOT_FOUND: 'planId',
  COURSE_NOT_FOUND: 'courseId',
  VENUE_NOT_FOUND: 'venueId',
  TRAINER_NOT_FOUND: 'trainers',
  CLASS_DATES_OUTSIDE_QUARTER: 'startDate',
  INVALID_DATE: 'startDate',
  CLASS_LIMITS_INVALID: 'maxPerTownship',
  ENROLMENT_WINDOW_INVALID: 'closesDate',
  ATTENDANCE_POINTS_INVALID: 'threshold',
  INVALID_RRULE: 'rule',
  RECURRENCE_TOO_LONG: 'rule',
  RECURRENCE_EMPTY: 'rule',
  SESSION_OUTSIDE_CLASS_DATES: 'durationMinutes',
  SESSION_TIME_ORDER: 'durationMinutes',
  SESSION_TOO_LONG: 'durationMinutes',
  SESSION_TRAINER_REQUIRED: 'sessionTrainerId',
  SESSION_TRAINER_NOT_IN_CLASS: 'sessionTrainerId',
  SESSION_CONFLICT: 'startTime',
};

/**
 * 新建培训班: every field of `POST /api/classes` and the sessions' recurrence (`POST
 * /api/classes/:id/sessions` with `recurrence`), built from weekdays or days of the month, or typed
 * as an RRULE, with holidays to skip. 预览 lists the dates the rule gives (expanded by
 * SessionsService.expandFor, the code that saves them, so preview and saved sessions agree) and
 * saves nothing; 保存 creates the class and its sessions in one transaction
 * (SessionsService.createClassWithSessions): a refused session leaves no class behind.
 */
@ConsolePages()
@Controller()
export class PlanClassesController {
  constructor(
    private readonly plans: PlansService,
    private readonly sessions: SessionsService,
    private readonly views: ClassViewsService,
    private readonly courses: CoursesService,
    private readonly venues: VenuesService,
    private readonly users: UsersService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  @Get('console/plan/classes/new')
  async form(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, string | undefined>,
  ): Promise<void> {
    const context = pageContextOf(request);
    const { year, quarter, planId } = this.target(query);
    const plans = await this.yearPlans(request.user!, year);
    const plan =
      plans.find((p) => p.id === planId) ?? plans.find((p) => p.orgUnitId === request.user!.orgUnitId) ?? plans[0];
    const form = await this.defaults(request.user!, context, year, quarter, plan);
    const done = doneNotice(this.pages, context.lang, 'plan_done_', query.done);
    await this.show(request, reply, context, { year, quarter, plans, plan, form, done });
  }

  @FormPost('console/plan/classes/new')
  async submit(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const form = this.formOf(body ?? {});
    const year = parseYear(body?.year) ?? thisYear(this.env, this.clock);
    const quarter = intOf(form.values.quarter) ?? 1;
    const plans = await this.yearPlans(actor, year);
    const plan = plans.find((p) => p.id === form.values.planId);
    const saving = body?.action === 'save';
    const checked = await this.check(actor, context, form, plan);
    const view = { year, quarter: quarter >= 1 && quarter <= 4 ? quarter : 1, plans, plan, form };
    if (!checked) return this.show(request, reply, context, view, 400);
    if (!saving) {
      const preview = await this.preview(actor, context, form, checked);
      return this.show(request, reply, context, { ...view, preview }, 200);
    }
    try {
      const { c } = await this.sessions.createClassWithSessions(actor, checked.classDto, checked.sessionsDto);
      return void reply.redirect(`/console/classes/${c.entity.id}?done=created`, 303);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      this.refusal(context, form, e);
      const preview = await this.preview(actor, context, form, checked);
      await this.show(request, reply, context, { ...view, preview }, ERROR_KIND_STATUS[e.kind]);
    }
  }

  /** 添加课程: a course of the admin's unit (`POST /api/courses`), then back to the class form. */
  @FormPost('console/plan/courses')
  async addCourse(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const values = this.textOf(body, ['title', 'level', 'hours']);
    const dto = plainToInstance(CreateCourseDto, {
      title: values.title,
      level: values.level,
      hours: values.hours === '' ? undefined : Number(values.hours),
    });
    const side: SideForm = { values, errors: {} };
    const keys: Record<string, string> = {
      title: 'plan_err_courseTitle',
      level: 'plan_err_courseLevel',
      hours: 'plan_err_courseHours',
    };
    for (const e of await validate(dto, { whitelist: true, forbidNonWhitelisted: true })) {
      side.errors[`course-${e.property}`] = this.pages.t(context.lang, keys[e.property] ?? 'plan_err_other');
    }
    const back = this.backTarget(body);
    if (Object.keys(side.errors).length === 0) {
      await this.courses.create(actor, dto);
      return void reply.redirect(`${back.href}&done=courseAdded`, 303);
    }
    await this.sideRefused(request, reply, context, back, { course: side });
  }

  /** 添加场地: a venue of the plan's county (`POST /api/venues`), then back to the class form. */
  @FormPost('console/plan/venues')
  async addVenue(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const back = this.backTarget(body);
    const values = this.textOf(body, ['name', 'capacity', 'address']);
    const side: SideForm = { values, errors: {} };
    const plans = await this.yearPlans(actor, back.year);
    const plan = plans.find((p) => p.id === back.planId);
    if (!plan) {
      side.general = this.pages.t(context.lang, 'plan_err_plan');
      return this.sideRefused(request, reply, context, back, { venue: side });
    }
    const dto = plainToInstance(CreateVenueDto, {
      name: values.name,
      orgUnitId: plan.orgUnitId,
      capacity: intOf(values.capacity),
      address: values.address === '' ? null : values.address,
    });
    const keys: Record<string, string> = {
      name: 'plan_err_venueName',
      capacity: 'plan_err_venueCapacity',
      address: 'plan_err_venueAddress',
    };
    for (const e of await validate(dto, { whitelist: true, forbidNonWhitelisted: true })) {
      side.errors[`venue-${e.property}`] = this.pages.t(context.lang, keys[e.property] ?? 'plan_err_other');
    }
    if (Object.keys(side.errors).length === 0) {
      try {
        await this.venues.create(actor, dto);
        return void reply.redirect(`${back.href}&done=venueAdded`, 303);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        side.errors['venue-name'] = this.pages.errorMessage(context.lang, e);
      }
    }
    await this.sideRefused(request, reply, context, back, { venue: side });
  }

  /** The class form again with its defaults, and the refused course or venue form with its errors (400). */
  private async sideRefused(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    back: { year: number; quarter: number; planId: string },
    side: { course?: SideForm; venue?: SideForm },
  ): Promise<void> {
    const actor = request.user!;
    const plans = await this.yearPlans(actor, back.year);
    const plan = plans.find((p) => p.id === back.planId) ?? plans[0];
    const form = await this.defaults(actor, context, back.year, back.quarter, plan);
    await this.show(request, reply, context, { year: back.year, quarter: back.quarter, plans, plan, form, side }, 400);
  }

  /** Year, quarter and plan of the address (`?year=&quarter=&plan=`), this year's current quarter by default. */
  private target(query: Record<string, string | undefined>): { year: number; quarter: number; planId?: string } {
    const now = this.clock.now();
    const year = parseYear(query.year) ?? thisYear(this.env, this.clock);
    const q = intOf(query.quarter ?? '');
    const quarter = q !== undefined && q >= 1 && q <= 4 ? q : quarterOf(localDate(now, this.env.TZ_DEFAULT));
    return { year, quarter, planId: query.plan };
  }

  /** Where the small forms go back to: the class form of the same year, quarter and plan. */
  private backTarget(body: FormFields | undefined) {
    const year = parseYear(body?.year) ?? thisYear(this.env, this.clock);
    const q = intOf(typeof body?.quarter === 'string' ? body.quarter : '');
    const quarter = q !== undefined && q >= 1 && q <= 4 ? q : 1;
    const planId = typeof body?.planId === 'string' && /^[0-9a-f-]{36}$/.test(body.planId) ? body.planId : '';
    const href = `/console/plan/classes/new?year=${year}&quarter=${quarter}&plan=${planId}`;
    return { year, quarter, planId, href };
  }

  private async yearPlans(actor: AuthUser, year: number): Promise<Plan[]> {
    const query = Object.assign(new ListPlansQueryDto(), { year, page: 1, pageSize: 100 });
    return (await this.plans.list(actor, query)).items;
  }

  /** A new class's form: the quarter's dates, enrolment from today to the day before, weekly at 09:00 for 3 hours. */
  private async defaults(
    actor: AuthUser,
    context: PageContext,
    year: number,
    quarter: number,
    plan: Plan | undefined,
  ): Promise<ClassForm> {
    const { startDate, endDate } = quarterDates(year, quarter);
    const today = localDate(this.clock.now(), this.env.TZ_DEFAULT);
    const dayBefore = localDate(
      new Date(localDayBounds(startDate, this.env.TZ_DEFAULT).start.getTime() - 1),
      this.env.TZ_DEFAULT,
    );
    const trainers = plan ? await this.trainerChoices(actor, plan) : [];
    const courses = await this.courseChoices(actor);
    const venues = plan ? await this.venueChoices(actor, plan) : [];
    const values: Record<TextField, string> = {
      planId: plan?.id ?? '',
      courseId: courses[0]?.value ?? '',
      title: this.pages.t(context.lang, 'plan_defaultClassTitle', { year, quarter }),
      quarter: String(quarter),
      startDate,
      endDate,
      venueId: venues[0]?.value ?? '',
      capacity: '40',
      minPerTownship: '3',
      maxPerTownship: '5',
      opensDate: today < dayBefore ? today : dayBefore,
      opensTime: '09:00',
      closesDate: dayBefore,
      closesTime: '18:00',
      threshold: '80',
      startTime: '09:00',
      durationMinutes: '180',
      exdates: '',
      sessionTrainerId: '',
      topic: '',
      whatToBring: '',
    };
    return {
      values,
      trainerIds: trainers.length === 1 ? [trainers[0].value] : [],
      rule: { pattern: 'weekly', interval: '1', days: [], monthDays: '5,15,25', count: '', until: '', rrule: '' },
      errors: {},
    };
  }

  private formOf(body: FormFields): ClassForm {
    const values = this.textOf(body, [...TEXT_FIELDS]) as Record<TextField, string>;
    const trainerIds = Object.keys(body)
      .map((k) => TRAINER_FIELD.exec(k)?.[1])
      .filter((v): v is string => !!v);
    return { values, trainerIds, rule: ruleFieldsOf(body), errors: {} };
  }

  /**
   * Everything the page can check before the services do: the DTOs of both steps, the rule's
   * fields, the holidays, the session trainer among the class's; then the rule expanded. Answers
   * the DTOs and the dates, or undefined with the errors written into the form.
   */
  private async check(
    actor: AuthUser,
    context: PageContext,
    form: ClassForm,
    plan: Plan | undefined,
  ): Promise<
    { classDto: CreateClassDto; sessionsDto: CreateSessionsDto; dates: Occurrence[]; rrule: string } | undefined
  > {
    const t = (key: string) => this.pages.t(context.lang, key);
    const v = form.values;
    const zone = this.env.TZ_DEFAULT;
    // A percent with at most one decimal (80, 82.5) is the DTO's fraction to three decimals.
    const threshold =
      v.threshold === ''
        ? undefined
        : /^\d{1,3}(\.\d)?$/.test(v.threshold)
          ? Math.round(Number(v.threshold) * 10) / 1000
          : NaN;
    const classDto = plainToInstance(CreateClassDto, {
      planId: plan?.id ?? v.planId,
      courseId: v.courseId,
      title: v.title,
      quarter: intOf(v.quarter),
      startDate: v.startDate,
      endDate: v.endDate,
      venueId: v.venueId === '' ? null : v.venueId,
      trainerIds: form.trainerIds,
      capacity: intOf(v.capacity),
      minPerTownship: intOf(v.minPerTownship),
      maxPerTownship: intOf(v.maxPerTownship),
      enrolmentOpensAt: instantText(v.opensDate, v.opensTime, zone) ?? '',
      enrolmentClosesAt: instantText(v.closesDate, v.closesTime, zone) ?? '',
      attendanceThreshold: threshold,
    });
    this.dtoErrors(context, form, await validate(classDto, { whitelist: true, forbidNonWhitelisted: true }));
    if (!plan) form.errors.planId = t('plan_err_plan');

    const built = buildRule(form.rule);
    if ('problems' in built) for (const p of built.problems) form.errors[`rule-${p.field}`] = t(p.key);
    const holidays = parseDates(v.exdates);
    if ('bad' in holidays)
      form.errors.exdates = this.pages.t(context.lang, 'plan_err_exdates', { dates: holidays.bad.join(' ') });
    const recurrence = plainToInstance(RecurrenceDto, {
      rrule: 'rrule' in built ? built.rrule : 'FREQ=DAILY',
      startTime: v.startTime,
      durationMinutes: intOf(v.durationMinutes),
      exdates: 'dates' in holidays ? holidays.dates : [],
    });
    const sessionTrainerId = v.sessionTrainerId || (form.trainerIds.length === 1 ? form.trainerIds[0] : undefined);
    const sessionsDto = plainToInstance(CreateSessionsDto, {
      recurrence,
      trainerId: sessionTrainerId,
      topic: v.topic === '' ? undefined : v.topic,
      whatToBring: v.whatToBring === '' ? undefined : v.whatToBring,
    });
    this.dtoErrors(context, form, await validate(sessionsDto, { whitelist: true, forbidNonWhitelisted: true }));
    if (form.trainerIds.length > 1 && !v.sessionTrainerId) form.errors.sessionTrainerId = t('plan_err_sessionTrainer');
    if (v.sessionTrainerId && !form.trainerIds.includes(v.sessionTrainerId)) {
      form.errors.sessionTrainerId = t('plan_err_sessionTrainerNotInClass');
    }
    if (Object.keys(form.errors).length > 0 || !('rrule' in built)) return undefined;
    try {
      const dates = this.sessions.expandFor(v.startDate, v.endDate, recurrence);
      return { classDto, sessionsDto, dates, rrule: built.rrule };
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      this.refusal(context, form, e);
      return undefined;
    }
  }

  /** A class DTO's or a recurrence DTO's problems, in words beside their fields. */
  private dtoErrors(context: PageContext, form: ClassForm, errors: ValidationError[], prefix = ''): void {
    for (const e of errors) {
      if (e.property === 'recurrence' && e.children?.length) {
        this.dtoErrors(context, form, e.children, 'recurrence.');
        continue;
      }
      const field = DTO_FIELD[e.property] ?? e.property;
      const key = DTO_ERROR[field] ?? (prefix ? 'plan_err_rule' : 'plan_err_other');
      form.errors[field] ??= this.pages.t(context.lang, key, { dates: '' });
    }
  }

  /** A service's refusal in its own words, beside the field it is about, else above the form. */
  private refusal(context: PageContext, form: ClassForm, e: DomainError): void {
    const message = this.pages.errorMessage(context.lang, e);
    const field = REFUSAL_FIELD[e.code];
    if (e.code === 'INVALID_RRULE' && e.options.key === 'INVALID_RRULE#exdate') form.errors.exdates = message;
    else if (field === 'rule') form.errors[form.rule.pattern === 'rrule' ? 'rule-rrule' : 'rule'] = message;
    else if (field) form.errors[field] = message;
    else form.general = message;
    if (e.code === 'SESSION_CONFLICT') {
      form.general = this.pages.t(context.lang, 'plan_conflictNothingSaved');
      const other = e.details?.conflictingSessionId;
      if (typeof other === 'string') form.conflictHref = `/console/sessions/${other}`;
    }
  }

  /**
   * The dates the rule gives, with the holidays it skipped (struck through), a session that
   * would end after the class's last day, and another session of the same trainer or venue at
   * that time (found with SessionsService.search over the class's dates, in the admin's part).
   */
  private async preview(
    actor: AuthUser,
    context: PageContext,
    form: ClassForm,
    checked: { dates: Occurrence[]; rrule: string; sessionsDto: CreateSessionsDto },
  ) {
    const t = (key: string, args: Record<string, string | number> = {}) => this.pages.t(context.lang, key, args);
    const v = form.values;
    const zone = this.env.TZ_DEFAULT;
    const recurrence = checked.sessionsDto.recurrence!;
    const skipped = new Set<string>();
    try {
      const all = this.sessions.expandFor(v.startDate, v.endDate, { ...recurrence, exdates: [] });
      const holidays = new Set(recurrence.exdates ?? []);
      for (const o of all) if (holidays.has(o.date)) skipped.add(o.date);
    } catch {
      // Without the holidays the rule gives more than the limit: the skipped ones are not listed.
    }
    const lastMoment = localDayBounds(v.endDate, zone).end;
    const others = await this.othersDuring(actor, checked.dates);
    const trainerId = checked.sessionsDto.trainerId;
    const venueId = v.venueId || null;
    const now = this.clock.now();
    const time = (o: { startsAt: Date; endsAt: Date }) => `${this.words.time(o.startsAt)}–${this.words.time(o.endsAt)}`;
    const rows: PreviewRow[] = [];
    let n = 0;
    const byDate = new Map(checked.dates.map((o) => [o.date, o]));
    const dates = [...new Set([...checked.dates.map((o) => o.date), ...skipped])].sort();
    for (const date of dates) {
      const o = byDate.get(date);
      if (!o) {
        rows.push({
          n: null,
          date: this.words.weekday(date, context.lang, now),
          time: '',
          skipped: true,
          outside: false,
          clash: null,
        });
        continue;
      }
      const clash = others.find(
        (s) =>
          s.startsAt < o.endsAt &&
          o.startsAt < s.endsAt &&
          ((trainerId !== undefined && s.trainerId === trainerId) || (venueId !== null && s.venueId === venueId)),
      );
      rows.push({
        n: ++n,
        date: this.words.weekday(date, context.lang, now),
        time: time(o),
        skipped: false,
        outside: o.endsAt > lastMoment,
        clash: clash
          ? t(clash.trainerId === trainerId ? 'plan_clashTrainer' : 'plan_clashVenue', {
              classTitle: clash.class.title,
              when: `${this.words.weekday(clash.startsAt, context.lang, now)} ${time(clash)}`,
            })
          : null,
      });
    }
    const problems = rows.filter((r) => r.outside || r.clash).length;
    return {
      rrule: checked.rrule,
      count: checked.dates.length,
      summary: t('plan_previewSummary', { count: checked.dates.length, skipped: skipped.size }),
      limits: t('plan_previewLimits', { max: MAX_OCCURRENCES }),
      problems: problems ? t('plan_previewProblems', { count: problems }) : null,
      rows,
    };
  }

  /** Live sessions in the admin's part overlapping the dates' span, with names (at most a few pages). */
  private async othersDuring(actor: AuthUser, dates: Occurrence[]) {
    if (dates.length === 0) return [];
    const from = dates[0].startsAt.toISOString();
    const to = dates[dates.length - 1].endsAt.toISOString();
    const out = [];
    for (let page = 1; page <= 5; page++) {
      const query = Object.assign(new SearchSessionsQueryDto(), { from, to, page, pageSize: 200 });
      const found = await this.sessions.search(actor, query);
      out.push(...(await this.views.sessions(found.items)));
      if (out.length >= found.total || found.items.length === 0) break;
    }
    return out;
  }

  private async trainerChoices(actor: AuthUser, plan: Plan) {
    const query = Object.assign(new ListUsersQueryDto(), {
      role: 'trainer' as const,
      active: true,
      orgUnitId: plan.orgUnitId,
      page: 1,
      pageSize: CHOICES,
    });
    return (await this.users.list(actor, query)).items.map((u) => ({ value: u.id, label: u.displayName }));
  }

  private async courseChoices(actor: AuthUser) {
    const query = Object.assign(new ListCoursesQueryDto(), { page: 1, pageSize: CHOICES });
    return (await this.courses.list(actor, query)).items.map((c) => ({ value: c.id, label: c.title }));
  }

  private async venueChoices(actor: AuthUser, plan: Plan) {
    const query = Object.assign(new ListVenuesQueryDto(), { orgUnitId: plan.orgUnitId, page: 1, pageSize: CHOICES });
    return (await this.venues.list(actor, query)).items.map((v) => ({ value: v.id, label: v.name }));
  }

  private async show(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    o: {
      year: number;
      quarter: number;
      plans: Plan[];
      plan: Plan | undefined;
      form: ClassForm;
      preview?: Awaited<ReturnType<PlanClassesController['preview']>>;
      side?: { course?: SideForm; venue?: SideForm };
      done?: string;
    },
    status = 200,
  ): Promise<void> {
    const actor = request.user!;
    const t = (key: string, args: Record<string, string | number> = {}) => this.pages.t(context.lang, key, args);
    const { form, plan } = o;
    const v = form.values;
    const e = form.errors;
    const courses = await this.courseChoices(actor);
    const venues = plan ? await this.venueChoices(actor, plan) : [];
    const trainers = plan ? await this.trainerChoices(actor, plan) : [];
    const chosen = new Set(form.trainerIds);
    const f = fieldView;
    const quarterOptions = [1, 2, 3, 4].map((q) => ({
      value: String(q),
      label: t('plan_quarterOption', { quarter: q }),
    }));
    const fields = {
      plan:
        o.plans.length > 1
          ? f('planId', {
              label: t('plan_plan'),
              value: v.planId,
              error: e.planId,
              options: o.plans.map((p) => ({ value: p.id, label: p.title })),
            })
          : null,
      course: f('courseId', {
        label: t('plan_course'),
        value: v.courseId,
        error: e.courseId,
        required: true,
        options: [{ value: '', label: t('plan_choose') }, ...courses],
      }),
      title: f('title', {
        label: t('plan_classTitle'),
        value: v.title,
        error: e.title,
        required: true,
        maxlength: 200,
      }),
      quarter: f('quarter', { label: t('plan_quarter'), value: v.quarter, error: e.quarter, options: quarterOptions }),
      startDate: f('startDate', {
        label: t('plan_startDate'),
        value: v.startDate,
        type: 'date',
        required: true,
        error: e.startDate,
        hint: t('plan_startDateHint'),
      }),
      endDate: f('endDate', {
        label: t('plan_endDate'),
        value: v.endDate,
        type: 'date',
        required: true,
        error: e.endDate,
      }),
      venue: f('venueId', {
        label: t('plan_venue'),
        value: v.venueId,
        error: e.venueId,
        options: [{ value: '', label: t('plan_noVenue') }, ...venues],
      }),
      capacity: f('capacity', {
        label: t('plan_capacity'),
        value: v.capacity,
        type: 'number',
        min: 1,
        max: 1000,
        required: true,
        error: e.capacity,
      }),
      min: f('minPerTownship', {
        label: t('plan_minPerTownship'),
        value: v.minPerTownship,
        type: 'number',
        min: 0,
        max: 100,
        error: e.minPerTownship,
      }),
      max: f('maxPerTownship', {
        label: t('plan_maxPerTownship'),
        value: v.maxPerTownship,
        type: 'number',
        min: 1,
        max: 100,
        error: e.maxPerTownship,
        hint: t('plan_perTownshipHint'),
      }),
      opensDate: f('opensDate', { label: t('plan_opensDate'), value: v.opensDate, type: 'date', error: e.opensDate }),
      opensTime: f('opensTime', { label: t('plan_opensTime'), value: v.opensTime, type: 'time' }),
      closesDate: f('closesDate', {
        label: t('plan_closesDate'),
        value: v.closesDate,
        type: 'date',
        error: e.closesDate,
        hint: t('plan_closesHint'),
      }),
      closesTime: f('closesTime', { label: t('plan_closesTime'), value: v.closesTime, type: 'time' }),
      threshold: f('threshold', {
        label: t('plan_threshold'),
        value: v.threshold,
        type: 'number',
        min: 0,
        max: 100,
        step: '0.1',
        error: e.threshold,
        hint: t('plan_thresholdHint'),
      }),
    };
    const r = form.rule;
    const rule = {
      error: e.rule,
      patterns: PATTERNS.map((p) => ({
        id: `pattern-${p}`,
        value: p,
        label: t(`plan_pattern_${p}`),
        checked: r.pattern === p,
      })),
      days: WEEKDAY_CODES.map((d) => ({
        id: `day-${d}`,
        name: `day_${d}`,
        label: t(`plan_weekday_${d}`),
        checked: r.days.includes(d),
      })),
      daysError: e['rule-days'],
      interval: f('interval', {
        label: t('plan_interval'),
        value: r.interval,
        type: 'number',
        min: 1,
        max: 52,
        hint: t('plan_intervalHint'),
        error: e['rule-interval'],
      }),
      monthDays: f('monthDays', {
        label: t('plan_monthDays'),
        value: r.monthDays,
        hint: t('plan_monthDaysHint'),
        error: e['rule-monthDays'],
      }),
      count: f('count', {
        label: t('plan_count'),
        value: r.count,
        type: 'number',
        min: 1,
        max: MAX_OCCURRENCES,
        hint: t('plan_countHint'),
        error: e['rule-count'],
      }),
      until: f('until', {
        label: t('plan_until'),
        value: r.until,
        type: 'date',
        hint: t('plan_untilHint'),
        error: e['rule-until'],
      }),
      rrule: f('rrule', {
        label: t('plan_rrule'),
        value: r.rrule,
        hint: t('plan_rruleHint'),
        error: e['rule-rrule'],
        maxlength: 200,
      }),
      startTime: f('startTime', {
        label: t('plan_startTime'),
        value: v.startTime,
        type: 'time',
        required: true,
        error: e.startTime,
      }),
      duration: f('durationMinutes', {
        label: t('plan_duration'),
        value: v.durationMinutes,
        type: 'number',
        min: 15,
        max: 720,
        required: true,
        hint: t('plan_durationHint'),
        error: e.durationMinutes,
      }),
      exdates: f('exdates', {
        label: t('plan_exdates'),
        value: v.exdates,
        type: 'textarea',
        hint: t('plan_exdatesHint'),
        error: e.exdates,
        maxlength: 2000,
      }),
      sessionTrainer: f('sessionTrainerId', {
        label: t('plan_sessionTrainer'),
        value: v.sessionTrainerId,
        hint: t('plan_sessionTrainerHint'),
        error: e.sessionTrainerId,
        options: [{ value: '', label: t('plan_onlyTrainer') }, ...trainers],
      }),
      topic: f('topic', { label: t('plan_topic'), value: v.topic, error: e.topic, maxlength: 200 }),
      whatToBring: f('whatToBring', {
        label: t('plan_whatToBring'),
        value: v.whatToBring,
        error: e.whatToBring,
        maxlength: 200,
      }),
    };
    const side = o.side ?? {};
    const sideField = (prefix: string, name: string, label: string, s: SideForm | undefined, extra: object = {}) =>
      f(`${prefix}-${name}`, {
        name,
        label,
        value: s?.values[name] ?? '',
        error: s?.errors[`${prefix}-${name}`],
        ...extra,
      });
    const hidden = { year: o.year, quarter: o.quarter, planId: plan?.id ?? '' };
    const view = {
      title: t('plan_newClassTitle'),
      section: 'plan' as const,
      back: {
        href: `/console/plan?year=${o.year}${plan ? `&plan=${plan.id}` : ''}`,
        label: t('plan_backToPlan', { year: o.year }),
      },
      done: o.done ?? null,
      noPlan: !plan ? { href: `/console/plan?year=${o.year}`, text: t('plan_noPlanText', { year: o.year }) } : null,
      errorCount: Object.keys(e).length,
      general: form.general,
      conflictHref: form.conflictHref,
      action: '/console/plan/classes/new',
      hidden,
      planHidden: o.plans.length > 1 ? null : (plan?.id ?? ''),
      fields,
      trainers: trainers.map((tr) => ({
        id: `trainer-${tr.value}`,
        field: `trainer_${tr.value}`,
        name: tr.label,
        checked: chosen.has(tr.value),
      })),
      trainersError: e.trainers,
      rule,
      preview: o.preview,
      noCourses: courses.length === 0,
      noVenues: plan ? venues.length === 0 : false,
      noTrainers: plan ? trainers.length === 0 : false,
      addCourse: {
        action: '/console/plan/courses',
        general: side.course?.general,
        fields: [
          sideField('course', 'title', t('plan_courseTitle'), side.course, { required: true, maxlength: 200 }),
          f('course-level', {
            name: 'level',
            label: t('plan_courseLevel'),
            value: side.course?.values.level ?? 'beginner',
            error: side.course?.errors['course-level'],
            options: COURSE_LEVELS.map((l) => ({ value: l, label: t(`plan_level_${l}`) })),
          }),
          sideField('course', 'hours', t('plan_courseHours'), side.course, {
            type: 'number',
            min: 0.5,
            max: 1000,
            step: '0.5',
            required: true,
          }),
        ],
      },
      addVenue: plan && {
        action: '/console/plan/venues',
        general: side.venue?.general,
        fields: [
          sideField('venue', 'name', t('plan_venueName'), side.venue, { required: true, maxlength: 100 }),
          sideField('venue', 'capacity', t('plan_venueCapacity'), side.venue, { type: 'number', min: 1, max: 10000 }),
          sideField('venue', 'address', t('plan_venueAddress'), side.venue, { maxlength: 200 }),
        ],
      },
    };
    this.pages.send(request, reply, 'console/plan-new-class', context, view, status);
  }

  private textOf(body: FormFields | undefined, names: string[]): Record<string, string> {
    return Object.fromEntries(names.map((n) => [n, typeof body?.[n] === 'string' ? body[n].trim() : '']));
  }
}
