import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  @ApiOperation({
    summary: 'List venues',
    description:
      'Admins and trainers: the venues of their own unit and every unit under it, by name; paginated. ' +
      '`orgUnitId` keeps that unit and everything under it; `q` matches part of the name or address. ' +
      '**Errors**: `403 FORBIDDEN` (trainees); `404 ORG_UNIT_NOT_FOUND` (`orgUnitId` outside your part).',
  })
  @ApiPageResponse(VenueDto)
  @ApiErrors(403, 404)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListVenuesQueryDto): Promise<Page<VenueDto>> {
    const page = await this.venues.list(actor, query);
    return { ...page, items: page.items.map((v) => VenueDto.from(v)) };
  }

  @Post()
  @Idempotent()
  @Roles('admin')
  @ApiOperation({
    summary: 'Create a venue',
    description:
      'Admins, for a unit of their part of the tree; classes and sessions of that county may then be held ' +
      'there. The name is unique within its unit. Honours `Idempotency-Key`. **Errors**: ' +
      '`404 ORG_UNIT_NOT_FOUND` (unit outside your part); `409 VENUE_NAME_TAKEN`; `422 IDEMPOTENCY_KEY_REUSED`.',
  })
  @ApiBody({
    type: CreateVenueDto,
    examples: {
      library: {
        summary: "The county library's computer room",
        value: {
          name: '县图书馆电子阅览室',
          orgUnitId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
          capacity: 40,
          address: '宜阳县城关镇文化路1号',
        },
      },
    },
  })
  @ApiCreatedResponse({ type: VenueDto })
  @ApiErrors(403, 404, 409, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateVenueDto): Promise<VenueDto> {
    return VenueDto.from(await this.venues.create(actor, dto));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get a venue',
    description:
      'Admins read the venues of their part of the tree; trainers and trainees the venues of their own unit ' +
      'and the units above it (the rooms they are taught in). **Errors**: `404 VENUE_NOT_FOUND`.',
  })
  @ApiOkResponse({ type: VenueDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<VenueDto> {
    return VenueDto.from(await this.venues.getVisible(actor, id));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Update a venue',
    description:
      'Admins, for venues of their part of the tree: name, capacity and address (`null` clears capacity or ' +
      "address); the venue's unit stays. **Errors**: `404 VENUE_NOT_FOUND`; `409 VENUE_NAME_TAKEN`.",
  })
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
