import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../users/user.entity';

export const NOTIFICATION_CHANNELS = ['inbox', 'email', 'sms'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
/** `expired`: not sent because it could only have arrived too late (a reminder after its session began). */
export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed', 'expired'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/**
 * One message to one user over one channel. The dedup key makes writing it twice (a
 * retried job or request) harmless; delivery is the jobs' work.
 */
@Entity('notifications')
@Unique('uq_notifications_dedup_key', ['dedupKey'])
@Index('ix_notifications_user_id_created_at', ['userId', 'createdAt'])
@Index('ix_notifications_about_id', ['aboutId', 'template'], { where: 'about_id IS NOT NULL' })
@Index('ix_notifications_undelivered', ['status', 'createdAt'], { where: "status <> 'sent'" })
export class Notification {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_notifications' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_notifications_user' })
  user?: User;

  @Column({ type: 'enum', enum: NOTIFICATION_CHANNELS, enumName: 'notification_channel' })
  channel!: NotificationChannel;

  /** Template name under templates/messages/. */
  @Column({ type: 'text' })
  template!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload!: Record<string, unknown>;

  @Column({ type: 'text' })
  dedupKey!: string;

  @Column({ type: 'enum', enum: NOTIFICATION_STATUSES, enumName: 'notification_status', default: 'pending' })
  status!: NotificationStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  readAt!: Date | null;

  /** What the message is about (a session, class or visit), to find who was told of it. */
  @Column({ type: 'uuid', nullable: true })
  aboutId!: string | null;

  /** Delivery tries so far (e-mail and SMS). */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** Why the last try failed; kept when the message is `failed`. */
  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  failedAt!: Date | null;

  /** Raised by an admin's retry, so the retry is a new delivery job. */
  @Column({ type: 'int', default: 0 })
  generation!: number;
}

/** Which channels besides the inbox a user wants; no row means all of them. */
@Entity('notification_preferences')
export class NotificationPreference {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_notification_preferences' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_notification_preferences_user' })
  user?: User;

  @Column({ type: 'boolean', default: true })
  email!: boolean;

  @Column({ type: 'boolean', default: true })
  sms!: boolean;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
