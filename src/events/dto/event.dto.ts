import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { isIsoDate } from '../../common/time/zoned-time';
import { IsOptionalNotNull } from '../../common/validation/optional.decorator';
import { IsSingleLine } from '../../common/validation/text';
import { trim, trimOrNull } from '../../common/validation/transforms';
import type { OrgUnit } from '../../org-units/org-units.types';
import { EVENT_KINDS, type EventKind, type OutreachEvent } from '../outreach-event.entity';

/** The kinds of event, for forms that offer them (the entity stays the module's own). */
export { EVENT_KINDS };

export const MAX_TITLE = 200;
export const MAX_NOTES = 2000;
export const MAX_HEAD_COUNT = 100_000;
export const MAX_MATERIAL = 1_000_000;
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

/** A real calendar date written YYYY-MM-DD (2027-02-30 is refused). */
const IsLocalDate = (): PropertyDecorator =>
  ValidateBy({
    name: 'isLocalDate',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && isIsoDate(v),
    },
  });

const HeadCount = () => applyDecorators(IsInt(), Min(1), Max(MAX_HEAD_COUNT));
const Material = () => applyDecorators(IsInt(), Min(0), Max(MAX_MATERIAL));
const MaterialProperty = (description: string, example: number) =>
  ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_MATERIAL, default: 0, description, example });

const Title = () => applyDecorators(Transform(trim), IsString(), IsNotEmpty(), MaxLength(MAX_TITLE), IsSingleLine());
const Notes = () =>
  applyDecorators(
    Transform(trimOrNull),
    ValidateIf((_o, v) => v !== null),
    IsString(),
    MaxLength(MAX_NOTES),
  );

/** What was handed out, as county reports list it; a count left out is 0. */
export class EventMaterialsDto {
  @MaterialProperty('Books', 120) @IsOptional() @Material() books?: number;
  @MaterialProperty('Discs (DVDs, CDs)', 30) @IsOptional() @Material() discs?: number;
  @MaterialProperty('Leaflets and brochures', 500) @IsOptional() @Material() leaflets?: number;
}

export class CreateEventDto {
  @ApiProperty({ enum: EVENT_KINDS, example: 'lecture' })
  @IsIn(EVENT_KINDS)
  kind!: EventKind;

  @ApiProperty({ maxLength: MAX_TITLE, example: '智能手机防诈骗讲座', description: 'One line' })
  @Title()
  title!: string;

  @ApiProperty({ format: 'date', example: '2027-03-15', description: "Local date (the centre's zone)" })
  @IsLocalDate()
  date!: string;

  @ApiProperty({ format: 'uuid', description: 'The unit that held it, inside your part of the tree' })
  @IsUUID()
  orgUnitId!: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_HEAD_COUNT, example: 85, description: 'Person-times' })
  @HeadCount()
  headCount!: number;

  @ApiPropertyOptional({ type: EventMaterialsDto })
  @IsOptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => EventMaterialsDto)
  materials?: EventMaterialsDto;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_NOTES })
  @IsOptional()
  @Notes()
  notes?: string | null;
}

export class UpdateEventDto {
  @ApiPropertyOptional({ enum: EVENT_KINDS })
  @IsOptionalNotNull()
  @IsIn(EVENT_KINDS)
  kind?: EventKind;

  @ApiPropertyOptional({ maxLength: MAX_TITLE })
  @IsOptionalNotNull()
  @Title()
  title?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Local date' })
  @IsOptionalNotNull()
  @IsLocalDate()
  date?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Another unit inside your part of the tree' })
  @IsOptionalNotNull()
  @IsUUID()
  orgUnitId?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_HEAD_COUNT })
  @IsOptionalNotNull()
  @HeadCount()
  headCount?: number;

  @ApiPropertyOptional({ type: EventMaterialsDto, description: 'Replaces all three counts (left out: 0)' })
  @IsOptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => EventMaterialsDto)
  materials?: EventMaterialsDto;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_NOTES, description: 'null or "" clears it' })
  @IsOptional()
  @Notes()
  notes?: string | null;
}

export class ListEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: MIN_YEAR, maximum: MAX_YEAR, description: 'By local date' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(MIN_YEAR)
  @Max(MAX_YEAR)
  year?: number;

  @ApiPropertyOptional({ enum: EVENT_KINDS })
  @IsOptional()
  @IsIn(EVENT_KINDS)
  kind?: EventKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'This unit and every unit under it' })
  @IsOptional()
  @IsUUID()
  orgUnitId?: string;
}

export class EventMaterialCountsDto {
  @ApiProperty({ type: 'integer' }) books!: number;
  @ApiProperty({ type: 'integer' }) discs!: number;
  @ApiProperty({ type: 'integer' }) leaflets!: number;
}

export class EventDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: EVENT_KINDS }) kind!: EventKind;
  @ApiProperty({ example: '智能手机防诈骗讲座' }) title!: string;
  @ApiProperty({ format: 'date', example: '2027-03-15', description: 'Local date' }) date!: string;
  @ApiProperty({ format: 'uuid' }) orgUnitId!: string;
  @ApiProperty({ example: '甲一镇' }) orgUnitName!: string;
  @ApiProperty({ type: 'integer' }) headCount!: number;
  @ApiProperty({ type: EventMaterialCountsDto }) materials!: EventMaterialCountsDto;
  @ApiProperty({ type: String, nullable: true }) notes!: string | null;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: Date;

  static from(e: OutreachEvent & { orgUnit: OrgUnit }): EventDto {
    return {
      id: e.id,
      kind: e.kind,
      title: e.title,
      date: e.date,
      orgUnitId: e.orgUnitId,
      orgUnitName: e.orgUnit.name,
      headCount: e.headCount,
      materials: { books: e.books, discs: e.discs, leaflets: e.leaflets },
      notes: e.notes,
      createdBy: e.createdBy,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    };
  }
}

export class ImportEventsQueryDto {
  @ApiPropertyOptional({ description: 'true: check every row and report, write nothing', enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';
}
