import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AllExceptionsFilter } from '../common/errors/all-exceptions.filter';
import { DomainError, ERROR_KIND_STATUS } from '../common/errors/domain-error';
import { Translator } from '../common/i18n/translator';
import { localPath } from './local-path';
import { CsrfRejected, LoginRequired, WrongRole } from './page-errors';
import { PageRenderer, type PageView } from './page-renderer';
import { pageContextOf, type PageRequest } from './web-session.guard';

/** Where to sign in to come back to `path` (a local path, else home). */
export function loginAddress(path: string): string {
  const next = localPath(path);
  return next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login';
}

/**
 * Where to come back to after signing in: the page asked for, or for a form posted without a
 * session, the check-in step it belongs to (the same address shows it again); other forms
 * (sign-out) start from home.
 */
function resumeAfterLogin(request: PageRequest): string {
  if (request.method === 'GET' || request.method === 'HEAD') return request.url;
  return /^\/(c\/|check-in(\?|$))/.test(request.url) ? request.url : '/';
}

/**
 * Whether the client would rather have JSON than HTML: a page's own script calling a page route
 * with `fetch(…, { headers: { Accept: 'application/json' } })` (answers saved as given, polls).
 */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return /application\/json/i.test(accept) && !/text\/html|application\/xhtml\+xml/i.test(accept);
}

/**
 * Errors on pages become pages (a page's script asking for JSON gets the API's error body
 * instead, with `UNAUTHORIZED` 401 for no session, `CSRF_REJECTED` 403 and `FORBIDDEN` 403 for a page of another role): no session, a redirect (303) to the login page that comes
 * back here; a page of another role (@PageRoles), 403 saying whom it is for; a form without its token, 403 "this page has expired" with a button to open it
 * again; a domain error, its message (the same Chinese or English text the API gives) at its
 * status; anything else, a plain 500 page, logged.
 */
@Catch()
@Injectable()
export class WebPageFilter implements ExceptionFilter {
  private readonly logger = new Logger(WebPageFilter.name);

  private readonly json: AllExceptionsFilter;

  constructor(
    private readonly pages: PageRenderer,
    translator: Translator,
  ) {
    this.json = new AllExceptionsFilter(translator);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<PageRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (prefersJson(request.headers.accept)) {
      if (exception instanceof LoginRequired)
        return this.json.catch(new DomainError('UNAUTHORIZED', 'unauthorized'), host);
      if (exception instanceof CsrfRejected)
        return this.json.catch(new DomainError('CSRF_REJECTED', 'forbidden'), host);
      if (exception instanceof WrongRole) return this.json.catch(new DomainError('FORBIDDEN', 'forbidden'), host);
      return this.json.catch(exception, host);
    }
    if (exception instanceof LoginRequired) {
      void reply.redirect(loginAddress(resumeAfterLogin(request)), 303);
      return;
    }
    const context = pageContextOf(request);
    const t = (key: string) => this.pages.t(context.lang, key);
    // An admin's error in the console stays in the console's layout (its menu leads on).
    const layout = request.user?.role === 'admin' && request.url.startsWith('/console') ? 'console' : undefined;
    const answer = (view: PageView, status: number) =>
      this.pages.send(request, reply, 'message', context, { ...view, layout }, status);
    if (exception instanceof CsrfRejected) {
      const again = { href: localPath(request.url) ?? '/', label: t('tryAgain') };
      const view = { title: t('expiredTitle'), heading: t('expiredTitle'), lines: [t('expiredText')], action: again };
      answer(view, 403);
      return;
    }
    if (exception instanceof WrongRole) {
      const view = { title: t(exception.heading), heading: t(exception.heading), lines: [t(exception.text)] };
      answer(view, 403);
      return;
    }
    if (exception instanceof DomainError) {
      const message = this.pages.errorMessage(context.lang, exception);
      const view = { title: t('errorTitle'), heading: t('errorTitle'), lines: [message] };
      answer(view, ERROR_KIND_STATUS[exception.kind]);
      return;
    }
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    if (status === 404) {
      const view = { title: t('notFoundTitle'), heading: t('notFoundTitle'), lines: [t('notFoundText')] };
      answer(view, 404);
      return;
    }
    if (status >= 500) request.log.error({ err: exception }, 'Unhandled error on a page');
    else this.logger.debug({ err: exception, msg: 'Refused page request' });
    const view = { title: t('errorTitle'), heading: t('errorTitle'), lines: [t('errorText')] };
    answer(view, status);
  }
}
