import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  @ApiOperation({
    summary: 'List needs surveys',
    description:
      'Admins: the surveys of townships in their part of the tree, newest year first, then by township name; ' +
      'paginated. `year` filters; `orgUnitId` keeps that unit and everything under it. ' +
      '**Errors**: `404 ORG_UNIT_NOT_FOUND` (`orgUnitId` outside your part).',
  })
  @ApiPageResponse(SurveyDto)
  @ApiErrors(404)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListSurveysQueryDto): Promise<Page<SurveyDto>> {
    const page = await this.surveys.list(actor, query);
    return { ...page, items: page.items.map((s) => SurveyDto.from(s)) };
  }

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: "Record a township's needs survey",
    description: [
      'Admins, for a township of their part of the tree. Honours `Idempotency-Key`.',
      '',
      '- One survey per township and year; correct it with `PATCH /api/surveys/{id}`.',
      '- The four proficiency counts, and the three education counts when given, may each add up to at most ' +
        '`staffCount`.',
      '- `topicsWanted`: at most 30 distinct topics (case-insensitive) of 1–50 characters.',
      '',
      '**Errors**: `400 SURVEY_UNIT_NOT_TOWNSHIP`, `400 SURVEY_COUNTS_EXCEED_STAFF`; `404 ORG_UNIT_NOT_FOUND` ' +
        '(township outside your part); `409 SURVEY_EXISTS` with `surveyId` (the one to correct instead); ' +
        '`422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiBody({
    type: CreateSurveyDto,
    examples: {
      township: {
        summary: '城关镇, 2027',
        value: {
          orgUnitId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
          year: 2027,
          servicePoints: 12,
          staffCount: 20,
          proficiency: { none: 6, basic: 9, intermediate: 4, advanced: 1 },
          education: { primary: 3, secondary: 12, tertiary: 5 },
          topicsWanted: ['智能手机', '网上办事', '短视频制作'],
          notes: '村级服务点人员流动较大，希望集中在农闲时培训',
        },
      },
    },
  })
  @ApiCreatedResponse({ type: SurveyDto })
  @ApiErrors(404, 409, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateSurveyDto): Promise<SurveyDto> {
    return SurveyDto.from(await this.surveys.create(actor, dto));
  }

  // Declared before ':id' so "summary" is never read as an id.
  @Get('summary')
  @ApiOperation({
    summary: "Sum up a year's needs surveys",
    description:
      'Admins: the townships of their part of the tree for a year (default: the current year in the ' +
      "centre's time zone): how many are surveyed and which are not, summed service points, staff and counts, " +
      'the share of staff at each proficiency level, the 10 most wanted topics, and every township, surveyed ' +
      'or not.',
  })
  @ApiOkResponse({ type: SurveySummaryDto })
  async summary(@CurrentUser() actor: AuthUser, @Query() query: SurveySummaryQueryDto): Promise<SurveySummaryDto> {
    return this.surveys.summary(actor, query.year);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get a needs survey',
    description:
      'Admins, for townships of their part of the tree. **Errors**: `404 SURVEY_NOT_FOUND` (no such survey, ' +
      'or outside your part).',
  })
  @ApiOkResponse({ type: SurveyDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<SurveyDto> {
    return SurveyDto.from(await this.surveys.getInScope(actor, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Correct a needs survey',
    description:
      'Admins, for townships of their part of the tree. The township and year stay; fields left out stay. ' +
      '`proficiency` replaces all four counts, `education` all three (`null` clears them), `topicsWanted` the ' +
      'list; `notes: null` clears. The counts are checked again against `staffCount`. ' +
      '**Errors**: `400 SURVEY_COUNTS_EXCEED_STAFF`; `404 SURVEY_NOT_FOUND`.',
  })
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
