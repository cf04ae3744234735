import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import type { Plan } from '../plan.entity';
import { trim } from '../../common/validation/transforms';
import { IsSingleLine } from '../../common/validation/text';
import { IsOptionalNotNull } from '../../common/validation/optional.decorator';

export class CreatePlanDto {
  @ApiProperty({ format: 'uuid', description: 'A county unit in your part of the tree' })
  @IsUUID()
  orgUnitId!: string;

  @ApiProperty({
    type: 'integer',
    minimum: 2000,
    maximum: 2100,
    example: 2027,
    description: 'One plan per county and year',
  })
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;

  @ApiProperty({ example: '2027年度基层公共数字文化服务培训计划', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsSingleLine()
  title!: string;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: 1000,
    example: 4,
    description: 'Classes to hold',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(0)
  @Max(1000)
  targetClasses?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: 1_000_000,
    example: 3000,
    description: 'Person-times, lectures included',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  targetPersonTimes?: number | null;
}

export class UpdatePlanDto {
  @ApiPropertyOptional({ maxLength: 200, example: '2027年度基层公共数字文化服务培训计划' })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsSingleLine()
  title?: string;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, maximum: 1000, description: 'null clears it' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(0)
  @Max(1000)
  targetClasses?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: 1_000_000,
    description: 'null clears it',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  targetPersonTimes?: number | null;
}

export class ListPlansQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 2000, maximum: 2100, example: 2027 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;
}

export class PlanDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) orgUnitId!: string;
  @ApiProperty({ type: 'integer', example: 2027 }) year!: number;
  @ApiProperty({ example: '2027年度基层公共数字文化服务培训计划' }) title!: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 4 }) targetClasses!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 3000 }) targetPersonTimes!: number | null;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) updatedAt!: Date;

  static from(p: Plan): PlanDto {
    return {
      id: p.id,
      orgUnitId: p.orgUnitId,
      year: p.year,
      title: p.title,
      targetClasses: p.targetClasses,
      targetPersonTimes: p.targetPersonTimes,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }
}

export class QuarterProgressDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 4 }) quarter!: number;
  @ApiProperty({ type: 'integer', description: 'Classes not cancelled' }) classes!: number;
  @ApiProperty({ type: 'integer' }) sessionsPlanned!: number;
  @ApiProperty({ type: 'integer' }) sessionsHeld!: number;
  @ApiProperty({ type: 'integer' }) personTimes!: number;
}

export class PlanProgressDto {
  @ApiProperty({ type: 'integer', description: 'Classes not cancelled' }) classesPlanned!: number;
  @ApiProperty({ type: 'integer', description: 'Classes running or completed' }) classesHeld!: number;
  @ApiProperty({ type: 'integer' }) classesCompleted!: number;
  @ApiProperty({ type: 'integer', description: 'Live sessions of live classes' }) sessionsPlanned!: number;
  @ApiProperty({ type: 'integer', description: 'Live sessions that have started' }) sessionsHeld!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.5,
    description: 'classesHeld / targetClasses, to 3 decimals; null without a target',
  })
  classesRate!: number | null;
  @ApiProperty({
    type: 'integer',
    description: 'Attendance records present or late, one person-time each (live sessions)',
  })
  personTimes!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.42,
    description: 'personTimes / targetPersonTimes, to 3 decimals; null without a target',
  })
  personTimesRate!: number | null;
  @ApiProperty({ type: [QuarterProgressDto] }) byQuarter!: QuarterProgressDto[];
}

export class PlanWithProgressDto extends PlanDto {
  @ApiProperty({ type: PlanProgressDto, description: 'Counted live from classes and sessions' })
  progress!: PlanProgressDto;
}
