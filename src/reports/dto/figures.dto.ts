import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

export const REPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** `year`: what every report is asked for. */
export class ReportYearQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 2000,
    maximum: 2100,
    example: 2026,
    description: "Left out: the current year in the centre's time zone (TZ_DEFAULT)",
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;
}

/** `year` and `orgUnitId`. */
export class ReportUnitQueryDto extends ReportYearQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The unit to report on, in your part of the tree; left out: your own unit',
  })
  @IsOptional()
  @IsUUID('all')
  orgUnitId?: string;
}

/** `year`, `quarter` and `orgUnitId`: what the summary and the township table are asked for. */
export class ReportScopeQueryDto extends ReportUnitQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 4,
    description: 'One quarter of the year (local dates: 1 = January–March); left out: the whole year',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(4)
  quarter?: number;
}

export class TownshipReportQueryDto extends ReportScopeQueryDto {
  @ApiPropertyOptional({
    enum: REPORT_FORMATS,
    default: 'json',
    description:
      'csv: the table as CSV (UTF-8 with BOM, Chinese headers, a totals line); ' +
      'xlsx: a workbook with a title row, Chinese headers, number and percent formats and a totals row',
  })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}

export class TrendsQueryDto extends ReportUnitQueryDto {}

export class AnnualReportQueryDto extends ReportUnitQueryDto {
  @ApiPropertyOptional({ enum: ['xlsx'], default: 'xlsx', description: 'The only format: an Excel workbook' })
  @IsOptional()
  @IsIn(['xlsx'])
  format?: 'xlsx';
}

export class ReportUnitDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '城关县' }) name!: string;
  @ApiProperty({ enum: ['province', 'city', 'county', 'township', 'village'] }) kind!: string;
}

/** The figures a township row and a summary share. docs/reports.md defines each. */
export class ReportFiguresDto {
  @ApiProperty({
    type: 'integer',
    description:
      'Classes whose first held session falls in the period (a class is counted once, in the period it began); ' +
      'for a township, those of them its trainees came to',
  })
  classesHeld!: number;
  @ApiProperty({
    type: 'integer',
    description:
      'Sessions held in the period (not cancelled, already started) by the classes of the scope; ' +
      'for a township, the sessions its trainees came to',
  })
  sessionsHeld!: number;
  @ApiProperty({ type: 'integer', description: 'Present or late marks at sessions held in the period' })
  personTimesFromAttendance!: number;
  @ApiProperty({ type: 'integer', description: 'Head counts of outreach events dated in the period' })
  personTimesFromEvents!: number;
  @ApiProperty({ type: 'integer', description: 'personTimesFromAttendance + personTimesFromEvents' })
  personTimes!: number;
  @ApiProperty({ type: 'integer', description: 'Trainees with at least one person-time in the period' })
  uniqueTrainees!: number;
  @ApiProperty({ type: 'integer', description: 'Active trainee accounts (annual rotation)' })
  rotationStaff!: number;
  @ApiProperty({
    type: 'integer',
    description: "Of them, those who completed a class of the year's plans that ended by the period's last day",
  })
  rotationTrained!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'rotationTrained / rotationStaff, 0..1 to 3 decimals' })
  rotationCoverage!: number | null;
  @ApiProperty({
    type: 'integer',
    description: 'Final grades on quizzes (not contests) that closed in the period: one per trainee and quiz taken',
  })
  quizGraded!: number;
  @ApiProperty({ type: 'integer', description: "Of them, grades at or above the quiz's pass mark" })
  quizPassed!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'quizPassed / quizGraded, 0..1 to 3 decimals' })
  quizPassRate!: number | null;
  @ApiProperty({ type: 'integer', description: 'Certificates issued in the period and not revoked' })
  certificatesIssued!: number;
  @ApiProperty({ type: 'integer', description: 'Follow-up visits reported done with a visit date in the period' })
  visitsDone!: number;
  @ApiProperty({
    type: 'integer',
    description: 'Follow-up visits due in the period, past their due date today and still not done',
  })
  visitsOverdue!: number;
}

export class TownshipFiguresDto extends ReportFiguresDto {
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty({ example: '城关镇' }) name!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The unit above (the county)' })
  parentId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '城关县' }) parentName!: string | null;
  @ApiProperty({
    description: 'Sent at least the minimum number of trainees (and at least one) to a class counted in the period',
  })
  covered!: boolean;
}

export class ReportTargetsDto {
  @ApiProperty({ type: 'integer', nullable: true, description: "Sum of the year's plans' class targets" })
  classes!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: "Sum of the year's plans' person-time targets" })
  personTimes!: number | null;
}

export class ReportProgressDto {
  @ApiProperty({ type: Number, nullable: true, description: 'classesHeld / targets.classes, to 3 decimals' })
  classes!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'personTimes / targets.personTimes, to 3 decimals' })
  personTimes!: number | null;
}

class ReportHeaderDto {
  @ApiProperty({ type: 'integer', example: 2026 }) year!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null: the whole year' }) quarter!: number | null;
  @ApiProperty({ example: '2026-01-01', description: 'First local date of the period' }) from!: string;
  @ApiProperty({ example: '2026-12-31', description: 'Last local date of the period' }) to!: string;
  @ApiProperty({ type: ReportUnitDto }) orgUnit!: ReportUnitDto;
  @ApiProperty({
    example: '2026-12-01T10:00:00+08:00',
    description:
      'When the figures were counted: they are read live from the records, so they include every write before it',
  })
  asOf!: string;
}

export class SummaryReportDto extends ReportHeaderDto {
  @ApiProperty({ type: 'integer' }) classesHeld!: number;
  @ApiProperty({ type: 'integer' }) sessionsHeld!: number;
  @ApiProperty({ type: 'integer' }) personTimesFromAttendance!: number;
  @ApiProperty({ type: 'integer' }) personTimesFromEvents!: number;
  @ApiProperty({ type: 'integer' }) personTimes!: number;
  @ApiProperty({ type: 'integer' }) uniqueTrainees!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Townships covered in the period; null for a village' })
  townshipsCovered!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Townships in scope; null for a village' })
  townshipsTotal!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'townshipsCovered / townshipsTotal, to 3 decimals' })
  townshipCoverage!: number | null;
  @ApiProperty({ type: 'integer' }) rotationStaff!: number;
  @ApiProperty({ type: 'integer' }) rotationTrained!: number;
  @ApiProperty({ type: Number, nullable: true }) rotationCoverage!: number | null;
  @ApiProperty({ type: 'integer' }) quizGraded!: number;
  @ApiProperty({ type: 'integer' }) quizPassed!: number;
  @ApiProperty({ type: Number, nullable: true }) quizPassRate!: number | null;
  @ApiProperty({ type: 'integer' }) certificatesIssued!: number;
  @ApiProperty({ type: 'integer' }) visitsDone!: number;
  @ApiProperty({ type: 'integer' }) visitsOverdue!: number;
  @ApiProperty({
    type: ReportTargetsDto,
    description: "The year's targets of the plans in scope (county and above); null figures without a target",
  })
  targets!: ReportTargetsDto;
  @ApiProperty({
    type: ReportProgressDto,
    description: 'Figure / target; for a quarter, the share of the year reached in it',
  })
  progress!: ReportProgressDto;
}

export class TownshipReportDto extends ReportHeaderDto {
  @ApiProperty({ type: [TownshipFiguresDto], description: 'Every township in scope, by county and name' })
  items!: TownshipFiguresDto[];
  @ApiProperty({
    type: 'integer',
    description:
      'Head counts of events held by units above the townships (the county library’s own lectures): ' +
      'in the totals, in no township row',
  })
  personTimesFromEventsOutsideTownships!: number;
  @ApiProperty({ type: SummaryReportDto, description: 'The summary of the same scope and period: the totals row' })
  totals!: SummaryReportDto;
}

export class TrendPointDto {
  @ApiProperty({ type: 'integer' }) sessionsHeld!: number;
  @ApiProperty({ type: 'integer' }) personTimesFromAttendance!: number;
  @ApiProperty({ type: 'integer' }) personTimesFromEvents!: number;
  @ApiProperty({ type: 'integer' }) personTimes!: number;
}

export class MonthTrendDto extends TrendPointDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 12 }) month!: number;
}

export class QuarterTrendDto extends TrendPointDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 4 }) quarter!: number;
}

export class TrendsReportDto {
  @ApiProperty({ type: 'integer' }) year!: number;
  @ApiProperty({ type: ReportUnitDto }) orgUnit!: ReportUnitDto;
  @ApiProperty({ example: '2026-12-01T10:00:00+08:00' }) asOf!: string;
  @ApiProperty({ type: [MonthTrendDto], description: 'Twelve points, January first (local months)' })
  months!: MonthTrendDto[];
  @ApiProperty({ type: [QuarterTrendDto], description: 'Four points: the sums of their months' })
  quarters!: QuarterTrendDto[];
}
