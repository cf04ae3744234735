import type { AttemptQuestion } from './attempt-snapshot';
import type { Response } from './grading';
import { type GradedAttempt, pearson, quizStatistics } from './quiz-statistics';

const Q1: AttemptQuestion = {
  id: 'q1',
  version: 1,
  type: 'single',
  category: '基础',
  prompt: '打开文件用哪个菜单？',
  points: 1,
  imageId: null,
  options: [
    { id: 'a', text: '文件' },
    { id: 'b', text: '编辑' },
    { id: 'c', text: '视图' },
  ],
  feedback: null,
  key: { type: 'single', correctOptionId: 'a' },
};
const Q2: AttemptQuestion = {
  id: 'q2',
  version: 1,
  type: 'multiple',
  category: '基础',
  prompt: '哪些是浏览器？',
  points: 2,
  imageId: null,
  options: [
    { id: 'x', text: 'Edge' },
    { id: 'y', text: 'Firefox' },
    { id: 'z', text: 'Word' },
  ],
  feedback: null,
  key: {
    type: 'multiple',
    options: [
      { id: 'x', fraction: 0.5 },
      { id: 'y', fraction: 0.5 },
      { id: 'z', fraction: -0.5 },
    ],
  },
};
const Q3: AttemptQuestion = {
  id: 'q3',
  version: 1,
  type: 'truefalse',
  category: '安全',
  prompt: '密码应定期更换。',
  points: 1,
  imageId: null,
  options: [
    { id: 'true', text: '正确' },
    { id: 'false', text: '错误' },
  ],
  feedback: null,
  key: { type: 'truefalse', correct: true },
};
const Q4: AttemptQuestion = {
  id: 'q4',
  version: 1,
  type: 'short',
  category: '安全',
  prompt: '复制的快捷键？',
  points: 1,
  imageId: null,
  options: null,
  feedback: null,
  key: { type: 'short', accepted: ['Ctrl+C'] },
};

const single = (optionId: string): Response => ({ type: 'single', optionId });
const multiple = (...optionIds: string[]): Response => ({ type: 'multiple', optionIds });
const tf = (value: boolean): Response => ({ type: 'truefalse', value });
const short = (text: string): Response => ({ type: 'short', text });

let n = 0;
function attempt(
  score: number,
  percent: number,
  answers: [AttemptQuestion, Response | null, number | null][],
  questions: AttemptQuestion[] = [Q1, Q2, Q3, Q4],
): GradedAttempt {
  n++;
  return {
    id: `att${n}`,
    startedAt: new Date(Date.UTC(2027, 0, 5, 1, n)),
    score,
    percent,
    passed: percent >= 60,
    questions,
    answers: answers.map(([q, response, fraction]) => ({ questionId: q.id, response, fraction })),
  };
}

/**
 * The known set (the e2e test builds the same), scores per question:
 *         q1(1) q2(2) q3(1) q4(1)  total  percent
 *   A1     1     2     1     1      5     100
 *   A2     1     1     0     -      2      40
 *   A3     0     0     1     0      1      20
 *   A4     -     1     1     1      3      60
 */
function knownSet(): GradedAttempt[] {
  return [
    attempt(5, 100, [
      [Q1, single('a'), 1],
      [Q2, multiple('x', 'y'), 1],
      [Q3, tf(true), 1],
      [Q4, short('ctrl+c'), 1],
    ]),
    attempt(2, 40, [
      [Q1, single('a'), 1],
      [Q2, multiple('x'), 0.5],
      [Q3, tf(false), 0],
    ]),
    attempt(1, 20, [
      [Q1, single('b'), 0],
      [Q2, multiple('x', 'z'), 0],
      [Q3, tf(true), 1],
      [Q4, short('Ctrl+V'), 0],
    ]),
    attempt(3, 60, [
      [Q1, null, null],
      [Q2, multiple('x', 'y', 'z'), 0.5],
      [Q3, tf(true), 1],
      [Q4, short('Ctrl+C'), 1],
    ]),
  ];
}

describe('pearson', () => {
  it('is 1 / −1 on perfectly related values and null when it cannot be worked out', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1], [1])).toBeNull();
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(pearson([1, 2, 3], [5, 5, 5])).toBeNull();
    // Equal values whose float mean is off in the last bit still count as not varying.
    expect(pearson([0.1, 0.1, 0.1], [1, 2, 3])).toBeNull();
  });
});

describe('quizStatistics on the known set (hand-computed)', () => {
  const s = quizStatistics(knownSet());
  const q = (id: string) => s.questions.find((x) => x.questionId === id)!;

  it('quiz level: attempts, mean and median percent, passes', () => {
    expect(s).toMatchObject({ attempts: 4, meanPercent: 55, medianPercent: 50, passed: 2 });
    expect(s.questions.map((x) => x.questionId)).toEqual(['q1', 'q2', 'q3', 'q4']);
  });

  it('q1 single: facility 50, SD 57.74, discrimination 19.25, options picked', () => {
    // x = [1,1,0,0], rest = [4,1,1,3]: Sxy = 0.5, Sxx = 1, Syy = 6.75, r = 0.5 / √6.75.
    expect(q('q1')).toMatchObject({
      type: 'single',
      points: 1,
      attempts: 4,
      answered: 3,
      meanScore: 0.5,
      meanFraction: 0.5,
      facilityIndex: 50,
    });
    expect(q('q1').standardDeviation).toBeCloseTo(57.7350269, 6);
    expect(q('q1').discriminationIndex).toBeCloseTo(19.245009, 5);
    expect(q('q1').options).toEqual([
      { id: 'a', text: '文件', correct: true, picked: 2, share: 0.5 },
      { id: 'b', text: '编辑', correct: false, picked: 1, share: 0.25 },
      { id: 'c', text: '视图', correct: false, picked: 0, share: 0 },
    ]);
  });

  it('q2 multiple: mean score in points, partial credit, each ticked option counted', () => {
    // x = [2,1,0,1], rest = [3,1,1,2]: Sxy = 2, Sxx = 2, Syy = 2.75, r = 2 / √5.5.
    expect(q('q2')).toMatchObject({ attempts: 4, answered: 4, meanScore: 1, meanFraction: 0.5, facilityIndex: 50 });
    expect(q('q2').standardDeviation).toBeCloseTo(40.824829, 5);
    expect(q('q2').discriminationIndex).toBeCloseTo(85.2802865, 5);
    expect(q('q2').options).toEqual([
      { id: 'x', text: 'Edge', correct: true, picked: 4, share: 1 },
      { id: 'y', text: 'Firefox', correct: true, picked: 2, share: 0.5 },
      { id: 'z', text: 'Word', correct: false, picked: 2, share: 0.5 },
    ]);
  });

  it('q3 true/false: a discrimination of exactly 0 is 0, not null', () => {
    // x = [1,0,1,1], rest = [4,2,0,2]: Sxy = 0.
    expect(q('q3')).toMatchObject({ answered: 4, meanScore: 0.75, facilityIndex: 75, discriminationIndex: 0 });
    expect(q('q3').options).toEqual([
      { id: 'true', text: '正确', correct: true, picked: 3, share: 0.75 },
      { id: 'false', text: '错误', correct: false, picked: 1, share: 0.25 },
    ]);
  });

  it('q4 short: no options; an attempt without its answer row counts in attempts, not in answered', () => {
    // x = [1,0,0,1], rest = [4,2,1,2]: Sxy = 1.5, Sxx = 1, Syy = 4.75.
    expect(q('q4')).toMatchObject({ attempts: 4, answered: 3, facilityIndex: 50, options: null });
    expect(q('q4').discriminationIndex).toBeCloseTo(68.8247202, 5);
  });
});

describe('quizStatistics edges', () => {
  it('no attempts: no questions, null means', () => {
    expect(quizStatistics([])).toEqual({
      attempts: 0,
      meanPercent: null,
      medianPercent: null,
      passed: 0,
      questions: [],
    });
  });

  it('one attempt: SD and discrimination null; odd count median is the middle one', () => {
    const s = quizStatistics([attempt(1, 100, [[Q1, single('a'), 1]], [Q1])]);
    expect(s.questions[0]).toMatchObject({
      attempts: 1,
      facilityIndex: 100,
      standardDeviation: null,
      discriminationIndex: null,
    });
    const three = quizStatistics([attempt(1, 10, [], [Q1]), attempt(1, 90, [], [Q1]), attempt(1, 30, [], [Q1])]);
    expect(three.medianPercent).toBe(30);
  });

  it('everyone scoring the same on a question: SD 0, discrimination null', () => {
    const s = quizStatistics(
      [
        attempt(2, 100, [
          [Q1, single('a'), 1],
          [Q3, tf(true), 1],
        ]),
        attempt(1, 50, [
          [Q1, single('a'), 1],
          [Q3, tf(false), 0],
        ]),
      ].map((a) => ({ ...a, questions: [Q1, Q3] })),
    );
    expect(s.questions[0]).toMatchObject({ questionId: 'q1', standardDeviation: 0, discriminationIndex: null });
  });

  it('a random draw: each question counts only the attempts that drew it', () => {
    const s = quizStatistics([
      attempt(1, 100, [[Q1, single('a'), 1]], [Q1]),
      attempt(0, 0, [[Q3, tf(false), 0]], [Q3]),
      attempt(1, 100, [[Q3, tf(true), 1]], [Q3]),
    ]);
    expect(s.questions.map((x) => [x.questionId, x.attempts])).toEqual([
      ['q1', 1],
      ['q3', 2],
    ]);
    expect(s.questions[1].options?.map((o) => o.share)).toEqual([0.5, 0.5]);
  });

  it('a fraction never stored is worked out from the snapshot key', () => {
    const s = quizStatistics([attempt(2, 100, [[Q2, multiple('x', 'y'), null]], [Q2])]);
    expect(s.questions[0]).toMatchObject({ meanScore: 2, meanFraction: 1 });
  });

  it('cleared answers, an empty tick list and blank text are not answered', () => {
    const s = quizStatistics([
      attempt(0, 0, [
        [Q1, null, 0],
        [Q2, multiple(), 0],
        [Q3, null, null],
        [Q4, short('  '), 0],
      ]),
    ]);
    expect(s.questions.map((x) => x.answered)).toEqual([0, 0, 0, 0]);
    expect(s.questions.every((x) => x.meanScore === 0)).toBe(true);
  });

  it('a repeated option id in a response counts once; an id the question did not show is ignored', () => {
    const s = quizStatistics([attempt(0, 0, [[Q2, multiple('x', 'x', 'nope'), 0.5]], [Q2])]);
    expect(s.questions[0].options?.map((o) => o.picked)).toEqual([1, 0, 0]);
  });

  it('true/false without stored options shows the two standard ones', () => {
    const bare = { ...Q3, options: null };
    const s = quizStatistics([attempt(1, 100, [[bare, tf(true), 1]], [bare])]);
    expect(s.questions[0].options?.map((o) => [o.id, o.picked, o.correct])).toEqual([
      ['true', 1, true],
      ['false', 0, false],
    ]);
  });

  it('questions follow the fixed positions when given, else where the earliest attempt showed them', () => {
    const shuffled = [attempt(0, 0, [], [Q3, Q1, Q2]), attempt(0, 0, [], [Q2, Q4, Q1])];
    expect(quizStatistics(shuffled).questions.map((x) => x.questionId)).toEqual(['q3', 'q1', 'q2', 'q4']);
    const positions = new Map([
      ['q1', 0],
      ['q2', 1],
      ['q3', 2],
    ]);
    expect(quizStatistics(shuffled, positions).questions.map((x) => x.questionId)).toEqual(['q1', 'q2', 'q3', 'q4']);
  });

  it('an edited question reports its newest prompt, points and option texts; scores use each attempt’s own points', () => {
    const v2: AttemptQuestion = {
      ...Q1,
      version: 2,
      prompt: '新题干',
      points: 2,
      options: [
        { id: 'a', text: '文件（新）' },
        { id: 'b', text: '编辑' },
      ],
    };
    const later = attempt(2, 100, [[v2, single('a'), 1]], [v2]);
    const earlier = attempt(1, 100, [[Q1, single('a'), 1]], [Q1]);
    const s = quizStatistics([later, earlier]);
    expect(s.questions[0]).toMatchObject({ prompt: '新题干', points: 2, meanScore: 1.5, meanFraction: 1 });
    expect(s.questions[0].options?.map((o) => [o.id, o.text, o.picked])).toEqual([
      ['a', '文件（新）', 2],
      ['b', '编辑', 0],
      ['c', '视图', 0],
    ]);
  });
});
