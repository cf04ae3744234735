import { gradeOf, passes, type FinishedAttempt } from './quiz-grades';

const at = (minute: number) => new Date(Date.UTC(2027, 0, 5, 1, minute));
const attempt = (number: number, percent: number, minute: number): FinishedAttempt => ({
  number,
  percent,
  finishedAt: at(minute),
});

describe('gradeOf', () => {
  const three = [attempt(1, 60, 10), attempt(2, 90, 20), attempt(3, 75, 30)];

  it.each(['highest', 'last', 'first', 'average'] as const)('%s: null without a finished attempt', (method) => {
    expect(gradeOf(method, [])).toBeNull();
  });

  it.each(['highest', 'last', 'first', 'average'] as const)('%s: a single attempt is the grade', (method) => {
    expect(gradeOf(method, [attempt(1, 42.5, 1)])).toBe(42.5);
  });

  it('highest: the best percent, wherever it falls', () => {
    expect(gradeOf('highest', three)).toBe(90);
    expect(gradeOf('highest', [attempt(1, 0, 1), attempt(2, 0, 2)])).toBe(0);
  });

  it('last: the latest finished, whatever the order given', () => {
    expect(gradeOf('last', three)).toBe(75);
    expect(gradeOf('last', [...three].reverse())).toBe(75);
  });

  it('last: by finishedAt, not by number (a later-numbered attempt closed earlier)', () => {
    expect(gradeOf('last', [attempt(1, 50, 40), attempt(2, 80, 30)])).toBe(50);
  });

  it('last: equal finishedAt goes to the higher number', () => {
    expect(gradeOf('last', [attempt(2, 70, 10), attempt(1, 30, 10)])).toBe(70);
  });

  it('first: the earliest finished; equal finishedAt goes to the lower number', () => {
    expect(gradeOf('first', [...three].reverse())).toBe(60);
    expect(gradeOf('first', [attempt(2, 70, 10), attempt(1, 30, 10)])).toBe(30);
    expect(gradeOf('first', [attempt(1, 50, 40), attempt(2, 80, 30)])).toBe(80);
  });

  it('average: the mean of the percents, rounded to 7 decimals at the end', () => {
    expect(gradeOf('average', three)).toBe(75);
    // Thirds: (100 + 0 + 0) / 3 = 33.3333333...
    expect(gradeOf('average', [attempt(1, 100, 1), attempt(2, 0, 2), attempt(3, 0, 3)])).toBe(33.3333333);
    // Stored percents are already 7-decimal values: 66.6666667 + 33.3333333 = 100 exactly after rounding.
    expect(gradeOf('average', [attempt(1, 66.6666667, 1), attempt(2, 33.3333333, 2)])).toBe(50);
    // 0.1 + 0.2 is not 0.3 in binary; the rounding hides it.
    expect(gradeOf('average', [attempt(1, 0.1, 1), attempt(2, 0.2, 2)])).toBe(0.15);
  });

  it('does not reorder the array it is given', () => {
    const given = [attempt(2, 90, 20), attempt(1, 60, 10)];
    gradeOf('last', given);
    gradeOf('first', given);
    expect(given.map((a) => a.number)).toEqual([2, 1]);
  });
});

describe('passes', () => {
  it('at or above the pass mark passes; below fails; no grade never passes', () => {
    expect(passes(60, 60)).toBe(true);
    expect(passes(60.0000001, 60)).toBe(true);
    expect(passes(59.9999999, 60)).toBe(false);
    expect(passes(0, 0)).toBe(true);
    expect(passes(100, 100)).toBe(true);
    expect(passes(null, 0)).toBe(false);
  });
});
