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
import { OrgUnit } from '../org-units/org-unit.entity';
import { User } from '../users/user.entity';

export const EVENT_KINDS = ['lecture', 'screening', 'outreach', 'guidance', 'other'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * An outreach event that counts toward person-times beside the classes: a lecture, a film
 * screening, a "culture to the countryside" event, on-site guidance. Held by a unit on a
 * local date, with how many came and what was handed out (books, discs, leaflets).
 */
@Entity('outreach_events')
@Index('ix_outreach_events_org_unit_date', ['orgUnitId', 'date'])
@Check('ck_outreach_events_head_count', `head_count BETWEEN 1 AND 100000`)
@Check(
  'ck_outreach_events_materials',
  `books BETWEEN 0 AND 1000000 AND discs BETWEEN 0 AND 1000000 AND leaflets BETWEEN 0 AND 1000000`,
)
export class OutreachEvent {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_outreach_events' })
  id!: string;

  @Column({ type: 'enum', enum: EVENT_KINDS, enumName: 'outreach_event_kind' })
  kind!: EventKind;

  @Column({ type: 'text' })
  title!: string;

  /** Local date (the centre's zone) the event was held. */
  @Column({ type: 'date' })
  date!: string;

  @Column({ type: 'uuid' })
  orgUnitId!: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'org_unit_id', foreignKeyConstraintName: 'fk_outreach_events_org_unit' })
  orgUnit?: OrgUnit;

  @Column({ type: 'int' })
  headCount!: number;

  @Column({ type: 'int', default: 0 })
  books!: number;

  @Column({ type: 'int', default: 0 })
  discs!: number;

  @Column({ type: 'int', default: 0 })
  leaflets!: number;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  /** Who recorded it (an audit column: users are never deleted, so it is not indexed). */
  @Column({ type: 'uuid' })
  createdBy!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_outreach_events_created_by' })
  creator?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
