import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import type { OrgUnit } from '../../org-units/org-units.types';
import type { Survey } from '../survey.entity';
import { trimEach, trimOrNull } from '../../common/validation/transforms';
import { IsOptionalNotNull } from '../../common/validation/optional.decorator';
import { IsSingleLine } from '../../common/validation/text';
import { messageKey } from '../../common/validation/validation';

/** Topics are distinct regardless of case ("Excel" and "excel" are one topic). */
const folded = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;
/** Far above any township, far below int overflow in the summary's sums. */
export const MAX_COUNT = 100_000;
export const MAX_TOPICS = 30;

const Count = () => applyDecorators(IsInt(), Min(0), Max(MAX_COUNT));
const CountProperty = (description: string | undefined, example: number) =>
  ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_COUNT, description, example });
const Year = () => applyDecorators(IsInt(), Min(MIN_YEAR), Max(MAX_YEAR));
const Topics = () =>
  applyDecorators(
    Transform(trimEach),
    IsArray(),
    ArrayMaxSize(MAX_TOPICS),
    ArrayUnique(folded, { message: messageKey('DISTINCT') }),
    IsString({ each: true }),
    IsNotEmpty({ each: true }),
    MaxLength(50, { each: true }),
    IsSingleLine({ each: true }),
  );

export class SurveyProficiencyCountsDto {
  @CountProperty('Staff who cannot use a computer', 6) @Count() none!: number;
  @CountProperty(undefined, 9) @Count() basic!: number;
  @CountProperty(undefined, 4) @Count() intermediate!: number;
  @CountProperty(undefined, 1) @Count() advanced!: number;
}

export class SurveyEducationCountsDto {
  @CountProperty('Primary school', 3) @Count() primary!: number;
  @CountProperty('Secondary school (junior or senior high, vocational)', 12) @Count() secondary!: number;
  @CountProperty('College or university', 5) @Count() tertiary!: number;
}

export class CreateSurveyDto {
  @ApiProperty({ format: 'uuid', description: 'A township inside your part of the tree' })
  @IsUUID()
  orgUnitId!: string;

  @ApiProperty({ type: 'integer', minimum: MIN_YEAR, maximum: MAX_YEAR, example: 2027 })
  @Year()
  year!: number;

  @CountProperty('Township and village service points', 12) @Count() servicePoints!: number;
  @CountProperty('Staff across those service points', 20) @Count() staffCount!: number;

  @ApiProperty({
    type: SurveyProficiencyCountsDto,
    description: 'Staff per computer proficiency; adds up to ≤ staffCount',
  })
  @IsObject()
  @ValidateNested()
  @Type(() => SurveyProficiencyCountsDto)
  proficiency!: SurveyProficiencyCountsDto;

  @ApiPropertyOptional({
    type: SurveyEducationCountsDto,
    nullable: true,
    description: 'Staff per education level; adds up to ≤ staffCount',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SurveyEducationCountsDto)
  education?: SurveyEducationCountsDto | null;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_TOPICS, example: ['智能手机', '网上办事'] })
  @IsOptional()
  @Topics()
  topicsWanted?: string[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 2000,
    example: '村级服务点人员流动较大，希望集中在农闲时培训',
  })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
}

/** Corrects a survey; township and year stay (make another survey for another year). */
export class UpdateSurveyDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_COUNT })
  @IsOptionalNotNull()
  @Count()
  servicePoints?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_COUNT })
  @IsOptionalNotNull()
  @Count()
  staffCount?: number;

  @ApiPropertyOptional({ type: SurveyProficiencyCountsDto, description: 'Replaces all four counts' })
  @IsOptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => SurveyProficiencyCountsDto)
  proficiency?: SurveyProficiencyCountsDto;

  @ApiPropertyOptional({
    type: SurveyEducationCountsDto,
    nullable: true,
    description: 'Replaces all three; null clears',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SurveyEducationCountsDto)
  education?: SurveyEducationCountsDto | null;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_TOPICS, description: 'Replaces the list' })
  @IsOptionalNotNull()
  @Topics()
  topicsWanted?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000, description: 'null or "" clears it' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
}

export class ListSurveysQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: MIN_YEAR, maximum: MAX_YEAR })
  @IsOptional()
  @Type(() => Number)
  @Year()
  year?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'This unit and every unit under it' })
  @IsOptional()
  @IsUUID()
  orgUnitId?: string;
}

export class SurveySummaryQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: MIN_YEAR,
    maximum: MAX_YEAR,
    description: "Left out: the current year in the centre's time zone (TZ_DEFAULT)",
  })
  @IsOptional()
  @Type(() => Number)
  @Year()
  year?: number;
}

export class SurveyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) orgUnitId!: string;
  @ApiProperty({ description: 'The township', example: '城关镇' }) orgUnitName!: string;
  @ApiProperty({ type: 'integer' }) year!: number;
  @ApiProperty({ type: 'integer' }) servicePoints!: number;
  @ApiProperty({ type: 'integer' }) staffCount!: number;
  @ApiProperty({ type: SurveyProficiencyCountsDto }) proficiency!: SurveyProficiencyCountsDto;
  @ApiProperty({ type: SurveyEducationCountsDto, nullable: true }) education!: SurveyEducationCountsDto | null;
  @ApiProperty({ type: [String] }) topicsWanted!: string[];
  @ApiProperty({ type: String, nullable: true }) notes!: string | null;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) updatedAt!: Date;

  /** The stored flat columns, answered in the same nested shape as the body. */
  static from(s: Survey & { orgUnit: OrgUnit }): SurveyDto {
    return {
      id: s.id,
      orgUnitId: s.orgUnitId,
      orgUnitName: s.orgUnit.name,
      year: s.year,
      servicePoints: s.servicePoints,
      staffCount: s.staffCount,
      proficiency: {
        none: s.proficiencyNone,
        basic: s.proficiencyBasic,
        intermediate: s.proficiencyIntermediate,
        advanced: s.proficiencyAdvanced,
      },
      education:
        s.educationPrimary === null || s.educationSecondary === null || s.educationTertiary === null
          ? null
          : { primary: s.educationPrimary, secondary: s.educationSecondary, tertiary: s.educationTertiary },
      topicsWanted: s.topicsWanted,
      notes: s.notes,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    };
  }
}

export class SurveyTownshipRefDto {
  @ApiProperty({ format: 'uuid' }) orgUnitId!: string;
  @ApiProperty({ example: '城关镇' }) name!: string;
}

export class SurveySummaryTownshipsDto {
  @ApiProperty({ type: 'integer', description: 'Townships in your part of the tree' }) total!: number;
  @ApiProperty({ type: 'integer', description: 'Of those, with a survey for the year' }) surveyed!: number;
  @ApiProperty({ type: [SurveyTownshipRefDto], description: 'Townships still to survey, by name' })
  notSurveyed!: SurveyTownshipRefDto[];
}

export class SurveySummaryTotalsDto {
  @ApiProperty({ type: 'integer' }) servicePoints!: number;
  @ApiProperty({ type: 'integer' }) staffCount!: number;
  @ApiProperty({ type: SurveyProficiencyCountsDto }) proficiency!: SurveyProficiencyCountsDto;
  @ApiProperty({ type: SurveyEducationCountsDto, description: 'Surveys without education counts add nothing' })
  education!: SurveyEducationCountsDto;
}

export class SurveyProficiencyShareDto {
  @ApiProperty({ example: 0.25 }) none!: number;
  @ApiProperty({ example: 0.5 }) basic!: number;
  @ApiProperty({ example: 0.125 }) intermediate!: number;
  @ApiProperty({ example: 0.125 }) advanced!: number;
}

export class SurveyTopicCountDto {
  @ApiProperty({ description: 'The most common spelling of the topic', example: '智能手机' }) topic!: string;
  @ApiProperty({ type: 'integer', description: 'How many township surveys want it' }) townships!: number;
}

export class SurveySummaryTownshipDto {
  @ApiProperty({ format: 'uuid' }) orgUnitId!: string;
  @ApiProperty({ example: '城关镇' }) name!: string;
  @ApiProperty() surveyed!: boolean;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) surveyId!: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) servicePoints!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) staffCount!: number | null;
  @ApiProperty({ type: SurveyProficiencyCountsDto, nullable: true }) proficiency!: SurveyProficiencyCountsDto | null;
  @ApiProperty({ type: SurveyEducationCountsDto, nullable: true }) education!: SurveyEducationCountsDto | null;
  @ApiProperty({ type: [String] }) topicsWanted!: string[];
}

export class SurveySummaryDto {
  @ApiProperty({ type: 'integer' }) year!: number;
  @ApiProperty({ type: SurveySummaryTownshipsDto }) townships!: SurveySummaryTownshipsDto;
  @ApiProperty({ type: SurveySummaryTotalsDto }) totals!: SurveySummaryTotalsDto;
  @ApiProperty({
    type: SurveyProficiencyShareDto,
    description: 'Share of the summed proficiency counts at each level, 0..1 to 3 decimals; all 0 with no surveys',
  })
  proficiencyShare!: SurveyProficiencyShareDto;
  @ApiProperty({
    type: [SurveyTopicCountDto],
    description: 'At most 10, most wanted first, then by topic; compared trimmed and case-folded',
  })
  topTopics!: SurveyTopicCountDto[];
  @ApiProperty({ type: [SurveySummaryTownshipDto], description: 'Every township, surveyed or not, by name' })
  perTownship!: SurveySummaryTownshipDto[];
}
