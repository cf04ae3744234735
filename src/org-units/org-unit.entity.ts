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
import { ORG_UNIT_KINDS, type OrgUnitKind } from './org-unit-kind';

/** Constraints are declared here as in the migrations, so `migration:generate` diffs cleanly. */
@Entity('org_units')
@Unique('uq_org_units_code', ['code'])
@Check('ck_org_units_name_not_blank', `btrim(name) <> ''`)
@Check('ck_org_units_root_or_parent', `(parent_id IS NULL) = (depth = 0)`)
@Index('ix_org_units_parent_id', ['parentId'])
export class OrgUnit {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_org_units' })
  id!: string;

  @Column({ type: 'enum', enum: ORG_UNIT_KINDS, enumName: 'org_unit_kind' })
  kind!: OrgUnitKind;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  code!: string | null;

  @Column({ type: 'uuid', nullable: true })
  parentId!: string | null;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_org_units_parent' })
  parent?: OrgUnit;

  /**
   * Materialised path: `/<root id>/.../<own id>/`, unique. "Everything under X" is a prefix
   * range on its `text_pattern_ops` index (see common/database/subtree.ts). The migration
   * makes that index: TypeORM cannot express the operator class, so it leaves it alone.
   */
  @Index('uq_org_units_path', { synchronize: false })
  @Column({ type: 'text' })
  path!: string;

  @Column({ type: 'int' })
  depth!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
