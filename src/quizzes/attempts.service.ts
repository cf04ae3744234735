import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, pageOf } from '../common/pagination/page.dto';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import { isWithin } from '../org-units/org-units.service';
import { UsersService } from '../users/users.service';
import type { AttemptStatus, FinishedBy } from './attempt.entity';
import { type AnswerShapes, correctOf, givenOf, responseOf, shapesOf } from './attempt-answers';
import { type AttemptQuestion, type BankQuestion, type StoredResponse, shuffled, snapshotOf } from './attempt-snapshot';
import {
  ANSWERS_OF_ATTEMPT_SQL,
  ATTEMPT_ANSWERS_VIEW_SQL,
  ATTEMPT_COUNT_SQL,
  ATTEMPT_FOR_FINISH_SKIP_LOCKED_SQL,
  ATTEMPT_FOR_FINISH_SQL,
  ATTEMPT_FOR_SAVE_SQL,
  DRAWN_QUESTIONS_SQL,
  FINISH_ATTEMPT_SQL,
  FIXED_QUESTIONS_SQL,
  GRADE_ANSWERS_SQL,
  INSERT_ATTEMPT_SQL,
  OPEN_ATTEMPT_SQL,
  QUIZ_FOR_START_SQL,
  SAVE_ANSWERS_SQL,
  START_LOCK_SQL,
} from './attempts.sql';
import type {
  AnswerDto,
  AttemptDto,
  AttemptQuestionDto,
  AttemptSummaryDto,
  ListAttemptsQueryDto,
  MyAttemptsQueryDto,
  SaveAnswersResultDto,
  SubmitResultDto,
} from './dto/attempt.dto';
import type { MyQuizDto } from './dto/my-quiz.dto';
import { ListQuizzesQueryDto, type QuizDto } from './dto/quiz.dto';
import { grade, gradeFraction } from './grading';
import type { DrawRule, Quiz } from './quiz.entity';
import { QuizErrors } from './quizzes.errors';
import { QuizSchedulingService } from './quiz-scheduling.service';
import { QuizzesService } from './quizzes.service';
import { type StandingOverride, standingOf } from './quiz-standing';
import { answeredAtOf, deadlineOf, phaseAt } from './quiz-timing';

/** An attempt row as the finishing and reading steps use it. */
interface AttemptRow {
  id: string;
  quiz_id: string;
  trainee_id: string;
  number: number;
  status: AttemptStatus;
  started_at: Date;
  deadline: Date;
  finished_at: Date | null;
  finished_by: FinishedBy | null;
  questions: AttemptQuestion[];
  max_score: string;
  score: string | null;
  percent: string | null;
  passed: boolean | null;
  pass_percent: string;
}

/** The one statement a start reads (QUIZ_FOR_START_SQL). */
interface StartRow {
  id: string;
  class_id: string;
  draw: DrawRule[] | null;
  time_limit_seconds: number | null;
  opens_at: Date;
  closes_at: Date;
  attempts_allowed: number;
  pass_percent: string;
  shuffle: boolean;
  class_status: string;
  course_id: string;
  plan_path: string;
  township_id: string | null;
  extra_time_seconds: number | null;
  override_closes_at: Date | null;
  extra_attempts: number | null;
}

/** A trainee's override as the start and standing statements read it (all null: none). */
interface OverrideColumns {
  extra_time_seconds: number | null;
  override_closes_at: Date | null;
  extra_attempts: number | null;
}

function overrideOf(r: OverrideColumns): StandingOverride | null {
  if (r.extra_time_seconds === null) return null;
  return {
    extraTimeSeconds: r.extra_time_seconds,
    closesAt: r.override_closes_at,
    extraAttempts: r.extra_attempts ?? 0,
  };
}

/** Quizzes read per page when listing a trainee's (the API's largest page). */
const QUIZ_PAGE = 100;

/** Classes whose quizzes can be taken: announced and not cancelled. */
const STARTABLE_CLASS = ['open', 'running', 'completed'];

/** Overdue attempts a read closes at most (the worker's jobs close the rest on time). */
const CLOSE_ON_READ = 200;

/** Attempts whose shapes a process keeps (a snapshot never changes): a quiz day's worth. */
const SHAPE_CACHE_SIZE = 20_000;

const round7 = (x: number): number => Math.round(x * 1e7) / 1e7;
const num = (v: string | null): number | null => (v === null ? null : Number(v));

/**
 * Attempts: starting one (one in progress per trainee and quiz, also under simultaneous
 * starts), saving answers as they are given, handing in, and closing on time. The server owns
 * the clock: the deadline is set at the start (and moved only by an admin's override or edit);
 * past it and its grace, the attempt is closed and graded as of the deadline by a delayed job,
 * or by whichever read or write meets it first.
 */
@Injectable()
export class AttemptsService {
  private readonly shapes = new Map<string, AnswerShapes>();

  constructor(
    private readonly tx: TransactionService,
    private readonly quizzes: QuizzesService,
    private readonly scheduling: QuizSchedulingService,
    private readonly users: UsersService,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  /** Starts an attempt, or answers the one in progress (`created: false`). */
  async start(actor: AuthUser, quizId: string): Promise<{ attempt: AttemptDto; created: boolean }> {
    const now = this.clock.now();
    const { row, created } = await this.tx.run(async (m) => {
      const [found] = await m.query<StartRow[]>(QUIZ_FOR_START_SQL, [quizId, actor.id]);
      // The quiz of a class the trainee may read (announced, in her county) and holds a seat in; else not there.
      if (!found?.township_id || !isWithin(actor.orgPath, found.plan_path)) throw QuizErrors.quizNotFound();
      if (!STARTABLE_CLASS.includes(found.class_status)) throw QuizErrors.quizNotFound();
      const quiz = {
        id: found.id,
        draw: found.draw,
        opensAt: found.opens_at,
        closesAt: found.closes_at,
        timeLimitSeconds: found.time_limit_seconds,
        shuffle: found.shuffle,
      };
      await m.query(START_LOCK_SQL, [`quiz-attempt.${quiz.id}.${actor.id}`]);
      const [open] = await m.query<AttemptRow[]>(OPEN_ATTEMPT_SQL, [quiz.id, actor.id]);
      if (open) {
        if (phaseAt(now, open.deadline, this.env.QUIZ_GRACE_SECONDS) !== 'over') return { row: open, created: false };
        await this.finishIn(m, open, open.deadline, 'deadline');
      }
      const override = overrideOf(found);
      const [{ n }] = await m.query<{ n: number }[]>(ATTEMPT_COUNT_SQL, [quiz.id, actor.id]);
      // The same rule the trainee's pages show (myQuizzes): window, her override, attempts left.
      const standing = standingOf({ ...quiz, attemptsAllowed: found.attempts_allowed }, override, n, now);
      switch (standing.state) {
        case 'upcoming':
          throw QuizErrors.quizNotOpen(standing.opensAt);
        case 'closed':
          throw QuizErrors.quizClosed(standing.closesAt);
        case 'no_attempts_left':
          throw QuizErrors.noAttemptsLeft(standing.attemptsAllowed);
        case 'open':
          break;
      }
      const questions = await this.draw(m, quiz, found.course_id);
      const deadline = deadlineOf(now, quiz, override);
      const maxScore = round7(questions.reduce((s, q) => s + q.points, 0));
      const [{ id }] = await m.query<{ id: string }[]>(INSERT_ATTEMPT_SQL, [
        quiz.id,
        actor.id,
        found.township_id,
        n + 1,
        now,
        deadline,
        JSON.stringify(questions),
        maxScore,
      ]);
      this.scheduling.planDeadlines([{ id, deadline }]);
      const row: AttemptRow = {
        id,
        quiz_id: quiz.id,
        trainee_id: actor.id,
        number: n + 1,
        status: 'in_progress',
        started_at: now,
        deadline,
        finished_at: null,
        finished_by: null,
        questions,
        max_score: String(maxScore),
        score: null,
        percent: null,
        passed: null,
        pass_percent: found.pass_percent,
      };
      return { row, created: true };
    });
    // A new attempt has no answers yet: no need to read them.
    return { attempt: await this.view(row, false, now, !created), created };
  }

  /**
   * The trainee's quizzes (of the announced classes where she holds a seat, as `GET /api/quizzes`
   * lists them, every page of it) as they stand for her now: her override applied, her attempts
   * counted (all of them), by the rule start() enforces. Overdue attempts are closed first.
   */
  async myQuizzes(actor: AuthUser): Promise<MyQuizDto[]> {
    await this.closeOverdue({ traineeId: actor.id });
    const quizzes: QuizDto[] = [];
    for (let page = 1; ; page++) {
      const query = Object.assign(new ListQuizzesQueryDto(), { page, pageSize: QUIZ_PAGE });
      const { items, total } = await this.quizzes.list(actor, query);
      quizzes.push(...items);
      if (items.length < QUIZ_PAGE || quizzes.length >= total) break;
    }
    return this.standings(actor, quizzes);
  }

  /** One quiz as it stands for the trainee (as myQuizzes); 404 QUIZ_NOT_FOUND where `GET /api/quizzes/:id` is. */
  async myQuiz(actor: AuthUser, quizId: string): Promise<MyQuizDto> {
    const quiz = await this.quizzes.get(actor, quizId);
    await this.closeOverdue({ traineeId: actor.id, quizId: quiz.id });
    const [mine] = await this.standings(actor, [quiz]);
    return mine;
  }

  private async standings(actor: AuthUser, quizzes: QuizDto[]): Promise<MyQuizDto[]> {
    if (quizzes.length === 0) return [];
    const rows = await this.tx.manager.query<
      (OverrideColumns & { quiz_id: string; used: number; in_progress_id: string | null })[]
    >(
      `SELECT x.id AS quiz_id, ov.extra_time_seconds, ov.closes_at AS override_closes_at, ov.extra_attempts,
              count(a.id)::int AS used, (array_agg(a.id) FILTER (WHERE a.status = 'in_progress'))[1] AS in_progress_id
         FROM unnest($2::uuid[]) AS x(id)
         LEFT JOIN quiz_overrides ov ON ov.quiz_id = x.id AND ov.trainee_id = $1
         LEFT JOIN quiz_attempts a ON a.quiz_id = x.id AND a.trainee_id = $1
        GROUP BY x.id, ov.extra_time_seconds, ov.closes_at, ov.extra_attempts`,
      [actor.id, quizzes.map((q) => q.id)],
    );
    const byQuiz = new Map(rows.map((r) => [r.quiz_id, r]));
    const now = this.clock.now();
    return quizzes.map((quiz) => {
      const r = byQuiz.get(quiz.id);
      const standing = standingOf(quiz, r ? overrideOf(r) : null, r?.used ?? 0, now);
      return {
        quiz,
        state: standing.state,
        closesAt: standing.closesAt,
        attemptsAllowed: standing.attemptsAllowed,
        attemptsUsed: standing.attemptsUsed,
        attemptsLeft: standing.attemptsLeft,
        inProgressId: r?.in_progress_id ?? null,
      };
    });
  }

  /** The questions of a new attempt: the fixed ones or a fresh draw, shuffled if the quiz says so. */
  private async draw(
    m: EntityManager,
    quiz: Pick<Quiz, 'id' | 'draw' | 'shuffle'>,
    courseId: string,
  ): Promise<AttemptQuestion[]> {
    let bank: BankQuestion[];
    if (quiz.draw) {
      bank = [];
      for (const rule of quiz.draw) {
        bank.push(...(await m.query<BankQuestion[]>(DRAWN_QUESTIONS_SQL, [courseId, rule.category, rule.count])));
      }
    } else {
      bank = await m.query<BankQuestion[]>(FIXED_QUESTIONS_SQL, [quiz.id]);
    }
    const ordered = quiz.shuffle ? shuffled(bank) : bank;
    return ordered.map((q) => snapshotOf(q, quiz.shuffle));
  }

  /**
   * Saves answers as given. Each answer keeps the time it was given (`answeredAt`, never later
   * than now): a stored answer given later is kept (`stale`). After the deadline, within the
   * grace, answers given by the deadline are saved and later ones refused (`late`); past the
   * grace the attempt is closed (409 ATTEMPT_CLOSED).
   */
  async saveAnswers(actor: AuthUser, attemptId: string, answers: AnswerDto[]): Promise<SaveAnswersResultDto> {
    const now = this.clock.now();
    const cached = this.shapes.get(attemptId);
    const [row] = await this.tx.manager.query<
      {
        trainee_id: string;
        status: AttemptStatus;
        finished_by: FinishedBy | null;
        started_at: Date;
        deadline: Date;
        questions: AttemptQuestion[] | null;
      }[]
    >(ATTEMPT_FOR_SAVE_SQL, [attemptId, !cached]);
    if (!row || row.trainee_id !== actor.id) throw QuizErrors.attemptNotFound();
    const shapes = cached ?? this.remember(attemptId, row.questions ?? []);
    if (row.status !== 'in_progress') throw QuizErrors.attemptClosed(row.deadline, row.finished_by === 'trainee');
    const phase = phaseAt(now, row.deadline, this.env.QUIZ_GRACE_SECONDS);
    if (phase === 'over') {
      await this.closeIfOverdue(attemptId);
      throw QuizErrors.attemptClosed(row.deadline);
    }
    const parsed = this.parseAnswers(shapes, answers);
    const late: string[] = [];
    const ids: string[] = [];
    const responses: (string | null)[] = [];
    const times: Date[] = [];
    // The last of several answers to one question in a request wins, as if sent one by one.
    const byQuestion = new Map<string, { response: StoredResponse | null; at: Date }>();
    for (const a of parsed) {
      const at = answeredAtOf(a.answeredAt, row.started_at, now);
      const before = byQuestion.get(a.questionId);
      if (!before || before.at <= at) byQuestion.set(a.questionId, { response: a.response, at });
    }
    for (const [questionId, a] of byQuestion) {
      if (phase === 'grace' && a.at > row.deadline) {
        late.push(questionId);
        continue;
      }
      ids.push(questionId);
      responses.push(a.response === null ? null : JSON.stringify(a.response));
      times.push(a.at);
    }
    if (ids.length === 0) {
      // Only answers given after the deadline: none is saved, and the attempt can still be handed in.
      return { id: attemptId, status: 'in_progress', now, deadline: row.deadline, saved: [], stale: [], late };
    }
    const written = await this.tx.manager.query<{ question_id: string }[]>(SAVE_ANSWERS_SQL, [
      attemptId,
      ids,
      responses,
      times,
      now,
    ]);
    const saved = new Set(written.map((w) => w.question_id));
    if (saved.size === 0) {
      // Nothing written: every answer was older than the stored one, or a hand-in or close came first.
      const [current] = await this.tx.manager.query<{ status: AttemptStatus }[]>(
        `SELECT status FROM quiz_attempts WHERE id = $1`,
        [attemptId],
      );
      if (current?.status !== 'in_progress') throw QuizErrors.attemptClosed(row.deadline);
    }
    return {
      id: attemptId,
      status: 'in_progress',
      now,
      deadline: row.deadline,
      saved: ids.filter((q) => saved.has(q)),
      stale: ids.filter((q) => !saved.has(q)),
      late,
    };
  }

  private remember(attemptId: string, questions: AttemptQuestion[]): AnswerShapes {
    const shapes = shapesOf(questions);
    if (this.shapes.size >= SHAPE_CACHE_SIZE) this.shapes.delete(this.shapes.keys().next().value as string);
    this.shapes.set(attemptId, shapes);
    return shapes;
  }

  /** Each answer in its question type's shape, or 400 ATTEMPT_ANSWERS_INVALID naming every wrong one. */
  private parseAnswers(
    shapes: AnswerShapes,
    answers: AnswerDto[],
  ): { questionId: string; response: StoredResponse | null; answeredAt?: Date }[] {
    const invalid: string[] = [];
    const out = answers.map((a) => {
      const response = responseOf(shapes, a);
      if (response === undefined) invalid.push(a.questionId);
      return {
        questionId: a.questionId,
        response: response ?? null,
        answeredAt: a.answeredAt ? new Date(a.answeredAt) : undefined,
      };
    });
    if (invalid.length) throw QuizErrors.answersInvalid([...new Set(invalid)]);
    return out;
  }

  /**
   * Hands the attempt in and grades it. Handing in again answers the same result. Within the
   * grace after the deadline it still counts (finished at the deadline); past it, the attempt is
   * closed as of its deadline and the hand-in is refused (409 ATTEMPT_CLOSED).
   */
  async submit(actor: AuthUser, attemptId: string): Promise<SubmitResultDto> {
    const now = this.clock.now();
    const outcome = await this.tx.run(async (m) => {
      const [row] = await m.query<AttemptRow[]>(ATTEMPT_FOR_FINISH_SQL, [attemptId]);
      if (!row || row.trainee_id !== actor.id) throw QuizErrors.attemptNotFound();
      if (row.status === 'finished') return { row, closed: row.finished_by === 'deadline' };
      if (phaseAt(now, row.deadline, this.env.QUIZ_GRACE_SECONDS) === 'over') {
        return { row: await this.finishIn(m, row, row.deadline, 'deadline'), closed: true };
      }
      const at = now > row.deadline ? row.deadline : now;
      return { row: await this.finishIn(m, row, at, 'trainee'), closed: false };
    });
    if (outcome.closed) throw QuizErrors.attemptClosed(outcome.row.deadline);
    return resultOf(outcome.row);
  }

  /** Grades the attempt (locked by the caller) with its answers, and marks it finished. */
  private async finishIn(m: EntityManager, row: AttemptRow, finishedAt: Date, by: FinishedBy): Promise<AttemptRow> {
    const answers = await m.query<{ question_id: string; response: StoredResponse | null }[]>(ANSWERS_OF_ATTEMPT_SQL, [
      row.id,
      finishedAt,
    ]);
    const given = new Map(answers.map((a) => [a.question_id, a.response ?? undefined]));
    let score = 0;
    const fractions: number[] = [];
    const answered: string[] = [];
    for (const q of row.questions) {
      const response = given.get(q.id);
      score += grade(q.key, response, q.points);
      if (given.has(q.id)) {
        answered.push(q.id);
        fractions.push(gradeFraction(q.key, response));
      }
    }
    if (answered.length) await m.query(GRADE_ANSWERS_SQL, [row.id, answered, fractions]);
    const maxScore = Number(row.max_score);
    const total = round7(score);
    const percent = maxScore > 0 ? round7((total / maxScore) * 100) : 0;
    const passed = percent >= Number(row.pass_percent);
    await m.query(FINISH_ATTEMPT_SQL, [row.id, finishedAt, by, total, percent, passed]);
    this.shapes.delete(row.id);
    return {
      ...row,
      status: 'finished',
      finished_at: finishedAt,
      finished_by: by,
      score: String(total),
      percent: String(percent),
      passed,
    };
  }

  /**
   * The closing job: closes the attempt as of its deadline if it is still open and its deadline
   * is the one the job was planned for (a moved deadline has its own job). A job's now is the
   * time it was due, so it closes whatever the clocks say.
   */
  async closeAtDeadline(attemptId: string, plannedDeadline: Date): Promise<boolean> {
    return this.tx.run(async (m) => {
      const [row] = await m.query<AttemptRow[]>(ATTEMPT_FOR_FINISH_SQL, [attemptId]);
      if (!row || row.status !== 'in_progress' || row.deadline.getTime() !== plannedDeadline.getTime()) return false;
      await this.finishIn(m, row, row.deadline, 'deadline');
      return true;
    });
  }

  /**
   * Closes one attempt if its deadline and grace have passed (as of the deadline). With
   * `skipLocked`, an attempt another step holds (the worker closing it, a hand-in) is left to it.
   */
  async closeIfOverdue(attemptId: string, skipLocked = false): Promise<boolean> {
    const now = this.clock.now();
    return this.tx.run(async (m) => {
      const [row] = await m.query<AttemptRow[]>(
        skipLocked ? ATTEMPT_FOR_FINISH_SKIP_LOCKED_SQL : ATTEMPT_FOR_FINISH_SQL,
        [attemptId],
      );
      if (!row || row.status !== 'in_progress') return false;
      if (phaseAt(now, row.deadline, this.env.QUIZ_GRACE_SECONDS) !== 'over') return false;
      await this.finishIn(m, row, row.deadline, 'deadline');
      return true;
    });
  }

  /**
   * Closes the overdue attempts of a quiz, or of a trainee: what lists, leaderboards and grades
   * call first, so they never show an attempt open past its time. The worker's jobs close them on
   * time; this is the fallback, so it skips what another step is closing and does at most
   * CLOSE_ON_READ per call (the oldest deadlines first), keeping a poll cheap when a contest ends.
   */
  async closeOverdue(scope: { quizId?: string; traineeId?: string }): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - this.env.QUIZ_GRACE_SECONDS * 1000);
    const rows = await this.tx.manager.query<{ id: string }[]>(
      `SELECT id FROM quiz_attempts
        WHERE status = 'in_progress' AND deadline < $1
          AND ($2::uuid IS NULL OR quiz_id = $2) AND ($3::uuid IS NULL OR trainee_id = $3)
        ORDER BY deadline LIMIT $4`,
      [cutoff, scope.quizId ?? null, scope.traineeId ?? null, CLOSE_ON_READ],
    );
    let closed = 0;
    for (const r of rows) if (await this.closeIfOverdue(r.id, true)) closed++;
    return closed;
  }

  /** One attempt: its owner, the class's trainers and admins in scope; others 404. */
  async get(actor: AuthUser, attemptId: string): Promise<AttemptDto> {
    const row = await this.read(attemptId);
    if (!row) throw QuizErrors.attemptNotFound();
    let staff = false;
    if (row.trainee_id !== actor.id) {
      if (actor.role === 'trainee') throw QuizErrors.attemptNotFound();
      try {
        await this.quizzes.getForStaff(actor, row.quiz_id);
      } catch {
        throw QuizErrors.attemptNotFound();
      }
      staff = true;
    }
    const now = this.clock.now();
    if (row.status === 'in_progress' && phaseAt(now, row.deadline, this.env.QUIZ_GRACE_SECONDS) === 'over') {
      await this.closeIfOverdue(attemptId);
      return this.get(actor, attemptId);
    }
    return this.view(row, staff || (await this.reviewOpen(row, now)), now);
  }

  private async read(attemptId: string): Promise<AttemptRow | undefined> {
    const [row] = await this.tx.manager.query<AttemptRow[]>(
      `SELECT a.id, a.quiz_id, a.trainee_id, a.number, a.status, a.started_at, a.deadline, a.finished_at, a.finished_by,
              a.questions, a.max_score, a.score, a.percent, a.passed, q.pass_percent
         FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id WHERE a.id = $1`,
      [attemptId],
    );
    return row;
  }

  /**
   * Answers are shown to a trainee only under `answers_after_close`, for a finished attempt,
   * once the quiz has closed for everyone (the latest override's close included) and its grace
   * has passed, and while nobody has an attempt in progress: nobody still answering can be told them.
   */
  private async reviewOpen(row: AttemptRow, now: Date): Promise<boolean> {
    if (row.status !== 'finished') return false;
    const [r] = await this.tx.manager.query<{ review_policy: string; last_close: Date; open: boolean }[]>(
      `SELECT q.review_policy, greatest(q.closes_at, max(o.closes_at)) AS last_close,
              EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.quiz_id = q.id AND a.status = 'in_progress') AS open
         FROM quizzes q LEFT JOIN quiz_overrides o ON o.quiz_id = q.id
        WHERE q.id = $1 GROUP BY q.id`,
      [row.quiz_id],
    );
    return (
      r.review_policy === 'answers_after_close' &&
      !r.open &&
      now.getTime() > r.last_close.getTime() + this.env.QUIZ_GRACE_SECONDS * 1000
    );
  }

  private async view(row: AttemptRow, review: boolean, now: Date, withAnswers = true): Promise<AttemptDto> {
    const answers = withAnswers
      ? await this.tx.manager.query<
          { question_id: string; response: StoredResponse | null; answered_at: Date; fraction: string | null }[]
        >(ATTEMPT_ANSWERS_VIEW_SQL, [row.id])
      : [];
    const given = new Map(answers.map((a) => [a.question_id, a]));
    const finished = row.status === 'finished';
    return {
      id: row.id,
      quizId: row.quiz_id,
      traineeId: row.trainee_id,
      number: row.number,
      status: row.status,
      startedAt: row.started_at,
      deadline: row.deadline,
      now,
      finishedAt: row.finished_at,
      finishedBy: row.finished_by,
      maxScore: Number(row.max_score),
      score: finished ? num(row.score) : null,
      percent: finished ? num(row.percent) : null,
      passed: finished ? row.passed : null,
      review,
      questions: row.questions.map((q): AttemptQuestionDto => {
        const a = given.get(q.id);
        const dto: AttemptQuestionDto = {
          id: q.id,
          type: q.type,
          prompt: q.prompt,
          points: q.points,
          imageUrl: q.imageId ? `/api/question-images/${q.imageId}` : null,
          options: q.options,
          given: a ? givenOf(a.response, a.answered_at) : null,
        };
        if (review) {
          dto.score = finished ? round7(q.points * Number(a?.fraction ?? 0)) : null;
          dto.correct = correctOf(q);
          dto.feedback = q.feedback;
        }
        return dto;
      }),
    };
  }

  /** A quiz's attempts, for its staff: who, when, how it ended and the score. */
  async listForQuiz(actor: AuthUser, quizId: string, query: ListAttemptsQueryDto): Promise<Page<AttemptSummaryDto>> {
    const { quiz } = await this.quizzes.getForStaff(actor, quizId);
    await this.closeOverdue({ quizId: quiz.id });
    return this.summaries({ quizId: quiz.id, traineeId: query.traineeId, status: query.status }, query);
  }

  /** The caller's own attempts, newest first. */
  async mine(actor: AuthUser, query: MyAttemptsQueryDto): Promise<Page<AttemptSummaryDto>> {
    await this.closeOverdue({ traineeId: actor.id });
    return this.summaries({ traineeId: actor.id, quizId: query.quizId }, query);
  }

  private async summaries(
    filter: { quizId?: string; traineeId?: string; status?: AttemptStatus },
    query: { page: number; pageSize: number },
  ): Promise<Page<AttemptSummaryDto>> {
    const where = `($1::uuid IS NULL OR a.quiz_id = $1) AND ($2::uuid IS NULL OR a.trainee_id = $2)
                   AND ($3::attempt_status IS NULL OR a.status = $3)`;
    const params = [filter.quizId ?? null, filter.traineeId ?? null, filter.status ?? null];
    const [{ total }] = await this.tx.manager.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM quiz_attempts a WHERE ${where}`,
      params,
    );
    const rows = await this.tx.manager.query<
      (Omit<AttemptSummaryDto, 'maxScore' | 'score' | 'percent' | 'traineeName'> & {
        maxScore: string;
        score: string | null;
        percent: string | null;
      })[]
    >(
      `SELECT a.id, a.quiz_id AS "quizId", q.title AS "quizTitle", a.trainee_id AS "traineeId",
              a.township_id AS "townshipId", a.number, a.status,
              a.started_at AS "startedAt", a.deadline, a.finished_at AS "finishedAt", a.finished_by AS "finishedBy",
              a.max_score AS "maxScore", a.score, a.percent, a.passed
         FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id
        WHERE ${where}
        ORDER BY a.started_at DESC, a.id
        LIMIT $4 OFFSET $5`,
      [...params, query.pageSize, (query.page - 1) * query.pageSize],
    );
    const names = await this.users.refs(rows.map((r) => r.traineeId));
    const items = rows.map((r) => ({
      ...r,
      traineeName: names.get(r.traineeId)?.displayName ?? '',
      maxScore: Number(r.maxScore),
      score: num(r.score),
      percent: num(r.percent),
    }));
    return pageOf(items, total, query);
  }
}

function resultOf(row: AttemptRow): SubmitResultDto {
  return {
    id: row.id,
    status: row.status,
    score: Number(row.score),
    maxScore: Number(row.max_score),
    percent: Number(row.percent),
    passed: row.passed === true,
    finishedAt: row.finished_at as Date,
  };
}
