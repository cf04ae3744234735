import type { Language } from '../../common/i18n/i18n.loader';
import type { PageRenderer } from '../page-renderer';

/** The years a console filter offers: four back, this one and the next (a plan is made ahead). */
export function yearChoices(current: number, chosen: number): { value: number; selected: boolean }[] {
  const years = Array.from({ length: 6 }, (_, i) => current + 1 - i);
  if (!years.includes(chosen)) years.push(chosen);
  return years.sort((a, b) => b - a).map((value) => ({ value, selected: value === chosen }));
}

/** `?year=2026` as a year the reports take (2000–2100), else undefined. */
export function yearParam(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !/^\d{4}$/.test(raw)) return undefined;
  const year = Number(raw);
  return year >= 2000 && year <= 2100 ? year : undefined;
}

/** `?page=3` as a page number (1 when absent or not a positive whole number, at most 100000). */
export function pageParam(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw)) return 1;
  return Math.min(Math.max(1, Number(raw)), 100_000);
}

/** A console list's pager: the previous and next pages' addresses (keeping the other filters), and "page 2 of 5 (93)". */
export function consolePager(
  pages: PageRenderer,
  lang: Language,
  path: string,
  params: Record<string, string | number | undefined>,
  page: { name?: string; page: number; pageSize: number; total: number },
): { prev: string | null; next: string | null; text: string } | null {
  const count = Math.max(1, Math.ceil(page.total / page.pageSize));
  if (count <= 1 && page.page <= 1) return null;
  const name = page.name ?? 'page';
  const href = (n: number) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params))
      if (value !== undefined && value !== '') query.set(key, String(value));
    query.set(name, String(n));
    return `${path}?${query.toString()}`;
  };
  return {
    prev: page.page > 1 ? href(Math.min(page.page - 1, count)) : null,
    next: page.page < count ? href(page.page + 1) : null,
    text: pages.t(lang, 'console_pageOf', { page: page.page, pages: count, total: page.total }),
  };
}
