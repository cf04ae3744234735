import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity';
import { CLASS_STATUSES, type ClassStatus } from './class-status';
import { TrainingClass } from './training-class.entity';

/** Who moved a class from one state to the next, and when. */
@Entity('class_transitions')
@Index('ix_class_transitions_class_id', ['classId'])
export class ClassTransition {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_class_transitions' })
  id!: string;

  @Column({ type: 'uuid' })
  classId!: string;

  @ManyToOne(() => TrainingClass, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'class_id', foreignKeyConstraintName: 'fk_class_transitions_class' })
  trainingClass?: TrainingClass;

  @Column({ type: 'enum', enum: CLASS_STATUSES, enumName: 'class_status' })
  fromStatus!: ClassStatus;

  @Column({ type: 'enum', enum: CLASS_STATUSES, enumName: 'class_status' })
  toStatus!: ClassStatus;

  @Column({ type: 'uuid' })
  actorId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'actor_id', foreignKeyConstraintName: 'fk_class_transitions_actor' })
  actor?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;
}
