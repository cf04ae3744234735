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

/** A room where sessions are held, usually at the library. */
@Entity('venues')
@Unique('uq_venues_org_unit_name', ['orgUnitId', 'name'])
export class Venue {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_venues' })
  id!: string;

  @Column({ type: 'uuid' })
  orgUnitId!: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'org_unit_id', foreignKeyConstraintName: 'fk_venues_org_unit' })
  orgUnit?: OrgUnit;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'int', nullable: true })
  capacity!: number | null;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
