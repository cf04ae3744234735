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
import { OrgUnit } from '../org-units/org-unit.entity';
import { EDUCATION_LEVELS, PROFICIENCIES, ROLES, type EducationLevel, type Proficiency, type Role } from './user.types';

@Entity('users')
@Unique('uq_users_username', ['username'])
@Unique('uq_users_calendar_token_hash', ['calendarTokenHash'])
@Check('ck_users_username_lower', `username = lower(btrim(username))`)
@Check('ck_users_display_name_not_blank', `btrim(display_name) <> ''`)
@Index('ix_users_org_unit_id', ['orgUnitId'])
export class User {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_users' })
  id!: string;

  /** Stored lower-case and trimmed; often a phone number. */
  @Column({ type: 'text' })
  username!: string;

  /** argon2id; never selected unless asked for, never serialised. */
  @Column({ type: 'text', select: false })
  passwordHash!: string;

  @Column({ type: 'text' })
  displayName!: string;

  @Column({ type: 'enum', enum: ROLES, enumName: 'user_role' })
  role!: Role;

  @Column({ type: 'uuid' })
  orgUnitId!: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'org_unit_id', foreignKeyConstraintName: 'fk_users_org_unit' })
  orgUnit?: OrgUnit;

  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'enum', enum: EDUCATION_LEVELS, enumName: 'education_level', nullable: true })
  education!: EducationLevel | null;

  @Column({ type: 'enum', enum: PROFICIENCIES, enumName: 'computer_proficiency', nullable: true })
  proficiency!: Proficiency | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** Raised when the user is deactivated, its role changes or its password changes: older tokens stop working. */
  @Column({ type: 'int', default: 0 })
  tokenVersion!: number;

  /** sha256 of the secret in the user's calendar feed URL; null when no feed is issued. */
  @Column({ type: 'text', nullable: true, select: false })
  calendarTokenHash!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  /**
   * Ends every way in the user had: older tokens stop working, and the calendar feed
   * address (a secret like a token) is revoked. For deactivation, a role change and a new
   * password.
   */
  revokeAccess(): void {
    this.tokenVersion += 1;
    this.calendarTokenHash = null;
  }

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
