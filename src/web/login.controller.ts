import { Body, Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/auth.decorators';
import { AuthService } from '../auth/auth.service';
import { PasswordResetService } from '../auth/password-reset.service';
import { Env } from '../config/env';
import { DomainError } from '../common/errors/domain-error';
import { languageOf } from '../common/i18n/translator';
import { localPath } from './local-path';
import { type FormFields, libraryPhone } from './forms';
import { PageRenderer } from './page-renderer';
import { WebCookies } from './web-cookies';
import { FormPost, WebPages } from './web-pages.decorator';
import type { PageRequest } from './web-session.guard';
import { WebSessionsService } from './web-sessions.service';

/** `139 3700 0003` and `139-3700-0003` are the phone number `13937000003`, as people type it. */
export function loginName(raw: string | undefined): string {
  const text = (raw ?? '').trim();
  return /^[\d\s-]+$/.test(text) ? text.replace(/[\s-]/g, '') : text;
}

/** Signing in and out of the pages. */
@WebPages()
@Controller()
export class LoginController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: WebSessionsService,
    private readonly cookies: WebCookies,
    private readonly pages: PageRenderer,
    private readonly resets: PasswordResetService,
    private readonly env: Env,
  ) {}

  /** The login form; a browser already signed in goes straight on. */
  @Public()
  @Get('login')
  form(@Req() request: PageRequest, @Res() reply: FastifyReply): void {
    const next = this.nextOf(request);
    if (request.user) {
      void reply.redirect(next ?? '/', 303);
      return;
    }
    this.show(request, reply, 200, next);
  }

  /**
   * Checks the phone number (or username) and password with the API's sign-in rules and
   * throttle (AuthService.validateCredentials), then starts a session and goes to `next`
   * (a local path only) or home.
   */
  @Public()
  @FormPost('login')
  async submit(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const next = this.nextOf(request);
    const lang = languageOf(request.headers);
    const username = loginName(body.username);
    const password = body.password ?? '';
    if (!username || !password || username.length > 64 || password.length > 128) {
      this.show(request, reply, 400, next, { message: this.pages.t(lang, 'loginMissing') }, username);
      return;
    }
    let user;
    try {
      user = await this.auth.validateCredentials(username, password, request.ip);
    } catch (e) {
      if (!(e instanceof DomainError) || !['INVALID_CREDENTIALS', 'TOO_MANY_LOGIN_ATTEMPTS'].includes(e.code)) throw e;
      const throttled = e.code === 'TOO_MANY_LOGIN_ATTEMPTS';
      const wait = e.options.details?.retryAfterSeconds;
      if (throttled && typeof wait === 'number') void reply.header('retry-after', String(wait));
      const error = {
        message: this.pages.error(lang, e.code, e.options.args),
        hint: this.pages.t(lang, throttled ? 'loginThrottledHint' : 'loginWrongHint'),
      };
      this.show(request, reply, throttled ? 429 : 401, next, error, username);
      return;
    }
    // A new session for every sign-in (never one handed in before it), and the old one ended.
    const old = this.cookies.sessionOf(request);
    if (old) await this.sessions.end(old);
    this.cookies.setSession(request, reply, await this.sessions.start(user));
    void reply.redirect(next ?? '/', 303);
  }

  /** Ends the session (its row is deleted) and clears the cookie. */
  @FormPost('logout')
  async logout(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const token = this.cookies.sessionOf(request);
    if (token) await this.sessions.end(token);
    this.cookies.clearSession(request, reply);
    void reply.redirect('/login', 303);
  }

  private nextOf(request: PageRequest): string | undefined {
    return localPath((request.query as Record<string, unknown> | undefined)?.next);
  }

  private show(
    request: PageRequest,
    reply: FastifyReply,
    status: number,
    next: string | undefined,
    error?: { message: string; hint?: string },
    username = '',
  ): void {
    const lang = languageOf(request.headers);
    const view = {
      title: this.pages.t(lang, 'loginTitle'),
      action: next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login',
      forCheckIn: next?.startsWith('/c/') ?? false,
      error,
      username,
      // 忘记密码: by SMS code when a gateway is configured, else ask the library (its phone, if known).
      forgot: { bySms: this.resets.bySms, libraryPhone: libraryPhone(this.env) },
    };
    const context = { lang, csrf: this.cookies.formToken(request, reply) };
    this.pages.send(request, reply, 'login', context, view, status);
  }
}
