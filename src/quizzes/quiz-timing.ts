/**
 * When an attempt must end and when a quiz's closing reminder goes: pure rules of time, with
 * their edges pinned in quiz-timing.spec.ts. The server alone applies them; nothing a client
 * sends moves a deadline.
 */

export interface QuizTimes {
  opensAt: Date;
  closesAt: Date;
  timeLimitSeconds: number | null;
}

export interface OverrideTimes {
  extraTimeSeconds: number;
  /** Replaces the quiz's close for this trainee. */
  closesAt: Date | null;
}

/** When the quiz closes for one trainee: their override's close, else the quiz's. */
export function closesAtFor(quiz: QuizTimes, override: OverrideTimes | null | undefined): Date {
  return override?.closesAt ?? quiz.closesAt;
}

/**
 * An attempt's deadline: the earlier of its start plus the time limit (with the override's extra
 * time) and the close that applies to the trainee. Without a time limit, the close.
 */
export function deadlineOf(startedAt: Date, quiz: QuizTimes, override: OverrideTimes | null | undefined): Date {
  const close = closesAtFor(quiz, override);
  if (quiz.timeLimitSeconds === null) return close;
  const limitMs = (quiz.timeLimitSeconds + (override?.extraTimeSeconds ?? 0)) * 1000;
  return new Date(Math.min(startedAt.getTime() + limitMs, close.getTime()));
}

/** What may still happen to an attempt at `now`, given its deadline and the grace after it. */
export type AttemptPhase = 'open' | 'grace' | 'over';

export function phaseAt(now: Date, deadline: Date, graceSeconds: number): AttemptPhase {
  if (now.getTime() <= deadline.getTime()) return 'open';
  return now.getTime() <= deadline.getTime() + graceSeconds * 1000 ? 'grace' : 'over';
}

/**
 * When trainees who have not handed in are reminded: `leadMinutes` before the close, or halfway
 * through a quiz open for less than that. Null when no reminder applies (a lead of 0).
 */
export function closingReminderAt(quiz: Pick<QuizTimes, 'opensAt' | 'closesAt'>, leadMinutes: number): Date | null {
  if (leadMinutes <= 0) return null;
  const at = quiz.closesAt.getTime() - leadMinutes * 60_000;
  if (at > quiz.opensAt.getTime()) return new Date(at);
  return new Date(quiz.opensAt.getTime() + (quiz.closesAt.getTime() - quiz.opensAt.getTime()) / 2);
}

/**
 * The moment an answer counts as given: the client's `answeredAt` (from a phone's outbox, maybe
 * late), but never before the attempt started nor after the server's now, so a phone whose clock
 * runs ahead cannot pin an answer in the future and block later ones.
 */
export function answeredAtOf(given: Date | undefined, startedAt: Date, now: Date): Date {
  if (!given) return now;
  const t = Math.min(Math.max(given.getTime(), startedAt.getTime()), now.getTime());
  return new Date(t);
}
