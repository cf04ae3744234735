/**
 * Grading rules, exactly. Pure functions: the question's key (what only the server knows)
 * and a trainee's response in, a fraction of the points out. Fractions are kept unrounded
 * while they are added and multiplied, so thirds add up to one; results are rounded to 7
 * decimals (as Moodle stores grades) only at the end.
 */

export const QUESTION_TYPES = ['single', 'multiple', 'truefalse', 'short', 'numerical'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** What the server keeps to grade a question; never sent to a trainee before the review policy allows. */
export type AnswerKey =
  | { type: 'single'; correctOptionId: string }
  | { type: 'truefalse'; correct: boolean }
  /** Every option with its fraction (see `multipleFractions` for the defaults). */
  | { type: 'multiple'; options: { id: string; fraction: number }[] }
  /** Accepted answers, compared after `normaliseShort`. */
  | { type: 'short'; accepted: string[] }
  /** Decimal strings, compared exactly: `answer` ± `tolerance` (or ± tolerance × |answer| when relative). */
  | { type: 'numerical'; answer: string; tolerance: string; toleranceType: 'absolute' | 'relative' };

/** A trainee's response, by question type (absent: not answered). */
export type Response =
  | { type: 'single'; optionId: string }
  | { type: 'truefalse'; value: boolean }
  | { type: 'multiple'; optionIds: string[] }
  | { type: 'short'; text: string }
  | { type: 'numerical'; text: string };

const round7 = (x: number): number => Math.round(x * 1e7) / 1e7;

/**
 * The fractions of a multiple-choice question's options (Moodle's multi-answer rule): a fraction
 * given for an option is kept; otherwise correct options share 1 equally and each wrong option
 * counts minus one share (1 / the number of correct options).
 */
export function multipleFractions(
  options: { id: string; correct: boolean; fraction?: number }[],
): { id: string; fraction: number }[] {
  const correct = options.filter((o) => o.correct).length;
  const share = correct > 0 ? 1 / correct : 0;
  return options.map((o) => ({
    id: o.id,
    fraction: o.fraction ?? (o.correct ? share : -share),
  }));
}

/** Short answers as compared: Unicode NFKC (full-width to half-width), trimmed, inner spaces collapsed, lower case. */
export function normaliseShort(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** A decimal number exactly: `digits × 10^-scale` with a sign in `digits`. */
interface Decimal {
  digits: bigint;
  scale: number;
}

/**
 * Reads a number as a trainee may type it: full-width digits and signs (NFKC), a comma or a dot
 * as the decimal separator (not both, no thousands separators), spaces around. Null when it is
 * not a number.
 */
export function parseDecimal(text: string): Decimal | null {
  const s = text.normalize('NFKC').trim().replace(/[−–]/g, '-');
  const m = /^([+-]?)(\d+)(?:[.,](\d+))?$/.exec(s) ?? /^([+-]?)()[.,](\d+)$/.exec(s);
  if (!m) return null;
  const [, sign, whole, fraction = ''] = m;
  const digits = BigInt(`${whole || '0'}${fraction}`);
  return { digits: sign === '-' ? -digits : digits, scale: fraction.length };
}

function scaled(d: Decimal, scale: number): bigint {
  return d.digits * 10n ** BigInt(scale - d.scale);
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/** True when `response` is within the key's tolerance of its answer, boundaries included, exactly. */
export function withinTolerance(key: Extract<AnswerKey, { type: 'numerical' }>, response: Decimal): boolean {
  const answer = parseDecimal(key.answer);
  const tolerance = parseDecimal(key.tolerance);
  if (!answer || !tolerance || tolerance.digits < 0n) return false;
  if (key.toleranceType === 'absolute') {
    const scale = Math.max(answer.scale, tolerance.scale, response.scale);
    return abs(scaled(response, scale) - scaled(answer, scale)) <= scaled(tolerance, scale);
  }
  // |r − a| ≤ t × |a|, all at one scale: the product's scale is the sum of the factors'.
  const scale = Math.max(answer.scale, response.scale);
  const difference = abs(scaled(response, scale) - scaled(answer, scale)) * 10n ** BigInt(tolerance.scale);
  return difference <= tolerance.digits * abs(scaled(answer, scale));
}

/** The fraction (0 to 1) of a question's points a response earns, rounded; no response earns 0. */
export function gradeFraction(key: AnswerKey, response: Response | undefined): number {
  return round7(rawFraction(key, response));
}

/** The points a response earns on a question worth `points`. */
export function grade(key: AnswerKey, response: Response | undefined, points: number): number {
  return round7(points * rawFraction(key, response));
}

function rawFraction(key: AnswerKey, response: Response | undefined): number {
  if (!response || response.type !== key.type) return 0;
  switch (key.type) {
    case 'single':
      return (response as Extract<Response, { type: 'single' }>).optionId === key.correctOptionId ? 1 : 0;
    case 'truefalse':
      return (response as Extract<Response, { type: 'truefalse' }>).value === key.correct ? 1 : 0;
    case 'multiple': {
      const ticked = new Set((response as Extract<Response, { type: 'multiple' }>).optionIds);
      const sum = key.options.filter((o) => ticked.has(o.id)).reduce((a, o) => a + o.fraction, 0);
      // Floored at 0, capped at 1. Fractions are given to 7 decimals (0.3333333 three times), and a
      // question's fractions may add up to 1 within 1e-6: a sum that close to 0 or 1 is 0 or 1.
      return Math.min(1, Math.max(0, Math.abs(sum) <= 1e-6 ? 0 : Math.abs(sum - 1) <= 1e-6 ? 1 : sum));
    }
    case 'short': {
      const given = normaliseShort((response as Extract<Response, { type: 'short' }>).text);
      return given !== '' && key.accepted.some((a) => normaliseShort(a) === given) ? 1 : 0;
    }
    case 'numerical': {
      const value = parseDecimal((response as Extract<Response, { type: 'numerical' }>).text);
      return value && withinTolerance(key, value) ? 1 : 0;
    }
  }
}
