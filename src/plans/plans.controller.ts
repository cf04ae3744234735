import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
  @ApiPageResponse(PlanDto)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListPlansQueryDto): Promise<Page<PlanDto>> {
    const page = await this.plans.list(actor, query);
    return { ...page, items: page.items.map((p) => PlanDto.from(p)) };
  }

  @Post()
  @Idempotent()
  @ApiCreatedResponse({ type: PlanDto })
  @ApiErrors(404, 409, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreatePlanDto): Promise<PlanDto> {
    return PlanDto.from(await this.plans.create(actor, dto));
  }

  @Get(':id')
  @ApiOkResponse({ type: PlanWithProgressDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<PlanWithProgressDto> {
    const plan = await this.plans.getInScope(actor, id);
    return { ...PlanDto.from(plan), progress: await this.plans.progress(plan) };
  }

  @Patch(':id')
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
