import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { TrainingClass } from '../classes/training-class.entity';
import { User } from '../users/user.entity';
import { Question } from './question.entity';

export const GRADING_METHODS = ['highest', 'last', 'first', 'average'] as const;
export type GradingMethod = (typeof GRADING_METHODS)[number];
export const REVIEW_POLICIES = ['score_only', 'answers_after_close'] as const;
export type ReviewPolicy = (typeof REVIEW_POLICIES)[number];
export const QUIZ_MODES = ['quiz', 'contest'] as const;
export type QuizMode = (typeof QUIZ_MODES)[number];

/** A random draw of `count` questions from a category of the class's course. */
export interface DrawRule {
  category: string;
  count: number;
}

/** A quiz (or contest) of a class: fixed questions (`quiz_questions`) or a random draw per category. */
@Entity('quizzes')
@Index('ix_quizzes_class_id', ['classId'])
@Index('ix_quizzes_closes_at', ['closesAt'])
@Index('ix_quizzes_created_by', ['createdBy'])
@Check('ck_quizzes_window', `closes_at > opens_at`)
@Check('ck_quizzes_time_limit', `time_limit_seconds IS NULL OR time_limit_seconds > 0`)
@Check('ck_quizzes_attempts', `attempts_allowed >= 1`)
@Check('ck_quizzes_pass_percent', `pass_percent >= 0 AND pass_percent <= 100`)
export class Quiz {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_quizzes' })
  id!: string;

  @Column({ type: 'uuid' })
  classId!: string;

  @ManyToOne(() => TrainingClass, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'class_id', foreignKeyConstraintName: 'fk_quizzes_class' })
  trainingClass?: TrainingClass;

  @Column({ type: 'text' })
  title!: string;

  /** Null for a quiz of fixed questions. */
  @Column({ type: 'jsonb', nullable: true })
  draw!: DrawRule[] | null;

  @Column({ type: 'int', nullable: true })
  timeLimitSeconds!: number | null;

  @Column({ type: 'timestamptz' })
  opensAt!: Date;

  @Column({ type: 'timestamptz' })
  closesAt!: Date;

  @Column({ type: 'int' })
  attemptsAllowed!: number;

  @Column({ type: 'enum', enum: GRADING_METHODS, enumName: 'quiz_grading_method' })
  gradingMethod!: GradingMethod;

  @Column({
    type: 'numeric',
    precision: 5,
    scale: 2,
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  passPercent!: number;

  @Column({ type: 'boolean', default: true })
  shuffle!: boolean;

  @Column({ type: 'enum', enum: REVIEW_POLICIES, enumName: 'quiz_review_policy', default: 'score_only' })
  reviewPolicy!: ReviewPolicy;

  @Column({ type: 'enum', enum: QUIZ_MODES, enumName: 'quiz_mode', default: 'quiz' })
  mode!: QuizMode;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_quizzes_created_by' })
  creator?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** A fixed question of a quiz, in its order (shuffled per attempt when the quiz says so). */
@Entity('quiz_questions')
@Index('ix_quiz_questions_question_id', ['questionId'])
export class QuizQuestion {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_quiz_questions' })
  quizId!: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_quiz_questions' })
  questionId!: string;

  @Column({ type: 'int' })
  position!: number;

  @ManyToOne(() => Quiz, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'quiz_id', foreignKeyConstraintName: 'fk_quiz_questions_quiz' })
  quiz?: Quiz;

  @ManyToOne(() => Question, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'question_id', foreignKeyConstraintName: 'fk_quiz_questions_question' })
  question?: Question;
}

/** What one trainee gets beyond the quiz's rules: extra time, a later close, more attempts. */
@Entity('quiz_overrides')
@Index('ix_quiz_overrides_trainee_id', ['traineeId'])
@Index('ix_quiz_overrides_updated_by', ['updatedBy'])
@Check('ck_quiz_overrides_values', `extra_time_seconds >= 0 AND extra_attempts >= 0`)
export class QuizOverride {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_quiz_overrides' })
  quizId!: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_quiz_overrides' })
  traineeId!: string;

  @Column({ type: 'int', default: 0 })
  extraTimeSeconds!: number;

  @Column({ type: 'timestamptz', nullable: true })
  closesAt!: Date | null;

  @Column({ type: 'int', default: 0 })
  extraAttempts!: number;

  @Column({ type: 'uuid', nullable: true })
  updatedBy!: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @ManyToOne(() => Quiz, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'quiz_id', foreignKeyConstraintName: 'fk_quiz_overrides_quiz' })
  quiz?: Quiz;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'trainee_id', foreignKeyConstraintName: 'fk_quiz_overrides_trainee' })
  trainee?: User;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'updated_by', foreignKeyConstraintName: 'fk_quiz_overrides_updated_by' })
  updater?: User;
}
