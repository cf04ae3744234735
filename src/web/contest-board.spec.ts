import { boardTagOf, contestState, duration, localWhen, pageEtag, pageEtagSuffix, percentText } from './contest-board';

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

  it('writes times, durations and percents as the board shows them', () => {
    const now = new Date('2026-03-12T02:00:00Z');
    const zone = 'Asia/Shanghai';
    expect(localWhen(new Date('2026-03-12T01:00:00Z'), 'zh-CN', zone, now, '今天')).toBe('今天 09:00');
    expect(localWhen(new Date('2026-03-13T01:00:00Z'), 'zh-CN', zone, now, '今天')).toBe('3月13日 09:00');
    expect(localWhen(new Date('2026-03-13T01:00:00Z'), 'en', zone, now, 'today')).toBe('13 Mar 09:00');
    // 16:30 UTC is already the next day in Shanghai; 15:30 UTC is still today.
    expect(localWhen(new Date('2026-03-12T15:30:00Z'), 'zh-CN', zone, now, '今天')).toBe('今天 23:30');
    expect(localWhen(new Date('2026-03-12T16:30:00Z'), 'zh-CN', zone, now, '今天')).toBe('3月13日 00:30');
    expect(duration(185)).toBe('3:05');
    expect(duration(3725.4)).toBe('1:02:05');
    expect(duration(-1)).toBe('0:00');
    expect(percentText(87.54)).toBe('87.5');
    expect(percentText(100)).toBe('100');
  });
});
