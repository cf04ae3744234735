import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { CreateVenueDto, ListVenuesQueryDto, UpdateVenueDto, VenueDto } from './dto/venue.dto';
import { VenuesService } from './venues.service';

@ApiTags('venues')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api/venues')
export class VenuesController {
  constructor(private readonly venues: VenuesService) {}

  @Get()
  // Trainers teach at these venues, so they may read them too.
  @Roles('admin', 'trainer')
  @ApiPageResponse(VenueDto)
  @ApiErrors(403, 404)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListVenuesQueryDto): Promise<Page<VenueDto>> {
    const page = await this.venues.list(actor, query);
    return { ...page, items: page.items.map((v) => VenueDto.from(v)) };
  }

  @Post()
  @Idempotent()
  @Roles('admin')
  @ApiCreatedResponse({ type: VenueDto })
  @ApiErrors(403, 404, 409, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateVenueDto): Promise<VenueDto> {
    return VenueDto.from(await this.venues.create(actor, dto));
  }

  @Get(':id')
  @ApiOkResponse({ type: VenueDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<VenueDto> {
    return VenueDto.from(await this.venues.getVisible(actor, id));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: VenueDto })
  @ApiErrors(403, 404, 409)
  async update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateVenueDto,
  ): Promise<VenueDto> {
    return VenueDto.from(await this.venues.update(actor, id, dto));
  }
}
