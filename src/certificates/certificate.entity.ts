import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { TrainingClass } from '../classes/training-class.entity';
import { OrgUnit } from '../org-units/org-unit.entity';
import { User } from '../users/user.entity';

/** What a certificate certifies, frozen when it is issued (later edits to names or classes never change it). */
export interface CertificateSnapshot {
  name: string;
  township: string | null;
  course: string;
  classTitle: string;
  startDate: string;
  endDate: string;
  hours: number;
  sessionsAttended: number;
  sessionsHeld: number;
  attendanceRate: number;
  /** The grade (percent) of the class's required quiz, when it names one. */
  score: number | null;
  centre: string;
}

/**
 * A certificate: one live (not revoked) per class and trainee, a serial unique per centre
 * (`2026-Q2-0037`) and an unguessable verification code (base32, stored without separators).
 */
@Entity('certificates')
@Unique('uq_certificates_code', ['code'])
@Unique('uq_certificates_centre_serial', ['centreId', 'serial'])
@Index('ux_certificates_live', ['classId', 'traineeId'], { unique: true, where: `revoked_at IS NULL` })
@Index('ix_certificates_class_id', ['classId'])
@Index('ix_certificates_trainee_id', ['traineeId'])
@Check(
  'ck_certificates_revoked',
  `(revoked_at IS NULL) = (revoked_by IS NULL) AND (revoked_at IS NULL) = (revoke_reason IS NULL)`,
)
export class Certificate {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_certificates' })
  id!: string;

  @Column({ type: 'uuid' })
  classId!: string;

  @ManyToOne(() => TrainingClass, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'class_id', foreignKeyConstraintName: 'fk_certificates_class' })
  trainingClass?: TrainingClass;

  @Column({ type: 'uuid' })
  traineeId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'trainee_id', foreignKeyConstraintName: 'fk_certificates_trainee' })
  trainee?: User;

  /** The issuing centre: the unit of the class's plan (its county). */
  @Column({ type: 'uuid' })
  centreId!: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'centre_id', foreignKeyConstraintName: 'fk_certificates_centre' })
  centre?: OrgUnit;

  @Column({ type: 'text' })
  serial!: string;

  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'jsonb' })
  snapshot!: CertificateSnapshot;

  @Column({ type: 'timestamptz' })
  issuedAt!: Date;

  @Column({ type: 'uuid' })
  issuedBy!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'issued_by', foreignKeyConstraintName: 'fk_certificates_issued_by' })
  issuer?: User;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  revokedBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'revoked_by', foreignKeyConstraintName: 'fk_certificates_revoked_by' })
  revoker?: User;

  @Column({ type: 'text', nullable: true })
  revokeReason!: string | null;
}

/** The last serial number handed out per centre and prefix (`2026-Q2`): the next is last + 1, under a row lock. */
@Entity('certificate_serials')
export class CertificateSerial {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_certificate_serials' })
  centreId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_certificate_serials' })
  prefix!: string;

  @Column({ type: 'int' })
  last!: number;

  @ManyToOne(() => OrgUnit, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'centre_id', foreignKeyConstraintName: 'fk_certificate_serials_centre' })
  centre?: OrgUnit;
}

export const CERTIFICATE_EVENT_KINDS = ['issued', 'revoked'] as const;
export type CertificateEventKind = (typeof CERTIFICATE_EVENT_KINDS)[number];

/** The audit trail: who issued or revoked a certificate, when, and why. */
@Entity('certificate_events')
@Index('ix_certificate_events_certificate_id', ['certificateId'])
export class CertificateEvent {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_certificate_events' })
  id!: string;

  @Column({ type: 'uuid' })
  certificateId!: string;

  @ManyToOne(() => Certificate, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'certificate_id', foreignKeyConstraintName: 'fk_certificate_events_certificate' })
  certificate?: Certificate;

  @Column({ type: 'enum', enum: CERTIFICATE_EVENT_KINDS, enumName: 'certificate_event_kind' })
  kind!: CertificateEventKind;

  @Column({ type: 'uuid' })
  actorId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'actor_id', foreignKeyConstraintName: 'fk_certificate_events_actor' })
  actor?: User;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;
}

/** A centre's own certificate design (a Handlebars SVG) and its seal and logo; absent: the default. */
@Entity('certificate_templates')
@Check('ck_certificate_templates_seal', `(seal IS NULL) = (seal_media_type IS NULL)`)
@Check('ck_certificate_templates_logo', `(logo IS NULL) = (logo_media_type IS NULL)`)
export class CertificateTemplate {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_certificate_templates' })
  orgUnitId!: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'org_unit_id', foreignKeyConstraintName: 'fk_certificate_templates_org_unit' })
  orgUnit?: OrgUnit;

  @Column({ type: 'text', nullable: true })
  svg!: string | null;

  @Column({ type: 'bytea', nullable: true, select: false })
  seal!: Buffer | null;

  @Column({ type: 'text', nullable: true })
  sealMediaType!: string | null;

  @Column({ type: 'bytea', nullable: true, select: false })
  logo!: Buffer | null;

  @Column({ type: 'text', nullable: true })
  logoMediaType!: string | null;

  @Column({ type: 'uuid', nullable: true })
  updatedBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'updated_by', foreignKeyConstraintName: 'fk_certificate_templates_updated_by' })
  updater?: User;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
