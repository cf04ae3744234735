import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { ZONED_INSTANT as INSTANT } from '../../common/time/zoned-time';
import { messageKey } from '../../common/validation/validation';
import { ATTEMPT_STATUSES, type AttemptStatus, type FinishedBy } from '../attempt.entity';
import { QUESTION_TYPES, type QuestionType } from '../grading';
import { MAX_QUIZ_QUESTIONS } from './quiz.dto';

/** A number (numerical questions) or a boolean (true/false questions). */
const IsNumberOrBoolean = (): PropertyDecorator =>
  ValidateBy({
    name: 'isNumberOrBoolean',
    validator: {
      validate: (v: unknown) => typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)),
    },
  });

export class AnswerDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  questionId!: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 10,
    description: 'Choice questions: the ticked options’ ids (true/false: `true` or `false`); [] clears',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  optionIds?: string[];

  @ApiPropertyOptional({ maxLength: 500, description: 'Short answers, or a number as typed (全角 digits, 3,5)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  text?: string;

  @ApiPropertyOptional({
    oneOf: [{ type: 'number' }, { type: 'boolean' }],
    description: 'Numerical questions: the number; true/false questions: the choice',
  })
  @IsOptional()
  @IsNumberOrBoolean()
  value?: number | boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description:
      'When the trainee gave the answer (an outbox sends it late): an older answer never overwrites a newer one. ' +
      "Correct the phone's clock with the `now` of the last answer; taken as no later than the server's now",
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(INSTANT, { message: messageKey('INSTANT') })
  answeredAt?: string;
}

export class SaveAnswersDto {
  @ApiProperty({ type: [AnswerDto], minItems: 1, maxItems: MAX_QUIZ_QUESTIONS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_QUIZ_QUESTIONS)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => AnswerDto)
  answers!: AnswerDto[];
}

export class ShownOptionDto {
  @ApiProperty() id!: string;
  @ApiProperty() text!: string;
}

/** A saved answer as the trainee gave it. */
export class GivenAnswerDto {
  @ApiProperty({ type: [String], nullable: true }) optionIds!: string[] | null;
  @ApiProperty({ type: String, nullable: true }) text!: string | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'True/false questions' }) value!: boolean | null;
  @ApiProperty({ type: String, format: 'date-time' }) answeredAt!: Date;
}

/** The right answer, shown only as the review policy allows. */
export class CorrectAnswerDto {
  @ApiProperty({ type: [String], nullable: true }) optionIds!: string[] | null;
  @ApiProperty({ type: [String], nullable: true, description: 'Accepted short answers' }) answers!: string[] | null;
  @ApiProperty({ type: String, nullable: true }) answer!: string | null;
  @ApiProperty({ type: String, nullable: true }) tolerance!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['absolute', 'relative'] }) toleranceType!: string | null;
}

export class AttemptQuestionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: QUESTION_TYPES }) type!: QuestionType;
  @ApiProperty() prompt!: string;
  @ApiProperty() points!: number;
  @ApiProperty({ type: String, nullable: true, description: '`/api/question-images/:id`' }) imageUrl!: string | null;
  @ApiProperty({ type: [ShownOptionDto], nullable: true, description: 'In this attempt’s order' })
  options!: ShownOptionDto[] | null;
  @ApiPropertyOptional({ type: GivenAnswerDto, nullable: true, description: 'Your saved answer' })
  given?: GivenAnswerDto | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Points earned (review)' })
  score?: number | null;
  @ApiPropertyOptional({ type: CorrectAnswerDto, description: 'Review only' }) correct?: CorrectAnswerDto;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Review only' }) feedback?: string | null;
}

export class AttemptDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) quizId!: string;
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty({ type: 'integer' }) number!: number;
  @ApiProperty({ enum: ATTEMPT_STATUSES }) status!: AttemptStatus;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', description: 'Set by the server; nothing sent moves it' })
  deadline!: Date;
  @ApiProperty({ type: String, format: 'date-time', description: "The server's clock: count down from here" })
  now!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true, enum: ['trainee', 'deadline'] }) finishedBy!: FinishedBy | null;
  @ApiProperty() maxScore!: number;
  @ApiProperty({ type: Number, nullable: true }) score!: number | null;
  @ApiProperty({ type: Number, nullable: true }) percent!: number | null;
  @ApiProperty({ type: Boolean, nullable: true }) passed!: boolean | null;
  @ApiProperty({ description: 'Whether right answers and feedback are shown (review policy)' }) review!: boolean;
  @ApiProperty({ type: [AttemptQuestionDto] }) questions!: AttemptQuestionDto[];
}

export class SaveAnswersResultDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ATTEMPT_STATUSES }) status!: AttemptStatus;
  @ApiProperty({ type: String, format: 'date-time' }) now!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) deadline!: Date;
  @ApiProperty({ type: [String], description: 'Saved' }) saved!: string[];
  @ApiProperty({ type: [String], description: 'Kept as they were: a newer answer is stored' }) stale!: string[];
  @ApiProperty({ type: [String], description: 'Refused: given after the deadline' }) late!: string[];
}

export class SubmitResultDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ATTEMPT_STATUSES }) status!: AttemptStatus;
  @ApiProperty() score!: number;
  @ApiProperty() maxScore!: number;
  @ApiProperty() percent!: number;
  @ApiProperty() passed!: boolean;
  @ApiProperty({ type: String, format: 'date-time' }) finishedAt!: Date;
}

export class AttemptSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) quizId!: string;
  @ApiProperty() quizTitle!: string;
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty() traineeName!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) townshipId!: string | null;
  @ApiProperty({ type: 'integer' }) number!: number;
  @ApiProperty({ enum: ATTEMPT_STATUSES }) status!: AttemptStatus;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) deadline!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true, enum: ['trainee', 'deadline'] }) finishedBy!: FinishedBy | null;
  @ApiProperty() maxScore!: number;
  @ApiProperty({ type: Number, nullable: true }) score!: number | null;
  @ApiProperty({ type: Number, nullable: true }) percent!: number | null;
  @ApiProperty({ type: Boolean, nullable: true }) passed!: boolean | null;
}

export class ListAttemptsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  traineeId?: string;

  @ApiPropertyOptional({ enum: ATTEMPT_STATUSES })
  @IsOptional()
  @IsIn(ATTEMPT_STATUSES)
  status?: AttemptStatus;
}

export class MyAttemptsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  quizId?: string;
}
