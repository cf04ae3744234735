/**
 * Whether one trainee may start an attempt at a quiz now, and what is left for her: the rule
 * AttemptsService.start enforces and the trainee's pages show, in one place (edges pinned in
 * quiz-standing.spec.ts). An attempt in progress is not judged here: it is always resumed
 * (until its deadline and grace pass).
 */
import { closesAtFor, type OverrideTimes } from './quiz-timing';

export interface StandingQuiz {
  opensAt: Date;
  closesAt: Date;
  timeLimitSeconds: number | null;
  attemptsAllowed: number;
}

/** A trainee's override as the standing needs it (extra time, a close of her own, more attempts). */
export interface StandingOverride extends OverrideTimes {
  extraAttempts: number;
}

/** Why a new attempt can or cannot start, in the order start() refuses: not open yet, closed, none left. */
export type StandingState = 'upcoming' | 'open' | 'closed' | 'no_attempts_left';

export interface QuizStanding {
  state: StandingState;
  opensAt: Date;
  /** When the quiz closes for this trainee: her override's close, else the quiz's. */
  closesAt: Date;
  /** Attempts allowed to this trainee: the quiz's and her override's extra ones. */
  attemptsAllowed: number;
  attemptsUsed: number;
  attemptsLeft: number;
}

export function standingOf(
  quiz: StandingQuiz,
  override: StandingOverride | null | undefined,
  attemptsUsed: number,
  now: Date,
): QuizStanding {
  const closesAt = closesAtFor(quiz, override);
  const attemptsAllowed = quiz.attemptsAllowed + (override?.extraAttempts ?? 0);
  const attemptsLeft = Math.max(0, attemptsAllowed - attemptsUsed);
  const state: StandingState =
    now < quiz.opensAt ? 'upcoming' : now >= closesAt ? 'closed' : attemptsLeft === 0 ? 'no_attempts_left' : 'open';
  return { state, opensAt: quiz.opensAt, closesAt, attemptsAllowed, attemptsUsed, attemptsLeft };
}
