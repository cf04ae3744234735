import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../users/user.entity';
import {
  IMPORT_STATUSES,
  type ImportCredential,
  type ImportInput,
  type ImportRowProblem,
  type ImportStatus,
} from './imports.types';

/** What a finished import keeps for its starter: generated passwords until read once. */
export interface ImportResultData {
  credentials?: ImportCredential[];
  /** Set when the credentials were answered once and erased. */
  credentialsShown?: boolean;
  /** Set when the credentials were erased unread, a day after the import finished. */
  credentialsExpired?: boolean;
}

/** One background import: its progress, its rows still to write, and what it found. */
@Entity('imports')
@Index('ix_imports_started_by', ['startedBy'])
@Index('ix_imports_unfinished', ['status'], { where: `status IN ('queued', 'running')` })
@Check('ck_imports_progress', `done >= 0 AND done <= total AND next_index >= 0`)
export class Import {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_imports' })
  id!: string;

  /** Which handler writes the rows ('users'). */
  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'enum', enum: IMPORT_STATUSES, enumName: 'import_status', default: 'queued' })
  status!: ImportStatus;

  /** Rows of the file, good and bad. */
  @Column({ type: 'int' })
  total!: number;

  /** Rows finished: written, or reported as errors. */
  @Column({ type: 'int', default: 0 })
  done!: number;

  @Column({ type: 'int', default: 0 })
  created!: number;

  @Column({ type: 'int', default: 0 })
  updated!: number;

  /** Rows with at least one error. */
  @Column({ type: 'int', default: 0 })
  failed!: number;

  /** Index into `input.rows` of the first row not yet written; moves in each batch's transaction. */
  @Column({ type: 'int', default: 0 })
  nextIndex!: number;

  /** Row errors as codes and arguments, put into words when read. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  errors!: ImportRowProblem[];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  result!: ImportResultData;

  /** The validated rows to write (never password hashes); cleared when the import finishes. */
  @Column({ type: 'jsonb', nullable: true, select: false })
  input!: ImportInput | null;

  /** Why a failed import stopped (for operators; clients get a generic message). */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'uuid' })
  startedBy!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'started_by', foreignKeyConstraintName: 'fk_imports_started_by' })
  starter?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  /** When a worker first took it. */
  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
