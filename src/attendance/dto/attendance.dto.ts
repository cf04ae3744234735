import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { trimLower, trimOrNull } from '../../common/validation/transforms';
import {
  ATTENDANCE_SOURCES,
  ATTENDANCE_STATUSES,
  type AttendanceSource,
  type AttendanceStatus,
} from '../attendance.types';
import { messageKey } from '../../common/validation/validation';

/** A whole roster fits: a class holds at most 1,000 trainees. */
export const MAX_RECORDS = 1000;

export class MarkRecordDto {
  @ApiProperty({ format: 'uuid' })
  @Transform(trimLower)
  @IsUUID()
  enrolmentId!: string;

  @ApiProperty({ enum: ATTENDANCE_STATUSES })
  @IsIn(ATTENDANCE_STATUSES)
  status!: AttendanceStatus;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, description: 'Left out or empty: no note' })
  @Transform(trimOrNull)
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(500)
  note?: string | null;

  @ApiPropertyOptional({
    minimum: 0,
    description: 'The record’s version as you read it (0: not marked). Sent: 409 ATTENDANCE_STALE if it changed since.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  version?: number;
}

export class MarkAttendanceDto {
  @ApiProperty({ type: [MarkRecordDto], description: 'One per enrolment; the whole roster in one request if you like' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RECORDS)
  @ArrayUnique((r: MarkRecordDto) => r?.enrolmentId, { message: messageKey('DISTINCT_ENROLMENTS') })
  @ValidateNested({ each: true })
  @Type(() => MarkRecordDto)
  records!: MarkRecordDto[];
}

export class AttendanceQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true to add the audit trail of every change' })
  @IsOptional()
  @Matches(/^(true|false)$/)
  history?: 'true' | 'false';
}

export class OpenCheckInDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 240,
    description: 'How long the window stays open (default CHECK_IN_WINDOW_MINUTES). Sent: opens the window anew.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(240)
  windowMinutes?: number;
}

export class CheckInDto {
  @ApiProperty({ example: '042917', description: 'The six digits the trainer shows' })
  @IsString()
  @Matches(/^\d{6}$/, { message: messageKey('CHECK_IN_CODE') })
  code!: string;
}

export class CheckInCodeDto {
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ example: '042917' }) code!: string;
  @ApiProperty({ description: 'What the QR code encodes (JSON): the trainee app reads sessionId and code from it' })
  qrPayload!: string;
  @ApiProperty({ description: 'The QR code of qrPayload as an SVG image' }) qrSvg!: string;
  @ApiProperty({ description: 'When this code is replaced by the next (it is accepted 30 s longer)' })
  rotatesAt!: Date;
  @ApiProperty() windowOpenedAt!: Date;
  @ApiProperty() windowClosesAt!: Date;
  @ApiProperty({ description: 'Check-ins after this are recorded late' }) lateAfter!: Date;
}

export class AttendanceEntryDto {
  @ApiProperty({ format: 'uuid' }) enrolmentId!: string;
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty() townshipName!: string;
  @ApiProperty({ enum: ATTENDANCE_STATUSES, nullable: true, description: 'null: not marked yet' })
  status!: AttendanceStatus | null;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ enum: ATTENDANCE_SOURCES, nullable: true }) source!: AttendanceSource | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) recordedBy!: string | null;
  @ApiProperty({ type: Date, nullable: true }) recordedAt!: Date | null;
  @ApiProperty({ description: 'Changes so far (0: not marked)' }) version!: number;
}

export class AttendanceChangeDto {
  @ApiProperty({ description: 'Order of the change (ascending)' }) id!: string;
  @ApiProperty({ format: 'uuid' }) enrolmentId!: string;
  @ApiProperty({ enum: ATTENDANCE_STATUSES, nullable: true }) oldStatus!: AttendanceStatus | null;
  @ApiProperty({ enum: ATTENDANCE_STATUSES }) newStatus!: AttendanceStatus;
  @ApiProperty({ type: String, nullable: true }) oldNote!: string | null;
  @ApiProperty({ type: String, nullable: true }) newNote!: string | null;
  @ApiProperty({ enum: ATTENDANCE_SOURCES }) source!: AttendanceSource;
  @ApiProperty({ format: 'uuid' }) changedBy!: string;
  @ApiProperty() changedByName!: string;
  @ApiProperty() changedAt!: Date;
}

export class AttendanceCountsDto {
  @ApiProperty() present!: number;
  @ApiProperty() late!: number;
  @ApiProperty() excused!: number;
  @ApiProperty() absent!: number;
  @ApiProperty() unmarked!: number;
}

export class SessionAttendanceDto {
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty() startsAt!: Date;
  @ApiProperty() endsAt!: Date;
  @ApiProperty({ description: 'Present and late: the person-times of this session' }) personTimes!: number;
  @ApiProperty({ type: AttendanceCountsDto }) counts!: AttendanceCountsDto;
  @ApiProperty({
    type: [AttendanceEntryDto],
    description: 'Every trainee holding a seat, marked or not, and anyone else with a record',
  })
  records!: AttendanceEntryDto[];
  @ApiPropertyOptional({ type: [AttendanceChangeDto], description: 'With history=true: every change, oldest first' })
  history?: AttendanceChangeDto[];
}

export const SUMMARY_FORMATS = ['json', 'xlsx'] as const;

export class SummaryQueryDto {
  @ApiPropertyOptional({ enum: SUMMARY_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(SUMMARY_FORMATS)
  format?: (typeof SUMMARY_FORMATS)[number];
}

export class AttendancePointsViewDto {
  @ApiProperty() present!: number;
  @ApiProperty() late!: number;
  @ApiProperty() excused!: number;
  @ApiProperty() absent!: number;
  @ApiProperty({ description: 'What one session is worth' }) possible!: number;
}

class ScoreFields {
  @ApiProperty() present!: number;
  @ApiProperty() late!: number;
  @ApiProperty() excused!: number;
  @ApiProperty() absent!: number;
  @ApiProperty({ description: 'Held sessions without a record (they earn nothing)' }) unmarked!: number;
  @ApiProperty() personTimes!: number;
  @ApiProperty() pointsEarned!: number;
  @ApiProperty() pointsPossible!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'pointsEarned / pointsPossible; null before any held session',
  })
  rate!: number | null;
}

export class TraineeAttendanceDto extends ScoreFields {
  @ApiProperty({ format: 'uuid' }) enrolmentId!: string;
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty() sessionsHeld!: number;
  @ApiProperty({ description: "Whether the rate reaches the class's certificate threshold" }) meetsThreshold!: boolean;
}

export class TownshipAttendanceDto extends ScoreFields {
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() trainees!: number;
  @ApiProperty() meetingThreshold!: number;
  @ApiProperty({ type: [TraineeAttendanceDto] }) enrolments!: TraineeAttendanceDto[];
}

export class AttendanceSummaryDto extends ScoreFields {
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'Sessions not cancelled that have started' }) sessionsHeld!: number;
  @ApiProperty() threshold!: number;
  @ApiProperty({ type: AttendancePointsViewDto }) points!: AttendancePointsViewDto;
  @ApiProperty() trainees!: number;
  @ApiProperty() meetingThreshold!: number;
  @ApiProperty({ type: [TownshipAttendanceDto] }) townships!: TownshipAttendanceDto[];
}
