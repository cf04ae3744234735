import { Body, Controller, Get, Param, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError, ERROR_KIND_STATUS } from '../common/errors/domain-error';
import { AttemptsService } from '../quizzes/attempts.service';
import {
  type AnswerDto,
  type AttemptDto,
  type AttemptQuestionDto,
  SaveAnswersDto,
  type SaveAnswersResultDto,
} from '../quizzes/dto/attempt.dto';
import { QuestionsService } from '../quizzes/questions.service';
import { QuizzesService } from '../quizzes/quizzes.service';
import type { FormFields } from './forms';
import { type PageContext, PageRenderer } from './page-renderer';
import { QuizPages } from './quiz-pages';
import { FormPost, WebPages } from './web-pages.decorator';
import { pageContextOf, type PageRequest } from './web-session.guard';
import { PageRoles } from './page-roles';
import { PageId } from './page-id.pipe';
import { LocalWords, percentText, scoreText } from './local-words';

/** The longest text answer a form may carry (the API's limit). */
const MAX_TEXT = 500;
/** Most options a question shows (the API's limit on ticked ids). */
const MAX_OPTIONS = 10;

/** Whether a saved answer says anything (a cleared one is stored as empty). */
function isAnswered(q: AttemptQuestionDto): boolean {
  const g = q.given;
  return !!g && (!!g.optionIds?.length || !!g.text?.trim() || g.value !== null);
}

/** The attempt's first unanswered question (its first when all are answered): where the trainee goes on. */
function firstUnansweredPath(attempt: AttemptDto): string {
  const first = attempt.questions.findIndex((q) => !isAnswered(q));
  return `/attempts/${attempt.id}/q/${first < 0 ? 1 : first + 1}`;
}

/** What a trainee's server clock and deadline look like to the page's script. */
interface AttemptState {
  id: string;
  status: string;
  finishedBy: string | null;
  now: Date;
  deadline: Date;
  result: string;
}

/**
 * 测验 for trainees: the list of my quizzes (`/quizzes`), one quiz with its start button
 * (`/quizzes/:id`), one question per screen (`/attempts/:id/q/:n`, each a form that saves its
 * answer and goes on), the hand-in confirmation and the result as the review policy allows.
 * Every step calls QuizzesService and AttemptsService, the services of `/api/quizzes` and
 * `/api/attempts`: the server owns the clock and the deadline, an outbox's late resend never
 * overwrites a newer answer (answers carry when they were given), and an attempt past its
 * deadline is handed in by the server. quiz.js makes the questions one page without reloads,
 * saves each answer as it is given through `PUT /attempts/:id/answers` (JSON), keeps an outbox
 * in localStorage when the network drops, and counts down by the server's clock.
 */
@WebPages()
@PageRoles(['trainee'], 'quiz_forTrainees')
@Controller()
export class QuizController {
  constructor(
    private readonly quizzes: QuizzesService,
    private readonly attempts: AttemptsService,
    private readonly quizPages: QuizPages,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly questions: QuestionsService,
  ) {}

  // ---------------------------------------------------------------------------------------------
  // The list and one quiz

  @Get('quizzes')
  async list(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = pageContextOf(request);
    const { quizzes, finished } = await this.quizPages.mine(request.user!, context.lang);
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const view = {
      title: t('quiz_listTitle'),
      tab: 'quizzes' as const,
      open: quizzes.filter((q) => q.open),
      upcoming: quizzes.filter((q) => !q.open && q.upcoming),
      finished: finished.map((a) => ({
        id: a.id,
        quizTitle: a.quizTitle,
        when: this.words.dayTime(a.finishedAt ?? a.deadline, context.lang),
        score: this.score(a.score, a.maxScore),
        passed: a.passed,
      })),
    };
    this.pages.send(request, reply, 'quiz-list', context, view);
  }

  @Get('quizzes/:id')
  async intro(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId()) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    await this.showIntro(request, reply, context, id);
  }

  /** 开始答题: starts an attempt or goes back to the one in progress, at its first unanswered question. */
  @FormPost('quizzes/:id')
  async start(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId()) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    try {
      const { attempt } = await this.attempts.start(request.user!, id);
      void reply.redirect(firstUnansweredPath(attempt), 303);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'QUIZ_NOT_FOUND') throw e;
      await this.showIntro(request, reply, context, id, e);
    }
  }

  private async showIntro(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    id: string,
    refused?: DomainError,
  ): Promise<void> {
    // Not a quiz of a class where I hold a seat: 404, as the API answers.
    const mine = await this.quizPages.one(request.user!, id, context.lang);
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const view = {
      title: mine.title,
      tab: 'quizzes' as const,
      quiz: mine,
      mine,
      canStart: mine.open,
      resume: !!mine.inProgressId,
      // Not open yet, closed for me, or no attempts left: said plainly, with the way back.
      closedText:
        mine.state === 'upcoming'
          ? t('quiz_notOpenYet', { opens: mine.opens })
          : mine.state === 'no_attempts_left'
            ? t('quiz_noAttemptsLeft')
            : t('quiz_closedForMe'),
      error: refused ? this.hinted(this.pages.refusal(context.lang, refused, 'quiz_')) : null,
    };
    const status = refused ? ERROR_KIND_STATUS[refused.kind] : 200;
    this.pages.send(request, reply, 'quiz-intro', context, view, status);
  }

  // ---------------------------------------------------------------------------------------------
  // One question per screen

  /** The attempt: its first unanswered question, or its result once finished. */
  @Get('attempts/:id')
  async attempt(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId()) id: string,
  ): Promise<void> {
    const open = await this.openAttempt(request, reply, id);
    if (open) void reply.redirect(firstUnansweredPath(open.attempt), 303);
  }

  @Get('attempts/:id/q/:n')
  async question(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId()) id: string,
    @Param('n') n: string,
  ): Promise<void> {
    const open = await this.openAttempt(request, reply, id);
    if (!open) return;
    const { context, attempt } = open;
    const index = this.indexOf(n, attempt);
    await this.showQuestion(request, reply, context, attempt, index);
  }

  /**
   * A question's form without JavaScript: saves its answer (given now, by the server's clock) and
   * shows the previous or next question, or the hand-in confirmation (`go`).
   */
  @FormPost('attempts/:id/q/:n')
  async answer(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId()) id: string,
    @Param('n') n: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const open = await this.openAttempt(request, reply, id);
    if (!open) return;
    const { context, attempt } = open;
    const index = this.indexOf(n, attempt);
    const question = attempt.questions[index];
    const answer = this.answerOf(question, body);
    if (answer === 'invalid') {
      const error = { message: this.pages.t(context.lang, 'quiz_answerInvalid') };
      return this.showQuestion(request, reply, context, attempt, index, error, 400);
    }
    if (answer) {
      try {
        const saved = await this.attempts.saveAnswers(request.user!, id, [answer]);
        // Given after the deadline: time is up, and the server hands it in.
        if (saved.late.length) return void reply.redirect(`/attempts/${id}/result`, 303);
      } catch (e) {
        if (e instanceof DomainError && e.code === 'ATTEMPT_CLOSED') {
          return void reply.redirect(`/attempts/${id}/result`, 303);
        }
        if (e instanceof DomainError && e.code === 'ATTEMPT_ANSWERS_INVALID') {
          const error = { message: this.pages.t(context.lang, 'quiz_answerInvalid') };
          return this.showQuestion(request, reply, context, attempt, index, error, 400);
        }
        throw e;
      }
    }
    const total = attempt.questions.length;
    const go = body.go === 'prev' ? index : body.go === 'hand-in' || index + 1 >= total ? 0 : index + 2;
    void reply.redirect(go === 0 ? `/attempts/${id}/hand-in` : `/attempts/${id}/q/${go}`, 303);
  }

  /**
   * Answers as quiz.js sends them (JSON, `X-CSRF-Token`): any of the attempt's questions, each
   * with when it was given by the server's clock as the page keeps it, so the outbox's late
   * resend never overwrites a newer answer. The service's answer, with the server's now and
   * the deadline for the page's clock.
   */
  @Put('attempts/:id/answers')
  async saveAnswers(
    @Req() request: PageRequest,
    @Param('id', PageId()) id: string,
    @Body() dto: SaveAnswersDto,
  ): Promise<SaveAnswersResultDto> {
    return this.attempts.saveAnswers(request.user!, id, dto.answers);
  }

  /** The attempt's state for quiz.js: the server's now (its clock), the deadline and whether it is handed in. */
  @Get('attempts/:id/state')
  async state(@Req() request: PageRequest, @Param('id', PageId()) id: string): Promise<AttemptState> {
    const a = await this.attempts.get(request.user!, id);
    return {
      id: a.id,
      status: a.status,
      finishedBy: a.finishedBy,
      now: a.now,
      deadline: a.deadline,
      result: `/attempts/${a.id}/result`,
    };
  }

  /**
   * A question's picture for the question page, signed in by the session cookie: the same rule
   * as `GET /api/question-images/:id` (a trainee sees pictures her attempts showed), the same
   * caching (it never changes: a year, immutable, private).
   */
  @Get('question-images/:id')
  @PageRoles()
  async image(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId()) id: string,
  ): Promise<void> {
    const image = await this.questions.image(request.user!, id);
    const etag = `"${image.sha256}"`;
    void reply.headers({
      'cache-control': 'private, max-age=31536000, immutable',
      etag,
      'x-content-type-options': 'nosniff',
    });
    if (request.headers['if-none-match'] === etag) return void reply.code(304).send();
    void reply.header('content-type', image.mediaType).send(image.content);
  }

  // ---------------------------------------------------------------------------------------------
  // Hand-in and result

  @Get('attempts/:id/hand-in')
  async confirm(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId()) id: string,
  ): Promise<void> {
    const open = await this.openAttempt(request, reply, id);
    if (!open) return;
    const { context, attempt } = open;
    const quiz = await this.quizzes.get(request.user!, attempt.quizId);
    const unanswered = attempt.questions
      .map((q, i) => ({ n: i + 1, answered: isAnswered(q) }))
      .filter((q) => !q.answered)
      .map((q) => ({ n: q.n, href: `/attempts/${id}/q/${q.n}` }));
    const total = attempt.questions.length;
    const view = {
      title: this.pages.t(context.lang, 'quiz_handInTitle'),
      tab: 'quizzes' as const,
      quizTitle: quiz.title,
      attemptId: id,
      total,
      answered: total - unanswered.length,
      unanswered: unanswered.length ? unanswered : null,
      unansweredCount: unanswered.length,
      back: unanswered[0]?.href ?? `/attempts/${id}/q/${total}`,
      deadline: this.words.dayTime(attempt.deadline, context.lang),
    };
    this.pages.send(request, reply, 'quiz-hand-in', context, view);
  }

  /** 确认交卷: hands in (AttemptsService.submit); closed by the server already, its result all the same. */
  @FormPost('attempts/:id/hand-in')
  async handIn(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId()) id: string,
  ): Promise<void> {
    try {
      await this.attempts.submit(request.user!, id);
    } catch (e) {
      if (!(e instanceof DomainError && e.code === 'ATTEMPT_CLOSED')) throw e;
    }
    void reply.redirect(`/attempts/${id}/result`, 303);
  }

  @Get('attempts/:id/result')
  async result(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId()) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const attempt = await this.attempts.get(request.user!, id);
    const quiz = await this.quizzes.get(request.user!, attempt.quizId);
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const finished = attempt.status === 'finished';
    const view = {
      title: t('quiz_resultTitle'),
      tab: 'quizzes' as const,
      quizTitle: quiz.title,
      attemptId: id,
      finished,
      // Past the deadline, in the grace the server waits for late answers: it hands in shortly.
      closing: !finished && attempt.now.getTime() > attempt.deadline.getTime(),
      byServer: attempt.finishedBy === 'deadline',
      score: this.score(attempt.score, attempt.maxScore),
      percent: attempt.percent === null ? null : percentText(attempt.percent),
      passed: attempt.passed,
      passPercent: quiz.passPercent,
      finishedAt: attempt.finishedAt ? this.words.dayTime(attempt.finishedAt, context.lang) : null,
      review: attempt.review ? this.review(attempt, context) : null,
      reviewNote: attempt.review
        ? null
        : quiz.reviewPolicy === 'answers_after_close'
          ? t('quiz_reviewLater', { closes: this.words.dayTime(quiz.closesAt, context.lang) })
          : t('quiz_reviewNever'),
    };
    this.pages.send(request, reply, 'quiz-result', context, view);
  }

  // ---------------------------------------------------------------------------------------------

  private async showQuestion(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    attempt: AttemptDto,
    index: number,
    error?: { message: string },
    status = 200,
  ): Promise<void> {
    const quiz = await this.quizzes.get(request.user!, attempt.quizId);
    const total = attempt.questions.length;
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const questions = attempt.questions.map((q, i) => this.questionView(attempt.id, q, i, total, context));
    const view = {
      title: t('quiz_questionTitle', { n: index + 1, total }),
      tab: 'quizzes' as const,
      scripts: ['quiz.js'],
      quizTitle: quiz.title,
      attemptId: attempt.id,
      total,
      current: questions[index],
      questions: questions.map((q, i) => ({ ...q, hidden: i !== index })),
      deadlineIso: attempt.deadline.toISOString(),
      nowIso: attempt.now.toISOString(),
      deadline: this.words.dayTime(attempt.deadline, context.lang),
      error,
    };
    this.pages.send(request, reply, 'quiz-question', context, view, status);
  }

  private questionView(attemptId: string, q: AttemptQuestionDto, i: number, total: number, context: PageContext) {
    const n = i + 1;
    const given = new Set(q.given?.optionIds ?? []);
    const multiple = q.type === 'multiple';
    const options = (q.options ?? []).map((o, k) => ({
      id: o.id,
      text: q.type === 'truefalse' ? this.pages.t(context.lang, `quiz_tf_${o.id}`) : o.text,
      inputId: `q${n}-o${k}`,
      name: multiple ? `opt${k}` : 'opt',
      inputType: multiple ? 'checkbox' : 'radio',
      checked: given.has(o.id),
    }));
    return {
      n,
      id: q.id,
      type: q.type,
      prompt: q.prompt,
      points: q.points,
      // The picture through the page route (the API's wants a bearer token).
      image: q.imageUrl ? q.imageUrl.replace(/^\/api\//, '/') : null,
      choice: q.type === 'single' || q.type === 'truefalse',
      multiple,
      text: q.type === 'short' || q.type === 'numerical',
      numeric: q.type === 'numerical',
      textValue: q.given?.text ?? '',
      options,
      progress: this.pages.t(context.lang, 'quiz_progress', { n, total }),
      action: `/attempts/${attemptId}/q/${n}`,
      first: n === 1,
      last: n === total,
      prev: n > 1 ? `/attempts/${attemptId}/q/${n - 1}` : null,
      next: n < total ? `/attempts/${attemptId}/q/${n + 1}` : null,
    };
  }

  /** The form's answer in the API's shape; undefined when nothing was chosen (nothing to save). */
  private answerOf(q: AttemptQuestionDto, body: FormFields): AnswerDto | undefined | 'invalid' {
    switch (q.type) {
      case 'single':
      case 'truefalse': {
        const opt = body.opt;
        if (opt === undefined || opt === '') return undefined;
        return opt.length > 64 ? 'invalid' : { questionId: q.id, optionIds: [opt] };
      }
      case 'multiple': {
        const ids: string[] = [];
        for (let k = 0; k < MAX_OPTIONS; k++) {
          const v = body[`opt${k}`];
          if (v) ids.push(v);
        }
        if (ids.some((id) => id.length > 64)) return 'invalid';
        return { questionId: q.id, optionIds: ids };
      }
      case 'short':
      case 'numerical': {
        const text = body.text;
        if (text === undefined) return undefined;
        if (text.length > MAX_TEXT) return 'invalid';
        // Nothing typed and nothing saved: nothing to clear.
        if (!text.trim() && !q.given?.text) return undefined;
        return { questionId: q.id, text };
      }
    }
  }

  private review(attempt: AttemptDto, context: PageContext) {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const optionText = (q: AttemptQuestionDto, ids: string[] | null | undefined) =>
      (ids ?? [])
        .map((id) => (q.type === 'truefalse' ? t(`quiz_tf_${id}`) : (q.options ?? []).find((o) => o.id === id)?.text))
        .filter((x): x is string => !!x)
        .join(t('LIST_SEPARATOR'));
    return attempt.questions.map((q, i) => {
      const mineText = q.given ? optionText(q, q.given.optionIds) || (q.given.text ?? '') : '';
      const c = q.correct;
      let right = '';
      if (c?.optionIds) right = optionText(q, c.optionIds);
      else if (c?.answers) right = c.answers.join(' / ');
      else if (c?.answer !== null && c?.answer !== undefined) {
        right = c.tolerance && Number(c.tolerance) !== 0 ? `${c.answer} ± ${c.tolerance}` : c.answer;
      }
      return {
        n: i + 1,
        prompt: q.prompt,
        mine: mineText || t('quiz_notAnswered'),
        right,
        points: q.points,
        score: q.score ?? 0,
        full: (q.score ?? 0) >= q.points,
        feedback: q.feedback ?? null,
      };
    });
  }

  private score(score: number | null, maxScore: number): string | null {
    if (score === null) return null;
    return `${scoreText(score)} / ${scoreText(maxScore)}`;
  }

  /** `n` as a question number of the attempt (1-based), else 404. */
  private indexOf(n: string, attempt: AttemptDto): number {
    const index = /^\d{1,3}$/.test(n) ? Number(n) - 1 : -1;
    if (index < 0 || index >= attempt.questions.length) throw new DomainError('NOT_FOUND', 'not_found');
    return index;
  }

  /**
   * What every page of an attempt in progress starts with: the trainee's own attempt (else 404),
   * read through AttemptsService (which closes it if its time is over). Undefined when the reply
   * is already sent: the redirect to the result of a finished attempt.
   */
  private async openAttempt(
    request: PageRequest,
    reply: FastifyReply,
    id: string,
  ): Promise<{ context: PageContext; attempt: AttemptDto } | undefined> {
    const context = pageContextOf(request);
    const attempt = await this.attempts.get(request.user!, id);
    if (attempt.status === 'finished') return void reply.redirect(`/attempts/${id}/result`, 303);
    return { context, attempt };
  }

  /** A refusal as the page's error box shows it: the message, and what to do next as its hint. */
  private hinted({ message, next }: { message: string; next: string }): { message: string; hint: string } {
    return { message, hint: next };
  }
}
