import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { IsOptionalNotNull } from '../../common/validation/optional.decorator';
import { IsSingleLine } from '../../common/validation/text';
import { trim, trimOrNull } from '../../common/validation/transforms';
import { QUESTION_TYPES, type QuestionType } from '../grading';
import { QUESTION_LIMITS, TOLERANCE_TYPES, type ToleranceType } from '../question-rules';
import type { StoredOption } from '../question.entity';

const L = QUESTION_LIMITS;

/** The types, tolerance kinds and limits the fields take, for forms that offer them (the console's pages). */
export { QUESTION_LIMITS, QUESTION_TYPES, TOLERANCE_TYPES };

/** A number as JSON, or as text (full-width digits and a comma decimal are read too): exact decimals. */
const numberOrText = () => ({ oneOf: [{ type: 'number' }, { type: 'string', maxLength: L.numberText }] });

/** Numbers may come as text: only the type is checked here, the value by the question rules. */
const NumberOrText = (): PropertyDecorator => (target, key) => {
  IsOptionalNotNull()(target, key);
  ValidateIf((_o, v) => typeof v !== 'number')(target, key);
  IsString()(target, key);
  MaxLength(L.numberText)(target, key);
};

export class QuestionOptionInputDto {
  @ApiProperty({ maxLength: L.optionText, example: 'Ctrl+C' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(L.optionText)
  text!: string;

  @ApiPropertyOptional({ default: false, description: 'A right choice' })
  @IsOptionalNotNull()
  @IsBoolean()
  correct?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: -1,
    maximum: 1,
    description:
      'multiple only: the share of the points this option earns when ticked. Give it for every correct option ' +
      '(they add up to 1, up to 7 decimals: 0.3333333 three times is 1) or for none (equal shares); wrong options ' +
      '0 to -1 (default: minus one share).',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 7 })
  @Min(-1)
  @Max(1)
  fraction?: number | null;
}

/** The fields a question's type decides, shared by create and edit. */
class QuestionTypeFieldsDto {
  @ApiPropertyOptional({
    type: [QuestionOptionInputDto],
    minItems: L.minOptions,
    maxItems: L.maxOptions,
    description: 'single and multiple only: 2–10 options with distinct text',
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(L.maxOptions)
  @ValidateNested({ each: true })
  @Type(() => QuestionOptionInputDto)
  options?: QuestionOptionInputDto[];

  @ApiPropertyOptional({ description: 'truefalse only: whether the statement is true' })
  @IsOptionalNotNull()
  @IsBoolean()
  correct?: boolean;

  @ApiPropertyOptional({
    type: [String],
    maxItems: L.maxAnswers,
    example: ['Ctrl+C', '复制'],
    description:
      'short only: 1–20 accepted answers, compared after trimming, collapsing spaces, width (NFKC) and case folding',
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(L.maxAnswers)
  @IsString({ each: true })
  @MaxLength(L.answerText, { each: true })
  answers?: string[];

  @ApiPropertyOptional({
    ...numberOrText(),
    example: 3.14,
    description: 'numerical only: the answer, a plain decimal (no exponent); stored exactly',
  })
  @NumberOrText()
  answer?: number | string;

  @ApiPropertyOptional({
    ...numberOrText(),
    example: 0.01,
    description: 'numerical only: ≥ 0, default 0; an absolute amount, or a share of the answer when relative',
  })
  @NumberOrText()
  tolerance?: number | string;

  @ApiPropertyOptional({ enum: TOLERANCE_TYPES, default: 'absolute', description: 'numerical only' })
  @IsOptionalNotNull()
  @IsIn(TOLERANCE_TYPES)
  toleranceType?: ToleranceType;
}

export class CreateQuestionDto extends QuestionTypeFieldsDto {
  @ApiProperty({ format: 'uuid', description: 'The course whose bank holds the question' })
  @IsUUID()
  courseId!: string;

  @ApiProperty({ example: '文字处理', minLength: 1, maxLength: L.category })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(L.category)
  @IsSingleLine()
  category!: string;

  @ApiProperty({ enum: QUESTION_TYPES, example: 'single' })
  @IsIn(QUESTION_TYPES)
  type!: QuestionType;

  @ApiProperty({ example: '复制选中的文字，应按哪个快捷键？', maxLength: L.prompt })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(L.prompt)
  prompt!: string;

  @ApiProperty({
    example: 2,
    minimum: 0,
    exclusiveMinimum: true,
    maximum: L.maxPoints,
    description: 'Two decimals at most',
  })
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(L.maxPoints)
  points!: number;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: L.feedback,
    description: 'Shown with the answers when the review policy allows',
  })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(L.feedback)
  feedback?: string | null;
}

export class UpdateQuestionDto extends QuestionTypeFieldsDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: L.category })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(L.category)
  @IsSingleLine()
  category?: string;

  @ApiPropertyOptional({ enum: QUESTION_TYPES, description: "A new type drops the old type's own fields" })
  @IsOptionalNotNull()
  @IsIn(QUESTION_TYPES)
  type?: QuestionType;

  @ApiPropertyOptional({ maxLength: L.prompt })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(L.prompt)
  prompt?: string;

  @ApiPropertyOptional({
    minimum: 0,
    exclusiveMinimum: true,
    maximum: L.maxPoints,
    description: 'Two decimals at most',
  })
  @IsOptionalNotNull()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(L.maxPoints)
  points?: number;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: L.feedback, description: 'null or "" clears it' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(L.feedback)
  feedback?: string | null;
}

export class ListQuestionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  courseId?: string;

  @ApiPropertyOptional({ description: 'Exactly this category' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(L.category)
  category?: string;

  @ApiPropertyOptional({ enum: QUESTION_TYPES })
  @IsOptional()
  @IsIn(QUESTION_TYPES)
  type?: QuestionType;

  @ApiPropertyOptional({ description: 'Part of the prompt (case-insensitive)' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class QuestionCategoriesQueryDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  courseId!: string;
}

export class QuestionOptionDto {
  @ApiProperty({ format: 'uuid', description: 'Kept while the option text stays the same' }) id!: string;
  @ApiProperty({ example: 'Ctrl+C' }) text!: string;
  @ApiProperty() correct!: boolean;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'multiple: the fraction given; null: the default share (see grading)',
  })
  fraction!: number | null;
}

/** A question as staff see it: with its answer. */
export class QuestionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) courseId!: string;
  @ApiProperty({ example: '文字处理' }) category!: string;
  @ApiProperty({ enum: QUESTION_TYPES }) type!: QuestionType;
  @ApiProperty({ example: '复制选中的文字，应按哪个快捷键？' }) prompt!: string;
  @ApiProperty({ example: 2 }) points!: number;
  @ApiProperty({ type: String, nullable: true }) feedback!: string | null;
  @ApiProperty({ type: [QuestionOptionDto], nullable: true, description: 'single and multiple' })
  options!: QuestionOptionDto[] | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'truefalse: whether the statement is true' })
  correct!: boolean | null;
  @ApiProperty({ type: [String], nullable: true, description: 'short: the accepted answers' })
  answers!: string[] | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '3.14',
    description: 'numerical: the answer, an exact decimal',
  })
  answer!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '0.01', description: 'numerical: an exact decimal' })
  tolerance!: string | null;
  @ApiProperty({ enum: TOLERANCE_TYPES, nullable: true, description: 'numerical' })
  toleranceType!: ToleranceType | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '/api/question-images/1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e',
    description: 'The picture, if any',
  })
  imageUrl!: string | null;
  @ApiProperty({ type: 'integer', description: 'Goes up by one with every edit (picture included)' })
  version!: number;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) updatedAt!: Date;

  static from(q: {
    id: string;
    courseId: string;
    category: string;
    type: QuestionType;
    prompt: string;
    points: number;
    feedback: string | null;
    options: StoredOption[] | null;
    answers: string[] | null;
    answer: string | null;
    tolerance: string | null;
    toleranceType: ToleranceType | null;
    imageId: string | null;
    version: number;
    createdAt: Date;
    updatedAt: Date;
  }): QuestionDto {
    const truefalse = q.type === 'truefalse';
    return {
      id: q.id,
      courseId: q.courseId,
      category: q.category,
      type: q.type,
      prompt: q.prompt,
      points: Number(q.points),
      feedback: q.feedback,
      options: q.options,
      correct: truefalse ? q.answer === 'true' : null,
      answers: q.answers,
      answer: truefalse ? null : q.answer,
      tolerance: q.tolerance,
      toleranceType: q.toleranceType,
      imageUrl: q.imageId ? `/api/question-images/${q.imageId}` : null,
      version: q.version,
      createdAt: q.createdAt,
      updatedAt: q.updatedAt,
    };
  }
}

export class QuestionCategoryDto {
  @ApiProperty({ example: '文字处理' }) category!: string;
  @ApiProperty({ type: 'integer', description: 'Questions of the category (deleted ones not counted)' })
  count!: number;
}
