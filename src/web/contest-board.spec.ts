import { boardTagOf, contestState, duration, pageEtag, pageEtagSuffix } from './contest-board';

describe('contest board (live page)', () => {
  const suffix = pageEtagSuffix(['zh-CN', 'open', 'user', 'csrf']);

  it('hides the board’s tag in the page’s, and finds it again only for the same page around it', () => {
    const tag = pageEtag('"AbC_-1"', suffix);
    expect(tag).toBe(`"AbC_-1.${suffix}"`);
    expect(boardTagOf(tag, suffix)).toBe('"AbC_-1"');
    expect(boardTagOf(`W/${tag}`, suffix)).toBe('"AbC_-1"');
    expect(boardTagOf(`"other", ${tag}`, suffix)).toBe('"AbC_-1"');
    const otherPage = pageEtagSuffix(['en', 'open', 'user', 'csrf']);
    expect(otherPage).not.toBe(suffix);
    expect(boardTagOf(tag, otherPage)).toBeUndefined();
    expect(boardTagOf('"AbC_-1"', suffix)).toBeUndefined();
    expect(boardTagOf('*', suffix)).toBeUndefined();
    expect(boardTagOf(undefined, suffix)).toBeUndefined();
  });

  it('tells upcoming, open and closed contests apart at their edges', () => {
    const quiz = { opensAt: new Date('2026-03-12T01:00:00Z'), closesAt: new Date('2026-03-12T03:00:00Z') };
    expect(contestState(quiz, new Date('2026-03-12T00:59:59.999Z'))).toBe('upcoming');
    expect(contestState(quiz, quiz.opensAt)).toBe('open');
    expect(contestState(quiz, new Date('2026-03-12T02:59:59.999Z'))).toBe('open');
    expect(contestState(quiz, quiz.closesAt)).toBe('closed');
  });

  it('writes durations as the board shows them', () => {
    expect(duration(185)).toBe('3:05');
    expect(duration(3725.4)).toBe('1:02:05');
    expect(duration(-1)).toBe('0:00');
  });
});
