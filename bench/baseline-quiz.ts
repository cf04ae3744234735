import { type JobsOptions, Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Pool, PoolClient } from 'pg';
import { JobProducer } from '../src/common/queue/job-producer';
import { bullConnection, bullPrefix } from '../src/common/queue/queue-connection';
import { QUEUES } from '../src/common/queue/queues';
import type { Env } from '../src/config/env';
import {
  type AttemptQuestion,
  type BankQuestion,
  shuffled,
  snapshotOf,
  type StoredResponse,
} from '../src/quizzes/attempt-snapshot';
import {
  ANSWERS_OF_ATTEMPT_SQL,
  ATTEMPT_ANSWERS_VIEW_SQL,
  ATTEMPT_COUNT_SQL,
  ATTEMPT_FOR_FINISH_SQL,
  ATTEMPT_FOR_SAVE_SQL,
  FINISH_ATTEMPT_SQL,
  FIXED_QUESTIONS_SQL,
  GRADE_ANSWERS_SQL,
  INSERT_ATTEMPT_SQL,
  OPEN_ATTEMPT_SQL,
  QUIZ_FOR_START_SQL,
  SAVE_ANSWERS_SQL,
  START_LOCK_SQL,
} from '../src/quizzes/attempts.sql';
import { grade, gradeFraction } from '../src/quizzes/grading';
import { QuizJobs, closeAttemptJobId } from '../src/quizzes/quizzes.jobs';
import type { AuthRow } from '../src/users/users.service';
import { isWithin } from '../src/org-units/org-units.service';
import { type AnswerShapes, givenOf, responseOf, shapesOf } from '../src/quizzes/attempt-answers';
import { answeredAtOf, closesAtFor, deadlineOf, type OverrideTimes, phaseAt } from '../src/quizzes/quiz-timing';

/**
 * quiz-day's baseline routes, registered by baseline-server.ts: AttemptsService's start, save
 * and submit for a trainee, with the statements of src/quizzes/attempts.sql.ts (imported) and
 * the few TypeORM and inline ones copied in app-sql.ts, in the same order and transactions,
 * the app's pure rules (snapshot, timing, grading) and the same answers. Only the paths a
 * quiz day takes are here: no draw, no overdue closing.
 */

type Db = Pick<PoolClient, 'query'>;

type Caller = Omit<AuthRow, 'tokenVersion'>;

export interface QuizBaselineDeps {
  pool: Pool;
  env: Env;
  caller: (id: string) => Promise<Caller>;
  transaction: <T>(work: (db: Db) => Promise<T>) => Promise<T>;
  /** A domain error as the API's filter answers it: the status and the code. */
  refuse: (status: number, code: string) => Error;
}

/** QUIZ_FOR_START_SQL's row. */
interface StartRow {
  id: string;
  draw: unknown;
  time_limit_seconds: number | null;
  opens_at: Date;
  closes_at: Date;
  attempts_allowed: number;
  pass_percent: string;
  shuffle: boolean;
  class_status: string;
  plan_path: string;
  township_id: string | null;
  extra_time_seconds: number | null;
  override_closes_at: Date | null;
  extra_attempts: number | null;
}

interface AttemptRow {
  id: string;
  quiz_id: string;
  trainee_id: string;
  number: number;
  status: 'in_progress' | 'finished';
  started_at: Date;
  deadline: Date;
  finished_at: Date | null;
  finished_by: 'trainee' | 'deadline' | null;
  questions: AttemptQuestion[];
  max_score: string;
  score: string | null;
  percent: string | null;
  passed: boolean | null;
  pass_percent: string;
}

interface AnswerBody {
  questionId: string;
  optionIds?: string[];
  text?: string;
  value?: number | boolean;
  answeredAt?: string;
}

/** AttemptsService's SHAPE_CACHE_SIZE. */
const SHAPE_CACHE_SIZE = 20_000;
const DAY_S = 24 * 60 * 60;
const round7 = (x: number): number => Math.round(x * 1e7) / 1e7;
const num = (v: string | null): number | null => (v === null ? null : Number(v));

/** The job options of the app's queues (queue.module.ts, inline there). */
function appJobOptions(env: Env): JobsOptions {
  return {
    attempts: env.JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: env.JOB_BACKOFF_MS },
    removeOnComplete: { age: 7 * DAY_S, count: 50_000 },
    removeOnFail: { age: 30 * DAY_S },
  };
}

export function quizRoutes(app: FastifyInstance, deps: QuizBaselineDeps): { close(): Promise<void> } {
  const { pool, env, caller, transaction, refuse } = deps;
  const queue = new Queue(QUEUES.quizzes, {
    connection: bullConnection(env, 'producer'),
    prefix: bullPrefix(env),
    defaultJobOptions: appJobOptions(env),
  });
  const producer = new JobProducer();
  const shapes = new Map<string, AnswerShapes>();

  const remember = (attemptId: string, questions: AttemptQuestion[]): AnswerShapes => {
    const s = shapesOf(questions);
    if (shapes.size >= SHAPE_CACHE_SIZE) shapes.delete(shapes.keys().next().value as string);
    shapes.set(attemptId, s);
    return s;
  };

  /** AttemptsService.view for a trainee (no review): the attempt with each question's saved answer. */
  const view = async (row: AttemptRow, now: Date, withAnswers: boolean) => {
    const answers = withAnswers
      ? (
          await pool.query<{
            question_id: string;
            response: StoredResponse | null;
            answered_at: Date;
          }>(ATTEMPT_ANSWERS_VIEW_SQL, [row.id])
        ).rows
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
      review: false,
      questions: row.questions.map((q) => {
        const a = given.get(q.id);
        return {
          id: q.id,
          type: q.type,
          prompt: q.prompt,
          points: q.points,
          imageUrl: q.imageId ? `/api/question-images/${q.imageId}` : null,
          options: q.options,
          given: a ? givenOf(a.response, a.answered_at) : null,
        };
      }),
    };
  };

  /** AttemptsService.finishIn, for a hand-in before the deadline. */
  const finish = async (db: Db, row: AttemptRow, finishedAt: Date): Promise<AttemptRow> => {
    const { rows: answers } = await db.query<{ question_id: string; response: StoredResponse | null }>(
      ANSWERS_OF_ATTEMPT_SQL,
      [row.id, finishedAt],
    );
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
    if (answered.length) await db.query(GRADE_ANSWERS_SQL, [row.id, answered, fractions]);
    const maxScore = Number(row.max_score);
    const total = round7(score);
    const percent = maxScore > 0 ? round7((total / maxScore) * 100) : 0;
    const passed = percent >= Number(row.pass_percent);
    await db.query(FINISH_ATTEMPT_SQL, [row.id, finishedAt, 'trainee', total, percent, passed]);
    shapes.delete(row.id);
    return {
      ...row,
      status: 'finished',
      finished_at: finishedAt,
      finished_by: 'trainee',
      score: String(total),
      percent: String(percent),
      passed,
    };
  };

  // AttemptsService.start: QUIZ_FOR_START_SQL (quiz FOR SHARE, class, scope, seat, override), the start
  // lock, the open attempt, the count, the fixed questions, the insert; after commit the closing job
  // (not awaited); then the view (no answers read for a new attempt).
  app.post<{ Params: { quizId: string }; Querystring: { as: string } }>('/quiz-start/:quizId', async (req, reply) => {
    const actor = await caller(req.query.as);
    if (actor.role !== 'trainee') throw refuse(403, 'FORBIDDEN');
    const now = new Date();
    let planned: { id: string; deadline: Date } | undefined;
    const { row, created } = await transaction(async (db) => {
      const { rows: found } = await db.query<StartRow>(QUIZ_FOR_START_SQL, [req.params.quizId, actor.id]);
      const quiz = found[0];
      if (!quiz?.township_id || !isWithin(actor.orgPath, quiz.plan_path)) throw refuse(404, 'QUIZ_NOT_FOUND');
      if (!['open', 'running', 'completed'].includes(quiz.class_status)) throw refuse(404, 'QUIZ_NOT_FOUND');
      await db.query(START_LOCK_SQL, [`quiz-attempt.${quiz.id}.${actor.id}`]);
      const { rows: open } = await db.query<AttemptRow>(OPEN_ATTEMPT_SQL, [quiz.id, actor.id]);
      // An open attempt past its grace would be closed first; the benchmark's never is.
      if (open[0] && phaseAt(now, open[0].deadline, env.QUIZ_GRACE_SECONDS) !== 'over') {
        return { row: open[0], created: false };
      }
      const override: OverrideTimes | null =
        quiz.extra_time_seconds === null
          ? null
          : { extraTimeSeconds: quiz.extra_time_seconds, closesAt: quiz.override_closes_at };
      const times = { opensAt: quiz.opens_at, closesAt: quiz.closes_at, timeLimitSeconds: quiz.time_limit_seconds };
      if (now < times.opensAt) throw refuse(409, 'QUIZ_NOT_OPEN');
      if (now >= closesAtFor(times, override)) throw refuse(409, 'QUIZ_CLOSED');
      const allowed = quiz.attempts_allowed + (quiz.extra_attempts ?? 0);
      const { rows: counts } = await db.query<{ n: number }>(ATTEMPT_COUNT_SQL, [quiz.id, actor.id]);
      const n = counts[0].n;
      if (n >= allowed) throw refuse(409, 'QUIZ_NO_ATTEMPTS_LEFT');
      // Fixed questions only (a draw would run DRAWN_QUESTIONS_SQL per rule).
      if (quiz.draw) throw refuse(500, 'BENCH_DRAW_NOT_SUPPORTED');
      const { rows: bank } = await db.query<BankQuestion>(FIXED_QUESTIONS_SQL, [quiz.id]);
      const ordered = quiz.shuffle ? shuffled(bank) : bank;
      const questions = ordered.map((q) => snapshotOf(q, quiz.shuffle));
      const deadline = deadlineOf(now, times, override);
      const maxScore = round7(questions.reduce((s, q) => s + q.points, 0));
      const { rows: inserted } = await db.query<{ id: string }>(INSERT_ATTEMPT_SQL, [
        quiz.id,
        actor.id,
        quiz.township_id,
        n + 1,
        now,
        deadline,
        JSON.stringify(questions),
        maxScore,
      ]);
      const id = inserted[0].id;
      planned = { id, deadline };
      const attempt: AttemptRow = {
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
        pass_percent: quiz.pass_percent,
      };
      return { row: attempt, created: true };
    });
    // QuizSchedulingService.planDeadlines, after commit, not awaited.
    if (planned) {
      const due = planned.deadline.getTime() + env.QUIZ_GRACE_SECONDS * 1000;
      void producer.add(queue, [
        {
          name: QuizJobs.closeAttempt,
          data: { attemptId: planned.id, deadline: planned.deadline.toISOString() },
          opts: { jobId: closeAttemptJobId(planned.id, planned.deadline), delay: Math.max(0, due - Date.now()) },
        },
      ]);
    }
    return reply.code(created ? 201 : 200).send(await view(row, now, !created));
  });

  // AttemptsService.saveAnswers: the attempt (its snapshot once per process), then one upsert, outside a transaction.
  app.put<{ Params: { id: string }; Querystring: { as: string }; Body: { answers: AnswerBody[] } }>(
    '/quiz-answers/:id',
    async (req) => {
      const actor = await caller(req.query.as);
      if (actor.role !== 'trainee') throw refuse(403, 'FORBIDDEN');
      const attemptId = req.params.id;
      const now = new Date();
      const cached = shapes.get(attemptId);
      const { rows } = await pool.query<{
        trainee_id: string;
        status: string;
        started_at: Date;
        deadline: Date;
        questions: AttemptQuestion[] | null;
      }>(ATTEMPT_FOR_SAVE_SQL, [attemptId, !cached]);
      const row = rows[0];
      if (!row || row.trainee_id !== actor.id) throw refuse(404, 'ATTEMPT_NOT_FOUND');
      const s = cached ?? remember(attemptId, row.questions ?? []);
      if (row.status !== 'in_progress') throw refuse(409, 'ATTEMPT_CLOSED');
      const phase = phaseAt(now, row.deadline, env.QUIZ_GRACE_SECONDS);
      if (phase === 'over') throw refuse(409, 'ATTEMPT_CLOSED');
      const byQuestion = new Map<string, { response: StoredResponse | null; at: Date }>();
      const invalid: string[] = [];
      for (const a of req.body.answers) {
        const response = responseOf(s, a);
        if (response === undefined) invalid.push(a.questionId);
        const at = answeredAtOf(a.answeredAt ? new Date(a.answeredAt) : undefined, row.started_at, now);
        const before = byQuestion.get(a.questionId);
        if (!before || before.at <= at) byQuestion.set(a.questionId, { response: response ?? null, at });
      }
      if (invalid.length) throw refuse(400, 'ATTEMPT_ANSWERS_INVALID');
      const late: string[] = [];
      const ids: string[] = [];
      const responses: (string | null)[] = [];
      const times: Date[] = [];
      for (const [questionId, a] of byQuestion) {
        if (phase === 'grace' && a.at > row.deadline) {
          late.push(questionId);
          continue;
        }
        ids.push(questionId);
        responses.push(a.response === null ? null : JSON.stringify(a.response));
        times.push(a.at);
      }
      if (ids.length === 0)
        return { id: attemptId, status: 'in_progress', now, deadline: row.deadline, saved: [], stale: [], late };
      const { rows: written } = await pool.query<{ question_id: string }>(SAVE_ANSWERS_SQL, [
        attemptId,
        ids,
        responses,
        times,
        now,
      ]);
      const saved = new Set(written.map((w) => w.question_id));
      // A save that wrote nothing would re-read the status; the benchmark's always write.
      if (saved.size === 0) throw refuse(409, 'ATTEMPT_CLOSED');
      return {
        id: attemptId,
        status: 'in_progress',
        now,
        deadline: row.deadline,
        saved: ids.filter((q) => saved.has(q)),
        stale: ids.filter((q) => !saved.has(q)),
        late,
      };
    },
  );

  // AttemptsService.submit: in one transaction the attempt locked, its answers, the grades, the finish.
  app.post<{ Params: { id: string }; Querystring: { as: string } }>('/quiz-submit/:id', async (req) => {
    const actor = await caller(req.query.as);
    if (actor.role !== 'trainee') throw refuse(403, 'FORBIDDEN');
    const now = new Date();
    const row = await transaction(async (db) => {
      const { rows } = await db.query<AttemptRow>(ATTEMPT_FOR_FINISH_SQL, [req.params.id]);
      const r = rows[0];
      if (!r || r.trainee_id !== actor.id) throw refuse(404, 'ATTEMPT_NOT_FOUND');
      if (r.status === 'finished') return r;
      // Past the grace the attempt would be closed as of its deadline; the benchmark's never is.
      if (phaseAt(now, r.deadline, env.QUIZ_GRACE_SECONDS) === 'over') throw refuse(409, 'ATTEMPT_CLOSED');
      return finish(db, r, now > r.deadline ? r.deadline : now);
    });
    return {
      id: row.id,
      status: row.status,
      score: Number(row.score),
      maxScore: Number(row.max_score),
      percent: Number(row.percent),
      passed: row.passed === true,
      finishedAt: row.finished_at,
    };
  });

  return { close: () => queue.close() };
}
