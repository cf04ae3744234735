import type { GradingMethod } from './quiz.entity';

/** What a grade is worked out from: one finished attempt. */
export interface FinishedAttempt {
  number: number;
  percent: number;
  finishedAt: Date;
}

const round7 = (x: number): number => Math.round(x * 1e7) / 1e7;

const byFinish = (a: FinishedAttempt, b: FinishedAttempt): number =>
  a.finishedAt.getTime() - b.finishedAt.getTime() || a.number - b.number;

/**
 * A trainee's grade (0–100) on a quiz from its finished attempts, by the quiz's grading method:
 * `highest` percent; `last` (latest `finishedAt`, a tie going to the higher attempt number);
 * `first` (earliest `finishedAt`, a tie going to the lower number); `average` of the percents,
 * rounded to 7 decimals at the end (as percents are stored). Null without a finished attempt.
 */
export function gradeOf(method: GradingMethod, attempts: readonly FinishedAttempt[]): number | null {
  if (attempts.length === 0) return null;
  switch (method) {
    case 'highest':
      return Math.max(...attempts.map((a) => a.percent));
    case 'last':
      return [...attempts].sort(byFinish)[attempts.length - 1].percent;
    case 'first':
      return [...attempts].sort(byFinish)[0].percent;
    case 'average':
      return round7(attempts.reduce((sum, a) => sum + a.percent, 0) / attempts.length);
  }
}

/** Whether a grade passes: at or above the pass mark; no grade never passes. */
export function passes(grade: number | null, passPercent: number): boolean {
  return grade !== null && grade >= passPercent;
}
