import {
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

/** A county's training plan for one year, with its targets. */
@Entity('plans')
@Unique('uq_plans_org_unit_year', ['orgUnitId', 'year'])
export class Plan {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_plans' })
  id!: string;

  @Column({ type: 'uuid' })
  orgUnitId!: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'org_unit_id', foreignKeyConstraintName: 'fk_plans_org_unit' })
  orgUnit?: OrgUnit;

  @Column({ type: 'int' })
  year!: number;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'int', nullable: true })
  targetClasses!: number | null;

  @Column({ type: 'int', nullable: true })
  targetPersonTimes!: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
