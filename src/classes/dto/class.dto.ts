import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsNumber,
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
import { CLASS_STATUSES, type ClassStatus } from '../class-status';
import type { ClassTransition } from '../class-transition.entity';
import type { TrainingClass } from '../training-class.entity';
import { type AttendancePoints, pointsOf } from '../attendance-points';
import { ZONED_INSTANT as INSTANT } from '../../common/time/zoned-time';
import { IsOptionalNotNull } from '../../common/validation/optional.decorator';
import { trim } from '../../common/validation/transforms';
import { CourseRefDto, PersonRefDto, VenueRefDto } from '../../common/openapi/refs.dto';
import { IsSingleLine } from '../../common/validation/text';
import { messageKey } from '../../common/validation/validation';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Points per attendance status; a session is worth the highest of them (at least 1). */
export class AttendancePointsDto implements AttendancePoints {
  @ApiProperty({ type: 'integer', example: 2, minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  present!: number;

  @ApiProperty({ type: 'integer', example: 1, minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  late!: number;

  @ApiProperty({ type: 'integer', example: 1, minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  excused!: number;

  @ApiProperty({ type: 'integer', example: 0, minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  absent!: number;
}

export class CreateClassDto {
  @ApiProperty({
    format: 'uuid',
    description: 'A plan in your part of the tree: the class belongs to its county and year',
  })
  @IsUUID()
  planId!: string;

  @ApiProperty({ format: 'uuid', description: "A course of the plan's county, or from a unit above it" })
  @IsUUID()
  courseId!: string;

  @ApiProperty({ example: '2027年第一期基层服务点人员培训班', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsSingleLine()
  title!: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 4, example: 1, description: "Quarter of the plan's year" })
  @IsInt()
  @Min(1)
  @Max(4)
  quarter!: number;

  @ApiProperty({ format: 'date', example: '2027-01-05', description: 'Local date, inside the plan year and quarter' })
  @Matches(DATE, { message: messageKey('DATE') })
  startDate!: string;

  @ApiProperty({
    format: 'date',
    example: '2027-03-25',
    description: 'Local date, in the same quarter, not before startDate',
  })
  @Matches(DATE, { message: messageKey('DATE') })
  endDate!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: "A venue of the plan's county; the sessions' default venue",
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  venueId?: string | null;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: 10,
    description: "1-10 distinct active trainers of the plan's county",
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  trainerIds!: string[];

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1000, example: 40, description: 'Confirmed seats' })
  @IsInt()
  @Min(1)
  @Max(1000)
  capacity!: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 100,
    default: 3,
    description: 'Confirmed trainees a township should send (quota shows who is below)',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(100)
  minPerTownship?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 5,
    description: 'Confirmed trainees a township may have; more are waitlisted. min ≤ max ≤ capacity',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(100)
  maxPerTownship?: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2026-12-01T00:00:00+08:00',
    description: 'With an offset',
  })
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  enrolmentOpensAt!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2027-01-04T18:00:00+08:00',
    description: 'After enrolmentOpensAt, no later than the end of the last day of the class',
  })
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  enrolmentClosesAt!: string;

  @ApiPropertyOptional({
    default: 0.8,
    minimum: 0,
    maximum: 1,
    example: 0.8,
    description: 'Attendance rate needed for a certificate (up to 3 decimals)',
  })
  @IsOptionalNotNull()
  @IsNumber({ maxDecimalPlaces: 3, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  attendanceThreshold?: number;

  @ApiPropertyOptional({
    type: AttendancePointsDto,
    description: 'Points per attendance status (default present 2, late 1, excused 1, absent 0, out of 2)',
  })
  @IsOptionalNotNull()
  @ValidateNested()
  @Type(() => AttendancePointsDto)
  attendancePoints?: AttendancePointsDto;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description:
      'A quiz of this class that a trainee must pass for a certificate; null: none. A new class has no quizzes ' +
      'yet, so on create only null (or nothing) is accepted: set it with PATCH once the quiz exists.',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  requiredQuizId?: string | null;
}

/** Every field may be left out; null only clears `venueId` and `requiredQuizId`. */
export class UpdateClassDto extends PartialType(OmitType(CreateClassDto, ['planId'] as const), {
  skipNullProperties: false,
}) {}

export class ListClassesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  planId?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 4 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(4)
  quarter?: number;

  @ApiPropertyOptional({ enum: CLASS_STATUSES })
  @IsOptional()
  @IsIn(CLASS_STATUSES)
  status?: ClassStatus;

  @ApiPropertyOptional({ type: 'integer', minimum: 2000, maximum: 2100, description: 'Plan year', example: 2027 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;
}

export class ClassTransitionDto {
  @ApiProperty({ enum: CLASS_STATUSES }) fromStatus!: ClassStatus;
  @ApiProperty({ enum: CLASS_STATUSES }) toStatus!: ClassStatus;
  @ApiPropertyOptional({ format: 'uuid', description: 'Who made the step: shown to admins only' })
  actorId?: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-01T08:30:00+08:00' }) at!: Date;

  /** Who made a step is the library's business: trainers and trainees see what happened and when. */
  static from(t: ClassTransition, showActor: boolean): ClassTransitionDto {
    return { fromStatus: t.fromStatus, toStatus: t.toStatus, ...(showActor && { actorId: t.actorId }), at: t.at };
  }
}

/** The names a class's screen shows beside its ids, looked up in one go for a whole list. */
export interface ClassRefs {
  courses: Map<string, CourseRefDto>;
  venues: Map<string, VenueRefDto>;
  people: Map<string, PersonRefDto>;
}

export class ClassDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) planId!: string;
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty({ type: CourseRefDto }) course!: CourseRefDto;
  @ApiProperty({ example: '2027年第一期基层服务点人员培训班' }) title!: string;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 4, example: 1 }) quarter!: number;
  @ApiProperty({ format: 'date', example: '2027-01-05', description: 'Local date' }) startDate!: string;
  @ApiProperty({ format: 'date', example: '2027-03-25', description: 'Local date' }) endDate!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) venueId!: string | null;
  @ApiProperty({ type: VenueRefDto, nullable: true }) venue!: VenueRefDto | null;
  @ApiProperty({ type: [String], format: 'uuid' }) trainerIds!: string[];
  @ApiProperty({ type: [PersonRefDto] }) trainers!: PersonRefDto[];
  @ApiProperty({ type: 'integer', example: 40 }) capacity!: number;
  @ApiProperty({ type: 'integer', example: 3 }) minPerTownship!: number;
  @ApiProperty({ type: 'integer', example: 5 }) maxPerTownship!: number;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-01T00:00:00+08:00' }) enrolmentOpensAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-04T18:00:00+08:00' }) enrolmentClosesAt!: Date;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.8 }) attendanceThreshold!: number;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The quiz a trainee must pass for a certificate; null: none',
  })
  requiredQuizId!: string | null;
  @ApiProperty({ type: AttendancePointsDto }) attendancePoints!: AttendancePoints;
  @ApiProperty({ enum: CLASS_STATUSES }) status!: ClassStatus;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-20T10:00:00+08:00' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-20T10:00:00+08:00' }) updatedAt!: Date;

  static from(c: TrainingClass, trainerIds: string[], refs: ClassRefs): ClassDto {
    return {
      id: c.id,
      planId: c.planId,
      courseId: c.courseId,
      course: refs.courses.get(c.courseId) ?? { id: c.courseId, title: '' },
      title: c.title,
      quarter: c.quarter,
      startDate: c.startDate,
      endDate: c.endDate,
      venueId: c.venueId,
      venue: (c.venueId && refs.venues.get(c.venueId)) || null,
      trainerIds,
      trainers: trainerIds.map((id) => refs.people.get(id) ?? { id, displayName: '' }),
      capacity: c.capacity,
      minPerTownship: c.minPerTownship,
      maxPerTownship: c.maxPerTownship,
      enrolmentOpensAt: c.enrolmentOpensAt,
      enrolmentClosesAt: c.enrolmentClosesAt,
      attendanceThreshold: c.attendanceThreshold,
      requiredQuizId: c.requiredQuizId,
      attendancePoints: pointsOf(c),
      status: c.status,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  }
}

export class ClassDetailDto extends ClassDto {
  @ApiProperty({ type: [ClassTransitionDto], description: 'Every state change: when (and, for admins, who)' })
  transitions!: ClassTransitionDto[];
}
