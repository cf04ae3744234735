import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Long bulk work (a user import of many rows, later certificates) runs as a background job:
 * one row per run holds its progress, the validated rows still to write (`input`, cleared
 * when it finishes), a cursor that moves in the same transaction as each batch (so a retried
 * job never writes a row twice), row errors as codes, and generated passwords (`result`)
 * until the admin who started it has read them once.
 */
export class CreateImports1795890004000 implements MigrationInterface {
  name = 'CreateImports1795890004000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE import_status AS ENUM ('queued', 'running', 'done', 'failed')`);
    await q.query(`
      CREATE TABLE imports (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        status import_status NOT NULL DEFAULT 'queued',
        total int NOT NULL,
        done int NOT NULL DEFAULT 0,
        created int NOT NULL DEFAULT 0,
        updated int NOT NULL DEFAULT 0,
        failed int NOT NULL DEFAULT 0,
        next_index int NOT NULL DEFAULT 0,
        errors jsonb NOT NULL DEFAULT '[]',
        result jsonb NOT NULL DEFAULT '{}',
        input jsonb,
        error text,
        started_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        CONSTRAINT pk_imports PRIMARY KEY (id),
        CONSTRAINT fk_imports_started_by FOREIGN KEY (started_by) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT ck_imports_progress CHECK (done >= 0 AND done <= total AND next_index >= 0)
      )`);
    await q.query(`CREATE INDEX ix_imports_started_by ON imports (started_by)`);
    // The reconciler's look-up: the few imports still to run.
    await q.query(`CREATE INDEX ix_imports_unfinished ON imports (status) WHERE status IN ('queued', 'running')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE imports`);
    await q.query(`DROP TYPE import_status`);
  }
}
