import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-docs.decorators';
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
  @ApiOkResponse({ type: RotationReportDto, description: 'Who has and has not been trained this year, per township' })
  rotation(@CurrentUser() actor: AuthUser, @Query() query: RotationQueryDto): Promise<RotationReportDto> {
    return this.reports.rotation(actor, query.year);
  }
}
