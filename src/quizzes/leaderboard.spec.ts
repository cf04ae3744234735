import {
  type BestAttempt,
  competitionRanks,
  etagOf,
  matchesIfNoneMatch,
  rankTownships,
  rankTrainees,
} from './leaderboard';

const T0 = Date.UTC(2027, 0, 5, 1, 0, 0);
/** A best attempt started `startS` seconds after T0 that took `takenS` seconds. */
function best(
  traineeId: string,
  score: number,
  startS: number,
  takenS: number,
  township: string | null = 'T1',
  over: Partial<BestAttempt> = {},
): BestAttempt {
  return {
    traineeId,
    displayName: traineeId,
    townshipId: township,
    townshipName: township && `镇${township}`,
    score,
    maxScore: 10,
    percent: score * 10,
    bestPercent: score * 10,
    startedAt: new Date(T0 + startS * 1000),
    finishedAt: new Date(T0 + (startS + takenS) * 1000),
    ...over,
  };
}

const order = (r: ({ rank: number; traineeId: string } | { rank: number; townshipId: string })[]) =>
  r.map((x) => `${x.rank}:${'traineeId' in x ? x.traineeId : x.townshipId}`);

describe('competitionRanks', () => {
  it('gives equal items the same rank and skips the places they took (1, 1, 3)', () => {
    expect(competitionRanks([5, 5, 4, 4, 4, 1], (a, b) => a === b)).toEqual([1, 1, 3, 3, 3, 6]);
    expect(competitionRanks([], () => true)).toEqual([]);
    expect(competitionRanks([1], () => true)).toEqual([1]);
    expect(competitionRanks([3, 3, 3], (a, b) => a === b)).toEqual([1, 1, 1]);
  });
});

describe('rankTrainees', () => {
  it('ranks by score first, whatever the time', () => {
    expect(order(rankTrainees([best('slow-high', 9, 0, 600), best('fast-low', 8, 0, 10)]))).toEqual([
      '1:slow-high',
      '2:fast-low',
    ]);
  });

  it('among equal scores, the shorter time taken wins, even if it finished later', () => {
    const r = rankTrainees([best('early-slow', 8, 0, 300), best('late-fast', 8, 500, 100)]);
    expect(order(r)).toEqual(['1:late-fast', '2:early-slow']);
  });

  it('equal score and time: the earlier finish wins', () => {
    const r = rankTrainees([best('later', 8, 60, 120), best('earlier', 8, 0, 120)]);
    expect(order(r)).toEqual(['1:earlier', '2:later']);
  });

  it('equal on all three share a rank and the next one is counted past them (1, 1, 3)', () => {
    const r = rankTrainees([best('c', 7, 0, 100), best('b', 8, 0, 100), best('a', 8, 0, 100), best('d', 8, 0, 101)]);
    expect(order(r)).toEqual(['1:a', '1:b', '3:d', '4:c']);
  });

  it('time taken counts milliseconds', () => {
    const r = rankTrainees([best('b', 8, 0, 100.002), best('a', 8, 0, 100.001)]);
    expect(order(r)).toEqual(['1:a', '2:b']);
    expect(r[0].timeTakenSeconds).toBeCloseTo(100.001, 6);
  });

  it('answers the fields of the line, finishedAt as given', () => {
    const a = best('a', 7.5, 0, 90, 'T2', { maxScore: 8, percent: 93.75 });
    expect(rankTrainees([a])).toEqual([
      {
        rank: 1,
        traineeId: 'a',
        displayName: 'a',
        townshipId: 'T2',
        townshipName: '镇T2',
        score: 7.5,
        maxScore: 8,
        percent: 93.75,
        timeTakenSeconds: 90,
        finishedAt: a.finishedAt,
      },
    ]);
  });

  it('an empty contest has no lines', () => {
    expect(rankTrainees([])).toEqual([]);
  });
});

describe('rankTownships', () => {
  it("ranks by the mean of each trainee's best percent, with the trainee count", () => {
    const r = rankTownships([
      best('a', 9, 0, 1, 'T1'),
      best('b', 5, 0, 1, 'T1'),
      best('c', 8, 0, 1, 'T2'),
      best('d', 6, 0, 1, 'T3'),
    ]);
    expect(r).toEqual([
      { rank: 1, townshipId: 'T2', name: '镇T2', trainees: 1, meanPercent: 80 },
      { rank: 2, townshipId: 'T1', name: '镇T1', trainees: 2, meanPercent: 70 },
      { rank: 3, townshipId: 'T3', name: '镇T3', trainees: 1, meanPercent: 60 },
    ]);
  });

  it('uses bestPercent, not the score: maximum scores may differ between draws', () => {
    const r = rankTownships([
      best('a', 9, 0, 1, 'T1', { maxScore: 18, percent: 50, bestPercent: 50 }),
      best('b', 5, 0, 1, 'T2', { maxScore: 5, percent: 100, bestPercent: 100 }),
    ]);
    expect(order(r)).toEqual(['1:T2', '2:T1']);
  });

  it('equal means share a rank, even when a float sum would differ in the last bit', () => {
    const r = rankTownships([
      best('a', 0, 0, 1, 'T1', { bestPercent: 0.1 }),
      best('b', 0, 0, 1, 'T1', { bestPercent: 0.2 }),
      best('c', 0, 0, 1, 'T2', { bestPercent: 0.15 }),
      best('d', 0, 0, 1, 'T3', { bestPercent: 0.1 }),
    ]);
    expect(order(r)).toEqual(['1:T1', '1:T2', '3:T3']);
    expect(r[0].meanPercent).toBe(0.15);
  });

  it('rounds the mean to 7 decimals', () => {
    const r = rankTownships([
      best('a', 0, 0, 1, 'T1', { bestPercent: 100 }),
      best('b', 0, 0, 1, 'T1', { bestPercent: 0 }),
      best('c', 0, 0, 1, 'T1', { bestPercent: 0 }),
    ]);
    expect(r[0].meanPercent).toBe(33.3333333);
  });

  it('leaves out trainees whose attempt had no township', () => {
    expect(rankTownships([best('a', 9, 0, 1, null)])).toEqual([]);
  });
});

describe('etagOf and matchesIfNoneMatch', () => {
  const body = { a: 1, b: [1, 2] };
  const tag = etagOf(body);

  it('is a quoted strong tag that changes with the body', () => {
    expect(tag).toMatch(/^"[\w-]{43}"$/);
    expect(etagOf({ a: 1, b: [1, 2] })).toBe(tag);
    expect(etagOf({ a: 1, b: [2, 1] })).not.toBe(tag);
  });

  it('matches the same tag, a weak form of it, one of a list, or *', () => {
    expect(matchesIfNoneMatch(tag, tag)).toBe(true);
    expect(matchesIfNoneMatch(`W/${tag}`, tag)).toBe(true);
    expect(matchesIfNoneMatch(`"x", ${tag} , "y"`, tag)).toBe(true);
    expect(matchesIfNoneMatch('*', tag)).toBe(true);
  });

  it('does not match no header, another tag, or the tag unquoted', () => {
    expect(matchesIfNoneMatch(undefined, tag)).toBe(false);
    expect(matchesIfNoneMatch('', tag)).toBe(false);
    expect(matchesIfNoneMatch('"other"', tag)).toBe(false);
    expect(matchesIfNoneMatch(tag.slice(1, -1), tag)).toBe(false);
  });
});
