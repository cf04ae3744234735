import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { QUESTION_TYPES, type QuestionType } from '../grading';
import { GRADING_METHODS, type GradingMethod, QUIZ_MODES, type QuizMode } from '../quiz.entity';

export const GRADES_FORMATS = ['json', 'xlsx'] as const;

export class GradesQueryDto {
  @ApiPropertyOptional({ enum: GRADES_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(GRADES_FORMATS)
  format?: (typeof GRADES_FORMATS)[number];
}

export class LeaderboardTraineeDto {
  @ApiProperty({ type: 'integer', description: 'Competition rank: equal lines share it (1, 1, 3)', example: 1 })
  rank!: number;
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty({ example: '王芳' }) displayName!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The township the trainee represented when starting this attempt',
  })
  townshipId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '城关镇' }) townshipName!: string | null;
  @ApiProperty({ description: 'Points of the best finished attempt', example: 18.5 }) score!: number;
  @ApiProperty({ example: 20 }) maxScore!: number;
  @ApiProperty({ description: '0–100', example: 92.5 }) percent!: number;
  @ApiProperty({ description: 'finishedAt − startedAt, in seconds (to the millisecond)', example: 312.4 })
  timeTakenSeconds!: number;
  @ApiProperty({ type: String, format: 'date-time' }) finishedAt!: Date;
}

export class LeaderboardTownshipDto {
  @ApiProperty({ type: 'integer', description: 'Equal means share a rank (1, 1, 3)', example: 1 }) rank!: number;
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty({ example: '城关镇' }) name!: string;
  @ApiProperty({ type: 'integer', description: 'Its trainees with a finished attempt' }) trainees!: number;
  @ApiProperty({
    description: "Mean of its trainees' best percents (0–100, 7 decimals)",
    example: 81.25,
  })
  meanPercent!: number;
}

export class LeaderboardDto {
  @ApiProperty({ format: 'uuid' }) quizId!: string;
  @ApiProperty({ enum: QUIZ_MODES }) mode!: QuizMode;
  @ApiProperty({ description: 'Whether the quiz is still open (now < closesAt): the board may still change' })
  live!: boolean;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the latest attempt finished; null before any',
  })
  updatedAt!: Date | null;
  @ApiProperty({ type: [LeaderboardTraineeDto] }) trainees!: LeaderboardTraineeDto[];
  @ApiProperty({ type: [LeaderboardTownshipDto] }) townships!: LeaderboardTownshipDto[];
}

export class OptionStatisticsDto {
  @ApiProperty({ example: 'b2c1' }) id!: string;
  @ApiProperty({ example: '文件' }) text!: string;
  @ApiProperty({ description: 'Choosing it earns credit (for multiple choice: a positive fraction)' })
  correct!: boolean;
  @ApiProperty({ type: 'integer', description: 'Attempts that chose it' }) picked!: number;
  @ApiProperty({ description: 'picked / attempts containing the question (0–1)', example: 0.25 }) share!: number;
}

export class QuestionStatisticsDto {
  @ApiProperty({ format: 'uuid' }) questionId!: string;
  @ApiProperty({ enum: QUESTION_TYPES }) type!: QuestionType;
  @ApiProperty({ example: '基础操作' }) category!: string;
  @ApiProperty({ description: 'As in the newest version asked' }) prompt!: string;
  @ApiProperty({ example: 2 }) points!: number;
  @ApiProperty({ type: 'integer', description: 'Finished attempts that contained the question' }) attempts!: number;
  @ApiProperty({ type: 'integer', description: 'Of those, how many gave an answer' }) answered!: number;
  @ApiProperty({ description: 'Mean points earned on it', example: 1.25 }) meanScore!: number;
  @ApiProperty({ description: 'Mean fraction of its points earned (0–1)', example: 0.625 }) meanFraction!: number;
  @ApiProperty({ description: 'Facility index: meanFraction × 100', example: 62.5 }) facilityIndex!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Sample standard deviation of the fraction earned, × 100; null below 2 attempts',
  })
  standardDeviation!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      "Discrimination index: 100 × Pearson's r between the points earned on this question and on the rest of " +
      'the attempt (−100..100; below about 20 the question hardly tells strong from weak trainees). Null below ' +
      '2 attempts or when either side does not vary.',
    example: 45.3,
  })
  discriminationIndex!: number | null;
  @ApiProperty({
    type: [OptionStatisticsDto],
    nullable: true,
    description: 'Single, multiple and true/false questions: every option shown, and how often it was chosen',
  })
  options!: OptionStatisticsDto[] | null;
}

export class QuizStatisticsDto {
  @ApiProperty({ format: 'uuid' }) quizId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ example: 60 }) passPercent!: number;
  @ApiProperty({ type: 'integer', description: 'Finished attempts (all of them, not one per trainee)' })
  attempts!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Mean percent of those attempts' })
  meanPercent!: number | null;
  @ApiProperty({ type: Number, nullable: true }) medianPercent!: number | null;
  @ApiProperty({ type: 'integer', description: 'Of those attempts, how many passed' }) passed!: number;
  @ApiProperty({ type: [QuestionStatisticsDto] }) questions!: QuestionStatisticsDto[];
}

export class GradeQuizDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: GRADING_METHODS }) gradingMethod!: GradingMethod;
  @ApiProperty({ example: 60 }) passPercent!: number;
}

export class GradeCellDto {
  @ApiProperty({ format: 'uuid' }) quizId!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: "The grade (0–100) by the quiz's grading method over finished attempts; null without one",
  })
  percent!: number | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'percent ≥ passPercent; null without a grade' })
  passed!: boolean | null;
  @ApiProperty({ type: 'integer', description: 'Attempts started (finished or in progress)' }) attempts!: number;
}

export class TraineeGradesDto {
  @ApiProperty({ format: 'uuid' }) traineeId!: string;
  @ApiProperty({ example: '王芳' }) displayName!: string;
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty({ example: '城关镇' }) townshipName!: string;
  @ApiProperty({ type: [GradeCellDto], description: 'One per quiz, in the order of `quizzes`' })
  grades!: GradeCellDto[];
}

export class ClassGradesDto {
  @ApiProperty({ format: 'uuid' }) classId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: [GradeQuizDto] }) quizzes!: GradeQuizDto[];
  @ApiProperty({ type: [TraineeGradesDto] }) items!: TraineeGradesDto[];
}
