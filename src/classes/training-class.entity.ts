import {
  type Relation,
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
import { Plan } from '../plans/plan.entity';
import type { Quiz } from '../quizzes/quiz.entity';
import { Venue } from '../venues/venue.entity';
import { CLASS_STATUSES, type ClassStatus } from './class-status';

const numeric = { to: (v: number) => v, from: (v: string) => Number(v) };

/** One period of training (one per quarter), with its sessions held at the library. */
@Entity('classes')
@Index('ix_classes_required_quiz_id', ['requiredQuizId'])
@Index('ix_classes_plan_id', ['planId'])
@Index('ix_classes_course_id', ['courseId'])
@Index('ix_classes_venue_id', ['venueId'])
@Check('ck_classes_quarter', `quarter BETWEEN 1 AND 4`)
@Check('ck_classes_dates', `start_date <= end_date`)
@Check(
  'ck_classes_township_limits',
  `min_per_township >= 0 AND min_per_township <= max_per_township AND max_per_township <= capacity`,
)
@Check('ck_classes_enrolment_window', `enrolment_opens_at < enrolment_closes_at`)
@Check('ck_classes_attendance_threshold', `attendance_threshold >= 0 AND attendance_threshold <= 1`)
@Check(
  'ck_classes_attendance_points',
  `least(points_present, points_late, points_excused, points_absent) >= 0 AND greatest(points_present, points_late, points_excused, points_absent) BETWEEN 1 AND 100`,
)
export class TrainingClass {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_classes' })
  id!: string;

  @Column({ type: 'uuid' })
  planId!: string;

  @ManyToOne(() => Plan, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'fk_classes_plan' })
  plan?: Plan;

  @Column({ type: 'uuid' })
  courseId!: string;

  @ManyToOne(() => Course, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_classes_course' })
  course?: Course;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'smallint' })
  quarter!: number;

  /** Local dates (`YYYY-MM-DD`) in the centre's time zone. */
  @Column({ type: 'date' })
  startDate!: string;

  @Column({ type: 'date' })
  endDate!: string;

  @Column({ type: 'uuid', nullable: true })
  venueId!: string | null;

  @ManyToOne(() => Venue, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'venue_id', foreignKeyConstraintName: 'fk_classes_venue' })
  venue?: Venue;

  @Column({ type: 'int' })
  capacity!: number;

  @Column({ type: 'int', default: 3 })
  minPerTownship!: number;

  @Column({ type: 'int', default: 5 })
  maxPerTownship!: number;

  @Column({ type: 'timestamptz' })
  enrolmentOpensAt!: Date;

  @Column({ type: 'timestamptz' })
  enrolmentClosesAt!: Date;

  @Column({ type: 'numeric', precision: 4, scale: 3, default: () => '0.8', transformer: numeric })
  attendanceThreshold!: number;

  /**
   * A quiz of this class a trainee must pass for a certificate; null: none. (The relation names
   * its entity by name: quiz.entity.ts imports this file, so a value import would be circular.)
   */
  @Column({ type: 'uuid', nullable: true })
  requiredQuizId!: string | null;

  @ManyToOne('Quiz', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'required_quiz_id', foreignKeyConstraintName: 'fk_classes_required_quiz' })
  requiredQuiz?: Relation<Quiz>;

  /** Points each attendance status earns (see attendance-points.ts). */
  @Column({ type: 'smallint', default: 2 })
  pointsPresent!: number;

  @Column({ type: 'smallint', default: 1 })
  pointsLate!: number;

  @Column({ type: 'smallint', default: 1 })
  pointsExcused!: number;

  @Column({ type: 'smallint', default: 0 })
  pointsAbsent!: number;

  @Column({ type: 'enum', enum: CLASS_STATUSES, enumName: 'class_status', default: 'draft' })
  status!: ClassStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
