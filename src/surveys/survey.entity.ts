import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { OrgUnit } from '../org-units/org-unit.entity';

/** A township's needs survey for one year: who works there and what they know. */
@Entity('surveys')
@Unique('uq_surveys_org_unit_year', ['orgUnitId', 'year'])
@Check(
  'ck_surveys_counts',
  `service_points >= 0 AND staff_count >= 0 AND proficiency_none >= 0 AND proficiency_basic >= 0 AND proficiency_intermediate >= 0 AND proficiency_advanced >= 0`,
)
export class Survey {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_surveys' })
  id!: string;

  @Column({ type: 'uuid' })
  orgUnitId!: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'org_unit_id', foreignKeyConstraintName: 'fk_surveys_org_unit' })
  orgUnit?: OrgUnit;

  @Column({ type: 'int' })
  year!: number;

  @Column({ type: 'int' })
  servicePoints!: number;

  @Column({ type: 'int' })
  staffCount!: number;

  @Column({ type: 'int' })
  proficiencyNone!: number;

  @Column({ type: 'int' })
  proficiencyBasic!: number;

  @Column({ type: 'int' })
  proficiencyIntermediate!: number;

  @Column({ type: 'int' })
  proficiencyAdvanced!: number;

  @Column({ type: 'int', nullable: true })
  educationPrimary!: number | null;

  @Column({ type: 'int', nullable: true })
  educationSecondary!: number | null;

  @Column({ type: 'int', nullable: true })
  educationTertiary!: number | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  topicsWanted!: string[];

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
