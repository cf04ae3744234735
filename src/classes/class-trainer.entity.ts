import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity';
import { TrainingClass } from './training-class.entity';

/** A trainer who teaches a class. */
@Entity('class_trainers')
@Index('ix_class_trainers_trainer_id', ['trainerId'])
export class ClassTrainer {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_class_trainers' })
  classId!: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_class_trainers' })
  trainerId!: string;

  @ManyToOne(() => TrainingClass, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'class_id', foreignKeyConstraintName: 'fk_class_trainers_class' })
  trainingClass?: TrainingClass;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'trainer_id', foreignKeyConstraintName: 'fk_class_trainers_trainer' })
  trainer?: User;
}
