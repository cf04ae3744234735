import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { TrainingClass } from '../classes/training-class.entity';
import { OrgUnit } from '../org-units/org-unit.entity';
import { User } from '../users/user.entity';

export const VISIT_STATUSES = ['assigned', 'done', 'overdue', 'cancelled'] as const;
export type VisitStatus = (typeof VISIT_STATUSES)[number];

/** Statuses that hold someone to a visit still to make: what counts as an assignee's load. */
export const OPEN_VISIT_STATUSES: readonly VisitStatus[] = ['assigned', 'overdue'];

/**
 * A follow-up visit to one township's trainees after a class: one per class and township
 * (the unique key keeps a re-run assignment job from making a second), assigned to a trainer
 * or admin of the class's county, due on a local date, closed by a report or cancelled.
 */
@Entity('visits')
@Unique('uq_visits_class_township', ['classId', 'townshipId'])
@Index('ix_visits_township_id', ['townshipId'])
@Index('ix_visits_assignee_status', ['assigneeId', 'status'])
@Index('ix_visits_reported_by', ['reportedBy'])
@Check('ck_visits_report', `(status = 'done') = (reported_at IS NOT NULL AND visited_on IS NOT NULL)`)
@Check('ck_visits_cancelled', `(status = 'cancelled') = (cancelled_at IS NOT NULL)`)
export class Visit {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_visits' })
  id!: string;

  @Column({ type: 'uuid' })
  classId!: string;

  @ManyToOne(() => TrainingClass, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'class_id', foreignKeyConstraintName: 'fk_visits_class' })
  trainingClass?: TrainingClass;

  @Column({ type: 'uuid' })
  townshipId!: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'township_id', foreignKeyConstraintName: 'fk_visits_township' })
  township?: OrgUnit;

  @Column({ type: 'uuid' })
  assigneeId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'assignee_id', foreignKeyConstraintName: 'fk_visits_assignee' })
  assignee?: User;

  /** Local date (the centre's zone) by which the visit is to be made. */
  @Column({ type: 'date' })
  dueOn!: string;

  /** As stored: `assigned` turns `overdue` here only when the overdue job runs; reads compute it exactly. */
  @Column({ type: 'enum', enum: VISIT_STATUSES, enumName: 'visit_status', default: 'assigned' })
  status!: VisitStatus;

  @Column({ type: 'date', nullable: true })
  visitedOn!: string | null;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  traineeIds!: string[];

  @Column({ type: 'text', nullable: true })
  problems!: string | null;

  @Column({ type: 'boolean', default: false })
  followUpNeeded!: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  reportedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  reportedBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'reported_by', foreignKeyConstraintName: 'fk_visits_reported_by' })
  reporter?: User;

  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  cancelReason!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
