import {
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

export const COURSE_LEVELS = ['beginner', 'intermediate', 'advanced'] as const;
export type CourseLevel = (typeof COURSE_LEVELS)[number];

/** A catalogue entry, owned by the unit whose admins maintain it. */
@Entity('courses')
@Index('ix_courses_org_unit_id', ['orgUnitId'])
export class Course {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_courses' })
  id!: string;

  @Column({ type: 'uuid' })
  orgUnitId!: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'org_unit_id', foreignKeyConstraintName: 'fk_courses_org_unit' })
  orgUnit?: OrgUnit;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'enum', enum: COURSE_LEVELS, enumName: 'course_level' })
  level!: CourseLevel;

  /** numeric comes back from pg as a string; the transformer makes it a number. */
  @Column({
    type: 'numeric',
    precision: 6,
    scale: 1,
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  hours!: number;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  topics!: string[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
