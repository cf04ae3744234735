import { localDayTime, localDayWithYear, localWeekday, percentText, scoreText } from './local-words';

describe('local words', () => {
  const zone = 'Asia/Shanghai';

  it('writes an instant as a date and time, naming today when given the word', () => {
    const now = new Date('2026-03-12T02:00:00Z');
    expect(localDayTime(new Date('2026-03-12T01:00:00Z'), 'zh-CN', zone, now, '今天')).toBe('今天 09:00');
    expect(localDayTime(new Date('2026-03-12T01:00:00Z'), 'zh-CN', zone, now)).toBe('3月12日 09:00');
    expect(localDayTime(new Date('2026-03-13T01:00:00Z'), 'zh-CN', zone, now, '今天')).toBe('3月13日 09:00');
    expect(localDayTime(new Date('2026-03-13T01:00:00Z'), 'en', zone, now, 'today')).toBe('13 Mar 09:00');
    // 16:30 UTC is already the next day in Shanghai; 15:30 UTC is still today.
    expect(localDayTime(new Date('2026-03-12T15:30:00Z'), 'zh-CN', zone, now, '今天')).toBe('今天 23:30');
    expect(localDayTime(new Date('2026-03-12T16:30:00Z'), 'zh-CN', zone, now, '今天')).toBe('3月13日 00:30');
    expect(localDayTime(new Date('2027-01-05T01:00:00Z'), 'en', zone, now)).toBe('5 Jan 2027 09:00');
  });

  it('writes a date with its weekday, the year when it is not this year’s, or today and tomorrow named', () => {
    const now = new Date('2026-03-12T02:00:00Z');
    const words = { today: '今天', tomorrow: '明天' };
    expect(localWeekday('2026-03-12', 'zh-CN', zone, now)).toBe('3月12日 周四');
    expect(localWeekday('2026-03-12', 'zh-CN', zone, now, words)).toBe('3月12日 周四（今天）');
    expect(localWeekday(new Date('2026-03-13T01:00:00Z'), 'zh-CN', zone, now, words)).toBe('3月13日 周五（明天）');
    expect(localWeekday('2026-03-12', 'en', zone, now)).toBe('Thu 12 Mar');
    expect(localWeekday('2027-03-12', 'zh-CN', zone, now)).toBe('2027年3月12日 周五');
    expect(localWeekday('2027-03-12', 'en', zone, now)).toBe('Fri 12 Mar 2027');
    expect(localWeekday('2027-03-12', 'en', zone, now, { today: 'today', tomorrow: 'tomorrow' })).toBe('Fri 12 Mar');
  });

  it('writes a date with its year always, for a record', () => {
    expect(localDayWithYear('2027-03-05', 'zh-CN', zone)).toBe('2027年3月5日');
    expect(localDayWithYear('2027-03-05', 'en', zone)).toBe('5 Mar 2027');
  });

  it('writes scores with at most two decimals and percents with one', () => {
    expect(scoreText(8)).toBe('8');
    expect(scoreText(7.25)).toBe('7.25');
    expect(scoreText(2 / 3)).toBe('0.67');
    expect(percentText(87.54)).toBe('87.5');
    expect(percentText(100)).toBe('100');
  });
});
