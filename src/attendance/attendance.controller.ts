import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { sendAsFile, XLSX_TYPE } from '../common/http/download';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors } from '../common/openapi/api-docs.decorators';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { AttendanceSummaryService } from './attendance-summary.service';
import { attendanceSummaryXlsx } from './attendance-summary.export';
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
  @ApiOkResponse({ type: CheckInCodeDto, description: 'Opens the window if needed; the code of the moment' })
  @ApiErrors(403, 404, 409)
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
  @ApiNoContentResponse({ description: 'The check-in window is closed' })
  @ApiErrors(403, 404)
  async closeCheckIn(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<void> {
    await this.attendance.closeCheckIn(actor, id);
  }

  @Post('sessions/:id/check-in')
  @Idempotent()
  @Roles('trainee')
  @HttpCode(200)
  @ApiOkResponse({ type: AttendanceEntryDto, description: 'Your record: present, or late after the grace period' })
  @ApiErrors(403, 404, 409, 429, 503)
  checkIn(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: CheckInDto,
  ): Promise<AttendanceEntryDto> {
    return this.attendance.checkIn(actor, id, dto.code);
  }

  @Get('sessions/:id/sign-in-sheet')
  @Roles('admin', 'trainer')
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'A printable PDF: trainees by township, with a column to sign' })
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
  @ApiOkResponse({ type: AttendanceSummaryDto, description: 'format=xlsx downloads it as a workbook' })
  @ApiProduces('application/json', XLSX_TYPE)
  @ApiErrors(403, 404)
  async summary(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: SummaryQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AttendanceSummaryDto | Buffer> {
    const summary = await this.summaries.summary(actor, id);
    if (query.format !== 'xlsx') return summary;
    sendAsFile(reply, `${summary.title}-出勤汇总.xlsx`, XLSX_TYPE);
    return attendanceSummaryXlsx(summary);
  }
}
