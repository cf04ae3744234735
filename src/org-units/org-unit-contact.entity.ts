import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { User } from '../users/user.entity';
import { OrgUnit } from './org-unit.entity';

/**
 * A contact person of a township or village, in call order (`position`, 1..n). Only users of
 * that very unit are added; one deactivated or moved away later keeps the row but is left out
 * when contacts are read, so reactivating (or moving back) restores them.
 */
@Entity('org_unit_contacts')
@Unique('uq_org_unit_contacts_position', ['orgUnitId', 'position'])
@Check('ck_org_unit_contacts_position', `position >= 1`)
@Index('ix_org_unit_contacts_user_id', ['userId'])
export class OrgUnitContact {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_org_unit_contacts' })
  orgUnitId!: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'org_unit_id', foreignKeyConstraintName: 'fk_org_unit_contacts_org_unit' })
  orgUnit?: OrgUnit;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_org_unit_contacts' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_org_unit_contacts_user' })
  user?: User;

  @Column({ type: 'int' })
  position!: number;
}
