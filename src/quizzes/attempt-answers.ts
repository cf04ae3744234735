import type { AttemptQuestion, StoredResponse } from './attempt-snapshot';
import type { AnswerDto, CorrectAnswerDto, GivenAnswerDto } from './dto/attempt.dto';

/**
 * Answers as a client sends them and as they are stored and shown: pure functions, pinned by
 * attempt-answers.spec.ts. A save checks each answer against its question's shape only (type
 * and option ids), which a process may cache: an attempt's snapshot never changes.
 */

/** The longest number a numerical answer may be written with. */
const MAX_NUMBER_TEXT = 50;

/** What a save checks answers against: per question, its type and its options' ids. */
export type AnswerShapes = Map<string, { type: AttemptQuestion['type']; optionIds: Set<string> }>;

export function shapesOf(questions: AttemptQuestion[]): AnswerShapes {
  return new Map(
    questions.map((q) => [q.id, { type: q.type, optionIds: new Set((q.options ?? []).map((o) => o.id)) }]),
  );
}

/** A client's answer in its question's stored shape: null clears it; undefined is not valid for the question. */
export function responseOf(shapes: AnswerShapes, a: AnswerDto): StoredResponse | null | undefined {
  const shape = shapes.get(a.questionId);
  if (!shape) return undefined;
  const ids = a.optionIds;
  const only = (...fields: (keyof AnswerDto)[]) =>
    (['optionIds', 'text', 'value'] as const).every((f) => fields.includes(f) || a[f] === undefined);
  const known = (xs: string[]) => xs.every((x) => shape.optionIds.has(x)) && new Set(xs).size === xs.length;
  switch (shape.type) {
    case 'single':
      if (!only('optionIds') || !ids || ids.length > 1 || !known(ids)) return undefined;
      return ids.length ? { type: 'single', optionId: ids[0] } : null;
    case 'multiple':
      if (!only('optionIds') || !ids || !known(ids)) return undefined;
      return ids.length ? { type: 'multiple', optionIds: [...ids].sort() } : null;
    case 'truefalse': {
      if (!only('optionIds', 'value')) return undefined;
      if (typeof a.value === 'boolean' && ids === undefined) return { type: 'truefalse', value: a.value };
      if (a.value !== undefined || !ids || ids.length > 1 || !known(ids)) return undefined;
      return ids.length ? { type: 'truefalse', value: ids[0] === 'true' } : null;
    }
    case 'short':
      if (!only('text') || typeof a.text !== 'string') return undefined;
      return a.text.trim() ? { type: 'short', text: a.text } : null;
    case 'numerical': {
      if (!only('text', 'value')) return undefined;
      if (typeof a.value === 'number' && a.text === undefined) {
        const text = decimalText(a.value);
        return text.length <= MAX_NUMBER_TEXT ? { type: 'numerical', text } : undefined;
      }
      if (a.value !== undefined || typeof a.text !== 'string' || a.text.length > MAX_NUMBER_TEXT) return undefined;
      return a.text.trim() ? { type: 'numerical', text: a.text } : null;
    }
  }
}

/** A JSON number as plain decimal digits (no exponent), as it was written where possible. */
function decimalText(value: number): string {
  const s = String(value);
  if (!/e/i.test(s)) return s;
  // From 1e21 up, a double is a whole number (toFixed would write the exponent again).
  return Math.abs(value) >= 1e21 ? BigInt(value).toString() : value.toFixed(20).replace(/\.?0+$/, '');
}

export function givenOf(response: StoredResponse | null, answeredAt: Date): GivenAnswerDto {
  const base = { optionIds: null, text: null, value: null, answeredAt };
  if (!response) return base;
  switch (response.type) {
    case 'single':
      return { ...base, optionIds: [response.optionId] };
    case 'multiple':
      return { ...base, optionIds: response.optionIds };
    case 'truefalse':
      return { ...base, optionIds: [String(response.value)], value: response.value };
    case 'short':
    case 'numerical':
      return { ...base, text: response.text };
  }
}

export function correctOf(q: AttemptQuestion): CorrectAnswerDto {
  const none = { optionIds: null, answers: null, answer: null, tolerance: null, toleranceType: null };
  const key = q.key;
  switch (key.type) {
    case 'single':
      return { ...none, optionIds: [key.correctOptionId] };
    case 'multiple':
      return { ...none, optionIds: key.options.filter((o) => o.fraction > 0).map((o) => o.id) };
    case 'truefalse':
      return { ...none, optionIds: [String(key.correct)] };
    case 'short':
      return { ...none, answers: key.accepted };
    case 'numerical':
      return { ...none, answer: key.answer, tolerance: key.tolerance, toleranceType: key.toleranceType };
  }
}
