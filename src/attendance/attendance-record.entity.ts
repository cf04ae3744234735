import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ClassSession } from '../classes/class-session.entity';
import { Enrolment } from '../enrolments/enrolment.entity';
import { User } from '../users/user.entity';
import {
  ATTENDANCE_SOURCES,
  ATTENDANCE_STATUSES,
  type AttendanceSource,
  type AttendanceStatus,
} from './attendance.types';

/** The current attendance of one enrolment at one session; every change to it is in attendance_changes. */
@Entity('attendance_records')
@Unique('uq_attendance_records_session_enrolment', ['sessionId', 'enrolmentId'])
@Index('ix_attendance_records_enrolment_id', ['enrolmentId'])
// The person-time marks by session, with the enrolment (INCLUDE): what the reports read, index-only.
// The migration makes it; TypeORM cannot express INCLUDE, so it leaves it alone.
@Index('ix_attendance_records_person_times', { synchronize: false })
export class AttendanceRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_attendance_records' })
  id!: string;

  @Column({ type: 'uuid' })
  sessionId!: string;

  @ManyToOne(() => ClassSession, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'fk_attendance_records_session' })
  session?: ClassSession;

  @Column({ type: 'uuid' })
  enrolmentId!: string;

  @ManyToOne(() => Enrolment, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'enrolment_id', foreignKeyConstraintName: 'fk_attendance_records_enrolment' })
  enrolment?: Enrolment;

  @Column({ type: 'enum', enum: ATTENDANCE_STATUSES, enumName: 'attendance_status' })
  status!: AttendanceStatus;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ type: 'enum', enum: ATTENDANCE_SOURCES, enumName: 'attendance_source' })
  source!: AttendanceSource;

  @Column({ type: 'uuid' })
  recordedBy!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'recorded_by', foreignKeyConstraintName: 'fk_attendance_records_recorded_by' })
  recorder?: User;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;

  /** Raised on every change. */
  @Column({ type: 'int', default: 1 })
  version!: number;
}
