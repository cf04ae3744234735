import { createHash } from 'node:crypto';
import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AttendanceService } from '../attendance/attendance.service';
import { ATTENDED } from '../attendance/attendance.types';
import type { CheckInCodeDto, SessionAttendanceDto } from '../attendance/dto/attendance.dto';
import type { AuthUser } from '../common/auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { type PageContext, PageRenderer } from './page-renderer';
import { TrainerSessions } from './trainer-sessions';
import { FormPost, WebPages } from './web-pages.decorator';
import { pageContextOf, type PageRequest } from './web-session.guard';
import { PageRoles } from './page-roles';
import { PageId } from './page-id.pipe';
import { SessionErrors } from '../classes/classes.errors';

/** How many of the latest names the screen lists. */
const LATEST = 5;

/** Who has checked in, as the screen shows it: "已签到 12 / 30" and the latest names. */
export interface LiveCount {
  checkedIn: number;
  total: number;
  latest: string[];
}

/** The code of the moment, for the screen's script; `open: false` once the window has closed. */
export type LiveCode =
  { open: true; code: string; svg: string; link: string; msLeft: number; closesAt: Date } | { open: false };

function liveCount(view: SessionAttendanceDto): LiveCount {
  const here = view.records.filter((r) => r.status !== null && ATTENDED.includes(r.status));
  here.sort((a, b) => (b.recordedAt?.getTime() ?? 0) - (a.recordedAt?.getTime() ?? 0));
  return {
    checkedIn: here.length,
    total: view.records.length,
    latest: here.slice(0, LATEST).map((r) => r.displayName),
  };
}

/**
 * 签到码: the trainer's screen for self check-in, held up on a phone or shown on a projector.
 * A form opens check-in (AttendanceService.openCheckIn, as `POST /api/sessions/:id/check-in-code`);
 * the page then shows the QR code (inline SVG, filling the screen), its six digits, and
 * "已签到 12 / 30" with the latest names. The code changes every 30 s: the page's script fetches
 * the new one when the server says the step ends (`…/qr/code`) and polls the count
 * (`…/qr/live`, with an ETag); without JavaScript the page reloads itself (a meta refresh) at
 * each change. Another form closes check-in.
 */
@WebPages()
@PageRoles(['trainer', 'admin'], 'live_forStaffText')
@Controller()
export class CheckInQrController {
  constructor(
    private readonly attendance: AttendanceService,
    private readonly trainerSessions: TrainerSessions,
    private readonly pages: PageRenderer,
  ) {}

  @Get('sessions/:id/qr')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
    @Query('closed') closed?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const notice = closed === '1' ? this.pages.t(context.lang, 'qr_closed_notice') : undefined;
    await this.render(request, reply, context, id, { notice });
  }

  /** 打开签到: opens a window (or keeps the open one), then shows the page with its code. */
  @FormPost('sessions/:id/qr')
  async open(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
  ) {
    const context = pageContextOf(request);
    try {
      await this.attendance.openCheckIn(request.user!, id, undefined);
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind !== 'conflict') throw e;
      // Too early, over, cancelled: the page, saying why and what to do.
      const { message, next } = this.pages.refusal(context.lang, e, 'qr_', this.trainerSessions.openingArgs(e));
      const error = { message, hint: next };
      return this.render(request, reply, context, id, { error }, 409);
    }
    void reply.redirect(`/sessions/${id}/qr`, 303);
  }

  /** 结束签到: the window closes, its codes stop working at once. */
  @FormPost('sessions/:id/qr/close')
  async close(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
  ) {
    await this.attendance.closeCheckIn(request.user!, id);
    void reply.redirect(`/sessions/${id}/qr?closed=1`, 303);
  }

  /** The code of the moment, as JSON for the page's script (never cached: it changes every 30 s). */
  @Get('sessions/:id/qr/code')
  async code(
    @Req() request: PageRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
  ): Promise<LiveCode> {
    const current = await this.current(request.user!, id);
    void reply.header('cache-control', 'no-store');
    return current ? { open: true, ...this.codeView(current) } : { open: false };
  }

  /**
   * Who has checked in, as JSON for the page's script; answers 304 when nothing changed since
   * the ETag the script sends back (most polls), so a poll costs a few hundred bytes.
   */
  @Get('sessions/:id/qr/live')
  async live(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
  ) {
    const actor = request.user!;
    const body = JSON.stringify(liveCount(await this.attendance.view(actor, id, false, 'take')));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    void reply.header('etag', etag).header('cache-control', 'no-cache').header('vary', 'Cookie');
    if (request.headers['if-none-match'] === etag) return void reply.code(304).send();
    void reply.header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private async current(actor: AuthUser, id: string): Promise<CheckInCodeDto | null> {
    return this.attendance.currentCheckIn(actor, id);
  }

  private codeView(c: CheckInCodeDto) {
    return {
      code: c.code,
      svg: c.qrSvg,
      link: c.qrPayload,
      msLeft: Math.max(0, c.rotatesAt.getTime() - this.trainerSessions.now().getTime()),
      closesAt: c.windowClosesAt,
    };
  }

  private async render(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    id: string,
    messages: { notice?: string; error?: { message: string; hint: string } },
    status = 200,
  ): Promise<void> {
    const actor = request.user!;
    const { card } = await this.trainerSessions.cardOf(actor, id, context);
    const current = await this.attendance.currentCheckIn(actor, id);
    const count = liveCount(await this.attendance.view(actor, id, false, 'take'));
    const code = current ? this.codeView(current) : undefined;
    const view = {
      title: this.pages.t(context.lang, 'qr_title'),
      session: card,
      sessionId: id,
      code,
      // Without JavaScript: the page again just after the code changes.
      refreshSeconds: code ? Math.ceil(code.msLeft / 1000) + 1 : undefined,
      closesAt: current ? this.trainerSessions.time(current.windowClosesAt) : undefined,
      count,
      ...messages,
      scripts: code ? ['qr.js'] : [],
    };
    this.pages.send(request, reply, 'check-in-qr', context, view, status);
  }
}
