import type { Clock } from '../../common/time/clock';
import { DomainError, ERROR_KIND_STATUS } from '../../common/errors/domain-error';
import type { Language } from '../../common/i18n/i18n.loader';
import { currentYear } from '../../common/time/zoned-time';
import type { Env } from '../../config/env';
import type { PageRenderer } from '../page-renderer';

/**
 * What every console area (src/web/console/*) reads and shows the same way: `?page=` and its
 * pager (partials/console-pager.hbs), `?year=` and the year select, `?done=` notices after a
 * redirect, and a service's refusal in words with its status. Pure, pinned by console-common.spec.ts.
 */

/** The highest `?page=` a list takes. */
export const MAX_PAGE = 100_000;

/**
 * `?page=3` as a page number: absent or empty is the first page, a whole number from 1 to
 * MAX_PAGE is that page, anything else is undefined (most lists then show their first page;
 * the classes list answers 400 and says so).
 */
export function pageParam(raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return 1;
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw)) return undefined;
  const page = Number(raw);
  return page >= 1 && page <= MAX_PAGE ? page : undefined;
}

/** What partials/console-pager.hbs shows: prev/next addresses and "第 N 页，共 M 页（T 条）". */
export interface ConsolePager {
  prev: string | null;
  next: string | null;
  page: number;
  pages: number;
  total: number;
}

/**
 * A console list's pager: the previous and next pages' addresses keeping the other filters
 * (`params`, empty ones dropped), the page parameter named `name` (default `page`); null when
 * everything fits on the first page.
 */
export function consolePager(
  path: string,
  params: Record<string, string | number | undefined>,
  list: { page: number; pageSize: number; total: number; name?: string },
): ConsolePager | null {
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  if (pages <= 1 && list.page <= 1) return null;
  const href = (n: number) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params))
      if (value !== undefined && value !== '') query.set(key, String(value));
    query.set(list.name ?? 'page', String(n));
    return `${path}?${query.toString()}`;
  };
  return {
    prev: list.page > 1 ? href(Math.min(list.page - 1, pages)) : null,
    next: list.page < pages ? href(list.page + 1) : null,
    page: list.page,
    pages,
    total: list.total,
  };
}

/** The years a report or plan can be asked for (the API's range). */
export const YEAR_RANGE = { min: 2000, max: 2100 } as const;

/**
 * `?year=2026` as typed: undefined when absent or empty (each page picks its default, mostly
 * this year), the year when four digits in YEAR_RANGE, else null (a mistake: each page keeps
 * its own answer to it).
 */
export function parseYear(raw: unknown): number | null | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{4}$/.test(raw.trim())) return null;
  const year = Number(raw.trim());
  return year >= YEAR_RANGE.min && year <= YEAR_RANGE.max ? year : null;
}

/** A year select's choices: next year (a plan is made ahead) back to four years ago, newest first, and the chosen one if elsewhere. */
export function yearChoices(thisYear: number, chosen: number): { value: number; selected: boolean }[] {
  const years = new Set<number>();
  for (let y = thisYear + 1; y >= thisYear - 4; y--) years.add(y);
  years.add(chosen);
  return [...years].sort((a, b) => b - a).map((value) => ({ value, selected: value === chosen }));
}

/** "This year" for the centre: the calendar year in its zone (TZ_DEFAULT) at the clock's now. */
export function thisYear(env: Env, clock: Clock): number {
  return currentYear(env.TZ_DEFAULT, clock.now());
}

/**
 * The notice a page shows after a redirect with `?done=<raw>`: the catalogue's `<prefix><raw>`
 * (prefixes end in `done_`), or undefined when there is none, or when its words need values the
 * address does not carry (a `{placeholder}` left unfilled).
 */
export function doneNotice(pages: PageRenderer, lang: Language, prefix: string, raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !/^[a-zA-Z]{1,32}$/.test(raw)) return undefined;
  const key = `${prefix}${raw}`;
  if (!pages.has(lang, key)) return undefined;
  const text = pages.t(lang, key);
  return /\{\w+\}/.test(text) ? undefined : text;
}

/** A service's refusal as a page says it, and the status to answer with. */
export interface Refusal {
  code: string;
  message: string;
  next: string;
  status: number;
}

/**
 * A caught error as a refusal: its message (the API's words), what to do next
 * (`<prefix>next_<CODE>`, else the general hint) and its status. Anything but a DomainError is
 * thrown on (the page filter answers it as a 500).
 */
export function refusalOf(pages: PageRenderer, lang: Language, e: unknown, prefix: string): Refusal {
  if (!(e instanceof DomainError)) throw e;
  return { code: e.code, ...pages.refusal(lang, e, prefix), status: ERROR_KIND_STATUS[e.kind] };
}
