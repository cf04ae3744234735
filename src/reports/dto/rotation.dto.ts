import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { UnitContactDto } from '../../org-units/dto/org-unit.dto';
import { ReportYearQueryDto } from './figures.dto';

export const ROTATION_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type RotationFormat = (typeof ROTATION_FORMATS)[number];

export class RotationQueryDto extends ReportYearQueryDto {
  @ApiPropertyOptional({
    enum: ROTATION_FORMATS,
    default: 'json',
    description:
      'csv: the untrained people, one line each (UTF-8 with BOM, Chinese headers); ' +
      'xlsx: a workbook with the sheets 乡镇汇总 (per township) and 未参训人员 (per person)',
  })
  @IsOptional()
  @IsIn(ROTATION_FORMATS)
  format?: RotationFormat;
}

export class UntrainedTraineeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '王芳' }) displayName!: string;
  @ApiProperty({ format: 'uuid', description: 'The unit the person belongs to: a village, or the township itself' })
  unitId!: string;
  @ApiProperty({ description: "The unit's name (village or township)", example: '东关村' }) unitName!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'The phone number to call; only in answers to admins (the route is admin-only)',
  })
  phone?: string | null;
}

export class TownshipRotationDto {
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty({ example: '城关镇' }) name!: string;
  @ApiProperty({ type: 'integer', description: 'Active trainee accounts of the township and its villages' })
  accounts!: number;
  @ApiProperty({ type: 'integer', description: 'Same as accounts (the name older clients read)' })
  staffCount!: number;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: "Staff count from the township's needs survey of that year; null when it was not surveyed",
  })
  surveyStaffCount!: number | null;
  @ApiProperty({ type: 'integer', description: 'Accounts that completed a class of that year' }) trained!: number;
  @ApiProperty({
    type: [UntrainedTraineeDto],
    description: 'Accounts that did not, by unit (the township first, then its villages) and name',
  })
  notTrained!: UntrainedTraineeDto[];
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'trained / accounts, 0..1 to 3 decimals; null without any',
  })
  coverage!: number | null;
  @ApiProperty({
    type: 'integer',
    description: "Person-times of the township's trainees in that year's classes (present or late)",
  })
  personTimes!: number;
  @ApiProperty({
    type: [UnitContactDto],
    description: "The township's contact people, in call order (phone only in answers to admins)",
  })
  contacts!: UnitContactDto[];
}

export class RotationReportDto {
  @ApiProperty({ type: 'integer', example: 2027 }) year!: number;
  @ApiProperty({ type: 'integer', description: 'Active trainee accounts of all the townships' }) accounts!: number;
  @ApiProperty({ type: 'integer', description: 'Same as accounts (the name older clients read)' })
  staffCount!: number;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Sum of the survey staff counts of the surveyed townships (see surveyedTownships); null when none was',
  })
  surveyStaffCount!: number | null;
  @ApiProperty({ type: 'integer', description: 'Townships with a needs survey of that year' })
  surveyedTownships!: number;
  @ApiProperty({ type: 'integer' }) trained!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'trained / accounts, 0..1 to 3 decimals' })
  coverage!: number | null;
  @ApiProperty({ type: 'integer' }) personTimes!: number;
  @ApiProperty({ type: [TownshipRotationDto], description: 'Every township of your part of the tree, by name' })
  townships!: TownshipRotationDto[];
}
