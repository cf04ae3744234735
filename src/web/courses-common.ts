import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { DomainError, ERROR_KIND_STATUS } from '../common/errors/domain-error';
import { MAX_PAGE } from '../common/pagination/page.dto';
import type { PageContext, PageRenderer } from './page-renderer';
import { pageContextOf, type PageRequest } from './web-session.guard';

/**
 * What the 课程, 成绩, 证书 and 消息 pages share: the refusal pages (bad page number, a
 * service's domain error with what to do next) and input checks. Who may open a page is the
 * route's @PageRoles; an id in the address goes through PageId.
 */

/** A link of a result page's actions. */
export interface PageAction {
  href: string;
  label: string;
  primary?: boolean;
}

/** `?page=`: absent is 1; anything but a whole number from 1 to MAX_PAGE is undefined (the caller answers 400). */
export function pageNumber(raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return 1;
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 && n <= MAX_PAGE ? n : undefined;
}

/** Previous/next links of a paged list, or null when it fits on one page. */
export function pager(
  path: string,
  page: number,
  pageSize: number,
  total: number,
): { prev: string | null; next: string | null; page: number; pages: number } | null {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1 && page <= 1) return null;
  return {
    prev: page > 1 ? `${path}?page=${Math.min(page - 1, pages)}` : null,
    next: page < pages ? `${path}?page=${page + 1}` : null,
    page,
    pages,
  };
}

/** What a paged list page starts from, once its reader and `?page=` are accepted. */
export interface ListStart {
  context: PageContext;
  actor: AuthUser;
  page: number;
  /** The page's words in the reader's language. */
  t: (key: string, args?: Record<string, string | number>) => string;
}

export class AreaPages {
  constructor(private readonly pages: PageRenderer) {}

  t(context: PageContext, key: string, args: Record<string, string | number> = {}): string {
    return this.pages.t(context.lang, key, args);
  }

  /** `?page=` that is not a page number: 400, with a link to the first page. */
  badPage(request: PageRequest, reply: FastifyReply, context: PageContext, path: string): void {
    const heading = this.t(context, 'courses_badPageTitle');
    const action = { href: path, label: this.t(context, 'courses_firstPage') };
    const view = { title: heading, heading, lines: [this.t(context, 'courses_badPageText')], action };
    this.pages.send(request, reply, 'message', context, view, 400);
  }

  /**
   * The start every paged list shares (课程, 成绩, 消息): the reader's context, the reader, and
   * `?page=`. Undefined once a refusal page is sent: 400 for a bad page number (linking `path`).
   * Who may read the list is the route's @PageRoles.
   */
  listStart(
    request: PageRequest,
    reply: FastifyReply,
    path: string,
    rawPage: string | undefined,
  ): ListStart | undefined {
    const context = pageContextOf(request);
    const actor = request.user!;
    const page = pageNumber(rawPage);
    if (!page) return void this.badPage(request, reply, context, path);
    return { context, actor, page, t: (key, args = {}) => this.t(context, key, args) };
  }

  /** The error's own message (as the API writes it) and what to do next (`courses_next_<CODE>`, else the general hint). */
  explain(context: PageContext, e: DomainError): string[] {
    const { message, next } = this.pages.refusal(context.lang, e, 'courses_');
    return [message, next];
  }

  /** A service's refusal as a page at its status; anything else is thrown on (the page filter answers it). */
  problem(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    e: unknown,
    heading: string,
    actions: PageAction[],
  ): void {
    if (!(e instanceof DomainError)) throw e;
    const view = { title: heading, heading, ok: false, lines: this.explain(context, e), actions };
    this.pages.send(request, reply, 'courses-result', context, view, ERROR_KIND_STATUS[e.kind]);
  }
}
