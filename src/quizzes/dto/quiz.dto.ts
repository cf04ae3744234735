import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
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
import { ZONED_INSTANT as INSTANT } from '../../common/time/zoned-time';
import { IsOptionalNotNull } from '../../common/validation/optional.decorator';
import { IsSingleLine } from '../../common/validation/text';
import { trim } from '../../common/validation/transforms';
import { messageKey } from '../../common/validation/validation';
import {
  GRADING_METHODS,
  type GradingMethod,
  QUIZ_MODES,
  type QuizMode,
  REVIEW_POLICIES,
  type ReviewPolicy,
} from '../quiz.entity';

/** The choices the enum fields take, for forms that offer them (the console's pages). */
export { GRADING_METHODS, QUIZ_MODES, REVIEW_POLICIES };

/** The most questions one attempt may hold (fixed, or all draws together). */
export const MAX_QUIZ_QUESTIONS = 200;

export class DrawRuleDto {
  @ApiProperty({ example: '文字处理', maxLength: 100, description: "A category of the class's course's bank" })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @IsSingleLine()
  category!: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_QUIZ_QUESTIONS, example: 5 })
  @IsInt()
  @Min(1)
  @Max(MAX_QUIZ_QUESTIONS)
  count!: number;
}

export class CreateQuizDto {
  @ApiProperty({ format: 'uuid', description: 'The class the quiz belongs to (you manage or teach it)' })
  @IsUUID()
  classId!: string;

  @ApiProperty({ example: '文字处理单元测验', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsSingleLine()
  title!: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: MAX_QUIZ_QUESTIONS,
    description: "Fixed questions, in order, from the bank of the class's course. Give this or `draw`, not both",
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_QUIZ_QUESTIONS)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  questionIds?: string[];

  @ApiPropertyOptional({
    type: [DrawRuleDto],
    maxItems: 20,
    description: 'A random draw of `count` questions per category for each attempt. Give this or `questionIds`',
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => DrawRuleDto)
  draw?: DrawRuleDto[];

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 86400,
    example: 1800,
    description: 'Seconds an attempt may last; none: until the quiz closes',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(86400)
  timeLimitSeconds?: number | null;

  @ApiProperty({ type: String, format: 'date-time', example: '2027-03-01T09:00:00+08:00' })
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  opensAt!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2027-03-08T18:00:00+08:00',
    description: 'After opensAt',
  })
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  closesAt!: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100, example: 2 })
  @IsInt()
  @Min(1)
  @Max(100)
  attemptsAllowed!: number;

  @ApiProperty({ enum: GRADING_METHODS, description: 'How attempts make the grade: highest, last, first or average' })
  @IsIn(GRADING_METHODS)
  gradingMethod!: GradingMethod;

  @ApiProperty({ minimum: 0, maximum: 100, example: 60, description: 'Percent of the points needed to pass' })
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  passPercent!: number;

  @ApiPropertyOptional({ default: true, description: 'Shuffle questions and options, differently for each attempt' })
  @IsOptionalNotNull()
  @IsBoolean()
  shuffle?: boolean;

  @ApiPropertyOptional({
    enum: REVIEW_POLICIES,
    default: 'score_only',
    description: 'What a trainee sees of a finished attempt: the score only, or also the answers once the quiz closed',
  })
  @IsOptionalNotNull()
  @IsIn(REVIEW_POLICIES)
  reviewPolicy?: ReviewPolicy;

  @ApiPropertyOptional({ enum: QUIZ_MODES, default: 'quiz', description: '`contest` adds leaderboards' })
  @IsOptionalNotNull()
  @IsIn(QUIZ_MODES)
  mode?: QuizMode;
}

/** Every field but the class may change; questions, draw and mode only until someone has started. */
export class UpdateQuizDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsSingleLine()
  title?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: MAX_QUIZ_QUESTIONS })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_QUIZ_QUESTIONS)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  questionIds?: string[];

  @ApiPropertyOptional({ type: [DrawRuleDto], maxItems: 20 })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => DrawRuleDto)
  draw?: DrawRuleDto[];

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 86400 })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(86400)
  timeLimitSeconds?: number | null;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  opensAt?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  closesAt?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(100)
  attemptsAllowed?: number;

  @ApiPropertyOptional({ enum: GRADING_METHODS })
  @IsOptionalNotNull()
  @IsIn(GRADING_METHODS)
  gradingMethod?: GradingMethod;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptionalNotNull()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  passPercent?: number;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  shuffle?: boolean;

  @ApiPropertyOptional({ enum: REVIEW_POLICIES })
  @IsOptionalNotNull()
  @IsIn(REVIEW_POLICIES)
  reviewPolicy?: ReviewPolicy;

  @ApiPropertyOptional({ enum: QUIZ_MODES })
  @IsOptionalNotNull()
  @IsIn(QUIZ_MODES)
  mode?: QuizMode;
}

export class ListQuizzesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  classId?: string;

  @ApiPropertyOptional({ enum: QUIZ_MODES })
  @IsOptional()
  @IsIn(QUIZ_MODES)
  mode?: QuizMode;
}

export class QuizDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'Fixed questions in order (staff only; null for trainees and for draws)',
  })
  questionIds!: string[] | null;
  @ApiProperty({ type: [DrawRuleDto], nullable: true }) draw!: DrawRuleDto[] | null;
  @ApiProperty({ type: 'integer', description: 'Questions each attempt holds' }) questionCount!: number;
  @ApiProperty({ type: Number, nullable: true }) timeLimitSeconds!: number | null;
  @ApiProperty({ type: String, format: 'date-time' }) opensAt!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) closesAt!: Date;
  @ApiProperty({ type: 'integer' }) attemptsAllowed!: number;
  @ApiProperty({ enum: GRADING_METHODS }) gradingMethod!: GradingMethod;
  @ApiProperty() passPercent!: number;
  @ApiProperty() shuffle!: boolean;
  @ApiProperty({ enum: REVIEW_POLICIES }) reviewPolicy!: ReviewPolicy;
  @ApiProperty({ enum: QUIZ_MODES }) mode!: QuizMode;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: Date;
}

export class OverrideDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 86400,
    default: 0,
    description: 'Seconds added to the time limit',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(86400)
  extraTimeSeconds?: number;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: "This trainee's close instead of the quiz's (after the quiz opens); null: the quiz's",
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  closesAt?: string | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100, default: 0, description: 'Attempts added' })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(100)
  extraAttempts?: number;
}

export class QuizOverrideDto {
  @ApiProperty({ format: 'uuid' }) quizId!: string;
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty({ type: 'integer' }) extraTimeSeconds!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closesAt!: Date | null;
  @ApiProperty({ type: 'integer' }) extraAttempts!: number;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: Date;
}
