import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { sendAsFile, XLSX_TYPE } from '../common/http/download';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiFileResponse, ApiJsonOrFileResponse } from '../common/openapi/api-docs.decorators';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { AttendanceSummaryService } from './attendance-summary.service';
import { AttendanceService } from './attendance.service';
import {
  AttendanceEntryDto,
  AttendanceQueryDto,
  AttendanceSummaryDto,
  CheckInCodeDto,
  CheckInDto,
  MarkAttendanceDto,
  OpenCheckInDto,
  SessionAttendanceDto,
  SummaryQueryDto,
} from './dto/attendance.dto';
import { SignInSheetService } from './sign-in-sheet.service';

@ApiTags('attendance')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api')
export class AttendanceController {
  constructor(
    private readonly attendance: AttendanceService,
    private readonly summaries: AttendanceSummaryService,
    private readonly sheets: SignInSheetService,
  ) {}

  @Put('sessions/:id/attendance')
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: "Mark a session's attendance",
    description: [
      "The session's trainer and admins of the class's county; the class's other trainers may read but not " +
        'mark. A whole roster (up to 1,000 records) in one request and one transaction: all or nothing.',
      '',
      '- Each record is replaced as sent (a left-out `note` clears it); records not sent stay. Re-sending the ' +
        'same values changes nothing, so a retry is harmless.',
      '- Only enrolments holding a seat in the class (confirmed, or completed once it ended).',
      '- From 30 minutes before the session starts, with no end: a completed class can still be corrected. Not ' +
        'for cancelled sessions, nor for draft or cancelled classes.',
      "- Send each record's `version` as you read it (0 when unmarked): if a check-in or another mark changed " +
        'it since, the whole save is refused instead of overwriting it unseen. Without `version` the last save ' +
        'wins. Every change is kept in the trail (`?history=true` on the GET).',
      "- A trainer may correct a trainee's check-in; the answer is the session's attendance after the save.",
      '',
      '**Errors**: `403 NOT_SESSION_TRAINER` (another trainer of the class), `403 FORBIDDEN` (trainees); ' +
        '`404 SESSION_NOT_FOUND`; `409 SESSION_CANCELLED`, `409 ATTENDANCE_CLASS_NOT_ACTIVE` with `status`, ' +
        '`409 ATTENDANCE_TOO_EARLY` with `opensAt`, `409 ATTENDANCE_STALE` with `conflicts: [{enrolmentId, ' +
        'version, status}]`; `422 ATTENDANCE_ENROLMENT_INVALID` with `enrolmentIds` (nothing is written).',
    ].join('\n'),
  })
  @ApiBody({
    type: MarkAttendanceDto,
    examples: {
      roster: {
        summary: 'Three trainees, read at version 0',
        value: {
          records: [
            { enrolmentId: '1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b', status: 'present', version: 0 },
            { enrolmentId: '2a3b4c5d-6e7f-4809-9a1b-2c3d4e5f6a7b', status: 'late', version: 0 },
            { enrolmentId: '3b4c5d6e-7f80-4912-8b2c-3d4e5f6a7b8c', status: 'excused', note: '因病请假', version: 0 },
          ],
        },
      },
    },
  })
  @ApiOkResponse({ type: SessionAttendanceDto, description: 'The session’s attendance after the change' })
  @ApiErrors(403, 404, 409, 422)
  mark(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: MarkAttendanceDto,
  ): Promise<SessionAttendanceDto> {
    return this.attendance.mark(actor, id, dto.records);
  }

  @Get('sessions/:id/attendance')
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: "A session's attendance",
    description:
      "Admins of the class's county and any trainer of the class: every trainee holding a seat (`status: null` " +
      'until marked, `version` to send back when marking), anyone else who has a record (withdrawn since), the ' +
      "counts and the session's person-times (present + late). `history=true` adds the trail of every change, " +
      'oldest first: who, when, old and new status and note, and whether a trainer or a check-in made it. ' +
      '**Errors**: `403 FORBIDDEN` (trainees); `404 SESSION_NOT_FOUND`.',
  })
  @ApiOkResponse({ type: SessionAttendanceDto })
  @ApiErrors(403, 404)
  view(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: AttendanceQueryDto,
  ): Promise<SessionAttendanceDto> {
    return this.attendance.view(actor, id, query.history === 'true');
  }

  @Post('sessions/:id/check-in-code')
  // A replay must not hand out a code that has rotated since: the code fields are never stored.
  @Idempotent({ redact: ['code', 'qrPayload', 'qrSvg'] })
  @Roles('admin', 'trainer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Open self check-in and show its code',
    description: [
      "The session's trainer and admins of the class's county open a check-in window (if none is open) and get " +
        "the code of the moment, to show on screen; the trainer's screen calls this again for each new code.",
      '',
      '- From 30 minutes before the session until its end; a window lasts `windowMinutes` ' +
        '(default `CHECK_IN_WINDOW_MINUTES`, 15) and never past the end of the session.',
      '- Without `windowMinutes`, an open window is kept; with it, a new window opens (the old codes stop).',
      '- The `code` (six digits) and `qrPayload` (the address `PUBLIC_BASE_URL/c/<session>/<code>`, drawn as ' +
        '`qrSvg`) change every 30 s (`rotatesAt`); the previous code is still accepted when typed. Scanning the QR ' +
        "code with any phone (WeChat's scanner included) opens the check-in page: one tap after signing in, and " +
        'the linked code is accepted for 5 minutes (while the window is open), time enough to sign in first.',
      '- Honours `Idempotency-Key`, but a replay never hands out an old code: `code`, `qrPayload` and `qrSvg` ' +
        'come back null (with `codeRedacted: true` and so on).',
      '',
      '**Errors**: `403 NOT_SESSION_TRAINER`; `404 SESSION_NOT_FOUND`; `409 SESSION_CANCELLED`, ' +
        '`409 ATTENDANCE_CLASS_NOT_ACTIVE`, `409 ATTENDANCE_TOO_EARLY` with `opensAt`, ' +
        '`409 CHECK_IN_SESSION_ENDED`; `422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiOkResponse({ type: CheckInCodeDto, description: 'Opens the window if needed; the code of the moment' })
  @ApiErrors(403, 404, 409, 422)
  openCheckIn(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: OpenCheckInDto,
  ): Promise<CheckInCodeDto> {
    return this.attendance.openCheckIn(actor, id, dto.windowMinutes);
  }

  @Delete('sessions/:id/check-in-code')
  @Roles('admin', 'trainer')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Close self check-in',
    description:
      "The session's trainer and admins of the class's county close the window early: its codes stop working " +
      'at once. Closing a session with no open window changes nothing. **Errors**: `403 NOT_SESSION_TRAINER`; ' +
      '`404 SESSION_NOT_FOUND`.',
  })
  @ApiNoContentResponse({ description: 'The check-in window is closed' })
  @ApiErrors(403, 404)
  async closeCheckIn(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<void> {
    await this.attendance.closeCheckIn(actor, id);
  }

  @Post('sessions/:id/check-in')
  @Idempotent()
  @Roles('trainee')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check in to a session',
    description: [
      'A trainee holding a seat in the class sends the code the trainer shows, while a check-in window is open.',
      '',
      '- The current or the previous code counts. The record is `present`, or `late` when more than ' +
        '`CHECK_IN_LATE_AFTER_MINUTES` (10) after the start.',
      "- Checking in twice changes nothing (the first check-in stands); a trainer's mark is never overwritten.",
      '- After `CHECK_IN_MAX_WRONG_CODES` (5) wrong codes for the session, further tries are refused; the ' +
        'trainer can still mark you. Without Redis (which counts them), check-in is unavailable.',
      '- Honours `Idempotency-Key`.',
      '',
      '**Errors**: `400 CHECK_IN_CODE_INVALID` with `attemptsLeft`; `403 NOT_ENROLLED` (no seat), ' +
        '`403 FORBIDDEN` (admins and trainers); `404 SESSION_NOT_FOUND`; `409 CHECK_IN_CLOSED` (no open ' +
        'window), `409 CHECK_IN_SESSION_ENDED`, `409 SESSION_CANCELLED`, `409 ATTENDANCE_CLASS_NOT_ACTIVE`, ' +
        '`409 ATTENDANCE_MARKED_BY_TRAINER` with `status`; `422 IDEMPOTENCY_KEY_REUSED`; ' +
        '`429 CHECK_IN_TOO_MANY_ATTEMPTS`; `503 CHECK_IN_UNAVAILABLE`.',
    ].join('\n'),
  })
  @ApiBody({ type: CheckInDto, examples: { code: { summary: 'The code on the screen', value: { code: '042917' } } } })
  @ApiOkResponse({ type: AttendanceEntryDto, description: 'Your record: present, or late after the grace period' })
  @ApiErrors(403, 404, 409, 422, 429, 503)
  checkIn(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: CheckInDto,
  ): Promise<AttendanceEntryDto> {
    return this.attendance.checkIn(actor, id, dto.code);
  }

  @Get('sessions/:id/sign-in-sheet')
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: "A session's sign-in sheet (PDF)",
    description:
      "Admins of the class's county and the class's trainers: a printable A4 PDF with the class, time, venue, " +
      'trainer and topic (and a note if the session is cancelled), then the trainees holding a seat grouped by ' +
      'township (phone numbers masked) with a column to sign; page numbers, the header on every page. ' +
      '**Errors**: `403 FORBIDDEN` (trainees); `404 SESSION_NOT_FOUND`; `503 PDF_FONT_UNAVAILABLE` (the server ' +
      'lacks the Chinese font).',
  })
  @ApiFileResponse('application/pdf', 'A printable PDF: trainees by township, with a column to sign')
  @ApiErrors(403, 404, 503)
  async signInSheet(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const { filename, pdf } = await this.sheets.render(actor, id);
    sendAsFile(reply, filename, 'application/pdf');
    return pdf;
  }

  @Get('classes/:id/attendance-summary')
  @ApiOperation({
    summary: "A class's attendance summary",
    description: [
      "Admins of the class's county and its trainers see every trainee holding a seat; a trainee holding one " +
        'sees its own line.',
      '',
      '- Counted live over the held sessions (started, not cancelled): per trainee each status, unmarked ' +
        "sessions, person-times, points earned of points possible (the class's `attendancePoints`; a held " +
        "session without a record earns nothing), `rate` and `meetsThreshold` (the class's " +
        '`attendanceThreshold`, needed for a certificate); the same totals per township and for the class.',
      '- `format=xlsx` downloads it as a workbook.',
      '',
      '**Errors**: `403 NOT_ENROLLED` (a trainee without a seat); `404 CLASS_NOT_FOUND`.',
    ].join('\n'),
  })
  @ApiJsonOrFileResponse(AttendanceSummaryDto, [XLSX_TYPE], 'format=xlsx downloads it as a workbook')
  @ApiErrors(403, 404)
  async summary(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: SummaryQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AttendanceSummaryDto | Buffer> {
    if (query.format !== 'xlsx') return this.summaries.summary(actor, id);
    const { filename, body } = await this.summaries.workbook(actor, id);
    sendAsFile(reply, filename, XLSX_TYPE);
    return body;
  }
}
