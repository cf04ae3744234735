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
  @ApiProperty({ example: 2, minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  present!: number;

  @ApiProperty({ example: 1, minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  late!: number;

  @ApiProperty({ example: 1, minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  excused!: number;

  @ApiProperty({ example: 0, minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  absent!: number;
}

export class CreateClassDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  planId!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  courseId!: string;

  @ApiProperty({ example: '2026年第四期基层服务点人员培训班' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsSingleLine()
  title!: string;

  @ApiProperty({ minimum: 1, maximum: 4 })
  @IsInt()
  @Min(1)
  @Max(4)
  quarter!: number;

  @ApiProperty({ example: '2026-10-08', description: 'Local date, inside the plan year and quarter' })
  @Matches(DATE, { message: messageKey('DATE') })
  startDate!: string;

  @ApiProperty({ example: '2026-12-25' })
  @Matches(DATE, { message: messageKey('DATE') })
  endDate!: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  venueId?: string | null;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Active trainers in your part of the tree' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  trainerIds!: string[];

  @ApiProperty({ example: 40 })
  @IsInt()
  @Min(1)
  @Max(1000)
  capacity!: number;

  @ApiPropertyOptional({ default: 3 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(100)
  minPerTownship?: number;

  @ApiPropertyOptional({ default: 5 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(100)
  maxPerTownship?: number;

  @ApiProperty({ example: '2026-09-20T00:00:00+08:00' })
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  enrolmentOpensAt!: string;

  @ApiProperty({ example: '2026-10-05T18:00:00+08:00' })
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  enrolmentClosesAt!: string;

  @ApiPropertyOptional({
    default: 0.8,
    minimum: 0,
    maximum: 1,
    description: 'Attendance rate needed for a certificate',
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
}

/** Every field may be left out; null only clears `venueId`. */
export class UpdateClassDto extends PartialType(OmitType(CreateClassDto, ['planId'] as const), {
  skipNullProperties: false,
}) {}

export class ListClassesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  planId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 4 })
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

  @ApiPropertyOptional({ description: 'Plan year' })
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
  @ApiProperty({ type: String, format: 'date-time' }) at!: Date;

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
  @ApiProperty({ example: '2026年第四期基层服务点人员培训班' }) title!: string;
  @ApiProperty({ minimum: 1, maximum: 4 }) quarter!: number;
  @ApiProperty({ example: '2026-10-08', description: 'Local date' }) startDate!: string;
  @ApiProperty({ example: '2026-12-25', description: 'Local date' }) endDate!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) venueId!: string | null;
  @ApiProperty({ type: VenueRefDto, nullable: true }) venue!: VenueRefDto | null;
  @ApiProperty({ type: [String], format: 'uuid' }) trainerIds!: string[];
  @ApiProperty({ type: [PersonRefDto] }) trainers!: PersonRefDto[];
  @ApiProperty() capacity!: number;
  @ApiProperty() minPerTownship!: number;
  @ApiProperty() maxPerTownship!: number;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-09-20T00:00:00+08:00' }) enrolmentOpensAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-10-05T18:00:00+08:00' }) enrolmentClosesAt!: Date;
  @ApiProperty({ minimum: 0, maximum: 1 }) attendanceThreshold!: number;
  @ApiProperty({ type: AttendancePointsDto }) attendancePoints!: AttendancePoints;
  @ApiProperty({ enum: CLASS_STATUSES }) status!: ClassStatus;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: Date;

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
