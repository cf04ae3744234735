import { Body, Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AttendanceService } from '../attendance/attendance.service';
import { parseCheckInLink } from '../attendance/attendance.types';
import type { ClassSession } from '../classes/classes.types';
import { ClassViewsService } from '../classes/class-views.service';
import { DomainError, ERROR_KIND_STATUS } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import { Env } from '../config/env';
import type { FormFields } from './forms';
import { type PageContext, PageRenderer } from './page-renderer';
import { type SessionCard, sessionCard } from './session-card';
import { FormPost, WebPages } from './web-pages.decorator';
import { pageContextOf, type PageRequest } from './web-session.guard';
import { PageRoles } from './page-roles';
import { LocalWords } from './local-words';

/** Codes whose page offers to type the code instead (a fresh one from the trainer's screen may work). */
const TYPE_CODE_HELPS = new Set(['CHECK_IN_CODE_INVALID', 'SESSION_NOT_FOUND']);

/**
 * 签到 for trainees. The trainer's QR code holds `PUBLIC_BASE_URL/c/<session>/<code>`: opening
 * it (after signing in if needed) shows the session and one button; its POST checks in through
 * AttendanceService.checkIn, the same rules as `POST /api/sessions/:id/check-in` (the linked
 * code counts for 5 minutes, time to sign in). `/check-in` is the same with the six digits
 * typed, for phones that cannot scan. Every refusal is a page saying what to do next.
 */
@WebPages()
@PageRoles(['trainee'], 'checkInForTrainees')
@Controller()
export class CheckInController {
  constructor(
    private readonly attendance: AttendanceService,
    private readonly views: ClassViewsService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  @Get('c/:session/:code')
  async confirm(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('session') session: string,
    @Param('code') code: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const link = parseCheckInLink(session, code);
    if (!link) return this.brokenLink(request, reply, context);
    try {
      const own = await this.attendance.ownRecord(request.user!, link.sessionId);
      const card = await this.card(own.session, context);
      if (own.record) return this.done(request, reply, context, card, own.record, true);
      const view = {
        title: this.pages.t(context.lang, 'checkInTitle'),
        session: card,
        action: `/c/${session}/${code}`,
      };
      this.pages.send(request, reply, 'check-in-confirm', context, view);
    } catch (e) {
      this.problem(request, reply, context, e);
    }
  }

  @FormPost('c/:session/:code')
  async checkInByLink(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('session') session: string,
    @Param('code') code: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const link = parseCheckInLink(session, code);
    if (!link) return this.brokenLink(request, reply, context);
    const refused = await this.checkIn(request, reply, context, link.sessionId, link.code, true);
    if (refused) this.problem(request, reply, context, refused);
  }

  /** The form to type the code: the sessions open for check-in now (usually one). */
  @Get('check-in')
  async codeForm(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = pageContextOf(request);
    await this.showCodeForm(request, reply, context, 200);
  }

  @FormPost('check-in')
  async checkInByCode(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const code = (body.code ?? '').replace(/\s/g, '');
    const open = await this.attendance.openCheckInsFor(request.user!);
    // Nothing open (any more): the form says so.
    if (open.length === 0) return this.showCodeForm(request, reply, context, 409);
    const sessionId = open.find((s) => s.id === body.sessionId)?.id ?? (open.length === 1 ? open[0].id : undefined);
    if (!/^\d{6}$/.test(code) || !sessionId) {
      const error = { message: this.pages.t(context.lang, 'checkInCodeShape') };
      return this.showCodeForm(request, reply, context, 400, error);
    }
    const refused = await this.checkIn(request, reply, context, sessionId, code, false);
    if (refused?.code === 'CHECK_IN_CODE_INVALID') {
      // Typed wrong: the same form again, saying how many tries are left.
      const { message, next } = this.pages.refusal(context.lang, refused);
      const error = { message, hint: next };
      return this.showCodeForm(request, reply, context, 400, error);
    }
    if (refused) this.problem(request, reply, context, refused);
  }

  /**
   * Checks in and shows the outcome, or answers the service's refusal for the caller to show.
   * A trainee already checked in is shown that record without trying the code again (a second
   * tap of a link whose code has since expired is harmless).
   */
  private async checkIn(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    sessionId: string,
    code: string,
    fromLink: boolean,
  ): Promise<DomainError | undefined> {
    const actor = request.user!;
    try {
      const own = await this.attendance.ownRecord(actor, sessionId);
      const card = await this.card(own.session, context);
      if (own.record) {
        this.done(request, reply, context, card, own.record, true);
        return undefined;
      }
      const entry = await this.attendance.checkIn(actor, sessionId, code, { fromLink });
      this.done(request, reply, context, card, entry, false);
      return undefined;
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
  }

  private done(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    session: SessionCard,
    record: { status: string | null; recordedAt: Date | null },
    already: boolean,
  ): void {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const heading = t(already ? 'checkInAlreadyTitle' : 'checkInDoneTitle');
    const time = record.recordedAt ? this.words.time(record.recordedAt) : '';
    const lines = [t('checkInDoneAt', { time }), t('checkInStatus', { status: record.status })];
    const view = { title: heading, heading, ok: true, lines, session };
    this.pages.send(request, reply, 'check-in-result', context, view);
  }

  /** A refusal the service raised, as a page: its message (the API's), and what to do next. */
  private problem(request: PageRequest, reply: FastifyReply, context: PageContext, e: unknown): void {
    if (!(e instanceof DomainError)) throw e;
    const { message, next } = this.pages.refusal(context.lang, e);
    const lines = [message, next];
    const heading = this.pages.t(context.lang, 'checkInProblemTitle');
    const view = { title: heading, heading, ok: false, lines, typeCode: TYPE_CODE_HELPS.has(e.code) };
    if (e.code === 'CHECK_IN_TOO_MANY_ATTEMPTS') void reply.header('retry-after', '60');
    this.pages.send(request, reply, 'check-in-result', context, view, ERROR_KIND_STATUS[e.kind]);
  }

  private brokenLink(request: PageRequest, reply: FastifyReply, context: PageContext): void {
    const t = (key: string) => this.pages.t(context.lang, key);
    const heading = t('checkInProblemTitle');
    const lines = [t('checkInLinkBroken'), t('next_CHECK_IN_CODE_INVALID')];
    const view = { title: heading, heading, ok: false, lines, typeCode: true };
    this.pages.send(request, reply, 'check-in-result', context, view, 404);
  }

  private async showCodeForm(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    status: number,
    error?: { message: string; hint?: string },
  ): Promise<void> {
    const open = await this.attendance.openCheckInsFor(request.user!);
    const cards = await Promise.all(open.map((s) => this.card(s, context)));
    const view = {
      title: this.pages.t(context.lang, 'checkInTypeCode'),
      sessions: cards.length > 0 ? cards : null,
      single: cards.length === 1 ? cards[0] : null,
      error,
    };
    this.pages.send(request, reply, 'check-in-code', context, view, status);
  }

  private async card(s: ClassSession, context: PageContext): Promise<SessionCard> {
    const [dto] = await this.views.sessions([s]);
    return sessionCard(dto, context.lang, this.words);
  }
}
