import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { sendAsFile, XLSX_TYPE } from '../common/http/download';
import { ApiErrors, ApiFileResponse, ApiJsonOrFileResponse } from '../common/openapi/api-docs.decorators';
import {
  AnnualReportQueryDto,
  ReportScopeQueryDto,
  SummaryReportDto,
  TownshipReportDto,
  TownshipReportQueryDto,
  TrendsQueryDto,
  TrendsReportDto,
} from './dto/figures.dto';
import { RotationQueryDto, RotationReportDto } from './dto/rotation.dto';
import { ReportFiguresService } from './report-figures.service';
import { ReportsService } from './reports.service';

const SCOPE_ERRORS =
  '**Errors**: `400 VALIDATION_FAILED` (year outside 2000–2100, quarter outside 1–4, orgUnitId not a UUID, ' +
  'unknown format); `403 FORBIDDEN` (not an admin); `404 ORG_UNIT_NOT_FOUND` (a unit outside your part of the tree).';

@ApiTags('reports')
@ApiBearerAuth()
@ApiErrors(400, 401, 403)
@Roles('admin')
@Controller('api/reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly figures: ReportFiguresService,
  ) {}

  @Get('summary')
  @ApiOperation({
    summary: 'Plan against actual: the figures of a year or quarter for a unit',
    description:
      'Admins. Classes and sessions held, person-times from attendance and from outreach events, trainees, ' +
      'townships covered, annual rotation, quiz pass rate, certificates, visits done and overdue, beside the ' +
      "year's targets of the plans in scope. Counted live from the records (`asOf`): a write is in the next " +
      "answer. Year defaults to the current one in the centre's time zone, the unit to yours. docs/reports.md " +
      'defines every figure. ' +
      SCOPE_ERRORS,
  })
  @ApiErrors(404)
  @ApiOkResponse({ type: SummaryReportDto })
  summary(@CurrentUser() actor: AuthUser, @Query() query: ReportScopeQueryDto): Promise<SummaryReportDto> {
    return this.figures.summary(actor, query);
  }

  @Get('townships')
  @ApiOperation({
    summary: 'The same figures per township, as JSON, CSV or Excel',
    description:
      'Admins. One row per township of the unit (yours by default) with the figures of the summary, by county ' +
      'and name; `totals` is the summary of the whole unit (events held above the townships, such as the ' +
      "library's own lectures, are only there: `personTimesFromEventsOutsideTownships`). `format=csv`: UTF-8 " +
      'with BOM and Chinese headers; `format=xlsx`: the county and period in a title row, a frozen header, ' +
      'number and percent formats and a totals row. ' +
      SCOPE_ERRORS,
  })
  @ApiErrors(404)
  @ApiJsonOrFileResponse(TownshipReportDto, ['text/csv', XLSX_TYPE], 'JSON, or the CSV or XLSX file asked for')
  async townships(
    @CurrentUser() actor: AuthUser,
    @Query() query: TownshipReportQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TownshipReportDto | Buffer> {
    const { format, ...request } = query;
    if (!format || format === 'json') return this.figures.townships(actor, request);
    const file = await this.reports.townshipsFile(actor, format, request);
    sendAsFile(reply, file.filename, file.contentType);
    return file.body;
  }

  @Get('trends')
  @ApiOperation({
    summary: 'Monthly and quarterly series of sessions and person-times, for charts',
    description:
      'Admins. Twelve local months and four quarters of the year (default: the current one) for the unit ' +
      '(default: yours): sessions held, person-times from attendance and from events, and their sum. ' +
      SCOPE_ERRORS,
  })
  @ApiErrors(404)
  @ApiOkResponse({ type: TrendsReportDto })
  trends(@CurrentUser() actor: AuthUser, @Query() query: TrendsQueryDto): Promise<TrendsReportDto> {
    return this.figures.trends(actor, query);
  }

  @Get('annual')
  @ApiOperation({
    summary: 'The annual workbook a county sends upward',
    description:
      'Admins. One Excel workbook for the year (default: the current one) and unit (default: yours), with the ' +
      'sheets 汇总 (the summary beside the targets, and each quarter), 乡镇统计 (the township table), 培训班 ' +
      '(the classes held: dates, course, trainees, person-times), 活动 (the outreach events) and 回访 (the ' +
      'follow-up visits). ' +
      SCOPE_ERRORS,
  })
  @ApiErrors(404)
  @ApiFileResponse(XLSX_TYPE, 'The workbook')
  async annual(
    @CurrentUser() actor: AuthUser,
    @Query() query: AnnualReportQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const file = await this.reports.annualFile(actor, { year: query.year, orgUnitId: query.orgUnitId });
    sendAsFile(reply, file.filename, file.contentType);
    return file.body;
  }

  @Get('rotation')
  @ApiOperation({
    summary: 'Annual rotation: who has and has not been trained, per township',
    description:
      "Admins. Every township of your part of the tree for the year (default: the current year in the centre's " +
      'time zone): its active trainee accounts beside the staff count of its needs survey, how many completed a ' +
      'class that year, everyone who did not (unit and phone, to call them), coverage and person-times. ' +
      '`format=csv` downloads the untrained people (UTF-8 with BOM, Chinese headers); `format=xlsx` a workbook ' +
      'with the sheets 乡镇汇总 (per township, with totals) and 未参训人员 (per person). ' +
      '**Errors**: `400 VALIDATION_FAILED` (year outside 2000–2100, unknown format); `403 FORBIDDEN`.',
  })
  @ApiJsonOrFileResponse(
    RotationReportDto,
    ['text/csv', XLSX_TYPE],
    'JSON, or the CSV or XLSX file asked for with format',
  )
  async rotation(
    @CurrentUser() actor: AuthUser,
    @Query() query: RotationQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RotationReportDto | Buffer> {
    if (!query.format || query.format === 'json') return this.reports.rotation(actor, query.year);
    const file = await this.reports.rotationFile(actor, query.format, query.year);
    sendAsFile(reply, file.filename, file.contentType);
    return file.body;
  }
}
