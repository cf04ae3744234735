import { idOf, pageNumber, pager } from './courses-common';
import { localDayOf, localDays, localDayTime } from './local-words';

describe('courses pages: inputs and words', () => {
  it('reads ?page= as a whole number from 1, or refuses it', () => {
    expect(pageNumber(undefined)).toBe(1);
    expect(pageNumber('')).toBe(1);
    expect(pageNumber('3')).toBe(3);
    for (const bad of ['0', '-1', '1.5', '1e3', 'abc', '9999999', ['2']]) expect(pageNumber(bad)).toBeUndefined();
  });

  it('takes ids that are UUIDs only, in lower case', () => {
    expect(idOf('0A1B2C3D-0000-4000-8000-000000000000')).toBe('0a1b2c3d-0000-4000-8000-000000000000');
    expect(idOf('not-an-id')).toBeUndefined();
  });

  it('links previous and next pages, and none for a list that fits one page', () => {
    expect(pager('/messages', 1, 20, 20)).toBeNull();
    expect(pager('/messages', 1, 20, 21)).toEqual({ prev: null, next: '/messages?page=2', page: 1, pages: 2 });
    expect(pager('/messages', 2, 20, 21)).toEqual({ prev: '/messages?page=1', next: null, page: 2, pages: 2 });
    // Past the end: back to the last page.
    expect(pager('/messages', 5, 20, 21)).toEqual({ prev: '/messages?page=2', next: null, page: 5, pages: 2 });
  });

  it('writes dates in the centre’s zone, with the year only when it is not this year’s', () => {
    const zone = 'Asia/Shanghai';
    const now = new Date('2026-12-01T04:00:00Z');
    // 23:30 UTC is the next morning in Shanghai.
    expect(localDayTime(new Date('2026-11-30T23:30:00Z'), 'zh-CN', zone, now)).toBe('12月1日 07:30');
    expect(localDayTime(new Date('2026-11-30T23:30:00Z'), 'en', zone, now)).toBe('1 Dec 07:30');
    expect(localDayOf(new Date('2025-03-02T02:00:00Z'), 'zh-CN', zone, now)).toBe('2025年3月2日');
    expect(localDays('2026-12-04', '2026-12-31', 'zh-CN', zone, now)).toBe('12月4日 至 12月31日');
    expect(localDays('2026-12-04', '2026-12-04', 'en', zone, now)).toBe('4 Dec');
  });
});
