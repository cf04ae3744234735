import { Check, Column, Entity, JoinColumn, ManyToOne, OneToOne, PrimaryColumn } from 'typeorm';
import { ClassSession } from '../classes/class-session.entity';
import { User } from '../users/user.entity';

/**
 * A session's self check-in window. Codes are not stored: any API process derives them
 * from the session, the moment the window opened and the time step (check-in-codes.ts).
 */
@Entity('check_in_windows')
@Check('ck_check_in_windows_order', `closes_at > opened_at`)
export class CheckInWindow {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_check_in_windows' })
  sessionId!: string;

  @OneToOne(() => ClassSession, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'fk_check_in_windows_session' })
  session?: ClassSession;

  @Column({ type: 'uuid' })
  openedBy!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'opened_by', foreignKeyConstraintName: 'fk_check_in_windows_opened_by' })
  opener?: User;

  @Column({ type: 'timestamptz' })
  openedAt!: Date;

  @Column({ type: 'timestamptz' })
  closesAt!: Date;
}
