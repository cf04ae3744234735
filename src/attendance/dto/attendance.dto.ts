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
  @ApiProperty({ format: 'uuid', description: 'An enrolment holding a seat in the class (confirmed, or completed)' })
  @Transform(trimLower)
  @IsUUID()
  enrolmentId!: string;

  @ApiProperty({ enum: ATTENDANCE_STATUSES, example: 'present' })
  @IsIn(ATTENDANCE_STATUSES)
  status!: AttendanceStatus;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 500,
    example: '因病请假',
    description: 'Left out or empty: no note (an earlier note is cleared)',
  })
  @Transform(trimOrNull)
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(500)
  note?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    example: 0,
    description: 'The record’s version as you read it (0: not marked). Sent: 409 ATTENDANCE_STALE if it changed since.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  version?: number;
}

export class MarkAttendanceDto {
  @ApiProperty({
    type: [MarkRecordDto],
    minItems: 1,
    maxItems: MAX_RECORDS,
    description: 'One per enrolment (each at most once); the whole roster in one request if you like',
  })
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
    type: 'integer',
    minimum: 1,
    maximum: 240,
    example: 15,
    description: 'How long the window stays open (default CHECK_IN_WINDOW_MINUTES). Sent: opens the window anew.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(240)
  windowMinutes?: number;
}

export class CheckInDto {
  @ApiProperty({ example: '042917', pattern: '^\\d{6}$', description: 'The six digits the trainer shows' })
  @IsString()
  @Matches(/^\d{6}$/, { message: messageKey('CHECK_IN_CODE') })
  code!: string;
}

export class CheckInCodeDto {
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '042917',
    description: 'Six digits; null in an Idempotency-Key replay (codeRedacted: true): call again for the current code',
  })
  code!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'What the QR code encodes: the check-in page address, PUBLIC_BASE_URL + /c/<session id in 22 base64url ' +
      'characters>/<code>. Opened on a phone, it checks the trainee in with one tap. Null in a replay',
    example: 'https://lms.example.org/c/Wx5sKk8NTE6aUS99jDueEA/042917',
  })
  qrPayload!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The QR code of qrPayload as an SVG image. Null in a replay',
  })
  qrSvg!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2027-01-05T08:50:30+08:00',
    description: 'When this code is replaced by the next (it is accepted 30 s longer)',
  })
  rotatesAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T08:45:00+08:00' }) windowOpenedAt!: Date;
  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2027-01-05T09:00:00+08:00',
    description: 'Never after the session ends',
  })
  windowClosesAt!: Date;
  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2027-01-05T09:10:00+08:00',
    description: 'Check-ins after this are recorded late',
  })
  lateAfter!: Date;
}

export class AttendanceEntryDto {
  @ApiProperty({ format: 'uuid' }) enrolmentId!: string;
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty({ example: '王芳' }) displayName!: string;
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty({ example: '城关镇' }) townshipName!: string;
  @ApiProperty({ enum: ATTENDANCE_STATUSES, nullable: true, description: 'null: not marked yet' })
  status!: AttendanceStatus | null;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({
    enum: ATTENDANCE_SOURCES,
    nullable: true,
    description: "trainer: marked by a trainer or admin; self: the trainee's check-in",
  })
  source!: AttendanceSource | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) recordedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2027-01-05T08:52:13+08:00' })
  recordedAt!: Date | null;
  @ApiProperty({ type: 'integer', description: 'Changes so far (0: not marked); send it back as `version`' })
  version!: number;
}

export class AttendanceChangeDto {
  @ApiProperty({ description: 'Order of the change (ascending; a big integer written as text)', example: '1024' })
  id!: string;
  @ApiProperty({ format: 'uuid' }) enrolmentId!: string;
  @ApiProperty({ enum: ATTENDANCE_STATUSES, nullable: true }) oldStatus!: AttendanceStatus | null;
  @ApiProperty({ enum: ATTENDANCE_STATUSES }) newStatus!: AttendanceStatus;
  @ApiProperty({ type: String, nullable: true }) oldNote!: string | null;
  @ApiProperty({ type: String, nullable: true }) newNote!: string | null;
  @ApiProperty({ enum: ATTENDANCE_SOURCES }) source!: AttendanceSource;
  @ApiProperty({ format: 'uuid' }) changedBy!: string;
  @ApiProperty({ example: '王老师' }) changedByName!: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:20:00+08:00' }) changedAt!: Date;
}

export class AttendanceCountsDto {
  @ApiProperty({ type: 'integer' }) present!: number;
  @ApiProperty({ type: 'integer' }) late!: number;
  @ApiProperty({ type: 'integer' }) excused!: number;
  @ApiProperty({ type: 'integer' }) absent!: number;
  @ApiProperty({ type: 'integer' }) unmarked!: number;
}

export class SessionAttendanceDto {
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) startsAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T12:00:00+08:00' }) endsAt!: Date;
  @ApiProperty({ type: 'integer', description: 'Present and late: the person-times of this session' })
  personTimes!: number;
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
  @ApiProperty({ type: 'integer', example: 2 }) present!: number;
  @ApiProperty({ type: 'integer', example: 1 }) late!: number;
  @ApiProperty({ type: 'integer', example: 1 }) excused!: number;
  @ApiProperty({ type: 'integer', example: 0 }) absent!: number;
  @ApiProperty({ type: 'integer', description: 'What one session is worth (the highest of the four)', example: 2 })
  possible!: number;
}

class ScoreFields {
  @ApiProperty({ type: 'integer', description: 'Records of held sessions with this status' }) present!: number;
  @ApiProperty({ type: 'integer' }) late!: number;
  @ApiProperty({ type: 'integer' }) excused!: number;
  @ApiProperty({ type: 'integer' }) absent!: number;
  @ApiProperty({ type: 'integer', description: 'Held sessions without a record (they earn nothing)' })
  unmarked!: number;
  @ApiProperty({ type: 'integer', description: 'present + late' }) personTimes!: number;
  @ApiProperty({ type: 'integer' }) pointsEarned!: number;
  @ApiProperty({
    type: 'integer',
    description: 'Held sessions × what one is worth (× trainees, for a township or the class)',
  })
  pointsPossible!: number;
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
  @ApiProperty({ example: '王芳' }) displayName!: string;
  @ApiProperty({ type: 'integer' }) sessionsHeld!: number;
  @ApiProperty({ description: "Whether the rate reaches the class's certificate threshold" }) meetsThreshold!: boolean;
}

export class TownshipAttendanceDto extends ScoreFields {
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty({ example: '城关镇' }) name!: string;
  @ApiProperty({ type: 'integer', description: 'Trainees holding a seat' }) trainees!: number;
  @ApiProperty({ type: 'integer', description: 'Of those, meeting the threshold' }) meetingThreshold!: number;
  @ApiProperty({ type: [TraineeAttendanceDto] }) enrolments!: TraineeAttendanceDto[];
}

export class AttendanceSummaryDto extends ScoreFields {
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty({ example: '2027年第一期基层服务点人员培训班' }) title!: string;
  @ApiProperty({ type: 'integer', description: 'Sessions not cancelled that have started' }) sessionsHeld!: number;
  @ApiProperty({ description: "The class's attendanceThreshold (0..1)", example: 0.8 }) threshold!: number;
  @ApiProperty({ type: AttendancePointsViewDto }) points!: AttendancePointsViewDto;
  @ApiProperty({ type: 'integer', description: 'Trainees holding a seat (you alone, for a trainee)' })
  trainees!: number;
  @ApiProperty({ type: 'integer' }) meetingThreshold!: number;
  @ApiProperty({ type: [TownshipAttendanceDto] }) townships!: TownshipAttendanceDto[];
}
