import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Course } from '../courses/course.entity';
import { User } from '../users/user.entity';
import { QUESTION_TYPES, type QuestionType } from './grading';
import { QuestionImage } from './question-image.entity';

/** A choice as stored: its stable id, text, whether it is right, and its fraction if the author gave one. */
export interface StoredOption {
  id: string;
  text: string;
  correct: boolean;
  fraction: number | null;
}

const points = { to: (v: number) => v, from: (v: string) => Number(v) };

/**
 * A question of a course's bank, in a category. Edits bump `version`; deleting only marks it
 * (`deletedAt`): attempts hold their own snapshot, so neither changes an attempt already made.
 */
@Entity('questions')
@Index('ix_questions_course_category', ['courseId', 'category'])
@Index('ix_questions_image_id', ['imageId'])
@Index('ix_questions_created_by', ['createdBy'])
@Check('ck_questions_points', `points > 0`)
@Check('ck_questions_tolerance_type', `tolerance_type IN ('absolute', 'relative')`)
export class Question {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_questions' })
  id!: string;

  @Column({ type: 'uuid' })
  courseId!: string;

  @ManyToOne(() => Course, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_questions_course' })
  course?: Course;

  @Column({ type: 'text' })
  category!: string;

  @Column({ type: 'enum', enum: QUESTION_TYPES, enumName: 'question_type' })
  type!: QuestionType;

  @Column({ type: 'text' })
  prompt!: string;

  @Column({ type: 'numeric', precision: 8, scale: 2, transformer: points })
  points!: number;

  @Column({ type: 'text', nullable: true })
  feedback!: string | null;

  /** Choices of single, multiple and true/false questions. */
  @Column({ type: 'jsonb', nullable: true })
  options!: StoredOption[] | null;

  /** Accepted answers of a short-answer question. */
  @Column({ type: 'text', array: true, nullable: true })
  answers!: string[] | null;

  /** A numerical question's answer and tolerance, as exact decimal strings. */
  @Column({ type: 'text', nullable: true })
  answer!: string | null;

  @Column({ type: 'text', nullable: true })
  tolerance!: string | null;

  @Column({ type: 'text', nullable: true })
  toleranceType!: 'absolute' | 'relative' | null;

  @Column({ type: 'uuid', nullable: true })
  imageId!: string | null;

  @ManyToOne(() => QuestionImage, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'image_id', foreignKeyConstraintName: 'fk_questions_image' })
  image?: QuestionImage;

  @Column({ type: 'int', default: 1 })
  version!: number;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_questions_created_by' })
  creator?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
