import {
  type AnswerKey,
  grade,
  gradeFraction,
  multipleFractions,
  normaliseShort,
  parseDecimal,
  type Response,
} from './grading';

describe('single and true/false: all or nothing', () => {
  const single: AnswerKey = { type: 'single', correctOptionId: 'b' };
  it('gives full points for the right option and none otherwise', () => {
    expect(grade(single, { type: 'single', optionId: 'b' }, 2)).toBe(2);
    expect(grade(single, { type: 'single', optionId: 'a' }, 2)).toBe(0);
    expect(grade(single, undefined, 2)).toBe(0);
  });
  it('grades true/false both ways', () => {
    const key: AnswerKey = { type: 'truefalse', correct: false };
    expect(grade(key, { type: 'truefalse', value: false }, 1)).toBe(1);
    expect(grade(key, { type: 'truefalse', value: true }, 1)).toBe(0);
  });
  it('gives nothing for a response of another type', () => {
    expect(grade(single, { type: 'truefalse', value: true }, 1)).toBe(0);
  });
});

describe('multiple choice (Moodle multi-answer)', () => {
  // a, b, c correct; d, e wrong: correct thirds, wrong minus a third each.
  const options = multipleFractions([
    { id: 'a', correct: true },
    { id: 'b', correct: true },
    { id: 'c', correct: true },
    { id: 'd', correct: false },
    { id: 'e', correct: false },
  ]);
  const key: AnswerKey = { type: 'multiple', options };
  const ticked = (...optionIds: string[]): Response => ({ type: 'multiple', optionIds });

  it('shares 1 among the correct options and takes one share per wrong one by default', () => {
    expect(options.map((o) => o.fraction)).toEqual([1 / 3, 1 / 3, 1 / 3, -1 / 3, -1 / 3]);
  });

  it('gives each right tick its share; all the right ones give full points exactly', () => {
    expect(gradeFraction(key, ticked('a'))).toBe(0.3333333);
    expect(grade(key, ticked('a'), 3)).toBe(1);
    expect(grade(key, ticked('a', 'b'), 3)).toBe(2);
    expect(grade(key, ticked('a', 'b', 'c'), 3)).toBe(3);
  });

  it('takes a share for each wrong tick, never below 0', () => {
    expect(grade(key, ticked('a', 'b', 'd'), 3)).toBe(1);
    expect(grade(key, ticked('a', 'd', 'e'), 3)).toBe(0);
    expect(grade(key, ticked('d'), 3)).toBe(0);
  });

  it('scores 0 when everything is ticked and the wrong options cancel the right ones', () => {
    const evenKey: AnswerKey = {
      type: 'multiple',
      options: multipleFractions([
        { id: 'a', correct: true },
        { id: 'b', correct: true },
        { id: 'c', correct: false },
        { id: 'd', correct: false },
      ]),
    };
    expect(grade(evenKey, ticked('a', 'b', 'c', 'd'), 4)).toBe(0);
  });

  it('scores 0 with nothing ticked', () => {
    expect(grade(key, ticked(), 3)).toBe(0);
    expect(grade(key, undefined, 3)).toBe(0);
  });

  it('keeps given fractions and caps the sum at 1', () => {
    const generous: AnswerKey = {
      type: 'multiple',
      options: multipleFractions([
        { id: 'a', correct: true, fraction: 0.7 },
        { id: 'b', correct: true, fraction: 0.5 },
        { id: 'c', correct: false, fraction: -0.1 },
      ]),
    };
    expect(gradeFraction(generous, ticked('a', 'b'))).toBe(1);
    expect(gradeFraction(generous, ticked('a', 'c'))).toBe(0.6);
  });

  it('adds sevenths and thirds without losing a point to rounding', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const sevenths: AnswerKey = {
      type: 'multiple',
      options: multipleFractions(ids.map((id) => ({ id, correct: true }))),
    };
    expect(grade(sevenths, ticked(...ids), 7)).toBe(7);
    expect(grade(sevenths, ticked('a', 'b', 'c'), 7)).toBe(3);
    expect(grade(sevenths, ticked(...ids), 1)).toBe(1);
  });

  it('gives full points for author-given thirds written to 7 decimals (0.3333333 × 3)', () => {
    const thirds: AnswerKey = {
      type: 'multiple',
      options: [
        { id: 'a', fraction: 0.3333333 },
        { id: 'b', fraction: 0.3333333 },
        { id: 'c', fraction: 0.3333333 },
        { id: 'd', fraction: -1 },
      ],
    };
    expect(gradeFraction(thirds, ticked('a', 'b', 'c'))).toBe(1);
    expect(gradeFraction(thirds, ticked('a', 'b'))).toBe(0.6666666);
    expect(gradeFraction(thirds, ticked('a', 'b', 'c', 'd'))).toBe(0);
  });

  it('counts an option ticked twice once, and ignores ids it does not know', () => {
    expect(grade(key, ticked('a', 'a', 'zzz'), 3)).toBe(1);
  });
});

describe('short answers', () => {
  const key: AnswerKey = { type: 'short', accepted: ['Ctrl+C', '复制'] };
  const said = (text: string): Response => ({ type: 'short', text });

  it('normalises: trim, collapse inner spaces, NFKC, case', () => {
    expect(normaliseShort('  Ｃｔｒｌ＋Ｃ  ')).toBe('ctrl+c');
    expect(normaliseShort('a \t  b')).toBe('a b');
    expect(normaliseShort('ＡＢＣ１２３')).toBe('abc123');
  });

  it('accepts any accepted answer however it is typed', () => {
    expect(grade(key, said('ctrl+c'), 1)).toBe(1);
    expect(grade(key, said(' ＣＴＲＬ＋Ｃ '), 1)).toBe(1);
    expect(grade(key, said('复制'), 1)).toBe(1);
  });

  it('refuses other answers and an empty one', () => {
    expect(grade(key, said('ctrl + c'), 1)).toBe(0);
    expect(grade(key, said('ctrl+v'), 1)).toBe(0);
    expect(grade({ type: 'short', accepted: [' '] }, said('   '), 1)).toBe(0);
  });
});

describe('numerical answers', () => {
  const absolute = (answer: string, tolerance: string): AnswerKey => ({
    type: 'numerical',
    answer,
    tolerance,
    toleranceType: 'absolute',
  });
  const said = (text: string): Response => ({ type: 'numerical', text });

  it('reads full-width digits, a comma decimal separator and surrounding spaces', () => {
    expect(parseDecimal('３．１４')).toEqual({ digits: 314n, scale: 2 });
    expect(parseDecimal(' 3,14 ')).toEqual({ digits: 314n, scale: 2 });
    expect(parseDecimal('-0.5')).toEqual({ digits: -5n, scale: 1 });
    expect(parseDecimal('.5')).toEqual({ digits: 5n, scale: 1 });
    expect(parseDecimal('１２')).toEqual({ digits: 12n, scale: 0 });
  });

  it('refuses what is not one number', () => {
    for (const text of ['', 'abc', '1,000.5', '1.2.3', '1e3', '12元', '--1']) expect(parseDecimal(text)).toBeNull();
  });

  it('is correct within the absolute tolerance, boundaries included, exactly', () => {
    const key = absolute('0.3', '0.1');
    expect(grade(key, said('0.4'), 2)).toBe(2); // 0.4 − 0.3 is 0.10000000000000003 in floating point
    expect(grade(key, said('0.2'), 2)).toBe(2);
    expect(grade(key, said('0.4000001'), 2)).toBe(0);
    expect(grade(key, said('０，３５'), 2)).toBe(2);
    expect(grade(absolute('42', '0'), said('42.0'), 1)).toBe(1);
    expect(grade(absolute('42', '0'), said('42.01'), 1)).toBe(0);
  });

  it('is correct within a relative tolerance when the question says so', () => {
    const key: AnswerKey = { type: 'numerical', answer: '200', tolerance: '0.05', toleranceType: 'relative' };
    expect(grade(key, said('210'), 1)).toBe(1);
    expect(grade(key, said('190'), 1)).toBe(1);
    expect(grade(key, said('210.01'), 1)).toBe(0);
    const negative: AnswerKey = { type: 'numerical', answer: '-50', tolerance: '0.1', toleranceType: 'relative' };
    expect(grade(negative, said('-55'), 1)).toBe(1);
    expect(grade(negative, said('-55.5'), 1)).toBe(0);
  });

  it('gives nothing for text that is not a number', () => {
    expect(grade(absolute('3', '0'), said('three'), 1)).toBe(0);
  });
});
