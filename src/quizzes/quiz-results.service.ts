import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { CommonErrors } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import { ClassesService } from '../classes/classes.service';
import { EnrolmentsService } from '../enrolments/enrolments.service';
import type { AttemptQuestion } from './attempt-snapshot';
import { AttemptsService } from './attempts.service';
import type { ClassGradesDto, LeaderboardDto, QuizStatisticsDto } from './dto/quiz-results.dto';
import type { Response } from './grading';
import { type BestAttempt, etagOf, matchesIfNoneMatch, rankTownships, rankTrainees } from './leaderboard';
import { type FinishedAttempt, gradeOf, passes } from './quiz-grades';
import { quizStatistics } from './quiz-statistics';
import { Quiz } from './quiz.entity';
import { QuizErrors } from './quizzes.errors';
import { QuizzesService } from './quizzes.service';

/** Quizzes whose last board a process keeps. */
const BOARD_CACHE_SIZE = 200;

/** A trainee's grade on a quiz: what certificates check. */
export interface QuizGrade {
  quizId: string;
  traineeId: string;
  /** By the quiz's grading method over finished attempts (0–100); null without a finished attempt. */
  percent: number | null;
  /** percent ≥ the quiz's passPercent; false without a grade. */
  passed: boolean;
  /** Attempts started, finished or in progress. */
  attempts: number;
}

interface AttemptRow {
  quizId: string;
  traineeId: string;
  number: number;
  finished: boolean;
  percent: number | null;
  finishedAt: Date | null;
}

interface LeaderboardRow extends BestAttempt {
  lastFinishedAt: Date;
}

/**
 * What is read from finished attempts: grades by each quiz's grading method, contest
 * leaderboards and Moodle's quiz statistics. Every read first has overdue attempts closed and
 * graded (AttemptsService.closeOverdue), so it never misses an attempt whose time ran out.
 */
@Injectable()
export class QuizResultsService {
  /** The last board built per quiz, with its tag: polls between two changes share it. */
  private readonly boards = new Map<string, { etag: string; board: LeaderboardDto }>();

  constructor(
    private readonly tx: TransactionService,
    private readonly quizzes: QuizzesService,
    private readonly attempts: AttemptsService,
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
    private readonly clock: Clock,
  ) {}

  /**
   * Every trainee who started the quiz, by trainee id, with its grade. Trainees missing from
   * the map have not started it (their grade is null, not passed). No access check: for
   * other services (certificates).
   */
  async gradesFor(quizId: string): Promise<Map<string, QuizGrade>> {
    const quiz = await this.findQuiz(quizId);
    await this.attempts.closeOverdue({ quizId });
    return (await this.grades([quiz])).get(quizId) ?? new Map<string, QuizGrade>();
  }

  /** One trainee's grade on the quiz (null percent, not passed, 0 attempts if it never started it). No access check. */
  async gradeOf(quizId: string, traineeId: string): Promise<QuizGrade> {
    const quiz = await this.findQuiz(quizId);
    await this.attempts.closeOverdue({ quizId });
    const grade = (await this.grades([quiz], traineeId)).get(quizId)?.get(traineeId);
    return grade ?? { quizId, traineeId, percent: null, passed: false, attempts: 0 };
  }

  /**
   * Staff (admins in scope, the class's trainers) see any quiz's board; a trainee holding a
   * seat sees a contest's only (403 for a plain quiz: its classmates' marks are not public).
   * Two queries: the quiz, then each trainee's best finished attempt (`DISTINCT ON`).
   */
  async leaderboard(
    actor: AuthUser,
    quizId: string,
    ifNoneMatch?: string,
  ): Promise<{ etag: string; board?: LeaderboardDto }> {
    const { quiz } = await this.quizzes.getVisible(actor, quizId);
    if (actor.role === 'trainee' && quiz.mode !== 'contest') throw CommonErrors.forbidden();
    await this.attempts.closeOverdue({ quizId });
    // A poll whose board has not changed is answered from one small count, without building it.
    const live = this.clock.now() < quiz.closesAt;
    const [v] = await this.tx.manager.query<{ n: number; last: Date | null }[]>(
      `SELECT count(*)::int AS n, max(finished_at) AS last FROM quiz_attempts WHERE quiz_id = $1 AND status = 'finished'`,
      [quizId],
    );
    const etag = etagOf([quiz.id, quiz.updatedAt.toISOString(), live, v.n, v.last?.toISOString() ?? null]);
    if (matchesIfNoneMatch(ifNoneMatch, etag)) return { etag };
    const cached = this.boards.get(quizId);
    if (cached?.etag === etag) return cached;
    const board = await this.buildLeaderboard(quiz, live);
    if (this.boards.size >= BOARD_CACHE_SIZE) this.boards.delete(this.boards.keys().next().value as string);
    this.boards.set(quizId, { etag, board });
    return { etag, board };
  }

  private async buildLeaderboard(quiz: Quiz, live: boolean): Promise<LeaderboardDto> {
    const quizId = quiz.id;
    const rows = await this.tx.manager.query<LeaderboardRow[]>(
      `SELECT DISTINCT ON (a.trainee_id)
              a.trainee_id AS "traineeId", u.display_name AS "displayName",
              a.township_id AS "townshipId", t.name AS "townshipName",
              a.score::float8 AS score, a.max_score::float8 AS "maxScore", a.percent::float8 AS percent,
              (max(a.percent) OVER (PARTITION BY a.trainee_id))::float8 AS "bestPercent",
              a.started_at AS "startedAt", a.finished_at AS "finishedAt",
              max(a.finished_at) OVER () AS "lastFinishedAt"
         FROM quiz_attempts a
         JOIN users u ON u.id = a.trainee_id
         LEFT JOIN org_units t ON t.id = a.township_id
        WHERE a.quiz_id = $1 AND a.status = 'finished'
        ORDER BY a.trainee_id, a.score DESC, a.finished_at - a.started_at, a.finished_at, a.number`,
      [quizId],
    );
    return {
      quizId,
      mode: quiz.mode,
      live,
      updatedAt: rows[0]?.lastFinishedAt ?? null,
      trainees: rankTrainees(rows),
      townships: rankTownships(rows),
    };
  }

  /** Moodle's quiz statistics over every finished attempt, for staff. */
  async statistics(actor: AuthUser, quizId: string): Promise<QuizStatisticsDto> {
    const { quiz } = await this.quizzes.getForStaff(actor, quizId);
    await this.attempts.closeOverdue({ quizId });
    const m = this.tx.manager;
    const attempts = await m.query<
      {
        id: string;
        startedAt: Date;
        score: number;
        percent: number;
        passed: boolean;
        questions: AttemptQuestion[];
        answers: { questionId: string; response: Response | null; fraction: number | null }[];
      }[]
    >(
      `SELECT a.id, a.started_at AS "startedAt", a.score::float8 AS score, a.percent::float8 AS percent, a.passed,
              a.questions,
              COALESCE((SELECT json_agg(json_build_object('questionId', x.question_id, 'response', x.response,
                                                          'fraction', x.fraction::float8))
                          FROM attempt_answers x WHERE x.attempt_id = a.id), '[]'::json) AS answers
         FROM quiz_attempts a
        WHERE a.quiz_id = $1 AND a.status = 'finished'`,
      [quizId],
    );
    const fixed = await m.query<{ questionId: string; position: number }[]>(
      `SELECT question_id AS "questionId", position FROM quiz_questions WHERE quiz_id = $1`,
      [quizId],
    );
    const stats = quizStatistics(attempts, new Map(fixed.map((f) => [f.questionId, f.position])));
    return { quizId, title: quiz.title, passPercent: quiz.passPercent, ...stats };
  }

  /**
   * Every trainee holding a seat in the class × every quiz of the class: the grade by the
   * quiz's method, passed, attempts used. Admins in scope and the class's trainers (trainees
   * are refused by the route).
   */
  async classGrades(actor: AuthUser, classId: string): Promise<ClassGradesDto> {
    const cls = await this.classes.getVisible(actor, classId);
    const quizzes = await this.tx.manager
      .getRepository(Quiz)
      .find({ where: { classId }, order: { opensAt: 'ASC', title: 'ASC', id: 'ASC' } });
    for (const quiz of quizzes) await this.attempts.closeOverdue({ quizId: quiz.id });
    const seated = await this.enrolments.seated(classId);
    const grades = await this.grades(quizzes);
    return {
      classId,
      title: cls.entity.title,
      quizzes: quizzes.map((q) => ({
        id: q.id,
        title: q.title,
        gradingMethod: q.gradingMethod,
        passPercent: q.passPercent,
      })),
      items: seated.map((s) => ({
        traineeId: s.traineeId,
        displayName: s.displayName,
        townshipId: s.townshipId,
        townshipName: s.townshipName,
        grades: quizzes.map((q) => {
          const g = grades.get(q.id)?.get(s.traineeId);
          const percent = g?.percent ?? null;
          return { quizId: q.id, percent, passed: percent === null ? null : g!.passed, attempts: g?.attempts ?? 0 };
        }),
      })),
    };
  }

  private async findQuiz(quizId: string): Promise<Quiz> {
    const quiz = await this.tx.manager.getRepository(Quiz).findOneBy({ id: quizId });
    if (!quiz) throw QuizErrors.quizNotFound();
    return quiz;
  }

  /** Grades per quiz and trainee, from one query over the quizzes' attempts (optionally one trainee's). */
  private async grades(quizzes: Quiz[], traineeId?: string): Promise<Map<string, Map<string, QuizGrade>>> {
    const out = new Map<string, Map<string, QuizGrade>>();
    if (quizzes.length === 0) return out;
    const rows = await this.tx.manager.query<AttemptRow[]>(
      `SELECT quiz_id AS "quizId", trainee_id AS "traineeId", number, status = 'finished' AS finished,
              percent::float8 AS percent, finished_at AS "finishedAt"
         FROM quiz_attempts
        WHERE quiz_id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR trainee_id = $2)`,
      [quizzes.map((q) => q.id), traineeId ?? null],
    );
    const byTrainee = new Map<
      string,
      { quizId: string; traineeId: string; finished: FinishedAttempt[]; used: number }
    >();
    for (const r of rows) {
      const key = `${r.quizId}:${r.traineeId}`;
      const e = byTrainee.get(key) ?? { quizId: r.quizId, traineeId: r.traineeId, finished: [], used: 0 };
      e.used++;
      if (r.finished) e.finished.push({ number: r.number, percent: r.percent!, finishedAt: r.finishedAt! });
      byTrainee.set(key, e);
    }
    for (const quiz of quizzes) out.set(quiz.id, new Map());
    for (const e of byTrainee.values()) {
      const quiz = quizzes.find((q) => q.id === e.quizId)!;
      const percent = gradeOf(quiz.gradingMethod, e.finished);
      out.get(e.quizId)!.set(e.traineeId, {
        quizId: e.quizId,
        traineeId: e.traineeId,
        percent,
        passed: passes(percent, quiz.passPercent),
        attempts: e.used,
      });
    }
    return out;
  }
}
