import { correctOf, givenOf, responseOf, shapesOf } from './attempt-answers';
import type { AttemptQuestion } from './attempt-snapshot';
import { TRUE_FALSE_OPTIONS } from './attempt-snapshot';

const q = (id: string, type: AttemptQuestion['type'], options: string[] | null, key: AttemptQuestion['key']) =>
  ({
    id,
    version: 1,
    type,
    category: 'c',
    prompt: 'p',
    points: 1,
    imageId: null,
    options: options?.map((o) => ({ id: o, text: o })) ?? null,
    feedback: null,
    key,
  }) as AttemptQuestion;

const questions = [
  q('s', 'single', ['a', 'b'], { type: 'single', correctOptionId: 'a' }),
  q('m', 'multiple', ['a', 'b', 'c'], {
    type: 'multiple',
    options: [
      { id: 'a', fraction: 0.5 },
      { id: 'b', fraction: 0.5 },
      { id: 'c', fraction: -0.5 },
    ],
  }),
  { ...q('t', 'truefalse', null, { type: 'truefalse', correct: false }), options: [...TRUE_FALSE_OPTIONS] },
  q('x', 'short', null, { type: 'short', accepted: ['Library'] }),
  q('n', 'numerical', null, { type: 'numerical', answer: '3.5', tolerance: '0.1', toleranceType: 'absolute' }),
];
const shapes = shapesOf(questions);
const r = (a: Record<string, unknown>) => responseOf(shapes, { questionId: 'x', ...a });

describe('responseOf', () => {
  it('reads each type in its own shape', () => {
    expect(r({ questionId: 's', optionIds: ['b'] })).toEqual({ type: 'single', optionId: 'b' });
    expect(r({ questionId: 'm', optionIds: ['c', 'a'] })).toEqual({ type: 'multiple', optionIds: ['a', 'c'] });
    expect(r({ questionId: 't', optionIds: ['false'] })).toEqual({ type: 'truefalse', value: false });
    expect(r({ questionId: 't', value: true })).toEqual({ type: 'truefalse', value: true });
    expect(r({ text: ' ｌｉｂｒａｒｙ ' })).toEqual({ type: 'short', text: ' ｌｉｂｒａｒｙ ' });
    expect(r({ questionId: 'n', text: '３,５' })).toEqual({ type: 'numerical', text: '３,５' });
    expect(r({ questionId: 'n', value: 3.5 })).toEqual({ type: 'numerical', text: '3.5' });
  });

  it('writes a tiny or huge number without an exponent, so the exact comparison can read it', () => {
    expect(r({ questionId: 'n', value: 1e-7 })).toEqual({ type: 'numerical', text: '0.0000001' });
    expect(r({ questionId: 'n', value: 1e21 })).toEqual({ type: 'numerical', text: '1000000000000000000000' });
  });

  it('clears with an empty choice or text (null), which is not an error', () => {
    expect(r({ questionId: 's', optionIds: [] })).toBeNull();
    expect(r({ questionId: 'm', optionIds: [] })).toBeNull();
    expect(r({ questionId: 't', optionIds: [] })).toBeNull();
    expect(r({ text: '   ' })).toBeNull();
    expect(r({ questionId: 'n', text: '' })).toBeNull();
  });

  it('refuses (undefined) what does not fit the question', () => {
    for (const bad of [
      { questionId: 'nope', optionIds: ['a'] },
      { questionId: 's', optionIds: ['a', 'b'] },
      { questionId: 's', optionIds: ['z'] },
      { questionId: 's', text: 'a' },
      { questionId: 's' },
      { questionId: 'm', optionIds: ['a', 'a'] },
      { questionId: 't', optionIds: ['yes'] },
      { questionId: 't', value: 1 },
      { questionId: 't', value: true, optionIds: ['true'] },
      { optionIds: [] },
      { value: 1 },
      { questionId: 'n', value: true },
      { questionId: 'n', value: 1, text: '1' },
      { questionId: 'n', text: '1'.repeat(51) },
      { questionId: 'n', value: 1e60 },
    ]) {
      expect([bad, r(bad)]).toEqual([bad, undefined]);
    }
  });
});

describe('givenOf and correctOf', () => {
  const at = new Date('2027-03-01T01:00:00Z');

  it('shows a saved answer as it was given', () => {
    expect(givenOf({ type: 'truefalse', value: false }, at)).toEqual({
      optionIds: ['false'],
      text: null,
      value: false,
      answeredAt: at,
    });
    expect(givenOf(null, at)).toMatchObject({ optionIds: null, text: null, value: null });
  });

  it('names the right answers: options with a positive fraction, accepted texts, the number and its tolerance', () => {
    expect(correctOf(questions[1]).optionIds).toEqual(['a', 'b']);
    expect(correctOf(questions[2]).optionIds).toEqual(['false']);
    expect(correctOf(questions[3]).answers).toEqual(['Library']);
    expect(correctOf(questions[4])).toMatchObject({ answer: '3.5', tolerance: '0.1', toleranceType: 'absolute' });
  });
});
