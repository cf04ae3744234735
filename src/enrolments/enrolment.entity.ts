import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Exclusion,
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

export const ENROLMENT_STATUSES = ['confirmed', 'waitlisted', 'withdrawn', 'completed'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

/** Why an enrolment was withdrawn: by the trainee, by an admin, or with its class's end. */
export const WITHDRAWAL_REASONS = ['self', 'admin', 'class_completed', 'class_cancelled'] as const;
export type WithdrawalReason = (typeof WITHDRAWAL_REASONS)[number];

/** A trainee in a class, counted against its township's quota. */
@Entity('enrolments')
@Unique('uq_enrolments_class_trainee', ['classId', 'traineeId'])
@Index('ix_enrolments_class_township_status', ['classId', 'townshipId', 'status'])
@Index('ix_enrolments_trainee_id', ['traineeId'])
@Index('ix_enrolments_township_id', ['townshipId'])
@Check(
  'ck_enrolments_waitlist_position',
  `(status = 'waitlisted') = (waitlist_position IS NOT NULL) AND (waitlist_position IS NULL OR waitlist_position >= 1)`,
)
@Check('ck_enrolments_withdrawal_reason', `(status = 'withdrawn') = (withdrawal_reason IS NOT NULL)`)
@Exclusion(
  'xc_enrolments_waitlist_position',
  `USING btree (class_id WITH =, waitlist_position WITH =) WHERE (status = 'waitlisted') DEFERRABLE INITIALLY DEFERRED`,
)
export class Enrolment {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_enrolments' })
  id!: string;

  @Column({ type: 'uuid' })
  classId!: string;

  @ManyToOne(() => TrainingClass, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'class_id', foreignKeyConstraintName: 'fk_enrolments_class' })
  trainingClass?: TrainingClass;

  @Column({ type: 'uuid' })
  traineeId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'trainee_id', foreignKeyConstraintName: 'fk_enrolments_trainee' })
  trainee?: User;

  /** The township the trainee represents: its own unit, or the township above its village. */
  @Column({ type: 'uuid' })
  townshipId!: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'township_id', foreignKeyConstraintName: 'fk_enrolments_township' })
  township?: OrgUnit;

  @Column({ type: 'enum', enum: ENROLMENT_STATUSES, enumName: 'enrolment_status' })
  status!: EnrolmentStatus;

  /** 1-based place on the class's waitlist, without gaps; null unless waitlisted. */
  @Column({ type: 'int', nullable: true })
  waitlistPosition!: number | null;

  @Column({ type: 'uuid' })
  enrolledBy!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'enrolled_by', foreignKeyConstraintName: 'fk_enrolments_enrolled_by' })
  enroller?: User;

  @Column({ type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  withdrawnAt!: Date | null;

  /** Set exactly when withdrawn (a check constraint holds it); cleared on enrolling again. */
  @Column({ type: 'enum', enum: WITHDRAWAL_REASONS, enumName: 'enrolment_withdrawal_reason', nullable: true })
  withdrawalReason!: WithdrawalReason | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
