import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { IS_PUBLIC } from '../common/auth/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
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
 * A form route (FormPost) taking JSON instead gets text fields only, else 400.
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
      // A form route reads its fields as text (FormFields): a JSON body with a number, a list or
      // an object in a field's place is 400, not a TypeError (500) in the page's code.
      if (request.routeOptions.config?.acceptsForm && !isTextFields(body)) {
        throw new DomainError('VALIDATION_FAILED', 'invalid');
      }
    }
    return true;
  }
}

/** Whether a body is what an HTML form posts: nothing, or an object whose every field is text. */
function isTextFields(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  if (typeof body !== 'object' || Array.isArray(body)) return false;
  return Object.values(body).every((value) => typeof value === 'string');
}

/** The context a page renders with, from a request the guard has seen (no form token on public pages: they make their own). */
export function pageContextOf(request: PageRequest): PageContext {
  return { lang: languageOf(request.headers), user: request.user, csrf: request.webSession?.csrf ?? '' };
}
