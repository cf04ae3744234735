import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { trim, trimOrNull } from '../../common/validation/transforms';
import type { Venue } from '../venue.entity';
import { IsSingleLine } from '../../common/validation/text';

export class CreateVenueDto {
  @ApiProperty({ example: '县图书馆电子阅览室', maxLength: 100, description: 'Unique within its unit' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @IsSingleLine()
  name!: string;

  @ApiProperty({ format: 'uuid', description: 'The unit the venue belongs to; must be inside your part of the tree' })
  @IsUUID()
  orgUnitId!: string;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: 10000,
    description: 'Seats',
    example: 40,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  capacity?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, example: '宜阳县城关镇文化路1号' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(200)
  @IsSingleLine()
  address?: string | null;
}

/** Name, capacity, address; the unit stays (classes of that county use the room). Null clears what may be empty. */
export class UpdateVenueDto extends PartialType(OmitType(CreateVenueDto, ['orgUnitId'] as const), {
  skipNullProperties: false,
}) {}

export class ListVenuesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'This unit and every unit under it' })
  @IsOptional()
  @IsUUID()
  orgUnitId?: string;

  @ApiPropertyOptional({ description: 'Part of the name or address' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class VenueDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) orgUnitId!: string;
  @ApiProperty({ example: '县图书馆电子阅览室' }) name!: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 40 }) capacity!: number | null;
  @ApiProperty({ type: String, nullable: true, example: '宜阳县城关镇文化路1号' }) address!: string | null;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) updatedAt!: Date;

  static from(v: Venue): VenueDto {
    return {
      id: v.id,
      orgUnitId: v.orgUnitId,
      name: v.name,
      capacity: v.capacity,
      address: v.address,
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
    };
  }
}
