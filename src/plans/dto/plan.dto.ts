import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import type { Plan } from '../plan.entity';
import { trim } from '../../common/validation/transforms';
import { IsSingleLine } from '../../common/validation/text';

export class CreatePlanDto {
  @ApiProperty({ format: 'uuid', description: 'A county unit in your part of the tree' })
  @IsUUID()
  orgUnitId!: string;

  @ApiProperty({ example: 2026 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;

  @ApiProperty({ example: '2026年度基层文化共享工程培训计划' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsSingleLine()
  title!: string;

  @ApiPropertyOptional({ type: Number, nullable: true, example: 4 })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(0)
  @Max(1000)
  targetClasses?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, example: 3000, description: 'Person-times, lectures included' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  targetPersonTimes?: number | null;
}

export class UpdatePlanDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsSingleLine()
  title?: string;

  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(0)
  @Max(1000)
  targetClasses?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  targetPersonTimes?: number | null;
}

export class ListPlansQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
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
  @ApiProperty() year!: number;
  @ApiProperty() title!: string;
  @ApiProperty({ type: Number, nullable: true }) targetClasses!: number | null;
  @ApiProperty({ type: Number, nullable: true }) targetPersonTimes!: number | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;

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
  @ApiProperty() quarter!: number;
  @ApiProperty() classes!: number;
  @ApiProperty() sessionsPlanned!: number;
  @ApiProperty() sessionsHeld!: number;
  @ApiProperty() personTimes!: number;
}

export class PlanProgressDto {
  @ApiProperty({ description: 'Classes not cancelled' }) classesPlanned!: number;
  @ApiProperty({ description: 'Classes running or completed' }) classesHeld!: number;
  @ApiProperty() classesCompleted!: number;
  @ApiProperty({ description: 'Live sessions of live classes' }) sessionsPlanned!: number;
  @ApiProperty({ description: 'Live sessions that have started' }) sessionsHeld!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'classesHeld / targetClasses' })
  classesRate!: number | null;
  @ApiProperty({ description: 'Attendance records present or late, one person-time each (live sessions)' })
  personTimes!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'personTimes / targetPersonTimes' })
  personTimesRate!: number | null;
  @ApiProperty({ type: [QuarterProgressDto] }) byQuarter!: QuarterProgressDto[];
}

export class PlanWithProgressDto extends PlanDto {
  @ApiProperty({ type: PlanProgressDto, description: 'Counted live from classes and sessions' })
  progress!: PlanProgressDto;
}
