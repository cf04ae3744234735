import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity';
import { AttendanceRecord } from './attendance-record.entity';
import {
  ATTENDANCE_SOURCES,
  ATTENDANCE_STATUSES,
  type AttendanceSource,
  type AttendanceStatus,
} from './attendance.types';

/** One step in a record's history: who changed it, when, from what to what. Never updated or deleted. */
@Entity('attendance_changes')
@Index('ix_attendance_changes_session_id', ['sessionId', 'id'])
export class AttendanceChange {
  @PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: 'pk_attendance_changes',
  })
  id!: string;

  @Column({ type: 'uuid' })
  recordId!: string;

  @ManyToOne(() => AttendanceRecord, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'fk_attendance_changes_record' })
  record?: AttendanceRecord;

  @Column({ type: 'uuid' })
  sessionId!: string;

  @Column({ type: 'uuid' })
  enrolmentId!: string;

  @Column({ type: 'enum', enum: ATTENDANCE_STATUSES, enumName: 'attendance_status', nullable: true })
  oldStatus!: AttendanceStatus | null;

  @Column({ type: 'enum', enum: ATTENDANCE_STATUSES, enumName: 'attendance_status' })
  newStatus!: AttendanceStatus;

  @Column({ type: 'text', nullable: true })
  oldNote!: string | null;

  @Column({ type: 'text', nullable: true })
  newNote!: string | null;

  @Column({ type: 'enum', enum: ATTENDANCE_SOURCES, enumName: 'attendance_source' })
  source!: AttendanceSource;

  @Column({ type: 'uuid' })
  changedBy!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'changed_by', foreignKeyConstraintName: 'fk_attendance_changes_changed_by' })
  changer?: User;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  changedAt!: Date;
}
