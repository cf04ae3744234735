import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity';

/**
 * A code sent by SMS to reset a forgotten password: `code_hash` is the HMAC of the code under
 * the server key (never the code). Good until `expires_at`, for a few tries, once.
 */
@Entity('password_reset_codes')
@Index('ix_password_reset_codes_user_id', ['userId'])
@Index('ix_password_reset_codes_phone', ['phone'])
@Check('ck_password_reset_codes_attempts', `attempts >= 0`)
export class PasswordResetCode {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_password_reset_codes' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_password_reset_codes_user' })
  user?: User;

  /** The number the code was sent to, as digits: what the person types again with the code. */
  @Column({ type: 'text' })
  phone!: string;

  @Column({ type: 'text' })
  codeHash!: string;

  /** Codes tried against it so far. */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
