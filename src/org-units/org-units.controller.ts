import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { CreateOrgUnitDto, ListOrgUnitsQueryDto, OrgUnitDto, UpdateOrgUnitDto } from './dto/org-unit.dto';
import { OrgUnitsService } from './org-units.service';

@ApiTags('org-units')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api/org-units')
export class OrgUnitsController {
  constructor(private readonly orgUnits: OrgUnitsService) {}

  @Get()
  @Roles('admin')
  @ApiPageResponse(OrgUnitDto)
  @ApiErrors(403)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListOrgUnitsQueryDto): Promise<Page<OrgUnitDto>> {
    const page = await this.orgUnits.list(actor, query);
    return { ...page, items: page.items.map((u) => OrgUnitDto.from(u)) };
  }

  @Post()
  @Idempotent()
  @Roles('admin')
  @ApiCreatedResponse({ type: OrgUnitDto })
  @ApiErrors(403, 404, 409, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateOrgUnitDto): Promise<OrgUnitDto> {
    return OrgUnitDto.from(await this.orgUnits.create(actor, dto));
  }

  @Get(':id')
  @ApiOkResponse({ type: OrgUnitDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<OrgUnitDto> {
    return OrgUnitDto.from(await this.orgUnits.getVisible(actor, id));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: OrgUnitDto })
  @ApiErrors(403, 404, 409)
  async update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateOrgUnitDto,
  ): Promise<OrgUnitDto> {
    return OrgUnitDto.from(await this.orgUnits.update(actor, id, dto));
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors(403, 404, 409)
  async remove(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<void> {
    await this.orgUnits.remove(actor, id);
  }
}
