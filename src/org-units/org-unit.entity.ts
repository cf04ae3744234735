import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ORG_UNIT_KINDS, type OrgUnitKind } from './org-unit-kind';

@Entity('org_units')
export class OrgUnit {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'enum', enum: ORG_UNIT_KINDS, enumName: 'org_unit_kind' })
  kind!: OrgUnitKind;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  code!: string | null;

  @Column({ type: 'uuid', nullable: true })
  parentId!: string | null;

  /**
   * Materialised path: `/<root id>/.../<own id>/`. "Everything under X" is
   * `path LIKE X.path || '%'`, one query on a text_pattern_ops index.
   */
  @Index()
  @Column({ type: 'text' })
  path!: string;

  @Column({ type: 'int' })
  depth!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
