import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { IsOptionalNotNull } from '../../common/validation/optional.decorator';
import { trim, trimOrNull } from '../../common/validation/transforms';
import { messageKey } from '../../common/validation/validation';
import { VISIT_STATUSES, type VisitStatus } from '../visit.entity';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const VISIT_LIST_FORMATS = ['json', 'xlsx'] as const;

export class ListVisitsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: VISIT_STATUSES, description: 'As read now: an open visit past its due date is overdue' })
  @IsOptional()
  @IsIn(VISIT_STATUSES)
  status?: VisitStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  townshipId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  classId?: string;

  @ApiPropertyOptional({ format: 'date', example: '2027-02-01', description: 'Visits due before this local date' })
  @IsOptional()
  @Matches(DATE, { message: messageKey('DATE') })
  dueBefore?: string;

  @ApiPropertyOptional({ enum: VISIT_LIST_FORMATS, default: 'json', description: 'xlsx: every match, unpaginated' })
  @IsOptional()
  @IsIn(VISIT_LIST_FORMATS)
  format?: (typeof VISIT_LIST_FORMATS)[number];
}

/** Admins: give the visit to someone else, or move its due date. */
export class UpdateVisitDto {
  @ApiPropertyOptional({ format: 'uuid', description: "An active trainer or admin of the class's county" })
  @IsOptionalNotNull()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ format: 'date', example: '2027-02-01', description: 'Local date, today or later' })
  @IsOptionalNotNull()
  @Matches(DATE, { message: messageKey('DATE') })
  dueOn?: string;
}

export class ReportVisitDto {
  @ApiProperty({ format: 'date', example: '2027-01-20', description: 'Local date of the visit, not in the future' })
  @Matches(DATE, { message: messageKey('DATE') })
  visitedOn!: string;

  @ApiProperty({ example: '走访了3个服务点，学员已能独立操作数字资源平台。', maxLength: 4000 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  notes!: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Trainees met: enrolled in the class from this township',
    maxItems: 500,
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(500)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  traineeIds?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, example: '部分服务点网络不稳定', maxLength: 4000 })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(4000)
  problems?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean()
  followUpNeeded?: boolean;
}

export class CancelVisitDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: '该乡镇学员已全部调离', maxLength: 1000 })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(1000)
  reason?: string | null;
}

export class VisitClassDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '2027年第一期基层服务点人员培训班' }) title!: string;
}

export class VisitTownshipDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '城关镇' }) name!: string;
}

export class VisitAssigneeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '王老师' }) displayName!: string;
}

export class VisitReportDto {
  @ApiProperty({ format: 'date', example: '2027-01-20' }) visitedOn!: string;
  @ApiProperty() notes!: string;
  @ApiProperty({ type: [String], format: 'uuid' }) traineeIds!: string[];
  @ApiProperty({ type: String, nullable: true }) problems!: string | null;
  @ApiProperty() followUpNeeded!: boolean;
  @ApiProperty({ type: String, format: 'date-time' }) reportedAt!: Date;
  @ApiProperty({ format: 'uuid' }) reportedBy!: string;
}

export class VisitDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: VISIT_STATUSES, description: 'An open visit past its due date reads overdue' })
  status!: VisitStatus;
  @ApiProperty({ format: 'date', example: '2027-02-01', description: 'Local date' }) dueOn!: string;
  @ApiProperty({ type: VisitClassDto, name: 'class' }) class!: VisitClassDto;
  @ApiProperty({ type: VisitTownshipDto }) township!: VisitTownshipDto;
  @ApiProperty({ type: VisitAssigneeDto }) assignee!: VisitAssigneeDto;
  @ApiProperty({ type: VisitReportDto, nullable: true, description: 'Once done' }) report!: VisitReportDto | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) cancelledAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) cancelReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: Date;
}
