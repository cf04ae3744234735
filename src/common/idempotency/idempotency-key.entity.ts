import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** One remembered answer to a creating POST, keyed by caller and Idempotency-Key. */
@Entity('idempotency_keys')
@Index('ix_idempotency_keys_created_at', ['createdAt'])
export class IdempotencyKey {
  /** The caller's user id: keys of different users never collide. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_idempotency_keys' })
  scope!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_idempotency_keys' })
  key!: string;

  @Column({ type: 'text' })
  method!: string;

  @Column({ type: 'text' })
  path!: string;

  /** sha256 of method, path and canonical body: another body under the same key is a 422. */
  @Column({ type: 'text' })
  requestHash!: string;

  @Column({ type: 'int' })
  statusCode!: number;

  @Column({ type: 'jsonb', nullable: true })
  responseBody!: unknown;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
