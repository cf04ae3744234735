import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import {
  CreateSurveyDto,
  ListSurveysQueryDto,
  SurveyDto,
  SurveySummaryDto,
  SurveySummaryQueryDto,
  UpdateSurveyDto,
} from './dto/survey.dto';
import { SurveysService } from './surveys.service';

/** Surveys are planning data: admins only. */
@ApiTags('surveys')
@ApiBearerAuth()
@ApiErrors(400, 401, 403)
@Roles('admin')
@Controller('api/surveys')
export class SurveysController {
  constructor(private readonly surveys: SurveysService) {}

  @Get()
  @ApiPageResponse(SurveyDto)
  @ApiErrors(404)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListSurveysQueryDto): Promise<Page<SurveyDto>> {
    const page = await this.surveys.list(actor, query);
    return { ...page, items: page.items.map((s) => SurveyDto.from(s)) };
  }

  @Post()
  @Idempotent()
  @ApiCreatedResponse({ type: SurveyDto })
  @ApiErrors(404, 409, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateSurveyDto): Promise<SurveyDto> {
    return SurveyDto.from(await this.surveys.create(actor, dto));
  }

  // Declared before ':id' so "summary" is never read as an id.
  @Get('summary')
  @ApiOkResponse({ type: SurveySummaryDto })
  async summary(@CurrentUser() actor: AuthUser, @Query() query: SurveySummaryQueryDto): Promise<SurveySummaryDto> {
    return this.surveys.summary(actor, query.year);
  }

  @Get(':id')
  @ApiOkResponse({ type: SurveyDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<SurveyDto> {
    return SurveyDto.from(await this.surveys.getInScope(actor, id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: SurveyDto })
  @ApiErrors(404)
  async update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateSurveyDto,
  ): Promise<SurveyDto> {
    return SurveyDto.from(await this.surveys.update(actor, id, dto));
  }
}
