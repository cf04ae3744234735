import { randomInt } from 'node:crypto';
import { type AnswerKey, multipleFractions, type QuestionType, type Response } from './grading';

/** A choice as a trainee sees it: never whether it is right. */
export interface ShownOption {
  id: string;
  text: string;
}

/**
 * One question of an attempt as drawn at its start: what was asked (options in the order this
 * attempt shows them) and the key it is graded by. Kept in the attempt, so edits to the bank
 * never change it; `key` and `feedback` leave the server only as the review policy allows.
 */
export interface AttemptQuestion {
  id: string;
  version: number;
  type: QuestionType;
  category: string;
  prompt: string;
  points: number;
  imageId: string | null;
  options: ShownOption[] | null;
  feedback: string | null;
  key: AnswerKey;
}

/** A saved response, as the grading rules read it. */
export type StoredResponse = Response;

/** The options every true/false question shows, in this order (ids are what `optionIds` carries). */
export const TRUE_FALSE_OPTIONS: readonly ShownOption[] = [
  { id: 'true', text: '正确' },
  { id: 'false', text: '错误' },
];

/** A bank question as read for a new attempt. */
export interface BankQuestion {
  id: string;
  version: number;
  type: QuestionType;
  category: string;
  prompt: string;
  points: number;
  feedback: string | null;
  options: { id: string; text: string; correct: boolean; fraction: number | null }[] | null;
  answers: string[] | null;
  answer: string | null;
  tolerance: string | null;
  toleranceType: 'absolute' | 'relative' | null;
  imageId: string | null;
}

/** The key a question is graded by, from its stored form. */
export function answerKeyOf(q: BankQuestion): AnswerKey {
  switch (q.type) {
    case 'single':
      return { type: 'single', correctOptionId: (q.options ?? []).find((o) => o.correct)?.id ?? '' };
    case 'multiple':
      return {
        type: 'multiple',
        options: multipleFractions((q.options ?? []).map((o) => ({ ...o, fraction: o.fraction ?? undefined }))),
      };
    case 'truefalse':
      return { type: 'truefalse', correct: q.answer === 'true' };
    case 'short':
      return { type: 'short', accepted: q.answers ?? [] };
    case 'numerical':
      return {
        type: 'numerical',
        answer: q.answer ?? '',
        tolerance: q.tolerance ?? '0',
        toleranceType: q.toleranceType ?? 'absolute',
      };
  }
}

/** Fisher–Yates with a cryptographic source: an order nobody can predict from another attempt's. */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** One question as an attempt keeps it; options shuffled when the quiz says so. */
export function snapshotOf(q: BankQuestion, shuffle: boolean): AttemptQuestion {
  const shown =
    q.type === 'truefalse'
      ? [...TRUE_FALSE_OPTIONS]
      : q.options
        ? q.options.map((o) => ({ id: o.id, text: o.text }))
        : null;
  return {
    id: q.id,
    version: q.version,
    type: q.type,
    category: q.category,
    prompt: q.prompt,
    points: q.points,
    imageId: q.imageId,
    options: shown && shuffle && q.type !== 'truefalse' ? shuffled(shown) : shown,
    feedback: q.feedback,
    key: answerKeyOf(q),
  };
}
