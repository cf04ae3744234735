import { hasForbiddenCharacter, SINGLE_LINE } from '../common/validation/text';
import { normaliseShort, parseDecimal, QUESTION_TYPES, type QuestionType } from './grading';
import type { StoredOption } from './question.entity';

/**
 * What makes a question gradable, as pure functions: the HTTP routes and the spreadsheet
 * import check a question here, and store what `checkQuestion` answers.
 */

export const QUESTION_LIMITS = {
  category: 100,
  prompt: 4000,
  feedback: 4000,
  optionText: 500,
  minOptions: 2,
  maxOptions: 10,
  maxAnswers: 20,
  answerText: 500,
  /** Characters of a number (answer, tolerance) as typed. */
  numberText: 50,
  maxPoints: 1000,
  pointDecimals: 2,
} as const;

export const TOLERANCE_TYPES = ['absolute', 'relative'] as const;
export type ToleranceType = (typeof TOLERANCE_TYPES)[number];

/** Why a question is refused: the `QUESTION_INVALID#<reason>` message. */
export type QuestionProblemReason =
  | 'required'
  | 'not_allowed'
  | 'no_correct_option'
  | 'one_correct_option'
  | 'too_few_options'
  | 'too_many'
  | 'duplicate_options'
  | 'fractions'
  | 'number'
  | 'range'
  | 'too_long'
  | 'invalid';

export interface QuestionProblem {
  /** The field as the HTTP body names it (`options.2.text`, `answer`). */
  field: string;
  reason: QuestionProblemReason;
}

export interface OptionInput {
  text: string;
  correct?: boolean;
  fraction?: number | null;
}

/** A question as written by its author (a request body, or a spreadsheet row), not yet checked. */
export interface QuestionInput {
  type: string;
  category: string;
  prompt: string;
  /** A number, or its text (a spreadsheet cell). */
  points: number | string;
  feedback?: string | null;
  options?: OptionInput[];
  /** The right answer of a true/false question. */
  correct?: boolean;
  answers?: string[];
  answer?: number | string;
  tolerance?: number | string;
  toleranceType?: string;
}

/** A checked question, as stored. */
export interface QuestionContent {
  type: QuestionType;
  category: string;
  prompt: string;
  points: number;
  feedback: string | null;
  options: StoredOption[] | null;
  answers: string[] | null;
  /** true/false: 'true' or 'false'; numerical: an exact decimal. */
  answer: string | null;
  tolerance: string | null;
  toleranceType: ToleranceType | null;
}

export type QuestionCheck = { ok: true; content: QuestionContent } | { ok: false; problems: QuestionProblem[] };

/** The fields that belong to each type beside category, prompt, points and feedback. */
const TYPE_FIELDS: Record<QuestionType, readonly (keyof QuestionInput)[]> = {
  single: ['options'],
  multiple: ['options'],
  truefalse: ['correct'],
  short: ['answers'],
  numerical: ['answer', 'tolerance', 'toleranceType'],
};
const TYPE_SPECIFIC: readonly (keyof QuestionInput)[] = ['options', 'correct', 'answers', 'answer', 'tolerance'];
const ALL_TYPE_FIELDS = [...TYPE_SPECIFIC, 'toleranceType'] as const;

export function isQuestionType(value: string): value is QuestionType {
  return (QUESTION_TYPES as readonly string[]).includes(value);
}

/** An exact decimal as text: `-12.50` stays `-12.50`, `３，５` becomes `3.5`. */
function formatDecimal(d: { digits: bigint; scale: number }): string {
  const negative = d.digits < 0n;
  const text = (negative ? -d.digits : d.digits).toString().padStart(d.scale + 1, '0');
  const plain = d.scale > 0 ? `${text.slice(0, -d.scale)}.${text.slice(-d.scale)}` : text;
  return negative ? `-${plain}` : plain;
}

/** A number as a client or a cell gives it, read exactly; null when it is not one plain decimal (1e3, NaN). */
export function readDecimal(value: number | string): { digits: bigint; scale: number } | null {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  const text = String(value);
  if (text.length > QUESTION_LIMITS.numberText) return null;
  return parseDecimal(text);
}

/** How option texts are compared for duplicates and for keeping ids: width-folded, spaces collapsed, case kept. */
export function optionKey(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ');
}

const isBadText = (text: string) => hasForbiddenCharacter(text);

/**
 * Checks a whole question and answers it as stored, or every problem found. `previousOptions`
 * (on an edit) lends its ids to options whose text did not change; other options get `newId()`.
 */
export function checkQuestion(
  input: QuestionInput,
  newId: () => string,
  previousOptions: readonly StoredOption[] | null = null,
): QuestionCheck {
  const problems: QuestionProblem[] = [];
  const fail = (field: string, reason: QuestionProblemReason) => problems.push({ field, reason });

  const category = (input.category ?? '').trim();
  if (category === '') fail('category', 'required');
  else if (category.length > QUESTION_LIMITS.category) fail('category', 'too_long');
  else if (!SINGLE_LINE.test(category) || isBadText(category)) fail('category', 'invalid');

  const prompt = (input.prompt ?? '').trim();
  if (prompt === '') fail('prompt', 'required');
  else if (prompt.length > QUESTION_LIMITS.prompt) fail('prompt', 'too_long');
  else if (isBadText(prompt)) fail('prompt', 'invalid');

  const feedback = input.feedback?.trim() || null;
  if (feedback !== null && feedback.length > QUESTION_LIMITS.feedback) fail('feedback', 'too_long');
  else if (feedback !== null && isBadText(feedback)) fail('feedback', 'invalid');

  const points = checkPoints(input.points, fail);

  if (!isQuestionType(input.type)) {
    fail('type', input.type ? 'invalid' : 'required');
    return { ok: false, problems };
  }
  const type = input.type;
  for (const field of ALL_TYPE_FIELDS) {
    if (input[field] !== undefined && !TYPE_FIELDS[type].includes(field)) fail(field, 'not_allowed');
  }

  const content: QuestionContent = {
    type,
    category,
    prompt,
    points: points ?? 0,
    feedback,
    options: null,
    answers: null,
    answer: null,
    tolerance: null,
    toleranceType: null,
  };
  switch (type) {
    case 'single':
    case 'multiple':
      content.options = checkOptions(type, input.options, newId, previousOptions, fail);
      break;
    case 'truefalse':
      if (input.correct === undefined) fail('correct', 'required');
      else content.answer = input.correct ? 'true' : 'false';
      break;
    case 'short':
      content.answers = checkAnswers(input.answers, fail);
      break;
    case 'numerical': {
      Object.assign(content, checkNumerical(input, fail));
      break;
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, content };
}

function checkPoints(value: number | string | undefined, fail: (f: string, r: QuestionProblemReason) => void) {
  if (value === undefined || value === '') {
    fail('points', 'required');
    return undefined;
  }
  const d = readDecimal(value);
  if (!d) {
    fail('points', 'number');
    return undefined;
  }
  const points = Number(formatDecimal(d));
  if (d.scale > QUESTION_LIMITS.pointDecimals || !(points > 0) || points > QUESTION_LIMITS.maxPoints) {
    fail('points', 'range');
    return undefined;
  }
  return points;
}

function checkOptions(
  type: 'single' | 'multiple',
  options: OptionInput[] | undefined,
  newId: () => string,
  previous: readonly StoredOption[] | null,
  fail: (f: string, r: QuestionProblemReason) => void,
): StoredOption[] | null {
  if (options === undefined || options.length === 0) {
    fail('options', options === undefined ? 'required' : 'too_few_options');
    return null;
  }
  let found = 0;
  const problem = (f: string, r: QuestionProblemReason) => {
    found++;
    fail(f, r);
  };
  if (options.length < QUESTION_LIMITS.minOptions) problem('options', 'too_few_options');
  if (options.length > QUESTION_LIMITS.maxOptions) problem('options', 'too_many');
  const texts = options.map((o) => (o.text ?? '').trim());
  texts.forEach((text, i) => {
    if (text === '') problem(`options.${i}.text`, 'required');
    else if (text.length > QUESTION_LIMITS.optionText) problem(`options.${i}.text`, 'too_long');
    else if (isBadText(text)) problem(`options.${i}.text`, 'invalid');
  });
  const keys = texts.map(optionKey);
  if (new Set(keys).size !== keys.length) problem('options', 'duplicate_options');

  const correct = options.filter((o) => o.correct === true);
  if (correct.length === 0) problem('options', 'no_correct_option');
  else if (type === 'single' && correct.length > 1) problem('options', 'one_correct_option');

  const hasFraction = (o: OptionInput) => o.fraction !== undefined && o.fraction !== null;
  if (type === 'single' && options.some(hasFraction)) {
    problem('options.fraction', 'not_allowed');
  } else if (type === 'multiple' && options.some(hasFraction)) {
    // Either every correct option has its fraction (summing to 1) or none has (equal shares).
    const given = correct.filter(hasFraction);
    const sum = given.reduce((a, o) => a + o.fraction!, 0);
    const correctOk =
      given.length === 0 ||
      (given.length === correct.length && given.every((o) => o.fraction! > 0) && Math.abs(sum - 1) <= 1e-6);
    const wrongOk = options
      .filter((o) => o.correct !== true && hasFraction(o))
      .every((o) => o.fraction! <= 0 && o.fraction! >= -1);
    if (!correctOk || !wrongOk) problem('options', 'fractions');
  }
  if (found > 0) return null;

  // An unchanged text keeps its id (attempts and statistics follow it); a changed one is a new option.
  const free = new Map<string, string[]>();
  for (const o of previous ?? []) free.set(optionKey(o.text), [...(free.get(optionKey(o.text)) ?? []), o.id]);
  return options.map((o, i) => ({
    id: free.get(keys[i])?.shift() ?? newId(),
    text: texts[i],
    correct: o.correct === true,
    fraction: type === 'multiple' && hasFraction(o) ? o.fraction! : null,
  }));
}

function checkAnswers(
  answers: string[] | undefined,
  fail: (f: string, r: QuestionProblemReason) => void,
): string[] | null {
  if (answers === undefined || answers.length === 0) {
    fail('answers', 'required');
    return null;
  }
  if (answers.length > QUESTION_LIMITS.maxAnswers) {
    fail('answers', 'too_many');
    return null;
  }
  const trimmed = answers.map((a) => (a ?? '').trim());
  const bad = trimmed.findIndex((a) => normaliseShort(a) === '' || isBadText(a));
  if (bad !== -1) {
    fail(`answers.${bad}`, trimmed[bad] === '' ? 'required' : 'invalid');
    return null;
  }
  const long = trimmed.findIndex((a) => a.length > QUESTION_LIMITS.answerText);
  if (long !== -1) {
    fail(`answers.${long}`, 'too_long');
    return null;
  }
  // Answers that read the same once normalised are one answer: the first spelling is kept.
  const seen = new Set<string>();
  return trimmed.filter((a) => !seen.has(normaliseShort(a)) && seen.add(normaliseShort(a)));
}

function checkNumerical(
  input: QuestionInput,
  fail: (f: string, r: QuestionProblemReason) => void,
): Pick<QuestionContent, 'answer' | 'tolerance' | 'toleranceType'> {
  let answer: string | null = null;
  if (input.answer === undefined || input.answer === '') {
    fail('answer', 'required');
  } else {
    const d = readDecimal(input.answer);
    if (d) answer = formatDecimal(d);
    else fail('answer', 'number');
  }
  let tolerance: string | null = '0';
  if (input.tolerance !== undefined && input.tolerance !== '') {
    const d = readDecimal(input.tolerance);
    if (!d) fail('tolerance', 'number');
    else if (d.digits < 0n) fail('tolerance', 'range');
    else tolerance = formatDecimal(d);
  }
  const toleranceType = input.toleranceType ?? 'absolute';
  if (!(TOLERANCE_TYPES as readonly string[]).includes(toleranceType)) fail('toleranceType', 'invalid');
  return { answer, tolerance, toleranceType: toleranceType as ToleranceType };
}

/** A stored question as its author would write it again: what an edit starts from. */
export function inputOf(q: QuestionContent): QuestionInput {
  const input: QuestionInput = {
    type: q.type,
    category: q.category,
    prompt: q.prompt,
    points: q.points,
    feedback: q.feedback,
  };
  switch (q.type) {
    case 'single':
    case 'multiple':
      input.options = (q.options ?? []).map((o) => ({
        text: o.text,
        correct: o.correct,
        ...(o.fraction !== null ? { fraction: o.fraction } : {}),
      }));
      break;
    case 'truefalse':
      input.correct = q.answer === 'true';
      break;
    case 'short':
      input.answers = q.answers ?? [];
      break;
    case 'numerical':
      input.answer = q.answer ?? undefined;
      input.tolerance = q.tolerance ?? undefined;
      input.toleranceType = q.toleranceType ?? undefined;
      break;
  }
  return input;
}

/**
 * An edit applied to a stored question: fields given replace the stored ones. A new `type`
 * drops the old type's own fields (options, correct, answers, answer, tolerance), so the
 * edit must give the new type's; fields of the old type it does give are checked as usual.
 */
export function applyEdit(stored: QuestionContent, edit: Partial<QuestionInput>): QuestionInput {
  const base = inputOf(stored);
  if (edit.type !== undefined && edit.type !== stored.type) {
    for (const field of ALL_TYPE_FIELDS) delete base[field];
  }
  const merged: QuestionInput = { ...base };
  for (const [key, value] of Object.entries(edit) as [keyof QuestionInput, unknown][]) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}
