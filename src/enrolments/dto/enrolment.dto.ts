import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { CLASS_STATUSES, type ClassStatus } from '../../classes/classes.types';
import { SessionDto } from '../../classes/dto/session.dto';
import { ENROLMENT_STATUSES, type Enrolment, type EnrolmentStatus } from '../enrolment.entity';

export class CreateEnrolmentDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Admins: the trainee to enrol. Trainees leave it out (self).' })
  @IsOptional()
  @IsUUID()
  traineeId?: string;
}

export class EnrolmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ENROLMENT_STATUSES }) status!: EnrolmentStatus;
  @ApiPropertyOptional({ description: 'Place on the waitlist (1 = next), when waitlisted' }) position?: number;
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty({ format: 'uuid' }) classId!: string;

  static from(e: Enrolment): EnrolmentDto {
    return {
      id: e.id,
      status: e.status,
      ...(e.waitlistPosition !== null && { position: e.waitlistPosition }),
      townshipId: e.townshipId,
      traineeId: e.traineeId,
      classId: e.classId,
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
  @ApiProperty() name!: string;
  @ApiProperty() confirmed!: number;
  @ApiProperty() waitlisted!: number;
  @ApiProperty() min!: number;
  @ApiProperty() max!: number;
  @ApiProperty({ enum: QUOTA_STATUSES, description: 'none: nobody; below_minimum: fewer than min; full: at max' })
  status!: QuotaStatus;
}

export class QuotaDto {
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty() capacity!: number;
  @ApiProperty() confirmed!: number;
  @ApiProperty() waitlisted!: number;
  @ApiProperty({ type: [TownshipQuotaDto] }) townships!: TownshipQuotaDto[];
}

export class RosterEntryDto {
  @ApiProperty({ format: 'uuid' }) enrolmentId!: string;
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ type: String, nullable: true }) education!: string | null;
  @ApiProperty({ type: String, nullable: true }) proficiency!: string | null;
  @ApiProperty({ enum: ENROLMENT_STATUSES }) status!: EnrolmentStatus;
  @ApiPropertyOptional() position?: number;
  @ApiProperty({ description: 'Completed a class of the same plan year' }) trainedThisYear!: boolean;
}

export class RosterTownshipDto {
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [RosterEntryDto] }) enrolments!: RosterEntryDto[];
}

export class ProficiencyMixDto {
  @ApiProperty() none!: number;
  @ApiProperty() basic!: number;
  @ApiProperty() intermediate!: number;
  @ApiProperty() advanced!: number;
  @ApiProperty({ description: 'Trainees whose proficiency is not recorded' }) unknown!: number;
}

export class RosterDto {
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty({ description: 'Enrolments that count (confirmed and completed)' }) confirmed!: number;
  @ApiProperty() waitlisted!: number;
  @ApiProperty({ type: ProficiencyMixDto, description: 'Of confirmed and completed trainees' })
  proficiency!: ProficiencyMixDto;
  @ApiProperty({ type: [RosterTownshipDto] }) townships!: RosterTownshipDto[];
}

export class MyEnrolmentClassDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: CLASS_STATUSES }) status!: ClassStatus;
  @ApiProperty({ example: '2026-10-08', description: 'Local date' }) startDate!: string;
  @ApiProperty({ example: '2026-12-25', description: 'Local date' }) endDate!: string;
}

export class MyEnrolmentDto extends EnrolmentDto {
  @ApiProperty({ type: MyEnrolmentClassDto, name: 'class' }) class!: MyEnrolmentClassDto;
  @ApiProperty({
    type: [SessionDto],
    description: 'Every session of the class, cancelled ones marked (so nobody comes in vain), with venue and trainer',
  })
  sessions!: SessionDto[];
}
