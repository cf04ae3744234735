import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { isUUID, validate } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { DomainError } from '../../common/errors/domain-error';
import { AcceptsUpload } from '../../common/http/uploaded-file.decorator';
import type { Language } from '../../common/i18n/i18n.loader';
import { Translator } from '../../common/i18n/translator';
import { ListCoursesQueryDto } from '../../courses/dto/course.dto';
import { CoursesService } from '../../courses/courses.service';
import { rowErrorsInWords } from '../../imports/imports.types';
import { MAX_QUESTION_IMPORT_ROWS } from '../../quizzes/dto/question-import.dto';
import {
  CreateQuestionDto,
  ListQuestionsQueryDto,
  QUESTION_LIMITS,
  QUESTION_TYPES,
  QuestionDto,
  TOLERANCE_TYPES,
} from '../../quizzes/dto/question.dto';
import { QuestionsImportService } from '../../quizzes/questions-import.service';
import { QuestionsService } from '../../quizzes/questions.service';
import type { FormFields } from '../forms';
import { PageRenderer } from '../page-renderer';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { ConsolePages } from './console-pages.decorator';
import { consolePager, doneNotice, pageParam } from './console-common';
import { faultyProperties, formNumber } from './console-quizzes-forms';

/** Questions per page of the bank. */
const PAGE_SIZE = 20;
/** Option rows the new-question form offers (a question takes 2–10). */
const OPTION_ROWS = 6;
/** Courses the pickers list (a county keeps a handful). */
const COURSES_SHOWN = 100;

/** The new-question form's fields as typed, and what is wrong with which (message keys or words). */
interface QuestionForm {
  courseId: string;
  category: string;
  type: string;
  prompt: string;
  points: string;
  feedback: string;
  options: { text: string; correct: boolean }[];
  correct: string;
  answers: string;
  answer: string;
  tolerance: string;
  toleranceType: string;
  errors: Partial<Record<QuestionField, string>>;
}

type QuestionField =
  | 'courseId'
  | 'category'
  | 'type'
  | 'prompt'
  | 'points'
  | 'feedback'
  | 'options'
  | 'correct'
  | 'answers'
  | 'answer'
  | 'tolerance'
  | 'toleranceType';

/** The DTO's (and the question rules') field names as the form's: `options.2.text` is the options block. */
function formFieldOf(field: string): QuestionField | undefined {
  const top = field.split('.')[0];
  const known: QuestionField[] = [
    'courseId',
    'category',
    'type',
    'prompt',
    'points',
    'feedback',
    'options',
    'correct',
    'answers',
    'answer',
    'tolerance',
    'toleranceType',
  ];
  return known.find((k) => k === top);
}

/**
 * 题库 in the console: the question bank of the courses the admin keeps (QuestionsService, as
 * `GET /api/questions`: filters by course, category, type and words of the prompt, a page at a
 * time), a form for a new question of any type (`POST /api/questions`: the API's DTO and rules,
 * each problem beside its field) and the import of a CSV or XLSX file
 * (`POST /api/questions/import`: all or nothing, with a dry run; row errors listed in words).
 */
@ConsolePages()
@Controller('console/questions')
export class ConsoleQuestionsController {
  constructor(
    private readonly questions: QuestionsService,
    private readonly importer: QuestionsImportService,
    private readonly courses: CoursesService,
    private readonly pages: PageRenderer,
    private readonly translator: Translator,
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
    const filters = {
      courseId: typeof raw.courseId === 'string' ? raw.courseId : '',
      category: typeof raw.category === 'string' ? raw.category.trim() : '',
      type: typeof raw.type === 'string' ? raw.type : '',
      q: typeof raw.q === 'string' ? raw.q.trim() : '',
    };
    const page = pageParam(raw.page) ?? 1;
    const query = plainToInstance(ListQuestionsQueryDto, {
      page,
      pageSize: PAGE_SIZE,
      ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== '')),
    });
    const bad = faultyProperties(await validate(query));
    const courses = await this.keptCourses(actor);
    const titles = new Map(courses.map((c) => [c.id, c.title]));
    const found = bad.size ? { items: [], total: 0 } : await this.questions.list(actor, query);
    const categories =
      filters.courseId && isUUID(filters.courseId) ? await this.questions.categories(actor, filters.courseId) : [];
    const view = {
      title: t('quizzes_bankTitle'),
      section: 'questions' as const,
      done: doneNotice(this.pages, context.lang, 'quizzes_questionDone_', raw.done),
      badFilter: bad.size > 0,
      filters,
      courses: courses.map((c) => ({ ...c, selected: c.id === filters.courseId })),
      categories: categories.map((c) => ({ ...c, selected: c.category === filters.category })),
      types: this.typeOptions(context.lang, filters.type),
      items: found.items.map((q) => this.row(QuestionDto.from(q), titles, context.lang)),
      total: found.total,
      pager: consolePager('/console/questions', filters, { page, pageSize: PAGE_SIZE, total: found.total }),
      newHref: `/console/questions/new${filters.courseId && isUUID(filters.courseId) ? `?courseId=${filters.courseId}` : ''}`,
      importHref: `/console/questions/import${filters.courseId && isUUID(filters.courseId) ? `?courseId=${filters.courseId}` : ''}`,
      noCourses: courses.length === 0,
    };
    this.pages.send(request, reply, 'console/questions', context, view, bad.size ? 400 : 200);
  }

  @Get('new')
  async newForm(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query('courseId') courseId?: string,
  ): Promise<void> {
    const form = this.emptyForm(typeof courseId === 'string' && isUUID(courseId) ? courseId : '');
    await this.showForm(request, reply, form, 200);
  }

  @FormPost('new')
  async create(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const form = this.formOf(body ?? {});
    const dto = plainToInstance(CreateQuestionDto, this.inputOf(form));
    for (const e of await validate(dto, { whitelist: true, forbidNonWhitelisted: true })) {
      const field = formFieldOf(e.property);
      if (field && !form.errors[field]) form.errors[field] = this.pages.t(context.lang, `quizzes_qerr_${field}`);
    }
    if (Object.keys(form.errors).length === 0) {
      try {
        const saved = await this.questions.create(actor, dto);
        void reply.redirect(`/console/questions?courseId=${saved.courseId}&done=created`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'QUESTION_INVALID') throw e;
        const details = e.options.details as { field?: string } | undefined;
        const field = formFieldOf(details?.field ?? '') ?? 'type';
        form.errors[field] = this.pages.errorMessage(context.lang, e);
      }
    }
    await this.showForm(request, reply, form, 400);
  }

  @Get('import')
  async importForm(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query('courseId') courseId?: string,
  ): Promise<void> {
    await this.showImport(
      request,
      reply,
      { courseId: typeof courseId === 'string' ? courseId : '', dryRun: true },
      200,
    );
  }

  /** The file form (multipart): the same import as the API's, its row errors listed in words. */
  @Post('import')
  @HttpCode(200)
  @AcceptsUpload()
  async import(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Body() body: Record<string, unknown> | undefined,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const courseId = typeof body?.courseId === 'string' ? body.courseId : '';
    const dryRun = body?.dryRun === '1';
    const file = body?.file;
    const values = { courseId, dryRun };
    const errors: { courseId?: string; file?: string } = {};
    if (!isUUID(courseId) || !(await this.questions.keepsCourse(actor, courseId)))
      errors.courseId = t('quizzes_qerr_courseId');
    if (!Buffer.isBuffer(file) || file.length === 0) errors.file = t('quizzes_importNoFile');
    if (errors.courseId || errors.file) return this.showImport(request, reply, values, 400, { errors });
    try {
      const result = await this.importer.import(actor, courseId, file as Buffer, dryRun);
      if (!result.dryRun && result.failed === 0 && result.created > 0) {
        void reply.redirect(`/console/questions?courseId=${courseId}&done=imported`, 303);
        return;
      }
      const rows = rowErrorsInWords(this.translator, context.lang, result.errors);
      const outcome = {
        ok: result.failed === 0 && result.total > 0,
        text:
          result.total === 0
            ? t('quizzes_importEmpty')
            : result.failed > 0
              ? t('quizzes_importFailed', { failed: result.failed, total: result.total })
              : t('quizzes_importDryOk', { count: result.created }),
        rows,
      };
      await this.showImport(request, reply, values, result.failed > 0 || result.total === 0 ? 400 : 200, { outcome });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const refusal = this.pages.refusal(context.lang, e, 'quizzes_');
      await this.showImport(request, reply, values, 400, { errors: { file: refusal.message } });
    }
  }

  private async showImport(
    request: PageRequest,
    reply: FastifyReply,
    values: { courseId: string; dryRun: boolean },
    status: number,
    extra: { errors?: { courseId?: string; file?: string }; outcome?: unknown } = {},
  ): Promise<void> {
    const context = pageContextOf(request);
    const courses = await this.keptCourses(request.user!);
    const errors = extra.errors ?? {};
    const view = {
      title: this.pages.t(context.lang, 'quizzes_importTitle'),
      section: 'questions' as const,
      courses: courses.map((c) => ({ ...c, selected: c.id === values.courseId })),
      dryRun: values.dryRun,
      errors,
      errorCount: Object.values(errors).filter(Boolean).length,
      outcome: extra.outcome,
      maxRows: MAX_QUESTION_IMPORT_ROWS,
      backHref: `/console/questions${isUUID(values.courseId) ? `?courseId=${values.courseId}` : ''}`,
    };
    this.pages.send(request, reply, 'console/questions-import', context, view, status);
  }

  private async showForm(request: PageRequest, reply: FastifyReply, form: QuestionForm, status: number): Promise<void> {
    const context = pageContextOf(request);
    const courses = await this.keptCourses(request.user!);
    const errorCount = Object.keys(form.errors).length;
    const view = {
      title: this.pages.t(context.lang, 'quizzes_newQuestionTitle'),
      section: 'questions' as const,
      values: form,
      errors: form.errors,
      errorCount,
      courses: courses.map((c) => ({ ...c, selected: c.id === form.courseId })),
      types: this.typeOptions(context.lang, form.type, false),
      toleranceTypes: TOLERANCE_TYPES.map((value) => ({
        value,
        label: this.pages.t(context.lang, `quizzes_tolerance_${value}`),
        selected: value === (form.toleranceType || 'absolute'),
      })),
      options: form.options.map((o, i) => ({ ...o, index: i, number: i + 1, letter: String.fromCharCode(65 + i) })),
      correctTrue: form.correct === 'true',
      correctFalse: form.correct === 'false',
      limits: QUESTION_LIMITS,
      backHref: `/console/questions${form.courseId ? `?courseId=${form.courseId}` : ''}`,
      noCourses: courses.length === 0,
    };
    this.pages.send(request, reply, 'console/questions-new', context, view, status);
  }

  private emptyForm(courseId: string): QuestionForm {
    return {
      courseId,
      category: '',
      type: 'single',
      prompt: '',
      points: '1',
      feedback: '',
      options: Array.from({ length: OPTION_ROWS }, () => ({ text: '', correct: false })),
      correct: '',
      answers: '',
      answer: '',
      tolerance: '',
      toleranceType: 'absolute',
      errors: {},
    };
  }

  private formOf(body: FormFields): QuestionForm {
    const text = (v: string | undefined) => (typeof v === 'string' ? v : '');
    return {
      courseId: text(body.courseId).trim(),
      category: text(body.category),
      type: text(body.type),
      prompt: text(body.prompt),
      points: text(body.points).trim(),
      feedback: text(body.feedback),
      options: Array.from({ length: OPTION_ROWS }, (_, i) => ({
        text: text(body[`option_${i}`]),
        correct: body[`option_${i}_correct`] === 'on',
      })),
      correct: text(body.correct),
      answers: text(body.answers),
      answer: text(body.answer).trim(),
      tolerance: text(body.tolerance).trim(),
      toleranceType: text(body.toleranceType),
      errors: {},
    };
  }

  /** What the API would be sent: the common fields, and only the chosen type's own ones. */
  private inputOf(form: QuestionForm): Record<string, unknown> {
    const input: Record<string, unknown> = {
      courseId: form.courseId,
      category: form.category,
      type: form.type,
      prompt: form.prompt,
      points: formNumber(form.points),
      feedback: form.feedback.trim() === '' ? undefined : form.feedback,
    };
    switch (form.type as QuestionDto['type']) {
      case 'single':
      case 'multiple':
        input.options = form.options
          .filter((o) => o.text.trim() !== '' || o.correct)
          .map((o) => ({ text: o.text, correct: o.correct }));
        break;
      case 'truefalse':
        if (form.correct === 'true' || form.correct === 'false') input.correct = form.correct === 'true';
        break;
      case 'short':
        input.answers = form.answers
          .split(/\r?\n/)
          .map((a) => a.trim())
          .filter(Boolean);
        break;
      case 'numerical':
        if (form.answer !== '') input.answer = form.answer;
        if (form.tolerance !== '') input.tolerance = form.tolerance;
        input.toleranceType = form.toleranceType || 'absolute';
        break;
    }
    return input;
  }

  /** The courses whose bank the admin keeps, by title. */
  private async keptCourses(actor: AuthUser): Promise<{ id: string; title: string }[]> {
    const kept = new Set(await this.questions.courseIdsKeptBy(actor));
    if (kept.size === 0) return [];
    const page = await this.courses.list(
      actor,
      Object.assign(new ListCoursesQueryDto(), { page: 1, pageSize: COURSES_SHOWN }),
    );
    return page.items.filter((c) => kept.has(c.id)).map((c) => ({ id: c.id, title: c.title }));
  }

  private typeOptions(lang: Language, chosen: string, withAll = true) {
    const types = QUESTION_TYPES.map((value) => ({
      value,
      label: this.pages.t(lang, `quizzes_type_${value}`),
      selected: value === chosen,
    }));
    return withAll
      ? [{ value: '', label: this.pages.t(lang, 'console_all'), selected: chosen === '' }, ...types]
      : types;
  }

  /** A question as a row of the bank: its answer in a few words. */
  private row(q: QuestionDto, titles: Map<string, string>, lang: Language) {
    const t = (key: string, args = {}) => this.pages.t(lang, key, args);
    const sep = this.pages.t(lang, 'LIST_SEPARATOR');
    let answer: string;
    switch (q.type) {
      case 'single':
      case 'multiple':
        answer = (q.options ?? [])
          .map((o, i) => (o.correct ? String.fromCharCode(65 + i) : ''))
          .filter(Boolean)
          .join(sep);
        break;
      case 'truefalse':
        answer = q.correct ? t('quizzes_true') : t('quizzes_false');
        break;
      case 'short':
        answer = (q.answers ?? []).join(sep);
        break;
      case 'numerical':
        answer = q.tolerance && Number(q.tolerance) > 0 ? `${q.answer} ± ${q.tolerance}` : (q.answer ?? '');
        break;
    }
    return {
      id: q.id,
      course: titles.get(q.courseId) ?? '',
      category: q.category,
      type: t(`quizzes_type_${q.type}`),
      prompt: q.prompt.length > 80 ? `${q.prompt.slice(0, 80)}…` : q.prompt,
      options: q.options?.map((o, i) => `${String.fromCharCode(65 + i)}. ${o.text}`).join('　') ?? '',
      answer,
      points: q.points,
    };
  }
}
