import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { AreaPages, pageNumber, pager } from './courses-common';
import { localDayOf, localDays, localDayTime } from './local-words';
import type { PageRenderer } from './page-renderer';
import type { PageRequest } from './web-session.guard';

describe('courses pages: inputs and words', () => {
  it('reads ?page= as a whole number from 1, or refuses it', () => {
    expect(pageNumber(undefined)).toBe(1);
    expect(pageNumber('')).toBe(1);
    expect(pageNumber('3')).toBe(3);
    for (const bad of ['0', '-1', '1.5', '1e3', 'abc', '9999999', ['2']]) expect(pageNumber(bad)).toBeUndefined();
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

  describe('the start of a paged list', () => {
    /** A renderer that records what it sends and writes a key with its arguments as the words. */
    function area() {
      const sent: { page: string; status: number | undefined; lines: unknown }[] = [];
      const renderer = {
        t: (lang: string, key: string, args: Record<string, unknown> = {}) => `${lang}:${key}${JSON.stringify(args)}`,
        send: (_q: unknown, _r: unknown, page: string, _c: unknown, view: { lines: unknown }, status?: number) =>
          sent.push({ page, status, lines: view.lines }),
      } as unknown as PageRenderer;
      return { pages: new AreaPages(renderer), sent };
    }
    const reply = {} as FastifyReply;
    const as = (role: AuthUser['role'], headers: Record<string, string> = {}) =>
      ({
        headers,
        user: { id: 'u1', role } as AuthUser,
        webSession: { id: 's1', csrf: 'k' },
      }) as unknown as PageRequest;

    it('gives the context, the reader, the page and words in the reader’s language, to every role', () => {
      const { pages, sent } = area();
      const start = pages.listStart(as('trainee', { 'accept-language': 'en' }), reply, '/results', '2');
      expect(start).toMatchObject({ actor: { id: 'u1' }, page: 2, context: { lang: 'en', csrf: 'k' } });
      expect(start!.t('results_title', { n: 1 })).toBe('en:results_title{"n":1}');
      expect(pages.listStart(as('trainee'), reply, '/results', undefined)!.page).toBe(1);
      expect(pages.listStart(as('trainer'), reply, '/messages', '1')).toMatchObject({ page: 1 });
      expect(pages.listStart(as('admin'), reply, '/messages', '1')).toMatchObject({ page: 1 });
      expect(sent).toEqual([]);
    });

    it('answers 400 for a page number that is not one', () => {
      const { pages, sent } = area();
      expect(pages.listStart(as('trainee'), reply, '/courses', 'abc')).toBeUndefined();
      expect(sent).toEqual([{ page: 'message', status: 400, lines: ['zh-CN:courses_badPageText{}'] }]);
    });
  });
});
