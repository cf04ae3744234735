import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { CLASS_STATUSES, type ClassStatus } from '../../classes/classes.types';
import { SessionDto } from '../../classes/dto/session.dto';
import { UnitContactDto } from '../../org-units/dto/org-unit.dto';
import { EDUCATION_LEVELS, PROFICIENCIES } from '../../users/user.types';
import {
  ENROLMENT_STATUSES,
  WITHDRAWAL_REASONS,
  type Enrolment,
  type EnrolmentStatus,
  type WithdrawalReason,
} from '../enrolment.entity';

export class CreateEnrolmentDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Admins: the trainee to enrol. Trainees leave it out (self).' })
  @IsOptional()
  @IsUUID()
  traineeId?: string;
}

export class EnrolmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ENROLMENT_STATUSES, example: 'confirmed' }) status!: EnrolmentStatus;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: 'Place on the waitlist (1 = next), when waitlisted',
  })
  position?: number;
  @ApiProperty({ format: 'uuid', description: "The township the trainee counts for (its own, or its village's)" })
  townshipId!: string;
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty({
    enum: WITHDRAWAL_REASONS,
    nullable: true,
    description:
      'Why it was withdrawn (null unless withdrawn): self (the trainee), admin, class_completed (still ' +
      'waitlisted when the class ended), class_cancelled',
  })
  withdrawalReason!: WithdrawalReason | null;

  static from(e: Enrolment): EnrolmentDto {
    return {
      id: e.id,
      status: e.status,
      ...(e.waitlistPosition !== null && { position: e.waitlistPosition }),
      townshipId: e.townshipId,
      traineeId: e.traineeId,
      classId: e.classId,
      withdrawalReason: e.withdrawalReason,
    };
  }
}

export const EXPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;

export class RosterQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: (typeof EXPORT_FORMATS)[number];
}

export const QUOTA_STATUSES = ['none', 'below_minimum', 'ok', 'full'] as const;
export type QuotaStatus = (typeof QUOTA_STATUSES)[number];

export class TownshipQuotaDto {
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty({ example: '城关镇' }) name!: string;
  @ApiProperty({ type: 'integer', description: 'Confirmed and completed enrolments', example: 4 }) confirmed!: number;
  @ApiProperty({ type: 'integer', example: 0 }) waitlisted!: number;
  @ApiProperty({ type: 'integer', description: "The class's minPerTownship", example: 3 }) min!: number;
  @ApiProperty({ type: 'integer', description: "The class's maxPerTownship", example: 5 }) max!: number;
  @ApiProperty({ enum: QUOTA_STATUSES, description: 'none: nobody; below_minimum: fewer than min; full: at max' })
  status!: QuotaStatus;
  @ApiProperty({ type: [UnitContactDto], description: "The township's contact people, in call order: whom to call" })
  contacts!: UnitContactDto[];
}

export class QuotaDto {
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty({ type: 'integer', example: 40 }) capacity!: number;
  @ApiProperty({ type: 'integer', example: 32 }) confirmed!: number;
  @ApiProperty({ type: 'integer', example: 3 }) waitlisted!: number;
  @ApiProperty({ type: [TownshipQuotaDto] }) townships!: TownshipQuotaDto[];
}

export class RosterEntryDto {
  @ApiProperty({ format: 'uuid' }) enrolmentId!: string;
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty({ example: '王芳' }) displayName!: string;
  @ApiProperty({ example: '13937000001', description: "Masked in a trainee's view of others" }) username!: string;
  @ApiProperty({ type: String, nullable: true, description: "null in a trainee's view of others" })
  phone!: string | null;
  @ApiProperty({
    enum: EDUCATION_LEVELS,
    nullable: true,
    description: "null when unknown, and in a trainee's view of others",
  })
  education!: string | null;
  @ApiProperty({
    enum: PROFICIENCIES,
    nullable: true,
    description: "null when unknown, and in a trainee's view of others",
  })
  proficiency!: string | null;
  @ApiProperty({ enum: ENROLMENT_STATUSES }) status!: EnrolmentStatus;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Place on the waitlist, when waitlisted' })
  position?: number;
  @ApiProperty({ description: 'Completed a class of the same plan year' }) trainedThisYear!: boolean;
}

export class RosterTownshipDto {
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty({ example: '城关镇' }) name!: string;
  @ApiProperty({ type: [RosterEntryDto] }) enrolments!: RosterEntryDto[];
}

export class ProficiencyMixDto {
  @ApiProperty({ type: 'integer' }) none!: number;
  @ApiProperty({ type: 'integer' }) basic!: number;
  @ApiProperty({ type: 'integer' }) intermediate!: number;
  @ApiProperty({ type: 'integer' }) advanced!: number;
  @ApiProperty({ type: 'integer', description: 'Trainees whose proficiency is not recorded (or not shown to you)' })
  unknown!: number;
}

export class RosterDto {
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty({ type: 'integer', description: 'Enrolments that count (confirmed and completed)' }) confirmed!: number;
  @ApiProperty({ type: 'integer' }) waitlisted!: number;
  @ApiProperty({ type: ProficiencyMixDto, description: 'Of confirmed and completed trainees' })
  proficiency!: ProficiencyMixDto;
  @ApiProperty({ type: [RosterTownshipDto] }) townships!: RosterTownshipDto[];
}

export class MyEnrolmentClassDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '2027年第一期基层服务点人员培训班' }) title!: string;
  @ApiProperty({ enum: CLASS_STATUSES }) status!: ClassStatus;
  @ApiProperty({ format: 'date', example: '2027-01-05', description: 'Local date' }) startDate!: string;
  @ApiProperty({ format: 'date', example: '2027-03-25', description: 'Local date' }) endDate!: string;
}

export class MyEnrolmentDto extends EnrolmentDto {
  @ApiProperty({ type: MyEnrolmentClassDto, name: 'class' }) class!: MyEnrolmentClassDto;
  @ApiProperty({
    type: [SessionDto],
    description: 'Every session of the class, cancelled ones marked (so nobody comes in vain), with venue and trainer',
  })
  sessions!: SessionDto[];
}
