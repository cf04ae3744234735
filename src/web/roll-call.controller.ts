import { Body, Controller, HttpCode, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isUUID } from 'class-validator';
import { AttendanceService } from '../attendance/attendance.service';
import { ATTENDANCE_STATUSES, type AttendanceStatus } from '../attendance/attendance.types';
import type { MarkRecordDto, SessionAttendanceDto } from '../attendance/dto/attendance.dto';
import type { AuthUser } from '../common/auth/auth-user';
import { DomainError, ERROR_KIND_STATUS } from '../common/errors/domain-error';
import { EnrolmentsService } from '../enrolments/enrolments.service';
import type { FormFields } from './forms';
import { type PageContext, PageRenderer } from './page-renderer';
import { TrainerSessions } from './trainer-sessions';
import { FormPost, WebPages } from './web-pages.decorator';
import { pageContextOf, type PageRequest } from './web-session.guard';
import { PageRoles } from './page-roles';
import { PageId } from './page-id.pipe';
import { SessionErrors } from '../classes/classes.errors';

/** A roster row as the JS-off form sent it back: what the page showed, to tell a change from a stale value. */
interface ShownRow {
  version: number;
  status: AttendanceStatus | null;
}

/**
 * The hidden `roster` field: `enrolmentId:version:status` for every row the page showed,
 * comma-separated (one field rather than one per name: forms are limited to 200 fields).
 */
export function parseRoster(text: string | undefined): Map<string, ShownRow> | undefined {
  const rows = new Map<string, ShownRow>();
  if (!text) return rows;
  if (text.length > 60_000) return undefined;
  for (const part of text.split(',')) {
    const [id, version, status] = part.split(':');
    if (!isUUID(id) || !/^\d{1,9}$/.test(version ?? '')) return undefined;
    if (status !== '' && !(ATTENDANCE_STATUSES as readonly string[]).includes(status)) return undefined;
    rows.set(id.toLowerCase(), { version: Number(version), status: (status || null) as AttendanceStatus | null });
  }
  return rows;
}

const invalid = () => new DomainError('VALIDATION_FAILED', 'invalid');

/**
 * 点名 for the session's trainer (or an admin of the class's county): the roster by township,
 * one row per name. With JavaScript each tap on a name moves it on (到 → 迟到 → 请假 → 缺席)
 * and is saved at once (`POST …/roll-call/mark`, JSON); without, it is a form of radio groups
 * saved with one button. Both go through AttendanceService (mark, markAllPresent), the rules of
 * `PUT /api/sessions/:id/attendance` (who may mark, from when attendance opens before the start,
 * not for cancelled sessions, the session's lock, the trail).
 */
@WebPages()
@PageRoles(['trainer', 'admin'], 'live_forStaffText')
@Controller()
export class RollCallController {
  constructor(
    private readonly attendance: AttendanceService,
    private readonly enrolments: EnrolmentsService,
    private readonly trainerSessions: TrainerSessions,
    private readonly pages: PageRenderer,
  ) {}

  @Get('sessions/:id/roll-call')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
    @Query('saved') saved?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const notice = /^\d{1,4}$/.test(saved ?? '') ? this.savedNotice(context, Number(saved)) : undefined;
    await this.render(request, reply, context, id, { notice });
  }

  /**
   * The JS-off form: the radio groups (only the names whose choice differs from what the page
   * showed are written, each at the version shown, so a check-in made meanwhile is not
   * overwritten unseen), or `action=all` for "all present". Then back to the page (303).
   */
  @FormPost('sessions/:id/roll-call')
  async save(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    try {
      let saved: number;
      if (body.action === 'all') {
        saved = (await this.attendance.markAllPresent(actor, id)).marked;
      } else {
        const shown = parseRoster(body.roster);
        if (!shown) throw invalid();
        const records: MarkRecordDto[] = [];
        for (const [enrolmentId, row] of shown) {
          const chosen = body[`s_${enrolmentId}`];
          if (chosen === undefined || chosen === (row.status ?? '')) continue;
          if (!(ATTENDANCE_STATUSES as readonly string[]).includes(chosen)) throw invalid();
          records.push({ enrolmentId, status: chosen as AttendanceStatus, version: row.version });
        }
        if (records.length > 0) await this.attendance.mark(actor, id, records);
        saved = records.length;
      }
      void reply.redirect(`/sessions/${id}/roll-call?saved=${saved}`, 303);
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind === 'not_found' || e.kind === 'forbidden') throw e;
      // Refused (too early, changed meanwhile…): the page again, as it is now, saying why.
      const error = this.refusal(context, e);
      await this.render(request, reply, context, id, { error }, ERROR_KIND_STATUS[e.kind]);
    }
  }

  /** One tap, from the page's script: `{enrolmentId, status}`; answers the counts and every row's status. */
  @Post('sessions/:id/roll-call/mark')
  @HttpCode(200)
  async mark(
    @Req() request: PageRequest,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
    @Body() body: unknown,
  ): Promise<RollCallState> {
    const { enrolmentId, status } = (body ?? {}) as Record<string, unknown>;
    if (typeof enrolmentId !== 'string' || !isUUID(enrolmentId)) throw invalid();
    if (typeof status !== 'string' || !(ATTENDANCE_STATUSES as readonly string[]).includes(status)) throw invalid();
    const actor = request.user!;
    const after = await this.attendance.mark(actor, id, [
      { enrolmentId: enrolmentId.toLowerCase(), status: status as AttendanceStatus },
    ]);
    return stateOf(after);
  }

  /** "全部到" from the page's script: every name not marked yet becomes 到; answers as `mark`. */
  @Post('sessions/:id/roll-call/all-present')
  @HttpCode(200)
  async markAllPresent(
    @Req() request: PageRequest,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
  ): Promise<RollCallState> {
    const actor = request.user!;
    return stateOf((await this.attendance.markAllPresent(actor, id)).attendance);
  }

  /** The seated trainees (by township, then name) with their records. */
  private async roster(actor: AuthUser, sessionId: string) {
    const view = await this.attendance.view(actor, sessionId, false, 'take');
    const seated = await this.enrolments.seated(view.classId);
    const byEnrolment = new Map(view.records.map((r) => [r.enrolmentId, r]));
    const rows = seated.map((e) => {
      const r = byEnrolment.get(e.id);
      return {
        enrolmentId: e.id,
        name: e.displayName,
        townshipName: e.townshipName,
        status: r?.status ?? null,
        version: r?.version ?? 0,
        self: r?.source === 'self',
      };
    });
    return { view, rows };
  }

  private async render(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    sessionId: string,
    messages: { notice?: string; error?: { message: string; hint: string } },
    status = 200,
  ): Promise<void> {
    const actor = request.user!;
    const { session, card } = await this.trainerSessions.cardOf(actor, sessionId, context);
    const { rows } = await this.roster(actor, sessionId);
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const label = (s: AttendanceStatus | null) => t(`rollcall_status_${s ?? 'none'}`);
    const groups: { township: string; rows: unknown[]; count: number }[] = [];
    for (const r of rows) {
      if (groups.at(-1)?.township !== r.townshipName) groups.push({ township: r.townshipName, rows: [], count: 0 });
      const group = groups.at(-1)!;
      group.count += 1;
      group.rows.push({
        ...r,
        statusKey: r.status ?? 'none',
        label: label(r.status),
        choices: ATTENDANCE_STATUSES.map((s) => ({ value: s, label: label(s), checked: s === r.status })),
      });
    }
    const count = (s: AttendanceStatus | null) => rows.filter((r) => r.status === s).length;
    const counts = [...ATTENDANCE_STATUSES, null].map((s) => ({ key: s ?? 'none', label: label(s), n: count(s) }));
    const opensAt = this.attendance.marksOpenAt(session);
    const minutes = Math.round((session.startsAt.getTime() - opensAt.getTime()) / 60_000);
    const view = {
      title: t('rollcall_title'),
      session: card,
      sessionId,
      groups,
      empty: rows.length === 0,
      counts,
      unmarked: count(null),
      total: rows.length,
      roster: rows.map((r) => `${r.enrolmentId}:${r.version}:${r.status ?? ''}`).join(','),
      labels: JSON.stringify(Object.fromEntries(counts.map((c) => [c.key, c.label]))),
      tooEarly:
        this.trainerSessions.now() < opensAt
          ? t('rollcall_too_early', { time: this.trainerSessions.time(opensAt), minutes })
          : undefined,
      notice: messages.notice,
      error: messages.error,
      scripts: ['rollcall.js'],
    };
    this.pages.send(request, reply, 'roll-call', context, view, status);
  }

  private savedNotice(context: PageContext, saved: number): string {
    return saved === 0
      ? this.pages.t(context.lang, 'rollcall_saved_none')
      : this.pages.t(context.lang, 'rollcall_saved', { count: saved });
  }

  /** A refusal as the page's error box shows it: the message, and what to do next (`rollcall_next_<CODE>`). */
  private refusal(context: PageContext, e: DomainError): { message: string; hint: string } {
    const { message, next } = this.pages.refusal(context.lang, e, 'rollcall_', this.trainerSessions.openingArgs(e));
    return { message, hint: next };
  }
}

/** What the page's script is told after each save: the counts, and every row's status and version. */
export interface RollCallState {
  counts: SessionAttendanceDto['counts'];
  records: { enrolmentId: string; status: AttendanceStatus | null }[];
}

function stateOf(view: SessionAttendanceDto): RollCallState {
  return {
    counts: view.counts,
    records: view.records.map((r) => ({ enrolmentId: r.enrolmentId, status: r.status })),
  };
}
