import { Body, Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { isUUID, validate } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import type { AuthUser } from '../../common/auth/auth-user';
import { DomainError } from '../../common/errors/domain-error';
import { ClassErrors } from '../../classes/classes.errors';
import { ClassesService, type ScopedClass } from '../../classes/classes.service';
import { ListClassesQueryDto } from '../../classes/dto/class.dto';
import { Env } from '../../config/env';
import { EnrolmentsService } from '../../enrolments/enrolments.service';
import {
  CreateQuizDto,
  GRADING_METHODS,
  ListQuizzesQueryDto,
  OverrideDto,
  QUIZ_MODES,
  REVIEW_POLICIES,
} from '../../quizzes/dto/quiz.dto';
import { ListQuestionsQueryDto } from '../../quizzes/dto/question.dto';
import { QuizResultsService } from '../../quizzes/quiz-results.service';
import { QuizErrors } from '../../quizzes/quizzes.errors';
import { QuestionsService } from '../../quizzes/questions.service';
import { QuizzesService } from '../../quizzes/quizzes.service';
import { renderChart } from './charts';
import type { FormFields } from '../forms';
import { LocalWords } from '../local-words';
import { PageId } from '../page-id.pipe';
import { PageRenderer } from '../page-renderer';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { ConsolePages } from './console-pages.decorator';
import { consolePager, doneNotice, pageParam } from './console-common';
import { formNumber, localFields, localInstant } from './console-quizzes-forms';

const PAGE_SIZE = 20;
/** Classes the pickers list, and questions the setup form offers to tick (more: draw by category). */
const LISTED = 100;
const QUESTION_FIELD = /^question_([0-9a-f-]{36})$/;
const DRAW_FIELD = /^draw_(\d{1,2})$/;

type QuizField =
  | 'title'
  | 'source'
  | 'questions'
  | 'draw'
  | 'timeLimit'
  | 'opens'
  | 'closes'
  | 'attemptsAllowed'
  | 'gradingMethod'
  | 'passPercent'
  | 'reviewPolicy'
  | 'mode';

/** The setup form as typed. */
interface QuizForm {
  title: string;
  source: string;
  questionIds: string[];
  draw: Record<string, string>;
  timeLimitMinutes: string;
  opensDate: string;
  opensTime: string;
  closesDate: string;
  closesTime: string;
  attemptsAllowed: string;
  gradingMethod: string;
  passPercent: string;
  shuffle: boolean;
  reviewPolicy: string;
  mode: string;
  errors: Partial<Record<QuizField, string>>;
  /** A refusal not about one field (the class cannot take quizzes now). */
  problem?: string;
}

/** The override form as typed. */
interface OverrideForm {
  traineeId: string;
  extraMinutes: string;
  closesDate: string;
  closesTime: string;
  extraAttempts: string;
  errors: Partial<Record<'traineeId' | 'extraMinutes' | 'closes' | 'extraAttempts', string>>;
}

/** The DTO's properties as the setup form's fields. */
const QUIZ_FIELD_OF: Record<string, QuizField> = {
  title: 'title',
  questionIds: 'questions',
  draw: 'draw',
  timeLimitSeconds: 'timeLimit',
  opensAt: 'opens',
  closesAt: 'closes',
  attemptsAllowed: 'attemptsAllowed',
  gradingMethod: 'gradingMethod',
  passPercent: 'passPercent',
  reviewPolicy: 'reviewPolicy',
  mode: 'mode',
};

const round1 = (n: number | null | undefined) => (n === null || n === undefined ? null : Math.round(n * 10) / 10);

/**
 * 测验 in the console: the quizzes of the classes in the admin's part of the tree
 * (QuizzesService.list, as `GET /api/quizzes`), setting one up (`POST /api/quizzes`: fixed
 * questions ticked from the course's bank, or a draw per category; the time limit in minutes;
 * opening and closing as local dates and times), and one quiz's page: its setup, every seated
 * trainee's grade (`GET /api/classes/:id/grades`), per-question statistics (`GET
 * /api/quizzes/:id/statistics`, a chart beside its table) and overrides for single trainees
 * (`PUT /api/quizzes/:id/overrides/:traineeId`).
 */
@ConsolePages()
@Controller('console/quizzes')
export class ConsoleQuizzesController {
  constructor(
    private readonly quizzes: QuizzesService,
    private readonly results: QuizResultsService,
    private readonly questions: QuestionsService,
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly env: Env,
  ) {}

  @Get()
  async list(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query() raw: Record<string, string>,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const classId = typeof raw.classId === 'string' && isUUID(raw.classId) ? raw.classId.toLowerCase() : '';
    const page = pageParam(raw.page) ?? 1;
    const query = Object.assign(new ListQuizzesQueryDto(), {
      page,
      pageSize: PAGE_SIZE,
      classId: classId || undefined,
    });
    const [found, classes] = await Promise.all([this.quizzes.list(actor, query), this.classList(actor)]);
    const titles = await this.quizzes.classTitles(found.items.map((q) => q.id));
    const view = {
      title: t('quizzes_listTitle'),
      section: 'questions' as const,
      classes: classes.map((c) => ({ id: c.entity.id, title: c.entity.title, selected: c.entity.id === classId })),
      classId,
      items: found.items.map((q) => ({
        id: q.id,
        title: q.title,
        classTitle: titles.get(q.id) ?? '',
        mode: t(`quizzes_mode_${q.mode}`),
        opensAt: this.words.dayTime(q.opensAt, context.lang),
        closesAt: this.words.dayTime(q.closesAt, context.lang),
        questionCount: q.questionCount,
        attemptsAllowed: q.attemptsAllowed,
        passPercent: q.passPercent,
      })),
      total: found.total,
      pager: consolePager('/console/quizzes', { classId }, { page, pageSize: PAGE_SIZE, total: found.total }),
      newHref: `/console/quizzes/new${classId ? `?classId=${classId}` : ''}`,
    };
    this.pages.send(request, reply, 'console/quizzes', context, view);
  }

  @Get('new')
  async newForm(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query('classId') rawClassId?: string,
  ): Promise<void> {
    const actor = request.user!;
    const context = pageContextOf(request);
    if (typeof rawClassId !== 'string' || rawClassId === '') {
      // First which class: a short form of its own.
      const classes = (await this.classList(actor)).filter((c) => c.entity.status !== 'cancelled');
      const view = {
        title: this.pages.t(context.lang, 'quizzes_newQuizTitle'),
        section: 'questions' as const,
        chooseClass: true,
        classes: classes.map((c) => ({ id: c.entity.id, title: c.entity.title })),
      };
      return this.pages.send(request, reply, 'console/quiz-new', context, view);
    }
    if (!isUUID(rawClassId)) throw ClassErrors.notFound();
    const cls = await this.classes.getManaged(actor, rawClassId.toLowerCase());
    await this.showSetup(request, reply, cls, this.emptySetup(), 200);
  }

  @FormPost('new')
  async create(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const fields = body ?? {};
    const classId = (fields.classId ?? '').trim();
    if (!isUUID(classId)) throw ClassErrors.notFound();
    const cls = await this.classes.getManaged(actor, classId.toLowerCase());
    const form = this.setupOf(fields);
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const zone = this.env.TZ_DEFAULT;
    const opensAt = localInstant(form.opensDate, form.opensTime, zone);
    const closesAt = localInstant(form.closesDate, form.closesTime, zone);
    if (!opensAt) form.errors.opens = t('quizzes_err_opens');
    if (!closesAt) form.errors.closes = t('quizzes_err_closes');
    const minutes = formNumber(form.timeLimitMinutes);
    const draw = Object.entries(form.draw)
      .map(([category, count]) => ({ category, count: formNumber(count) }))
      .filter((d) => d.count !== undefined && d.count !== 0);
    let source: { questionIds?: string[]; draw?: { category: string; count: number | undefined }[] } = {};
    if (form.source === 'draw') {
      if (draw.length === 0) form.errors.draw = t('quizzes_err_drawEmpty');
      source = { draw };
    } else if (form.source === 'fixed') {
      if (form.questionIds.length === 0) form.errors.questions = t('quizzes_err_questionsEmpty');
      source = { questionIds: form.questionIds };
    } else {
      form.errors.source = t('quizzes_err_source');
    }
    const dto = plainToInstance(CreateQuizDto, {
      classId: cls.entity.id,
      title: form.title,
      ...source,
      timeLimitSeconds: minutes === undefined ? null : Number.isNaN(minutes) ? NaN : Math.round(minutes * 60),
      opensAt: opensAt ?? '',
      closesAt: closesAt ?? '',
      attemptsAllowed: formNumber(form.attemptsAllowed),
      gradingMethod: form.gradingMethod,
      passPercent: formNumber(form.passPercent),
      shuffle: form.shuffle,
      reviewPolicy: form.reviewPolicy,
      mode: form.mode,
    });
    for (const e of await validate(dto, { whitelist: true, forbidNonWhitelisted: true })) {
      const field = QUIZ_FIELD_OF[e.property];
      if (field && !form.errors[field]) form.errors[field] = t(`quizzes_err_${field}`);
    }
    if (Object.keys(form.errors).length === 0) {
      try {
        const quiz = await this.quizzes.create(actor, dto);
        void reply.redirect(`/console/quizzes/${quiz.id}?done=created`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        const message = this.pages.errorMessage(context.lang, e);
        switch (e.code) {
          case 'QUIZ_WINDOW_INVALID':
            form.errors.closes = message;
            break;
          case 'QUIZ_SOURCE_INVALID':
            form.errors.source = message;
            break;
          case 'QUIZ_QUESTIONS_INVALID':
            form.errors.questions = message;
            break;
          case 'QUIZ_DRAW_TOO_LARGE':
            form.errors.draw = message;
            break;
          case 'QUIZ_CLASS_NOT_ACTIVE':
            form.problem = message;
            break;
          default:
            throw e;
        }
      }
    }
    await this.showSetup(request, reply, cls, form, 400);
  }

  @Get(':id')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(QuizErrors.quizNotFound)) id: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const form: OverrideForm = {
      traineeId: '',
      extraMinutes: '0',
      closesDate: '',
      closesTime: '',
      extraAttempts: '0',
      errors: {},
    };
    await this.showQuiz(request, reply, id, form, 200, done);
  }

  @FormPost(':id/overrides')
  async override(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(QuizErrors.quizNotFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = (key: string) => this.pages.t(context.lang, key);
    const { quiz } = await this.quizzes.getForStaff(actor, id);
    const text = (v: string | undefined) => (typeof v === 'string' ? v.trim() : '');
    const f = body ?? {};
    const form: OverrideForm = {
      traineeId: text(f.traineeId),
      extraMinutes: text(f.extraMinutes),
      closesDate: text(f.closesDate),
      closesTime: text(f.closesTime),
      extraAttempts: text(f.extraAttempts),
      errors: {},
    };
    if (!isUUID(form.traineeId)) form.errors.traineeId = t('quizzes_err_trainee');
    const closesAt = localInstant(form.closesDate, form.closesTime, this.env.TZ_DEFAULT);
    if (closesAt === null) form.errors.closes = t('quizzes_err_closes');
    const minutes = formNumber(form.extraMinutes);
    const dto = plainToInstance(OverrideDto, {
      extraTimeSeconds: minutes === undefined ? 0 : Number.isNaN(minutes) ? NaN : Math.round(minutes * 60),
      closesAt: closesAt ?? null,
      extraAttempts: formNumber(form.extraAttempts) ?? 0,
    });
    for (const e of await validate(dto, { whitelist: true, forbidNonWhitelisted: true })) {
      if (e.property === 'extraTimeSeconds') form.errors.extraMinutes = t('quizzes_err_extraMinutes');
      if (e.property === 'extraAttempts') form.errors.extraAttempts = t('quizzes_err_extraAttempts');
      if (e.property === 'closesAt') form.errors.closes = t('quizzes_err_closes');
    }
    if (Object.keys(form.errors).length === 0) {
      try {
        await this.quizzes.setOverride(actor, quiz.id, form.traineeId.toLowerCase(), dto);
        void reply.redirect(`/console/quizzes/${quiz.id}?done=override#overrides`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        if (e.code === 'QUIZ_OVERRIDE_TRAINEE_INVALID')
          form.errors.traineeId = this.pages.errorMessage(context.lang, e);
        else if (e.code === 'QUIZ_WINDOW_INVALID') form.errors.closes = this.pages.errorMessage(context.lang, e);
        else throw e;
      }
    }
    await this.showQuiz(request, reply, quiz.id, form, 400);
  }

  private async showQuiz(
    request: PageRequest,
    reply: FastifyReply,
    id: string,
    form: OverrideForm,
    status: number,
    done?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const lang = context.lang;
    const t = (key: string, args = {}) => this.pages.t(lang, key, args);
    const { quiz: entity, cls } = await this.quizzes.getForStaff(actor, id);
    const [quiz, stats, grades, overrides, seated] = await Promise.all([
      this.quizzes.get(actor, entity.id),
      this.results.statistics(actor, entity.id),
      this.results.classGrades(actor, cls.entity.id),
      this.quizzes.overrides(actor, entity.id),
      this.enrolments.seated(cls.entity.id),
    ]);
    const column = grades.quizzes.findIndex((q) => q.id === quiz.id);
    const names = new Map(seated.map((s) => [s.traineeId, `${s.displayName}（${s.townshipName}）`]));
    const questions = stats.questions.map((q, i) => ({
      number: i + 1,
      prompt: q.prompt.length > 60 ? `${q.prompt.slice(0, 60)}…` : q.prompt,
      type: t(`quizzes_type_${q.type}`),
      attempts: q.attempts,
      answered: q.answered,
      facility: round1(q.facilityIndex),
      sd: q.standardDeviation === null ? '—' : String(round1(q.standardDeviation)),
      discrimination: q.discriminationIndex === null ? '—' : String(round1(q.discriminationIndex)),
      weak: q.discriminationIndex !== null && q.discriminationIndex < 20,
    }));
    const chart =
      questions.length > 0 && stats.attempts > 0
        ? renderChart(
            {
              categories: questions.map((q) => t('quizzes_questionNo', { number: q.number })),
              series: [{ name: t('quizzes_facility'), values: questions.map((q) => q.facility ?? 0) }],
            },
            { kind: 'bar', horizontal: true },
          )
        : '';
    const view = {
      title: quiz.title,
      section: 'questions' as const,
      done: doneNotice(this.pages, context.lang, 'quizzes_quizDone_', done),
      quiz: {
        id: quiz.id,
        classTitle: cls.entity.title,
        classHref: `/console/quizzes?classId=${cls.entity.id}`,
        mode: t(`quizzes_mode_${quiz.mode}`),
        source: quiz.draw
          ? quiz.draw
              .map((d) => t('quizzes_drawText', { category: d.category, count: d.count }))
              .join(t('LIST_SEPARATOR'))
          : t('quizzes_fixedText', { count: quiz.questionCount }),
        questionCount: quiz.questionCount,
        timeLimit: quiz.timeLimitSeconds
          ? t('quizzes_minutes', { count: round1(quiz.timeLimitSeconds / 60) ?? 0 })
          : t('quizzes_noLimit'),
        opensAt: this.words.dayTime(quiz.opensAt, lang),
        closesAt: this.words.dayTime(quiz.closesAt, lang),
        attemptsAllowed: quiz.attemptsAllowed,
        gradingMethod: t(`quizzes_grading_${quiz.gradingMethod}`),
        passPercent: quiz.passPercent,
        shuffle: quiz.shuffle ? t('quizzes_yes') : t('quizzes_notShuffled'),
        reviewPolicy: t(`quizzes_review_${quiz.reviewPolicy}`),
      },
      summary: {
        attempts: stats.attempts,
        meanPercent: round1(stats.meanPercent),
        medianPercent: round1(stats.medianPercent),
        passed: stats.passed,
      },
      grades: grades.items.map((g) => {
        const cell = g.grades[column];
        return {
          name: g.displayName,
          township: g.townshipName,
          percent: cell === undefined || cell.percent === null ? '—' : `${round1(cell.percent)}%`,
          passed: cell?.passed === true,
          failed: cell?.passed === false,
          attempts: cell?.attempts ?? 0,
        };
      }),
      questions,
      chart,
      overrides: overrides.map((o) => ({
        name: names.get(o.traineeId) ?? t('quizzes_leftClass'),
        extraMinutes: round1(o.extraTimeSeconds / 60),
        closesAt: o.closesAt ? this.words.dayTime(o.closesAt, lang) : t('quizzes_sameClose'),
        extraAttempts: o.extraAttempts,
        updatedAt: this.words.dayTime(o.updatedAt, lang),
      })),
      override: {
        action: `/console/quizzes/${quiz.id}/overrides`,
        values: form,
        errors: form.errors,
        errorCount: Object.keys(form.errors).length,
        trainees: seated.map((s) => ({
          id: s.traineeId,
          label: `${s.displayName}（${s.townshipName}）`,
          selected: s.traineeId === form.traineeId,
        })),
      },
    };
    this.pages.send(request, reply, 'console/quiz', context, view, status);
  }

  private async showSetup(
    request: PageRequest,
    reply: FastifyReply,
    cls: ScopedClass,
    form: QuizForm,
    status: number,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const lang = context.lang;
    const t = (key: string, args = {}) => this.pages.t(lang, key, args);
    const courseId = cls.entity.courseId;
    const [bank, categories] = await Promise.all([
      this.questions.list(actor, Object.assign(new ListQuestionsQueryDto(), { page: 1, pageSize: LISTED, courseId })),
      this.questions.categories(actor, courseId),
    ]);
    const ticked = new Set(form.questionIds);
    const choices = <T extends string>(values: readonly T[], chosen: string, prefix: string) =>
      values.map((value) => ({ value, label: t(`${prefix}${value}`), selected: value === chosen }));
    const view = {
      title: t('quizzes_newQuizTitle'),
      section: 'questions' as const,
      classId: cls.entity.id,
      classTitle: cls.entity.title,
      values: form,
      errors: form.errors,
      problem: form.problem,
      errorCount: Object.keys(form.errors).length + (form.problem ? 1 : 0),
      fixed: form.source !== 'draw',
      draw: form.source === 'draw',
      questions: bank.items.map((q) => ({
        id: q.id,
        field: `question_${q.id}`,
        label: `${q.category} · ${t(`quizzes_type_${q.type}`)} · ${q.prompt.length > 60 ? `${q.prompt.slice(0, 60)}…` : q.prompt}`,
        points: Number(q.points),
        checked: ticked.has(q.id),
      })),
      moreQuestions: bank.total > bank.items.length,
      bankTotal: bank.total,
      categories: categories.map((c, i) => ({
        index: i,
        category: c.category,
        available: c.count,
        value: form.draw[c.category] ?? '',
      })),
      gradingMethods: choices(GRADING_METHODS, form.gradingMethod, 'quizzes_grading_'),
      reviewPolicies: choices(REVIEW_POLICIES, form.reviewPolicy, 'quizzes_review_'),
      modes: choices(QUIZ_MODES, form.mode, 'quizzes_mode_'),
      backHref: `/console/quizzes?classId=${cls.entity.id}`,
      bankHref: `/console/questions?courseId=${courseId}`,
    };
    this.pages.send(request, reply, 'console/quiz-new', context, view, status);
  }

  /** Opening tomorrow at 09:00 for a week, one attempt, the highest counts, 60 % to pass. */
  private emptySetup(): QuizForm {
    const zone = this.env.TZ_DEFAULT;
    const tomorrow = DateTime.fromJSDate(this.words.now(), { zone }).plus({ days: 1 }).set({ hour: 9, minute: 0 });
    const opens = localFields(tomorrow.toJSDate(), zone);
    const closes = localFields(tomorrow.plus({ days: 7 }).set({ hour: 18 }).toJSDate(), zone);
    return {
      title: '',
      source: 'fixed',
      questionIds: [],
      draw: {},
      timeLimitMinutes: '30',
      opensDate: opens.date,
      opensTime: opens.time,
      closesDate: closes.date,
      closesTime: closes.time,
      attemptsAllowed: '1',
      gradingMethod: 'highest',
      passPercent: '60',
      shuffle: true,
      reviewPolicy: 'score_only',
      mode: 'quiz',
      errors: {},
    };
  }

  private setupOf(body: FormFields): QuizForm {
    const text = (v: string | undefined) => (typeof v === 'string' ? v : '');
    const questionIds = Object.keys(body)
      .filter((k) => body[k] === 'on')
      .map((k) => QUESTION_FIELD.exec(k)?.[1])
      .filter((v): v is string => !!v);
    // Each category's count comes as draw_<i> beside its name drawCategory_<i>.
    const draw: Record<string, string> = {};
    for (const key of Object.keys(body)) {
      const i = DRAW_FIELD.exec(key)?.[1];
      const category = i === undefined ? undefined : body[`drawCategory_${i}`];
      if (category !== undefined) draw[category] = text(body[key]).trim();
    }
    return {
      title: text(body.title),
      source: text(body.source),
      questionIds,
      draw,
      timeLimitMinutes: text(body.timeLimitMinutes).trim(),
      opensDate: text(body.opensDate).trim(),
      opensTime: text(body.opensTime).trim(),
      closesDate: text(body.closesDate).trim(),
      closesTime: text(body.closesTime).trim(),
      attemptsAllowed: text(body.attemptsAllowed).trim(),
      gradingMethod: text(body.gradingMethod),
      passPercent: text(body.passPercent).trim(),
      shuffle: body.shuffle === 'on',
      reviewPolicy: text(body.reviewPolicy),
      mode: text(body.mode),
      errors: {},
    };
  }

  /** The classes in the admin's part of the tree (the newest first), for the pickers. */
  private async classList(actor: AuthUser): Promise<ScopedClass[]> {
    const page = await this.classes.list(
      actor,
      Object.assign(new ListClassesQueryDto(), { page: 1, pageSize: LISTED }),
    );
    return page.items;
  }
}
