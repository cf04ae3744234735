import { applyEdit, checkQuestion, type QuestionContent, type QuestionInput } from './question-rules';
import { columnOf, letterIndexes, questionTypeFrom, splitAnswers, trueFalseFrom } from './question-import.parser';

let counter = 0;
const newId = () => `id${++counter}`;
const base = { category: '文字处理', prompt: '复制的快捷键是？', points: 2 };

function problems(input: QuestionInput) {
  const result = checkQuestion(input, newId);
  return result.ok ? [] : result.problems;
}
function content(input: QuestionInput, previous: QuestionContent['options'] = null): QuestionContent {
  const result = checkQuestion(input, newId, previous);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.content;
}

describe('common fields', () => {
  const single = { ...base, type: 'single', options: [{ text: 'A', correct: true }, { text: 'B' }] };

  it('trims texts and clears empty feedback', () => {
    const c = content({ ...single, category: ' 文字处理 ', prompt: ' 题 ', feedback: '  ' });
    expect(c).toMatchObject({ category: '文字处理', prompt: '题', feedback: null, points: 2 });
  });

  it('requires category, prompt, points and a known type', () => {
    expect(problems({ ...single, category: ' ', prompt: '', points: '' })).toEqual([
      { field: 'category', reason: 'required' },
      { field: 'prompt', reason: 'required' },
      { field: 'points', reason: 'required' },
    ]);
    expect(problems({ ...single, type: 'essay' })).toEqual([{ field: 'type', reason: 'invalid' }]);
  });

  it('takes points above 0 up to 1000 with two decimals at most, as numbers or text', () => {
    expect(content({ ...single, points: '2.5' }).points).toBe(2.5);
    expect(content({ ...single, points: 1000 }).points).toBe(1000);
    expect(content({ ...single, points: '０，５' }).points).toBe(0.5);
    for (const points of [0, -1, 1000.01, 0.001, '1.234'])
      expect(problems({ ...single, points })).toEqual([{ field: 'points', reason: 'range' }]);
    expect(problems({ ...single, points: 'two' })).toEqual([{ field: 'points', reason: 'number' }]);
  });

  it('limits lengths: category 100 on one line, prompt and feedback 4000', () => {
    expect(problems({ ...single, category: 'x'.repeat(101) })).toEqual([{ field: 'category', reason: 'too_long' }]);
    expect(problems({ ...single, category: 'a\nb' })).toEqual([{ field: 'category', reason: 'invalid' }]);
    expect(problems({ ...single, prompt: 'x'.repeat(4001) })).toEqual([{ field: 'prompt', reason: 'too_long' }]);
    expect(problems({ ...single, feedback: 'x'.repeat(4001) })).toEqual([{ field: 'feedback', reason: 'too_long' }]);
    expect(problems({ ...single, prompt: 'x'.repeat(4000), category: 'x'.repeat(100) })).toEqual([]);
    expect(problems({ ...single, prompt: 'a\u202Eb' })).toEqual([{ field: 'prompt', reason: 'invalid' }]);
  });

  it('refuses every field of another type', () => {
    expect(
      problems({ ...single, correct: true, answers: ['x'], answer: 1, tolerance: 0, toleranceType: 'absolute' }),
    ).toEqual(
      ['correct', 'answers', 'answer', 'tolerance', 'toleranceType'].map((field) => ({ field, reason: 'not_allowed' })),
    );
    expect(problems({ ...base, type: 'short', answers: ['a'], options: [] })).toEqual([
      { field: 'options', reason: 'not_allowed' },
    ]);
  });
});

describe('single choice', () => {
  const q = (options: QuestionInput['options']) => ({ ...base, type: 'single', options });

  it('stores options with ids, correct flags and no fractions', () => {
    expect(content(q([{ text: ' Ctrl+C ', correct: true }, { text: 'Ctrl+V' }])).options).toEqual([
      { id: expect.any(String), text: 'Ctrl+C', correct: true, fraction: null },
      { id: expect.any(String), text: 'Ctrl+V', correct: false, fraction: null },
    ]);
  });

  it('needs 2 to 10 options', () => {
    expect(problems(q(undefined))).toEqual([{ field: 'options', reason: 'required' }]);
    expect(problems(q([]))).toEqual([{ field: 'options', reason: 'too_few_options' }]);
    expect(problems(q([{ text: 'a', correct: true }]))).toEqual([{ field: 'options', reason: 'too_few_options' }]);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ text: `o${i}`, correct: i === 0 }));
    expect(problems(q(eleven))).toEqual([{ field: 'options', reason: 'too_many' }]);
    expect(problems(q(eleven.slice(0, 10)))).toEqual([]);
  });

  it('needs exactly one correct option', () => {
    expect(problems(q([{ text: 'a' }, { text: 'b' }]))).toEqual([{ field: 'options', reason: 'no_correct_option' }]);
    expect(
      problems(
        q([
          { text: 'a', correct: true },
          { text: 'b', correct: true },
        ]),
      ),
    ).toEqual([{ field: 'options', reason: 'one_correct_option' }]);
  });

  it('needs distinct, non-empty option texts of at most 500 characters (width folded, case kept)', () => {
    expect(problems(q([{ text: 'Ａ  b', correct: true }, { text: 'A b' }]))).toEqual([
      { field: 'options', reason: 'duplicate_options' },
    ]);
    expect(problems(q([{ text: 'a', correct: true }, { text: 'A' }]))).toEqual([]);
    expect(problems(q([{ text: 'a', correct: true }, { text: ' ' }]))).toEqual([
      { field: 'options.1.text', reason: 'required' },
    ]);
    expect(problems(q([{ text: 'a', correct: true }, { text: 'x'.repeat(501) }]))).toEqual([
      { field: 'options.1.text', reason: 'too_long' },
    ]);
  });

  it('takes no fractions', () => {
    expect(problems(q([{ text: 'a', correct: true, fraction: 1 }, { text: 'b' }]))).toEqual([
      { field: 'options.fraction', reason: 'not_allowed' },
    ]);
  });
});

describe('multiple choice', () => {
  const q = (options: QuestionInput['options']) => ({ ...base, type: 'multiple', options });

  it('needs at least one correct option; all may be correct', () => {
    expect(problems(q([{ text: 'a' }, { text: 'b' }]))).toEqual([{ field: 'options', reason: 'no_correct_option' }]);
    expect(
      problems(
        q([
          { text: 'a', correct: true },
          { text: 'b', correct: true },
        ]),
      ),
    ).toEqual([]);
  });

  it('stores null fractions when none are given (defaults apply at grading)', () => {
    const c = content(q([{ text: 'a', correct: true }, { text: 'b', correct: true }, { text: 'c' }]));
    expect(c.options!.map((o) => o.fraction)).toEqual([null, null, null]);
  });

  it('keeps given fractions when the correct ones add up to 1 (within 1e-6)', () => {
    const c = content(
      q([
        { text: 'a', correct: true, fraction: 0.3333333 },
        { text: 'b', correct: true, fraction: 0.6666667 },
        { text: 'c', fraction: -0.5 },
        { text: 'd' },
      ]),
    );
    expect(c.options!.map((o) => o.fraction)).toEqual([0.3333333, 0.6666667, -0.5, null]);
    expect(
      problems(
        q([
          { text: 'a', correct: true },
          { text: 'b', fraction: 0 },
        ]),
      ),
    ).toEqual([]);
  });

  it('refuses fractions that do not add up, are partial, or reward a wrong option', () => {
    const bad: QuestionInput['options'][] = [
      [
        { text: 'a', correct: true, fraction: 0.5 },
        { text: 'b', correct: true, fraction: 0.4 },
      ],
      [
        { text: 'a', correct: true, fraction: 1 },
        { text: 'b', correct: true },
      ],
      [
        { text: 'a', correct: true, fraction: 1 },
        { text: 'b', correct: true, fraction: 0 },
      ],
      [
        { text: 'a', correct: true },
        { text: 'b', fraction: 0.1 },
      ],
    ];
    for (const options of bad) expect(problems(q(options))).toEqual([{ field: 'options', reason: 'fractions' }]);
  });
});

describe('true/false', () => {
  it('stores the answer as true or false and needs it', () => {
    expect(content({ ...base, type: 'truefalse', correct: false })).toMatchObject({ answer: 'false', options: null });
    expect(content({ ...base, type: 'truefalse', correct: true }).answer).toBe('true');
    expect(problems({ ...base, type: 'truefalse' })).toEqual([{ field: 'correct', reason: 'required' }]);
  });
});

describe('short answer', () => {
  const q = (answers?: string[]) => ({ ...base, type: 'short', answers });

  it('stores 1 to 20 trimmed answers, each reading differently once normalised', () => {
    expect(content(q([' Ctrl+C ', 'ＣＴＲＬ＋Ｃ', '复制'])).answers).toEqual(['Ctrl+C', '复制']);
    expect(problems(q())).toEqual([{ field: 'answers', reason: 'required' }]);
    expect(problems(q([]))).toEqual([{ field: 'answers', reason: 'required' }]);
    expect(problems(q(Array.from({ length: 21 }, (_, i) => `a${i}`)))).toEqual([
      { field: 'answers', reason: 'too_many' },
    ]);
    expect(problems(q(['a', '  ']))).toEqual([{ field: 'answers.1', reason: 'required' }]);
    expect(problems(q(['x'.repeat(501)]))).toEqual([{ field: 'answers.0', reason: 'too_long' }]);
  });
});

describe('numerical', () => {
  const q = (fields: Partial<QuestionInput>) => ({ ...base, type: 'numerical', ...fields });

  it('stores answer and tolerance as exact decimals, absolute and 0 by default', () => {
    expect(content(q({ answer: 3.14 }))).toMatchObject({ answer: '3.14', tolerance: '0', toleranceType: 'absolute' });
    expect(content(q({ answer: '３，５', tolerance: '0.05', toleranceType: 'relative' }))).toMatchObject({
      answer: '3.5',
      tolerance: '0.05',
      toleranceType: 'relative',
    });
    expect(content(q({ answer: '-0.50' })).answer).toBe('-0.50');
    expect(content(q({ answer: '.5' })).answer).toBe('0.5');
  });

  it('refuses what is not one plain decimal, and a negative tolerance', () => {
    for (const answer of ['1e3', 'abc', '1,000.5', 1e21, Number.NaN, ''])
      expect(problems(q({ answer }))).toEqual([{ field: 'answer', reason: answer === '' ? 'required' : 'number' }]);
    expect(problems(q({}))).toEqual([{ field: 'answer', reason: 'required' }]);
    expect(problems(q({ answer: 1, tolerance: '-0.1' }))).toEqual([{ field: 'tolerance', reason: 'range' }]);
    expect(problems(q({ answer: 1, tolerance: 'x' }))).toEqual([{ field: 'tolerance', reason: 'number' }]);
    expect(problems(q({ answer: 1, toleranceType: 'percent' }))).toEqual([
      { field: 'toleranceType', reason: 'invalid' },
    ]);
  });
});

describe('edits', () => {
  const stored = content({
    ...base,
    type: 'single',
    feedback: '解析',
    options: [{ text: 'Ctrl+C', correct: true }, { text: 'Ctrl+V' }, { text: 'Ctrl+X' }],
  });

  it('keeps the ids of options whose text is unchanged, and gives new ids to the others', () => {
    const edited = applyEdit(stored, {
      options: [{ text: 'Ctrl+X' }, { text: 'Ctrl+C', correct: true }, { text: 'Ctrl+Z' }],
    });
    const options = content(edited, stored.options).options!;
    expect(options[0].id).toBe(stored.options![2].id);
    expect(options[1].id).toBe(stored.options![0].id);
    expect(stored.options!.map((o) => o.id)).not.toContain(options[2].id);
  });

  it('keeps fields left out and clears feedback with null', () => {
    expect(content(applyEdit(stored, { points: 5, feedback: null }), stored.options)).toMatchObject({
      points: 5,
      feedback: null,
      prompt: base.prompt,
      options: stored.options,
    });
  });

  it("drops the old type's fields when the type changes", () => {
    expect(content(applyEdit(stored, { type: 'truefalse', correct: true }))).toMatchObject({
      type: 'truefalse',
      options: null,
      answer: 'true',
    });
    expect(checkQuestion(applyEdit(stored, { type: 'short' }), newId)).toEqual({
      ok: false,
      problems: [{ field: 'answers', reason: 'required' }],
    });
  });

  it('re-checks the whole question', () => {
    const result = checkQuestion(applyEdit(stored, { options: [{ text: 'only', correct: true }] }), newId);
    expect(result).toEqual({ ok: false, problems: [{ field: 'options', reason: 'too_few_options' }] });
  });
});

describe('spreadsheet words', () => {
  it('reads question types in Chinese and English', () => {
    expect(
      ['单选', '单选题', 'Single', '多选', '判断', '简答', '填空', '数值', 'numerical'].map(questionTypeFrom),
    ).toEqual(['single', 'single', 'single', 'multiple', 'truefalse', 'short', 'short', 'numerical', 'numerical']);
    expect(questionTypeFrom('问答')).toBeUndefined();
  });

  it('reads true/false words', () => {
    expect(['对', '正确', '√', '是', 'TRUE', 'T'].map(trueFalseFrom)).toEqual(Array(6).fill(true));
    expect(['错', '错误', '×', '否', 'false', 'F'].map(trueFalseFrom)).toEqual(Array(6).fill(false));
    expect(trueFalseFrom('也许')).toBeUndefined();
  });

  it('reads option letters however they are separated, full-width too', () => {
    expect(letterIndexes('ACD')).toEqual([0, 2, 3]);
    expect(letterIndexes('a, c；d')).toEqual([0, 2, 3]);
    expect(letterIndexes('Ａ、Ｃ')).toEqual([0, 2]);
    expect(letterIndexes('CA')).toEqual([0, 2]);
    expect(letterIndexes('K')).toBeUndefined();
    expect(letterIndexes('')).toBeUndefined();
  });

  it('splits accepted answers on | ; and ；', () => {
    expect(splitAnswers('Ctrl+C|复制；拷贝; copy')).toEqual(['Ctrl+C', '复制', '拷贝', 'copy']);
  });

  it('names the column a problem is about', () => {
    expect(columnOf('options.1.text', 'required', [0, 2])).toBe('option2');
    expect(columnOf('options', 'no_correct_option', [0, 1])).toBe('answer');
    expect(columnOf('answers.0', 'too_long', [])).toBe('answer');
    expect(columnOf('prompt', 'required', [])).toBe('prompt');
  });
});
