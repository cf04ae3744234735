import { Body, Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthService, PASSWORD_MAX, PASSWORD_MIN } from '../auth/auth.service';
import { PasswordResetService, phoneDigits, RESET_CODE_MINUTES } from '../auth/password-reset.service';
import { Public } from '../common/auth/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
import type { Language } from '../common/i18n/i18n.loader';
import { languageOf } from '../common/i18n/translator';
import { Env } from '../config/env';
import { type FormFields, libraryPhone } from './forms';
import { PageRenderer } from './page-renderer';
import { WebCookies } from './web-cookies';
import { FormPost, WebPages } from './web-pages.decorator';
import { pageContextOf, type PageRequest } from './web-session.guard';
import { WebSessionsService } from './web-sessions.service';

/** `13937000003` as `139****0003` (a number shown back on the screen, not in full). */
export function maskPhone(digits: string): string {
  return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-4)}` : digits;
}

/** A problem with what was typed: the message and what to do next. */
interface Problem {
  message: string;
  hint?: string;
}

/**
 * 改密码 (`/me/password`, signed in) and 忘记密码 (`/forgot-password`, signed out). Both end
 * every other session and token of the account (AuthService.changePassword and
 * PasswordResetService.reset raise its token version) and leave this phone signed in with a
 * new session.
 */
@WebPages()
@Controller()
export class PasswordController {
  constructor(
    private readonly auth: AuthService,
    private readonly resets: PasswordResetService,
    private readonly sessions: WebSessionsService,
    private readonly cookies: WebCookies,
    private readonly pages: PageRenderer,
    private readonly env: Env,
  ) {}

  // -------------------------------------------------------------------------------------------
  // 改密码

  @Get('me/password')
  changeForm(@Req() request: PageRequest, @Res() reply: FastifyReply): void {
    this.showChange(request, reply, 200);
  }

  /** Current password, new one twice; wrong current → 400 (counted like a failed sign-in), throttled → 429. */
  @FormPost('me/password')
  async change(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const lang = languageOf(request.headers);
    const current = body.current ?? '';
    const password = body.password ?? '';
    const problem =
      !current || current.length > PASSWORD_MAX
        ? { message: this.pages.t(lang, 'password_currentMissing') }
        : this.newPasswordProblem(lang, password, body.password2);
    if (problem) return this.showChange(request, reply, 400, problem);
    let result: { tokenVersion: number };
    try {
      result = await this.auth.changePassword(request.user!, current, password, request.ip);
    } catch (e) {
      if (!(e instanceof DomainError) || !['INVALID_CREDENTIALS', 'TOO_MANY_LOGIN_ATTEMPTS'].includes(e.code)) throw e;
      if (e.code === 'INVALID_CREDENTIALS') {
        return this.showChange(request, reply, 400, {
          message: this.pages.t(lang, 'password_currentWrong'),
          hint: this.pages.t(lang, 'password_currentWrongHint'),
        });
      }
      const wait = e.options.details?.retryAfterSeconds;
      if (typeof wait === 'number') void reply.header('retry-after', String(wait));
      return this.showChange(request, reply, 429, {
        message: this.pages.error(lang, e.code, e.options.args),
        hint: this.pages.t(lang, 'loginThrottledHint'),
      });
    }
    await this.signInAgain(request, reply, request.user!.id, result.tokenVersion);
    void reply.redirect('/me?done=password', 303);
  }

  // -------------------------------------------------------------------------------------------
  // 忘记密码

  /** By SMS: the phone number form. Without an SMS gateway: ask the library (its phone number). */
  @Public()
  @Get('forgot-password')
  forgotForm(@Req() request: PageRequest, @Res() reply: FastifyReply): void {
    this.showForgot(request, reply, 200);
  }

  /**
   * Sends a code when the number is an account's; the next page (the code form) is the same
   * either way. A number that is not one → 400; past the limits → 429.
   */
  @Public()
  @FormPost('forgot-password')
  async sendCode(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const lang = languageOf(request.headers);
    if (!this.resets.bySms) return this.showForgot(request, reply, 404);
    const phone = phoneDigits(body.phone);
    if (!phone) {
      return this.showForgot(request, reply, 400, { message: this.pages.t(lang, 'forgot_phoneShape') }, body.phone);
    }
    try {
      await this.resets.request(phone, request.ip, (code) =>
        this.pages.t(lang, 'forgot_sms', { code, minutes: RESET_CODE_MINUTES }),
      );
    } catch (e) {
      const problem = this.limited(reply, lang, e);
      return this.showForgot(request, reply, problem.status, problem, body.phone);
    }
    this.showCode(request, reply, 200, phone);
  }

  /** The code and a new password: signs in with a new session, every older one ended. */
  @Public()
  @FormPost('forgot-password/reset')
  async reset(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const lang = languageOf(request.headers);
    if (!this.resets.bySms) return this.showForgot(request, reply, 404);
    const phone = phoneDigits(body.phone);
    if (!phone) {
      return this.showForgot(request, reply, 400, { message: this.pages.t(lang, 'forgot_phoneShape') }, body.phone);
    }
    const code = (body.code ?? '').replace(/\s/g, '');
    const problem = !/^\d{6}$/.test(code)
      ? { message: this.pages.t(lang, 'forgot_codeShape') }
      : this.newPasswordProblem(lang, body.password ?? '', body.password2);
    if (problem) return this.showCode(request, reply, 400, phone, problem, code);
    let outcome;
    try {
      outcome = await this.resets.reset(phone, code, body.password ?? '', request.ip);
    } catch (e) {
      const limited = this.limited(reply, lang, e);
      return this.showCode(request, reply, limited.status, phone, limited, code);
    }
    if (!outcome.ok) {
      return this.showCode(request, reply, 400, phone, {
        message: this.pages.t(lang, 'forgot_codeWrong'),
        hint: this.pages.t(lang, 'forgot_codeWrongHint'),
      });
    }
    await this.signInAgain(request, reply, outcome.userId, outcome.tokenVersion);
    void reply.redirect('/me?done=reset', 303);
  }

  // -------------------------------------------------------------------------------------------

  /** Ends every session of the account and starts one for this phone (a new cookie). */
  private async signInAgain(request: PageRequest, reply: FastifyReply, userId: string, tokenVersion: number) {
    await this.sessions.endAllOf(userId);
    this.cookies.setSession(request, reply, await this.sessions.start({ id: userId, tokenVersion }));
  }

  /** What is wrong with a new password typed twice, if anything (the product's rule: 8–128 characters). */
  private newPasswordProblem(lang: Language, password: string, again: string | undefined): Problem | undefined {
    if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
      return {
        message: this.pages.t(lang, 'password_newLength', { min: PASSWORD_MIN, max: PASSWORD_MAX }),
      };
    }
    if (password !== (again ?? '')) return { message: this.pages.t(lang, 'password_newMismatch') };
    return undefined;
  }

  /** 429 (and Retry-After) or 503 from the reset service, as a problem to show; anything else is thrown on. */
  private limited(reply: FastifyReply, lang: Language, e: unknown): Problem & { status: number } {
    if (!(e instanceof DomainError) || !['TOO_MANY_REQUESTS', 'SERVICE_UNAVAILABLE'].includes(e.code)) throw e;
    const wait = e.options.details?.retryAfterSeconds;
    if (typeof wait === 'number') {
      void reply.header('retry-after', String(wait));
      return {
        status: 429,
        message: this.pages.t(lang, 'forgot_tooMany', { minutes: Math.max(1, Math.ceil(wait / 60)) }),
        hint: this.pages.t(lang, 'forgot_askLibrary'),
      };
    }
    return {
      status: 503,
      message: this.pages.error(lang, e.code),
      hint: this.pages.t(lang, 'forgot_askLibrary'),
    };
  }

  private showChange(request: PageRequest, reply: FastifyReply, status: number, error?: Problem): void {
    const context = pageContextOf(request);
    const view = {
      title: this.pages.t(context.lang, 'password_title'),
      tab: 'me' as const,
      error,
      min: PASSWORD_MIN,
    };
    this.pages.send(request, reply, 'me-password', context, view, status);
  }

  private showForgot(request: PageRequest, reply: FastifyReply, status: number, error?: Problem, phone = ''): void {
    const lang = languageOf(request.headers);
    const view = {
      title: this.pages.t(lang, 'forgot_title'),
      bySms: this.resets.bySms,
      libraryPhone: libraryPhone(this.env),
      error,
      phone: phone.slice(0, 30),
    };
    const context = { lang, csrf: this.cookies.formToken(request, reply) };
    this.pages.send(request, reply, 'forgot-password', context, view, status);
  }

  private showCode(
    request: PageRequest,
    reply: FastifyReply,
    status: number,
    phone: string,
    error?: Problem,
    code = '',
  ): void {
    const lang = languageOf(request.headers);
    const view = {
      title: this.pages.t(lang, 'forgot_codeTitle'),
      phone,
      masked: maskPhone(phone),
      minutes: RESET_CODE_MINUTES,
      min: PASSWORD_MIN,
      error,
      code: /^\d{0,6}$/.test(code) ? code : '',
    };
    const context = { lang, csrf: this.cookies.formToken(request, reply) };
    this.pages.send(request, reply, 'forgot-password-code', context, view, status);
  }
}
