import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Course } from '../courses/course.entity';

export const IMAGE_TYPES = ['image/png', 'image/jpeg'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];
export const MAX_IMAGE_BYTES = 1024 * 1024;

/**
 * A question's picture (a screenshot, usually), kept in PostgreSQL so a backup holds it.
 * Never changed once stored: a new picture is a new row, so attempts keep showing theirs.
 * Seen by those who keep its course's bank, and by trainees whose attempt showed it.
 */
@Entity('question_images')
@Check('ck_question_images_media_type', `media_type IN ('image/png', 'image/jpeg')`)
@Check('ck_question_images_size', `byte_size > 0 AND byte_size <= 1048576`)
@Index('ix_question_images_course_id', ['courseId'])
export class QuestionImage {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_question_images' })
  id!: string;

  /** The course whose bank it was uploaded to: who keeps that bank may see it. */
  @Column({ type: 'uuid' })
  courseId!: string;

  @ManyToOne(() => Course, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_question_images_course' })
  course?: Course;

  @Column({ type: 'text' })
  mediaType!: ImageType;

  @Column({ type: 'bytea', select: false })
  content!: Buffer;

  @Column({ type: 'int' })
  byteSize!: number;

  @Column({ type: 'text' })
  sha256!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
