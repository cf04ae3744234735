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
import { TrainingClass } from '../classes/training-class.entity';
import { User } from '../users/user.entity';

export const CERTIFICATE_RUN_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type CertificateRunStatus = (typeof CERTIFICATE_RUN_STATUSES)[number];

/** One background issue of a class's certificates, with its progress. */
@Entity('certificate_runs')
@Index('ix_certificate_runs_class_id', ['classId'])
@Index('ix_certificate_runs_started_by', ['startedBy'])
@Index('ix_certificate_runs_unfinished', ['status'], { where: `status IN ('queued', 'running')` })
@Check('ck_certificate_runs_progress', `done >= 0 AND done <= total AND issued + skipped = done AND next_index >= 0`)
export class CertificateRun {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_certificate_runs' })
  id!: string;

  @Column({ type: 'uuid' })
  classId!: string;

  @ManyToOne(() => TrainingClass, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'class_id', foreignKeyConstraintName: 'fk_certificate_runs_class' })
  trainingClass?: TrainingClass;

  @Column({ type: 'uuid' })
  startedBy!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'started_by', foreignKeyConstraintName: 'fk_certificate_runs_started_by' })
  starter?: User;

  @Column({ type: 'enum', enum: CERTIFICATE_RUN_STATUSES, enumName: 'certificate_run_status', default: 'queued' })
  status!: CertificateRunStatus;

  /** Who was eligible without a live certificate when the run started, in issuing order. */
  @Column({ type: 'uuid', array: true })
  traineeIds!: string[];

  /** Index into traineeIds of the first trainee not yet handled; moves in each batch's transaction. */
  @Column({ type: 'int', default: 0 })
  nextIndex!: number;

  @Column({ type: 'int' })
  total!: number;

  /** Trainees handled: issued or skipped; reaches total. */
  @Column({ type: 'int', default: 0 })
  done!: number;

  @Column({ type: 'int', default: 0 })
  issued!: number;

  /** Handled without a new certificate: one was issued meanwhile, or the trainee is no longer eligible. */
  @Column({ type: 'int', default: 0 })
  skipped!: number;

  /** Why a failed run stopped (for operators; clients get the status). */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
