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
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../users/user.entity';
import { Venue } from '../venues/venue.entity';
import { TrainingClass } from './training-class.entity';

export const SESSION_STATUSES = ['scheduled', 'cancelled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * One meeting of a class. The database refuses a trainer or a venue in two overlapping
 * live sessions (exclusion constraints), so concurrent bookings cannot both win.
 */
@Entity('sessions')
@Index('ix_sessions_class_id_starts_at', ['classId', 'startsAt'])
@Index('ix_sessions_trainer_id', ['trainerId'])
@Index('ix_sessions_venue_id', ['venueId'])
@Index('ix_sessions_scheduled_starts_at', ['startsAt'], { where: `status = 'scheduled'` })
@Check('ck_sessions_time_order', `ends_at > starts_at`)
@Check('ck_sessions_what_to_bring_length', `char_length(what_to_bring) <= 200`)
@Exclusion(
  'xc_sessions_trainer_overlap',
  `USING gist ("trainer_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&) WHERE (status = 'scheduled')`,
)
@Exclusion(
  'xc_sessions_venue_overlap',
  `USING gist ("venue_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&) WHERE (status = 'scheduled' AND venue_id IS NOT NULL)`,
)
export class ClassSession {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_sessions' })
  id!: string;

  @Column({ type: 'uuid' })
  classId!: string;

  @ManyToOne(() => TrainingClass, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'class_id', foreignKeyConstraintName: 'fk_sessions_class' })
  trainingClass?: TrainingClass;

  @Column({ type: 'timestamptz' })
  startsAt!: Date;

  @Column({ type: 'timestamptz' })
  endsAt!: Date;

  /** Always set: the class's only trainer by default, else named when the session is made. */
  @Column({ type: 'uuid' })
  trainerId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'trainer_id', foreignKeyConstraintName: 'fk_sessions_trainer' })
  trainer?: User;

  @Column({ type: 'uuid', nullable: true })
  venueId!: string | null;

  @ManyToOne(() => Venue, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'venue_id', foreignKeyConstraintName: 'fk_sessions_venue' })
  venue?: Venue;

  @Column({ type: 'text', nullable: true })
  topic!: string | null;

  /** What trainees should bring (one line, ≤ 200 characters), shown on their home page. */
  @Column({ type: 'text', nullable: true })
  whatToBring!: string | null;

  @Column({ type: 'enum', enum: SESSION_STATUSES, enumName: 'session_status', default: 'scheduled' })
  status!: SessionStatus;

  /** iCalendar SEQUENCE: raised on every move or cancellation so calendar apps update. */
  @Column({ type: 'int', default: 0 })
  sequence!: number;

  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
