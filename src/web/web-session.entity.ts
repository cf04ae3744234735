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
} from 'typeorm';
import { User } from '../users/user.entity';

/**
 * One signed-in browser. The `lms_session` cookie holds a random token; only its SHA-256
 * (hex) is kept here. Valid while `expires_at` is ahead (moved on as it is used) and the
 * user is active with the `token_version` it had at sign-in.
 */
@Entity('web_sessions')
@Unique('uq_web_sessions_token_hash', ['tokenHash'])
@Index('ix_web_sessions_user_id', ['userId'])
@Check('ck_web_sessions_expiry', `expires_at > last_seen_at`)
export class WebSession {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_web_sessions' })
  id!: string;

  @Column({ type: 'text' })
  tokenHash!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_web_sessions_user' })
  user?: User;

  /** The user's token version at sign-in; a later raise ends the session. */
  @Column({ type: 'int' })
  tokenVersion!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  lastSeenAt!: Date;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;
}
