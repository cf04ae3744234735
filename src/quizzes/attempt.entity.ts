import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { OrgUnit } from '../org-units/org-unit.entity';
import { User } from '../users/user.entity';
import type { AttemptQuestion, StoredResponse } from './attempt-snapshot';
import { Quiz } from './quiz.entity';

export const ATTEMPT_STATUSES = ['in_progress', 'finished'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];
/** Who finished an attempt: the trainee handing it in, or the server at its deadline. */
export type FinishedBy = 'trainee' | 'deadline';

const decimal = { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/**
 * One trainee's go at a quiz. `questions` is the snapshot drawn at the start (order, options,
 * answer key): what the attempt is graded by, whatever happens to the bank later. `deadline`
 * is set by the server only; `finishedAt` is the deadline when the server closed it.
 */
@Entity('quiz_attempts')
@Unique('uq_quiz_attempts_number', ['quizId', 'traineeId', 'number'])
@Index('ux_quiz_attempts_in_progress', ['quizId', 'traineeId'], { unique: true, where: `status = 'in_progress'` })
@Index('ix_quiz_attempts_deadline', ['deadline'], { where: `status = 'in_progress'` })
@Index('ix_quiz_attempts_trainee_id', ['traineeId'])
@Index('ix_quiz_attempts_township_id', ['townshipId'])
@Check(
  'ck_quiz_attempts_finished',
  `(status = 'finished') = (finished_at IS NOT NULL AND score IS NOT NULL AND percent IS NOT NULL AND passed IS NOT NULL)`,
)
@Check('ck_quiz_attempts_finished_by', `finished_by IN ('trainee', 'deadline')`)
export class QuizAttempt {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_quiz_attempts' })
  id!: string;

  @Column({ type: 'uuid' })
  quizId!: string;

  @ManyToOne(() => Quiz, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'quiz_id', foreignKeyConstraintName: 'fk_quiz_attempts_quiz' })
  quiz?: Quiz;

  @Column({ type: 'uuid' })
  traineeId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'trainee_id', foreignKeyConstraintName: 'fk_quiz_attempts_trainee' })
  trainee?: User;

  /** The township the trainee represented when starting: what township leaderboards count. */
  @Column({ type: 'uuid', nullable: true })
  townshipId!: string | null;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'township_id', foreignKeyConstraintName: 'fk_quiz_attempts_township' })
  township?: OrgUnit;

  @Column({ type: 'int' })
  number!: number;

  @Column({ type: 'enum', enum: ATTEMPT_STATUSES, enumName: 'attempt_status', default: 'in_progress' })
  status!: AttemptStatus;

  @Column({ type: 'timestamptz' })
  startedAt!: Date;

  @Column({ type: 'timestamptz' })
  deadline!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  finishedBy!: FinishedBy | null;

  @Column({ type: 'jsonb' })
  questions!: AttemptQuestion[];

  @Column({ type: 'numeric', precision: 10, scale: 2, transformer: decimal })
  maxScore!: number;

  @Column({ type: 'numeric', precision: 12, scale: 7, nullable: true, transformer: decimal })
  score!: number | null;

  @Column({ type: 'numeric', precision: 10, scale: 7, nullable: true, transformer: decimal })
  percent!: number | null;

  @Column({ type: 'boolean', nullable: true })
  passed!: boolean | null;
}

/** The last answer given to one question of an attempt (by the time it was given, not received). */
@Entity('attempt_answers')
export class AttemptAnswer {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_attempt_answers' })
  attemptId!: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_attempt_answers' })
  questionId!: string;

  /** Null when the trainee cleared the answer. */
  @Column({ type: 'jsonb', nullable: true })
  response!: StoredResponse | null;

  @Column({ type: 'timestamptz' })
  answeredAt!: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  savedAt!: Date;

  /** Set when the attempt is graded. */
  @Column({ type: 'numeric', precision: 10, scale: 7, nullable: true, transformer: decimal })
  fraction!: number | null;

  @ManyToOne(() => QuizAttempt, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'attempt_id', foreignKeyConstraintName: 'fk_attempt_answers_attempt' })
  attempt?: QuizAttempt;
}
