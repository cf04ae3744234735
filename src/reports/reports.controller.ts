import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { sendAsFile, XLSX_TYPE } from '../common/http/download';
import { ApiErrors, ApiJsonOrFileResponse } from '../common/openapi/api-docs.decorators';
import { RotationQueryDto, RotationReportDto } from './dto/rotation.dto';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@ApiBearerAuth()
@ApiErrors(400, 401, 403)
@Roles('admin')
@Controller('api/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

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
