import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { IS_PUBLIC } from '../common/auth/auth.decorators';
import { languageOf } from '../common/i18n/translator';
import type { PageContext } from './page-renderer';
import { CsrfRejected, LoginRequired } from './page-errors';
import { WebCookies } from './web-cookies';
import { WebSessionsService } from './web-sessions.service';

/** A page request as the guard leaves it: the signed-in user and its session, when there is one. */
export type PageRequest = FastifyRequest & { user?: AuthUser; webSession?: { id: string; csrf: string } };

/**
 * Every page's guard (applied by WebPages()). Resolves the `lms_session` cookie to its user
 * (one query, refusing deactivated users and revoked sessions); a page not marked @Public()
 * without one is a LoginRequired (a redirect to /login). Every POST must carry the form
 * token, in the `_csrf` field or an `X-CSRF-Token` header: the session's, or on a public
 * page (the login form) the one bound to the `lms_form` cookie. Otherwise CsrfRejected (403).
 */
@Injectable()
export class WebSessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: WebSessionsService,
    private readonly cookies: WebCookies,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<PageRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const token = this.cookies.sessionOf(request);
    const session = token ? await this.sessions.resolve(token) : undefined;
    if (token && !session) this.cookies.clearSession(request, reply);
    if (token && session?.refreshed) this.cookies.setSession(request, reply, token);
    if (session) {
      request.user = session.user;
      request.webSession = { id: session.id, csrf: this.cookies.sessionToken(session.id) };
    }
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (!session && !isPublic) throw new LoginRequired();
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const body = request.body as Record<string, unknown> | undefined;
      const given = body?._csrf ?? request.headers['x-csrf-token'];
      const ok = isPublic
        ? this.cookies.formTokenValid(request, given)
        : this.cookies.sessionTokenValid(session!.id, given);
      if (!ok) throw new CsrfRejected();
    }
    return true;
  }
}

/** The context a page renders with, from a request the guard has seen (no form token on public pages: they make their own). */
export function pageContextOf(request: PageRequest): PageContext {
  return { lang: languageOf(request.headers), user: request.user, csrf: request.webSession?.csrf ?? '' };
}
