import type { DataSource } from 'typeorm';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import type { AttemptQuestion } from '../../src/quizzes/attempt-snapshot';
import { AttemptAnswer, QuizAttempt } from '../../src/quizzes/attempt.entity';
import type { Response } from '../../src/quizzes/grading';
import { Quiz } from '../../src/quizzes/quiz.entity';

// ---- Quizzes and attempts written straight into the tables (results, leaderboards, statistics) ----

const HOUR = 3_600_000;
let quizCounter = 0;

/** A quiz of the class, open from an hour ago for a day: fixed questions, highest grade, pass at 60. */
export async function createQuiz(ds: DataSource, cls: TrainingClass, fields: Partial<Quiz> = {}): Promise<Quiz> {
  const repo = ds.getRepository(Quiz);
  return repo.save(
    repo.create({
      classId: cls.id,
      title: `测验${++quizCounter}`,
      draw: null,
      timeLimitSeconds: null,
      opensAt: new Date(Date.now() - HOUR),
      closesAt: new Date(Date.now() + 24 * HOUR),
      attemptsAllowed: 3,
      gradingMethod: 'highest',
      passPercent: 60,
      shuffle: false,
      reviewPolicy: 'score_only',
      mode: 'quiz',
      ...fields,
    }),
  );
}

/** A one-point true/false question for snapshots whose content does not matter. */
export function plainQuestion(id: string, points = 10): AttemptQuestion {
  return {
    id,
    version: 1,
    type: 'truefalse',
    category: '基础',
    prompt: `题目 ${id}`,
    points,
    imageId: null,
    options: [
      { id: 'true', text: '正确' },
      { id: 'false', text: '错误' },
    ],
    feedback: null,
    key: { type: 'truefalse', correct: true },
  };
}

export interface AttemptFields {
  traineeId: string;
  townshipId: string | null;
  number?: number;
  startedAt: Date;
  /** Null: still in progress (then `deadline` matters). */
  finishedAt: Date | null;
  deadline?: Date;
  questions?: AttemptQuestion[];
  answers?: { questionId: string; response: Response | null; fraction: number | null }[];
  /** Defaults to the points × fractions of the answers. */
  score?: number;
  /** Defaults to the sum of the questions' points. */
  maxScore?: number;
}

/**
 * An attempt of the quiz, finished (graded: score, percent, passed against the quiz's pass
 * mark) unless `finishedAt` is null, with its answers. No rule is checked: the data is what
 * the test says it is.
 */
export async function createAttempt(ds: DataSource, quiz: Quiz, f: AttemptFields): Promise<QuizAttempt> {
  const questions = f.questions ?? [plainQuestion('00000000-0000-4000-8000-000000000001')];
  const answers = f.answers ?? [];
  const points = new Map(questions.map((q) => [q.id, q.points]));
  const maxScore = f.maxScore ?? questions.reduce((s, q) => s + q.points, 0);
  const score = f.score ?? answers.reduce((s, a) => s + (points.get(a.questionId) ?? 0) * (a.fraction ?? 0), 0);
  const percent = Math.round((score / maxScore) * 100 * 1e7) / 1e7;
  const finished = f.finishedAt !== null;
  const repo = ds.getRepository(QuizAttempt);
  const attempt = await repo.save(
    repo.create({
      quizId: quiz.id,
      traineeId: f.traineeId,
      townshipId: f.townshipId,
      number: f.number ?? 1,
      status: finished ? 'finished' : 'in_progress',
      startedAt: f.startedAt,
      deadline: f.deadline ?? f.finishedAt ?? new Date(f.startedAt.getTime() + HOUR),
      finishedAt: f.finishedAt,
      finishedBy: finished ? 'trainee' : null,
      questions,
      maxScore,
      score: finished ? score : null,
      percent: finished ? percent : null,
      passed: finished ? percent >= quiz.passPercent : null,
    }),
  );
  if (answers.length) {
    await ds.getRepository(AttemptAnswer).insert(
      answers.map((a) => ({
        attemptId: attempt.id,
        questionId: a.questionId,
        response: a.response,
        answeredAt: f.startedAt,
        fraction: finished ? a.fraction : null,
      })),
    );
  }
  return attempt;
}
