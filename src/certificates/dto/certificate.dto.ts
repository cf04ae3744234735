import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { CLASS_STATUSES, type ClassStatus } from '../../classes/classes.types';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { trim } from '../../common/validation/transforms';
import { CERTIFICATE_RUN_STATUSES, type CertificateRunStatus } from '../certificate-run.entity';
import { INELIGIBILITY_REASONS, type IneligibilityReason } from '../eligibility';

export class CertificateSnapshotDto {
  @ApiProperty({ example: '王小明', description: "The holder's name when issued" }) name!: string;
  @ApiProperty({ type: String, nullable: true, example: '城关镇' }) township!: string | null;
  @ApiProperty({ example: '计算机基础应用' }) course!: string;
  @ApiProperty({ example: '2027年第一期基层服务点人员培训班' }) classTitle!: string;
  @ApiProperty({ format: 'date', example: '2027-01-05' }) startDate!: string;
  @ApiProperty({ format: 'date', example: '2027-03-25' }) endDate!: string;
  @ApiProperty({ example: 24, description: "The course's hours" }) hours!: number;
  @ApiProperty({ type: 'integer', example: 8, description: 'Held sessions attended (present or late)' })
  sessionsAttended!: number;
  @ApiProperty({ type: 'integer', example: 9 }) sessionsHeld!: number;
  @ApiProperty({ example: 0.8889, description: 'Attendance points earned / possible' }) attendanceRate!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 86.5,
    description: 'Grade (percent) on the required quiz; null when the class requires none',
  })
  score!: number | null;
  @ApiProperty({ example: '城关县图书馆', description: 'The issuing centre' }) centre!: string;
}

export class CertificateDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty({ example: '2027-Q1-0037', description: 'Unique per centre: plan year, quarter, number' })
  serial!: string;
  @ApiProperty({ example: '7K3Q-M9XD-0A1B-ZZ22-PQRS', description: 'Verification code as printed' }) code!: string;
  @ApiProperty({ example: 'https://lms.example.cn/api/certificates/verify/7K3Q-M9XD-0A1B-ZZ22-PQRS' })
  verifyUrl!: string;
  @ApiProperty({ example: '/api/certificates/0b7e…/pdf' }) pdfUrl!: string;
  @ApiProperty({ enum: ['valid', 'revoked'] }) status!: 'valid' | 'revoked';
  @ApiProperty({ type: CertificateSnapshotDto, description: 'What it certifies, frozen when issued' })
  snapshot!: CertificateSnapshotDto;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-03-28T10:00:00+08:00' }) issuedAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true, example: '成绩录入有误' }) revokeReason!: string | null;
}

export class CertificateListDto {
  @ApiProperty({ type: [CertificateDto] }) items!: CertificateDto[];
}

export const CERTIFICATE_LIST_FORMATS = ['json', 'xlsx'] as const;

export class ClassCertificatesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: CERTIFICATE_LIST_FORMATS,
    default: 'json',
    description: 'xlsx: every certificate of the class (no paging)',
  })
  @IsOptional()
  @IsIn(CERTIFICATE_LIST_FORMATS)
  format?: (typeof CERTIFICATE_LIST_FORMATS)[number];
}

export class RevokeCertificateDto {
  @ApiProperty({ minLength: 1, maxLength: 500, example: '成绩录入有误，已重新核定' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

export class CertificateRunStartedDto {
  @ApiProperty({ format: 'uuid', description: 'The run: follow it at GET /api/certificates/runs/{jobId}' })
  jobId!: string;
  @ApiProperty({ enum: CERTIFICATE_RUN_STATUSES, example: 'queued' }) status!: CertificateRunStatus;
  @ApiProperty({ type: 'integer', description: 'Eligible trainees without a live certificate', example: 42 })
  total!: number;
}

export class CertificateRunDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty({ enum: CERTIFICATE_RUN_STATUSES, description: 'queued, running, done, failed' })
  status!: CertificateRunStatus;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer', description: 'Trainees handled (issued + skipped); reaches total' }) done!: number;
  @ApiProperty({ type: 'integer', description: 'Certificates made' }) issued!: number;
  @ApiProperty({
    type: 'integer',
    description: 'Handled without a new certificate: one was issued meanwhile, or no longer eligible',
  })
  skipped!: number;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: Date | null;
}

export class TraineeEligibilityDto {
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty({ example: '王小明' }) displayName!: string;
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty({ example: '城关镇' }) townshipName!: string;
  @ApiProperty() eligible!: boolean;
  @ApiProperty({ enum: INELIGIBILITY_REASONS, isArray: true, description: 'Empty when eligible' })
  reasons!: IneligibilityReason[];
  @ApiProperty({ type: Number, nullable: true, example: 0.8, description: 'null before any session was held' })
  attendanceRate!: number | null;
  @ApiProperty({ example: 0.8 }) threshold!: number;
  @ApiProperty({ type: 'integer' }) sessionsAttended!: number;
  @ApiProperty({ type: 'integer' }) sessionsHeld!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Grade on the required quiz; null without one' })
  quizPercent!: number | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The live certificate, if any' })
  certificateId!: string | null;
}

export class ClassEligibilityDto {
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: CLASS_STATUSES }) status!: ClassStatus;
  @ApiProperty({ example: 0.8 }) threshold!: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) requiredQuizId!: string | null;
  @ApiProperty({ type: 'integer' }) sessionsHeld!: number;
  @ApiProperty({ type: 'integer', description: 'How many are eligible' }) eligible!: number;
  @ApiProperty({ type: [TraineeEligibilityDto] }) items!: TraineeEligibilityDto[];
}

export class CertificatePageDto {
  @ApiProperty({ type: [CertificateDto] }) items!: CertificateDto[];
  @ApiProperty({ type: 'integer', description: 'Items matching, over all pages' }) total!: number;
  @ApiProperty({ type: 'integer', example: 1 }) page!: number;
  @ApiProperty({ type: 'integer', example: 20 }) pageSize!: number;
}
