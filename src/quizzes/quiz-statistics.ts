import { type AttemptQuestion, type ShownOption, TRUE_FALSE_OPTIONS } from './attempt-snapshot';
import { gradeFraction, type QuestionType, type Response } from './grading';

/** A finished attempt with its snapshot and answers, as the statistics read it. */
export interface GradedAttempt {
  id: string;
  startedAt: Date;
  score: number;
  percent: number;
  passed: boolean;
  questions: AttemptQuestion[];
  answers: { questionId: string; response: Response | null; fraction: number | null }[];
}

export interface OptionStatistics {
  id: string;
  text: string;
  /** Whether choosing it earns credit (for `multiple`: a positive fraction). */
  correct: boolean;
  /** Attempts that chose it. */
  picked: number;
  /** picked / the attempts that contained the question (0–1). */
  share: number;
}

export interface QuestionStatistics {
  questionId: string;
  type: QuestionType;
  category: string;
  prompt: string;
  points: number;
  /** Attempts that contained the question (all of them for fixed questions; fewer for a random draw). */
  attempts: number;
  answered: number;
  /** Mean points earned on it, each attempt by its own snapshot's points. */
  meanScore: number;
  /** Mean fraction of its points earned (0–1). */
  meanFraction: number;
  /** Moodle's facility index: meanFraction × 100. */
  facilityIndex: number;
  /** Sample standard deviation of the fraction earned, × 100 (Moodle's SD, as a percentage of the points). */
  standardDeviation: number | null;
  /**
   * Moodle's discrimination index: 100 × the Pearson correlation between the points earned on
   * this question and on the rest of the attempt. Null below 2 attempts or when either does not vary.
   */
  discriminationIndex: number | null;
  /** For single, multiple and true/false questions: every option shown, with how often it was chosen. */
  options: OptionStatistics[] | null;
}

export interface QuizStatistics {
  attempts: number;
  meanPercent: number | null;
  medianPercent: number | null;
  passed: number;
  questions: QuestionStatistics[];
}

const round7 = (x: number): number => Math.round(x * 1e7) / 1e7;
const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const varies = (xs: readonly number[]): boolean => xs.some((x) => x !== xs[0]);

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Sample standard deviation (n − 1). */
function sampleSd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Pearson's r; null when there are fewer than two pairs or either side is constant. */
export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length < 2 || !varies(xs) || !varies(ys)) return null;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

/** The option ids a response chose (none when it is not a choice response). */
function chosen(response: Response | null): string[] {
  if (!response) return [];
  switch (response.type) {
    case 'single':
      return [response.optionId];
    case 'truefalse':
      return [String(response.value)];
    case 'multiple':
      return [...new Set(response.optionIds)];
    case 'short':
    case 'numerical':
      return [];
  }
}

/** A response that says something: not cleared, not an empty choice, not blank text. */
function isAnswered(response: Response | null): boolean {
  if (!response) return false;
  switch (response.type) {
    case 'single':
    case 'truefalse':
      return true;
    case 'multiple':
      return response.optionIds.length > 0;
    case 'short':
    case 'numerical':
      return response.text.trim() !== '';
  }
}

function isCorrect(q: AttemptQuestion, optionId: string): boolean {
  const key = q.key;
  switch (key.type) {
    case 'single':
      return key.correctOptionId === optionId;
    case 'truefalse':
      return String(key.correct) === optionId;
    case 'multiple':
      return key.options.some((o) => o.id === optionId && o.fraction > 0);
    case 'short':
    case 'numerical':
      return false;
  }
}

const CHOICE_TYPES: readonly QuestionType[] = ['single', 'multiple', 'truefalse'];

interface Collected {
  latest: AttemptQuestion;
  firstSeen: number;
  /** Per attempt containing it: points earned here and on the rest of the attempt. */
  scores: number[];
  rest: number[];
  fractions: number[];
  answered: number;
  options: Map<string, { text: string; correct: boolean; picked: number }>;
}

/**
 * Moodle's quiz statistics (https://docs.moodle.org/en/Quiz_statistics_calculations) over the
 * finished attempts given (every attempt counts, not only each trainee's first or best). A
 * question's points earned in an attempt are its points × the fraction graded (worked out
 * again from the snapshot's key if a fraction was never stored; no answer earns 0), and the
 * rest of the attempt is the attempt's score minus those. Questions are ordered by `positions`
 * (the quiz's fixed order) when given, then by where the earliest attempt showed them; their
 * prompt, points and options' texts are those of the newest version asked. Options are listed
 * in the order the earliest attempt showed them.
 */
export function quizStatistics(
  attempts: readonly GradedAttempt[],
  positions: ReadonlyMap<string, number> = new Map(),
): QuizStatistics {
  const ordered = [...attempts].sort(
    (a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.id.localeCompare(b.id),
  );
  const byQuestion = new Map<string, Collected>();
  let seen = 0;
  for (const attempt of ordered) {
    const answers = new Map(attempt.answers.map((a) => [a.questionId, a]));
    for (const q of attempt.questions) {
      const c: Collected = byQuestion.get(q.id) ?? {
        latest: q,
        firstSeen: seen++,
        scores: [],
        rest: [],
        fractions: [],
        answered: 0,
        options: new Map(),
      };
      if (q.version >= c.latest.version) c.latest = q;
      const answer = answers.get(q.id);
      const response = answer?.response ?? null;
      const fraction = answer?.fraction ?? (response ? gradeFraction(q.key, response) : 0);
      const score = round7(q.points * fraction);
      c.scores.push(score);
      c.rest.push(round7(attempt.score - score));
      c.fractions.push(fraction);
      if (isAnswered(response)) c.answered++;
      if (CHOICE_TYPES.includes(q.type)) {
        const shown: readonly ShownOption[] = q.options ?? (q.type === 'truefalse' ? TRUE_FALSE_OPTIONS : []);
        for (const o of shown) {
          const known = c.options.get(o.id);
          const older = known && q.version < c.latest.version;
          c.options.set(o.id, {
            text: older ? known.text : o.text,
            correct: older ? known.correct : isCorrect(q, o.id),
            picked: known?.picked ?? 0,
          });
        }
        for (const id of chosen(response)) {
          const o = c.options.get(id);
          if (o) o.picked++;
        }
      }
      byQuestion.set(q.id, c);
    }
  }
  const questions = [...byQuestion]
    .sort(
      ([a, ca], [b, cb]) =>
        (positions.get(a) ?? Infinity) - (positions.get(b) ?? Infinity) || ca.firstSeen - cb.firstSeen,
    )
    .map(([questionId, c]): QuestionStatistics => {
      const n = c.scores.length;
      const meanFraction = mean(c.fractions);
      const r = pearson(c.scores, c.rest);
      return {
        questionId,
        type: c.latest.type,
        category: c.latest.category,
        prompt: c.latest.prompt,
        points: c.latest.points,
        attempts: n,
        answered: c.answered,
        meanScore: round7(mean(c.scores)),
        meanFraction: round7(meanFraction),
        facilityIndex: round7(meanFraction * 100),
        standardDeviation: n < 2 ? null : round7(sampleSd(c.fractions) * 100),
        discriminationIndex: r === null ? null : round7(r * 100),
        options: CHOICE_TYPES.includes(c.latest.type)
          ? [...c.options].map(([id, o]) => ({ id, ...o, share: round7(o.picked / n) }))
          : null,
      };
    });
  const percents = attempts.map((a) => a.percent);
  return {
    attempts: attempts.length,
    meanPercent: percents.length ? round7(mean(percents)) : null,
    medianPercent: percents.length ? round7(median(percents)) : null,
    passed: attempts.filter((a) => a.passed).length,
    questions,
  };
}
