import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { COURSE_LEVELS, type Course, type CourseLevel } from '../course.entity';
import { trim, trimEach, trimOrNull } from '../../common/validation/transforms';
import { IsOptionalNotNull } from '../../common/validation/optional.decorator';
import { IsSingleLine } from '../../common/validation/text';
import { messageKey } from '../../common/validation/validation';

/** Topics are distinct regardless of case ("Excel" and "excel" are one topic). */
const folded = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);

export const MAX_TOPICS = 30;
export const MAX_HOURS = 1000;

export class CreateCourseDto {
  @ApiProperty({ example: '电脑基础与智能手机应用', minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsSingleLine()
  title!: string;

  @ApiProperty({ enum: COURSE_LEVELS, example: 'beginner' })
  @IsIn(COURSE_LEVELS)
  level!: CourseLevel;

  @ApiProperty({
    example: 12.5,
    minimum: 0,
    exclusiveMinimum: true,
    maximum: MAX_HOURS,
    description: 'At most one decimal',
  })
  @IsNumber({ maxDecimalPlaces: 1, allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_HOURS)
  hours!: number;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 2000,
    example: '面向乡镇综合文化站和村级服务点工作人员，学习电脑操作、智能手机应用和网上办事。',
  })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_TOPICS,
    example: ['文字处理', '网上办事'],
    description: `At most ${MAX_TOPICS} distinct topics of 1-50 characters`,
  })
  @IsOptional()
  @Transform(trimEach)
  @IsArray()
  @ArrayMaxSize(MAX_TOPICS)
  @ArrayUnique(folded, { message: messageKey('DISTINCT') })
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(50, { each: true })
  @IsSingleLine({ each: true })
  topics?: string[];
}

export class UpdateCourseDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsSingleLine()
  title?: string;

  @ApiPropertyOptional({ enum: COURSE_LEVELS })
  @IsOptionalNotNull()
  @IsIn(COURSE_LEVELS)
  level?: CourseLevel;

  @ApiPropertyOptional({ minimum: 0, exclusiveMinimum: true, maximum: MAX_HOURS, description: 'At most one decimal' })
  @IsOptionalNotNull()
  @IsNumber({ maxDecimalPlaces: 1, allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_HOURS)
  hours?: number;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000, description: 'null or "" clears it' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_TOPICS, description: 'Replaces the topics' })
  @IsOptionalNotNull()
  @Transform(trimEach)
  @IsArray()
  @ArrayMaxSize(MAX_TOPICS)
  @ArrayUnique(folded, { message: messageKey('DISTINCT') })
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(50, { each: true })
  @IsSingleLine({ each: true })
  topics?: string[];
}

export class ListCoursesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: COURSE_LEVELS })
  @IsOptional()
  @IsIn(COURSE_LEVELS)
  level?: CourseLevel;

  @ApiPropertyOptional({ description: 'Part of the title or of a topic' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class CourseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'The unit whose admins maintain the course' }) orgUnitId!: string;
  @ApiProperty({ example: '电脑基础与智能手机应用' }) title!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ enum: COURSE_LEVELS, example: 'beginner' }) level!: CourseLevel;
  @ApiProperty({ example: 12.5, description: 'At most one decimal' }) hours!: number;
  @ApiProperty({ type: [String], example: ['文字处理', '网上办事'] }) topics!: string[];
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) updatedAt!: Date;

  static from(c: Course): CourseDto {
    return {
      id: c.id,
      orgUnitId: c.orgUnitId,
      title: c.title,
      description: c.description,
      level: c.level,
      hours: Number(c.hours),
      topics: c.topics,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  }
}
