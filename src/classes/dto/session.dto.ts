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
import type { ClassSession } from '../class-session.entity';
import { ClassRefDto, CourseRefDto, PersonRefDto, VenueRefDto } from '../../common/openapi/refs.dto';
import { ZONED_INSTANT as INSTANT } from '../../common/time/zoned-time';
import { IsOptionalNotNull } from '../../common/validation/optional.decorator';
import { trimOrNull } from '../../common/validation/transforms';
import { IsSingleLine } from '../../common/validation/text';
import { messageKey } from '../../common/validation/validation';

export class RecurrenceDto {
  @ApiProperty({
    example: 'FREQ=MONTHLY;BYMONTHDAY=5,15,25',
    maxLength: 200,
    description:
      'RFC 5545 RRULE value without DTSTART (FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, COUNT or UNTIL, ' +
      'BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS), e.g. FREQ=WEEKLY;BYDAY=TU. It runs from the class start date ' +
      'to its end date',
  })
  @IsString()
  @MaxLength(200)
  rrule!: string;

  @ApiProperty({
    example: '09:00',
    pattern: '^([01]\\d|2[0-3]):[0-5]\\d$',
    description: "Local start time (HH:mm) in the centre's time zone",
  })
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: messageKey('TIME_OF_DAY') })
  startTime!: string;

  @ApiProperty({ type: 'integer', minimum: 15, maximum: 720, example: 180 })
  @IsInt()
  @Min(15)
  @Max(720)
  durationMinutes!: number;

  @ApiPropertyOptional({
    type: [String],
    format: 'date',
    maxItems: 100,
    example: ['2027-02-05', '2027-02-15'],
    description: 'Local dates to skip (holidays)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { each: true, message: messageKey('DATES') })
  exdates?: string[];
}

/** One session (`startsAt` + `endsAt`) or a series (`recurrence`), never both. */
export class CreateSessionsDto {
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2027-01-05T09:00:00+08:00',
    description: 'One session: its start, with an offset (with endsAt; leave out with recurrence)',
  })
  @ValidateIf((o: CreateSessionsDto) => o.recurrence === undefined || o.startsAt !== undefined)
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  startsAt?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2027-01-05T12:00:00+08:00',
    description: 'One session: its end, after startsAt and at most 12 hours later',
  })
  @ValidateIf((o: CreateSessionsDto) => o.recurrence === undefined || o.endsAt !== undefined)
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  endsAt?: string;

  @ApiPropertyOptional({ type: RecurrenceDto, description: 'A series (at most 200), instead of startsAt and endsAt' })
  @IsOptional()
  @ValidateNested()
  @Type(() => RecurrenceDto)
  recurrence?: RecurrenceDto;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "One of the class's trainers; defaults to its only trainer, required when it has several",
  })
  @IsOptional()
  @IsUUID()
  trainerId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Defaults to the class's venue" })
  @IsOptional()
  @IsUUID()
  venueId?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, example: '公共数字文化平台操作' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(200)
  @IsSingleLine()
  topic?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, example: '手机（充好电）、身份证' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(200)
  @IsSingleLine()
  whatToBring?: string | null;
}

export class UpdateSessionDto {
  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2027-01-06T09:00:00+08:00' })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  startsAt?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2027-01-06T12:00:00+08:00' })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  endsAt?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Another of the class's trainers (a session always has one)" })
  @IsOptionalNotNull()
  @IsUUID()
  trainerId?: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'null: no venue' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  venueId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, description: 'null or "" clears it' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(200)
  @IsSingleLine()
  topic?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, description: 'null or "" clears it' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(200)
  @IsSingleLine()
  whatToBring?: string | null;
}

export class ListSessionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
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

/** What a session shows: `held` once it has ended (unless cancelled), `scheduled` before. */
export const SESSION_VIEW_STATUSES = ['scheduled', 'held', 'cancelled'] as const;
export type SessionViewStatus = (typeof SESSION_VIEW_STATUSES)[number];

export function sessionViewStatus(s: Pick<ClassSession, 'status' | 'endsAt'>, now: Date): SessionViewStatus {
  if (s.status === 'cancelled') return 'cancelled';
  return s.endsAt <= now ? 'held' : 'scheduled';
}

/** The names a session's screen shows beside its ids, looked up in one go for a whole list. */
export interface SessionRefs {
  classes: Map<string, { id: string; title: string; courseId: string }>;
  courses: Map<string, CourseRefDto>;
  venues: Map<string, VenueRefDto>;
  people: Map<string, PersonRefDto>;
}

export class SessionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty({ type: ClassRefDto, name: 'class' }) class!: ClassRefDto;
  @ApiProperty({ type: CourseRefDto }) course!: CourseRefDto;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) startsAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T12:00:00+08:00' }) endsAt!: Date;
  @ApiProperty({ format: 'uuid' }) trainerId!: string;
  @ApiProperty({ type: PersonRefDto }) trainer!: PersonRefDto;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) venueId!: string | null;
  @ApiProperty({ type: VenueRefDto, nullable: true }) venue!: VenueRefDto | null;
  @ApiProperty({ type: String, nullable: true, example: '公共数字文化平台操作' }) topic!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '手机（充好电）、身份证' }) whatToBring!: string | null;
  @ApiProperty({ enum: SESSION_VIEW_STATUSES, description: '`held` once its end has passed (unless cancelled)' })
  status!: SessionViewStatus;
  @ApiProperty({ type: 'integer', description: 'Raised on every change (iCalendar SEQUENCE)', example: 0 })
  sequence!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) cancelledAt!: Date | null;

  static from(s: ClassSession, refs: SessionRefs, now: Date): SessionDto {
    const c = refs.classes.get(s.classId);
    return {
      id: s.id,
      classId: s.classId,
      class: { id: s.classId, title: c?.title ?? '' },
      course: (c && refs.courses.get(c.courseId)) ?? { id: c?.courseId ?? '', title: '' },
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      trainerId: s.trainerId,
      trainer: refs.people.get(s.trainerId) ?? { id: s.trainerId, displayName: '' },
      venueId: s.venueId,
      venue: (s.venueId && refs.venues.get(s.venueId)) || null,
      topic: s.topic,
      whatToBring: s.whatToBring ?? null,
      status: sessionViewStatus(s, now),
      sequence: s.sequence,
      cancelledAt: s.cancelledAt,
    };
  }
}

/** `GET /api/sessions`: sessions in the caller's part of the organisation, by time. */
export class SearchSessionsQueryDto extends ListSessionsQueryDto {
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2027-01-05T00:00:00+08:00',
    description: 'Sessions ending after this instant',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  from?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2027-01-06T00:00:00+08:00',
    description: 'Sessions starting before this instant',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  to?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Sessions this trainer teaches' })
  @IsOptional()
  @IsUUID()
  trainerId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Sessions of this class' })
  @IsOptional()
  @IsUUID()
  classId?: string;
}

export class SessionListDto {
  @ApiProperty({ type: [SessionDto] }) items!: SessionDto[];
}
