import { DomainError } from '../../common/errors/domain-error';
import type { PageRenderer } from '../page-renderer';
import { consolePager, doneNotice, pageParam, parseYear, refusalOf, yearChoices } from './console-common';

/** A catalogue of a few words, as PageRenderer answers from it. */
const words: Record<string, string> = {
  x_done_saved: 'Saved.',
  x_done_enrolled: '{name} is enrolled.',
  x_next_THING_GONE: 'Go back to the list.',
  nextOther: 'Try again.',
};
const pages = {
  has: (_lang: string, key: string) => key in words,
  t: (_lang: string, key: string) => words[key] ?? key,
  refusal: (_lang: string, e: DomainError, prefix: string) => ({
    message: e.code,
    next: words[`${prefix}next_${e.code}`] ?? words.nextOther,
  }),
} as unknown as PageRenderer;

describe('what every console area reads and shows the same way', () => {
  it('reads ?page=: absent or empty is the first page, a whole number up to 100000 that page, else undefined', () => {
    expect(pageParam('3')).toBe(3);
    expect(pageParam(undefined)).toBe(1);
    expect(pageParam('')).toBe(1);
    expect(pageParam('100000')).toBe(100_000);
    for (const raw of ['0', '-1', '2.5', 'x', '1e3', '100001', '9999999', ['2']])
      expect(pageParam(raw)).toBeUndefined();
  });

  it('pages keep the filters in the address and drop empty ones', () => {
    expect(
      consolePager(
        '/console/questions',
        { courseId: 'c1', q: '', type: 'single' },
        { page: 2, pageSize: 20, total: 45 },
      ),
    ).toEqual({
      prev: '/console/questions?courseId=c1&type=single&page=1',
      next: '/console/questions?courseId=c1&type=single&page=3',
      page: 2,
      pages: 3,
      total: 45,
    });
    expect(consolePager('/console/quizzes', {}, { page: 1, pageSize: 20, total: 20 })).toBeNull();
    expect(consolePager('/console/quizzes', {}, { page: 1, pageSize: 20, total: 0 })).toBeNull();
    // Past the end: a way back to the last page, none further.
    expect(consolePager('/console/quizzes', {}, { page: 9, pageSize: 20, total: 21 })).toMatchObject({
      prev: '/console/quizzes?page=2',
      next: null,
    });
    // A page parameter of its own name; numbers kept, undefined dropped.
    expect(
      consolePager(
        '/console/reports',
        { year: 2026, x: undefined },
        { name: 'eventsPage', page: 1, pageSize: 10, total: 11 },
      ),
    ).toMatchObject({ prev: null, next: '/console/reports?year=2026&eventsPage=2' });
  });

  it('reads ?year=: absent or empty undefined, four digits from 2000 to 2100 that year, anything else null', () => {
    expect(parseYear(undefined)).toBeUndefined();
    expect(parseYear('')).toBeUndefined();
    expect(parseYear('2026')).toBe(2026);
    expect(parseYear(' 2100 ')).toBe(2100);
    expect(parseYear('2000')).toBe(2000);
    for (const bad of ['1999', '2101', '20x6', '26', '2026.5', '-2026', ['2026', '2025']])
      expect(parseYear(bad)).toBeNull();
  });

  it('offers next year back to four years ago, newest first, and keeps a chosen year outside them', () => {
    expect(yearChoices(2026, 2026).map((y) => y.value)).toEqual([2027, 2026, 2025, 2024, 2023, 2022]);
    expect(yearChoices(2026, 2026).filter((y) => y.selected)).toEqual([{ value: 2026, selected: true }]);
    expect(
      yearChoices(2026, 2010)
        .map((y) => y.value)
        .slice(-2),
    ).toEqual([2022, 2010]);
    expect(yearChoices(2026, 2030)[0]).toEqual({ value: 2030, selected: true });
  });

  it('says a ?done= notice the catalogue has, and nothing for one it lacks or one that needs values', () => {
    expect(doneNotice(pages, 'zh-CN', 'x_done_', 'saved')).toBe('Saved.');
    for (const raw of [undefined, '', 'gone', 'enrolled', 'saved!', ['saved'], 'a'.repeat(33)])
      expect(doneNotice(pages, 'zh-CN', 'x_done_', raw)).toBeUndefined();
  });

  it('turns a DomainError into words and its status, and throws anything else on', () => {
    const gone = new DomainError('THING_GONE', 'not_found');
    expect(refusalOf(pages, 'zh-CN', gone, 'x_')).toEqual({
      code: 'THING_GONE',
      message: 'THING_GONE',
      next: 'Go back to the list.',
      status: 404,
    });
    expect(refusalOf(pages, 'zh-CN', new DomainError('OTHER', 'conflict'), 'x_')).toMatchObject({
      next: 'Try again.',
      status: 409,
    });
    const bug = new TypeError('boom');
    expect(() => refusalOf(pages, 'zh-CN', bug, 'x_')).toThrow(bug);
  });
});
