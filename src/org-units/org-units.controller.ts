import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import {
  CreateOrgUnitDto,
  ListOrgUnitsQueryDto,
  OrgUnitDto,
  SetContactsDto,
  UpdateOrgUnitDto,
} from './dto/org-unit.dto';
import { OrgUnitsService } from './org-units.service';

@ApiTags('org-units')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api/org-units')
export class OrgUnitsController {
  constructor(private readonly orgUnits: OrgUnitsService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({
    summary: 'List org units',
    description:
      'Admins: the units of their part of the tree (their own unit and everything under it), by depth, then ' +
      'name; paginated. `kind` filters by kind, `parentId` keeps the direct children of one unit, `q` matches ' +
      'part of the name or code (case-insensitive). **Errors**: `403 FORBIDDEN` (not an admin).',
  })
  @ApiPageResponse(OrgUnitDto)
  @ApiErrors(403)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListOrgUnitsQueryDto): Promise<Page<OrgUnitDto>> {
    const page = await this.orgUnits.list(actor, query);
    return { ...page, items: page.items.map((u) => OrgUnitDto.from(u)) };
  }

  @Post()
  @Idempotent()
  @Roles('admin')
  @ApiOperation({
    summary: 'Create an org unit',
    description: [
      'Admins, under a unit of their part of the tree. Honours `Idempotency-Key`.',
      '',
      "- Kinds, top to bottom: province > city > county > township > village; the new unit's kind must be below " +
        "its parent's (levels may be skipped).",
      '- `code` (the administrative code) is optional and unique across the whole tree.',
      '',
      "**Errors**: `400 ORG_UNIT_KIND_ORDER` (kind not below the parent's); `404 ORG_UNIT_NOT_FOUND` (parent " +
        'outside your part); `409 ORG_UNIT_CODE_TAKEN`; `422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiBody({
    type: CreateOrgUnitDto,
    examples: {
      township: {
        summary: 'A township under the county',
        value: {
          kind: 'township',
          name: '城关镇',
          parentId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
          code: '410327100',
        },
      },
      village: {
        summary: 'A village under the township',
        value: { kind: 'village', name: '东关村', parentId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f' },
      },
    },
  })
  @ApiCreatedResponse({ type: OrgUnitDto })
  @ApiErrors(403, 404, 409, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateOrgUnitDto): Promise<OrgUnitDto> {
    return OrgUnitDto.from(await this.orgUnits.create(actor, dto));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get an org unit',
    description:
      'Admins read any unit of their part of the tree; trainers and trainees their own unit and the units ' +
      'above it. With its `contacts` (townships and villages; phone numbers masked for trainers and trainees). ' +
      '**Errors**: `404 ORG_UNIT_NOT_FOUND` (no such unit, or not one you may read).',
  })
  @ApiOkResponse({ type: OrgUnitDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<OrgUnitDto> {
    return OrgUnitDto.from(await this.orgUnits.getVisibleWithContacts(actor, id));
  }

  @Put(':id/contacts')
  @Roles('admin')
  @ApiOperation({
    summary: "Set a township's or village's contact people",
    description: [
      'Admins, on units of their part of the tree. Replaces the list with `userIds` (0 to 10, no repeats), in ' +
        'the order to call them. Answers the unit with its contacts.',
      '',
      '- Each must be an active user (any role) of that very unit.',
      "- Contacts get the township's reminders and stand beside the township in the quota view and the " +
        'rotation report. One deactivated or moved to another unit drops out of the list (and comes back if ' +
        'reactivated or moved back).',
      '',
      '**Errors**: `400 VALIDATION_FAILED` (not uuids, repeats, more than 10), `400 ORG_UNIT_CONTACTS_KIND` ' +
        '(not a township or village), `400 CONTACT_NOT_IN_UNIT` with `userIds` (not active users of the unit); ' +
        '`403 FORBIDDEN` (not an admin); `404 ORG_UNIT_NOT_FOUND` (outside your part).',
    ].join('\n'),
  })
  @ApiBody({
    type: SetContactsDto,
    examples: {
      two: {
        summary: 'Two contacts, the first to call first',
        value: { userIds: ['5d4c3b2a-1908-4f7e-8d6c-5b4a39281706', '6e5d4c3b-2a19-4f8e-9d7c-6b5a4a392817'] },
      },
      none: { summary: 'No contacts', value: { userIds: [] } },
    },
  })
  @ApiOkResponse({ type: OrgUnitDto })
  @ApiErrors(403, 404)
  async setContacts(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: SetContactsDto,
  ): Promise<OrgUnitDto> {
    return OrgUnitDto.from(await this.orgUnits.setContacts(actor, id, dto.userIds));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Rename, re-code, re-kind or move an org unit',
    description: [
      'Admins, on units of their part of the tree. Fields left out stay; none may be null.',
      '',
      '- `parentId` moves the unit and everything under it (to a parent inside your part of the tree).',
      "- The kind must stay below the parent's and above every child's.",
      '- Your own unit may be renamed or re-coded, never moved or re-kinded.',
      '',
      '**Errors**: `400 ORG_UNIT_KIND_ORDER`; `403 OWN_ORG_UNIT` (moving or re-kinding your own unit); ' +
        '`404 ORG_UNIT_NOT_FOUND` (the unit or the new parent outside your part); `409 ORG_UNIT_CYCLE` (under ' +
        'itself or one of its own units), `409 ORG_UNIT_CODE_TAKEN`.',
    ].join('\n'),
  })
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
  @ApiOperation({
    summary: 'Delete an org unit',
    description:
      'Admins, on units of their part of the tree other than their own, and only when nothing refers to the ' +
      'unit any more. **Errors**: `403 OWN_ORG_UNIT`; `404 ORG_UNIT_NOT_FOUND`; `409 ORG_UNIT_HAS_CHILDREN` ' +
      '(units under it), `409 ORG_UNIT_HAS_USERS`, `409 ORG_UNIT_IN_USE` with `usedBy` (plan, survey, venue, ' +
      'course or enrolment).',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(403, 404, 409)
  async remove(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<void> {
    await this.orgUnits.remove(actor, id);
  }
}
