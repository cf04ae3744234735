import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { IsOptionalNotNull } from '../../common/validation/optional.decorator';
import { ORG_UNIT_KINDS, type OrgUnitKind } from '../org-unit-kind';
import type { OrgUnit } from '../org-unit.entity';
import type { OrgUnitWithContacts } from '../org-units.types';
import { trim } from '../../common/validation/transforms';
import { IsSingleLine } from '../../common/validation/text';
import { messageKey } from '../../common/validation/validation';

export class CreateOrgUnitDto {
  @ApiProperty({ enum: ORG_UNIT_KINDS, example: 'township', description: "Below the parent's kind" })
  @IsIn(ORG_UNIT_KINDS)
  kind!: OrgUnitKind;

  @ApiProperty({ example: '城关镇', maxLength: 100 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @IsSingleLine()
  name!: string;

  @ApiProperty({ format: 'uuid', description: 'Must be inside your part of the tree' })
  @IsUUID()
  parentId!: string;

  @ApiPropertyOptional({
    example: '410327100',
    description: 'Administrative code, unique; letters, digits, - and _ (≤ 32)',
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: messageKey('UNIT_CODE') })
  code?: string;
}

/** Every field may be left out, none may be null (PartialType's IsOptional would let null through). */
export class UpdateOrgUnitDto {
  @ApiPropertyOptional({ enum: ORG_UNIT_KINDS, description: "Below the parent's and above the children's" })
  @IsOptionalNotNull()
  @IsIn(ORG_UNIT_KINDS)
  kind?: OrgUnitKind;

  @ApiPropertyOptional({ maxLength: 100, example: '城关镇' })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @IsSingleLine()
  name?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Moves the unit and everything under it' })
  @IsOptionalNotNull()
  @IsUUID()
  parentId?: string;

  @ApiPropertyOptional({ description: 'Administrative code, unique', example: '410327100' })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: messageKey('UNIT_CODE') })
  code?: string;
}

export class ListOrgUnitsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ORG_UNIT_KINDS })
  @IsOptional()
  @IsIn(ORG_UNIT_KINDS)
  kind?: OrgUnitKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only direct children of this unit' })
  @IsOptional()
  @IsUUID()
  parentId?: string;

  @ApiPropertyOptional({ description: 'Part of the name or code' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class SetContactsDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    maxItems: 10,
    uniqueItems: true,
    description: 'Active users of the unit itself, in call order; replaces the list ([] clears it)',
  })
  @IsArray()
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  userIds!: string[];
}

export class UnitContactDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ example: '王芳' }) displayName!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '13937000001',
    description: 'Masked (139******01) for trainers and trainees',
  })
  phone!: string | null;
}

export class OrgUnitDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ORG_UNIT_KINDS, example: 'township' }) kind!: OrgUnitKind;
  @ApiProperty({ example: '城关镇' }) name!: string;
  @ApiProperty({ type: String, nullable: true, example: '410327100' }) code!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null for the root' })
  parentId!: string | null;
  @ApiProperty({ type: 'integer', description: 'Depth in the tree, 0 for the root', example: 3 }) depth!: number;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) updatedAt!: Date;

  @ApiPropertyOptional({
    type: [UnitContactDto],
    description:
      'Township and village contact people, in call order (active users of the unit); only in single-unit answers',
  })
  contacts?: UnitContactDto[];

  static from(u: OrgUnit | OrgUnitWithContacts): OrgUnitDto {
    return {
      id: u.id,
      kind: u.kind,
      name: u.name,
      code: u.code,
      parentId: u.parentId,
      depth: u.depth,
      createdAt: u.createdAt,
      updatedAt: u.updatedAt,
      ...('contacts' in u && { contacts: u.contacts }),
    };
  }
}
