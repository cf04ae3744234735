import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { IsOptionalNotNull } from '../../common/validation/optional.decorator';
import { ORG_UNIT_KINDS, type OrgUnitKind } from '../org-unit-kind';
import type { OrgUnit } from '../org-unit.entity';
import { trim } from '../../common/validation/transforms';
import { IsSingleLine } from '../../common/validation/text';
import { messageKey } from '../../common/validation/validation';

export class CreateOrgUnitDto {
  @ApiProperty({ enum: ORG_UNIT_KINDS })
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

  @ApiPropertyOptional({ example: '410102001', description: 'Administrative code, unique' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: messageKey('UNIT_CODE') })
  code?: string;
}

/** Every field may be left out, none may be null (PartialType's IsOptional would let null through). */
export class UpdateOrgUnitDto {
  @ApiPropertyOptional({ enum: ORG_UNIT_KINDS })
  @IsOptionalNotNull()
  @IsIn(ORG_UNIT_KINDS)
  kind?: OrgUnitKind;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @IsSingleLine()
  name?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptionalNotNull()
  @IsUUID()
  parentId?: string;

  @ApiPropertyOptional({ description: 'Administrative code, unique' })
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

export class OrgUnitDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ORG_UNIT_KINDS }) kind!: OrgUnitKind;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) code!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) parentId!: string | null;
  @ApiProperty({ description: 'Depth in the tree, 0 for the root' }) depth!: number;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;

  static from(u: OrgUnit): OrgUnitDto {
    return {
      id: u.id,
      kind: u.kind,
      name: u.name,
      code: u.code,
      parentId: u.parentId,
      depth: u.depth,
      createdAt: u.createdAt,
      updatedAt: u.updatedAt,
    };
  }
}
