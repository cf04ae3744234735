import { Injectable } from '@nestjs/common';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Env, publicBaseUrl } from '../config/env';
import { csrfToken, csrfValid, formBinding, randomToken, RANDOM_TOKEN, sessionBinding } from './csrf';
import { webKey } from './web-keys';

/** The signed-in browser's cookie: the session token (base64url of 32 random bytes). */
export const SESSION_COOKIE = 'lms_session';
/** Before signing in: the random value the login form's token is bound to. */
export const FORM_COOKIE = 'lms_form';
/** How long a session lasts without being used (moved on at each use). */
export const SESSION_DAYS = 30;
/** How long a login form stays usable. */
const FORM_COOKIE_SECONDS = 2 * 60 * 60;

/**
 * The pages' cookies and form tokens. Cookies are HttpOnly (no script reads them),
 * SameSite=Lax (sent when a scanned link is opened, never with another site's POST) and
 * Secure when the browser came over HTTPS: the request's own protocol, which honours
 * X-Forwarded-Proto from a proxy TRUST_PROXY names, or a PUBLIC_BASE_URL that is https.
 */
@Injectable()
export class WebCookies {
  private readonly key: Buffer;
  private readonly httpsSite: boolean;

  constructor(env: Env) {
    this.key = webKey(env);
    this.httpsSite = publicBaseUrl(env).startsWith('https:');
  }

  private options(request: FastifyRequest, maxAge: number): CookieSerializeOptions {
    return {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: this.httpsSite || request.protocol === 'https',
      maxAge,
    };
  }

  sessionOf(request: FastifyRequest): string | undefined {
    return request.cookies[SESSION_COOKIE];
  }

  setSession(request: FastifyRequest, reply: FastifyReply, token: string): void {
    void reply.setCookie(SESSION_COOKIE, token, this.options(request, SESSION_DAYS * 86_400));
  }

  clearSession(request: FastifyRequest, reply: FastifyReply): void {
    void reply.clearCookie(SESSION_COOKIE, this.options(request, 0));
  }

  /** A signed-in browser's form token. */
  sessionToken(sessionId: string): string {
    return csrfToken(this.key, sessionBinding(sessionId));
  }

  sessionTokenValid(sessionId: string, given: unknown): boolean {
    return csrfValid(this.key, sessionBinding(sessionId), given);
  }

  /** The form token before signing in, setting (or keeping) the cookie it is bound to. */
  formToken(request: FastifyRequest, reply: FastifyReply): string {
    let value = request.cookies[FORM_COOKIE];
    if (!value || !RANDOM_TOKEN.test(value)) {
      value = randomToken();
      void reply.setCookie(FORM_COOKIE, value, this.options(request, FORM_COOKIE_SECONDS));
    }
    return csrfToken(this.key, formBinding(value));
  }

  formTokenValid(request: FastifyRequest, given: unknown): boolean {
    const value = request.cookies[FORM_COOKIE];
    return !!value && RANDOM_TOKEN.test(value) && csrfValid(this.key, formBinding(value), given);
  }
}
