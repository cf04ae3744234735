import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsISO8601,
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
import { PageQueryDto } from '../../common/pagination/page.dto';
import { SESSION_STATUSES, type ClassSession, type SessionStatus } from '../class-session.entity';
import { ZONED_INSTANT as INSTANT } from '../../common/time/zoned-time';
import { trimOrNull } from '../../common/validation/transforms';

export class RecurrenceDto {
  @ApiProperty({ example: 'FREQ=MONTHLY;BYMONTHDAY=5,15,25', description: 'RFC 5545 RRULE, without DTSTART' })
  @IsString()
  @MaxLength(200)
  rrule!: string;

  @ApiProperty({ example: '09:00', description: "Local start time in the centre's time zone" })
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'startTime must be HH:mm' })
  startTime!: string;

  @ApiProperty({ example: 180 })
  @IsInt()
  @Min(15)
  @Max(720)
  durationMinutes!: number;

  @ApiPropertyOptional({ type: [String], example: ['2026-10-01'], description: 'Local dates to skip' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { each: true, message: 'each exdate must be YYYY-MM-DD' })
  exdates?: string[];
}

/** One session (`startsAt` + `endsAt`) or a series (`recurrence`), never both. */
export class CreateSessionsDto {
  @ApiPropertyOptional({ example: '2026-10-08T09:00:00+08:00' })
  @ValidateIf((o: CreateSessionsDto) => o.recurrence === undefined || o.startsAt !== undefined)
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: '$property must be a date-time with a time zone, e.g. 2026-10-08T09:00:00+08:00' })
  startsAt?: string;

  @ApiPropertyOptional({ example: '2026-10-08T12:00:00+08:00' })
  @ValidateIf((o: CreateSessionsDto) => o.recurrence === undefined || o.endsAt !== undefined)
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: '$property must be a date-time with a time zone, e.g. 2026-10-08T09:00:00+08:00' })
  endsAt?: string;

  @ApiPropertyOptional({ type: RecurrenceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RecurrenceDto)
  recurrence?: RecurrenceDto;

  @ApiPropertyOptional({ format: 'uuid', description: "One of the class's trainers; defaults to its only trainer" })
  @IsOptional()
  @IsUUID()
  trainerId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Defaults to the class's venue" })
  @IsOptional()
  @IsUUID()
  venueId?: string;

  @ApiPropertyOptional({ example: '公共数字文化平台操作' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(200)
  topic?: string | null;
}

export class UpdateSessionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: '$property must be a date-time with a time zone, e.g. 2026-10-08T09:00:00+08:00' })
  startsAt?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: '$property must be a date-time with a time zone, e.g. 2026-10-08T09:00:00+08:00' })
  endsAt?: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  trainerId?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  venueId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(200)
  topic?: string | null;
}

export class ListSessionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  override pageSize: number = 50;

  @ApiPropertyOptional({ description: 'true to include cancelled sessions', enum: ['true', 'false'] })
  @IsOptional()
  @Matches(/^(true|false)$/)
  includeCancelled?: 'true' | 'false';
}

export class SessionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty() startsAt!: Date;
  @ApiProperty() endsAt!: Date;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) trainerId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) venueId!: string | null;
  @ApiProperty({ type: String, nullable: true }) topic!: string | null;
  @ApiProperty({ enum: SESSION_STATUSES }) status!: SessionStatus;
  @ApiProperty({ description: 'Raised on every change (iCalendar SEQUENCE)' }) sequence!: number;
  @ApiProperty({ type: Date, nullable: true }) cancelledAt!: Date | null;

  static from(s: ClassSession): SessionDto {
    return {
      id: s.id,
      classId: s.classId,
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      trainerId: s.trainerId,
      venueId: s.venueId,
      topic: s.topic,
      status: s.status,
      sequence: s.sequence,
      cancelledAt: s.cancelledAt,
    };
  }
}

export class SessionListDto {
  @ApiProperty({ type: [SessionDto] }) items!: SessionDto[];
}
