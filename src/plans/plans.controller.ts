import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { CreatePlanDto, ListPlansQueryDto, PlanDto, PlanWithProgressDto, UpdatePlanDto } from './dto/plan.dto';
import { PlansService } from './plans.service';

@ApiTags('plans')
@ApiBearerAuth()
@ApiErrors(400, 401, 403)
@Roles('admin')
@Controller('api/plans')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Get()
  @ApiOperation({
    summary: 'List training plans',
    description:
      'Admins: the plans of counties in their part of the tree, newest year first, then by title; paginated. ' +
      '`year` filters.',
  })
  @ApiPageResponse(PlanDto)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListPlansQueryDto): Promise<Page<PlanDto>> {
    const page = await this.plans.list(actor, query);
    return { ...page, items: page.items.map((p) => PlanDto.from(p)) };
  }

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: "Create a county's yearly plan",
    description:
      'Admins, for a county unit of their part of the tree: one plan per county and year, with optional ' +
      'targets (classes to hold, person-times to reach). Classes are then planned under it. Honours ' +
      '`Idempotency-Key`. **Errors**: `400 PLAN_UNIT_NOT_COUNTY`; `404 ORG_UNIT_NOT_FOUND` (unit outside your ' +
      'part); `409 PLAN_EXISTS` with `planId` (the existing plan); `422 IDEMPOTENCY_KEY_REUSED`.',
  })
  @ApiBody({
    type: CreatePlanDto,
    examples: {
      county: {
        summary: "宜阳县's plan for 2027",
        value: {
          orgUnitId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
          year: 2027,
          title: '2027年度基层公共数字文化服务培训计划',
          targetClasses: 4,
          targetPersonTimes: 3000,
        },
      },
    },
  })
  @ApiCreatedResponse({ type: PlanDto })
  @ApiErrors(404, 409, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreatePlanDto): Promise<PlanDto> {
    return PlanDto.from(await this.plans.create(actor, dto));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get a plan with its progress',
    description:
      'Admins, for plans in their part of the tree. `progress` is counted live: classes planned (not ' +
      'cancelled), held (running or completed) and completed; sessions planned and held (started, not ' +
      'cancelled); person-times (present or late records of held sessions); the share of each target reached ' +
      '(`null` without a target); and the same per quarter. **Errors**: `404 PLAN_NOT_FOUND`.',
  })
  @ApiOkResponse({ type: PlanWithProgressDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<PlanWithProgressDto> {
    const plan = await this.plans.getInScope(actor, id);
    return { ...PlanDto.from(plan), progress: await this.plans.progress(plan) };
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update a plan',
    description:
      'Admins, for plans in their part of the tree: the title and targets (`null` clears a target); the ' +
      'county and year stay. **Errors**: `404 PLAN_NOT_FOUND`.',
  })
  @ApiOkResponse({ type: PlanDto })
  @ApiErrors(404)
  async update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdatePlanDto,
  ): Promise<PlanDto> {
    return PlanDto.from(await this.plans.update(actor, id, dto));
  }
}
