import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issuing a class's certificates runs in the background: one row per run with its progress.
 * The trainees to issue to are fixed when the run starts (`trainee_ids`); `next_index` is the
 * cursor the job moves in each batch's transaction, so a retried job carries on where it stopped.
 */
export class CreateCertificateRuns1795910001000 implements MigrationInterface {
  name = 'CreateCertificateRuns1795910001000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE certificate_run_status AS ENUM ('queued', 'running', 'done', 'failed')`);
    await q.query(`
      CREATE TABLE certificate_runs (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        class_id uuid NOT NULL,
        started_by uuid NOT NULL,
        status certificate_run_status NOT NULL DEFAULT 'queued',
        trainee_ids uuid[] NOT NULL,
        next_index integer NOT NULL DEFAULT 0,
        total integer NOT NULL,
        done integer NOT NULL DEFAULT 0,
        issued integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        CONSTRAINT pk_certificate_runs PRIMARY KEY (id),
        CONSTRAINT ck_certificate_runs_progress CHECK (
          done >= 0 AND done <= total AND issued + skipped = done AND next_index >= 0),
        CONSTRAINT fk_certificate_runs_class FOREIGN KEY (class_id) REFERENCES classes (id) ON DELETE CASCADE,
        CONSTRAINT fk_certificate_runs_started_by FOREIGN KEY (started_by) REFERENCES users (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX ix_certificate_runs_class_id ON certificate_runs (class_id)`);
    await q.query(`CREATE INDEX ix_certificate_runs_started_by ON certificate_runs (started_by)`);
    await q.query(
      `CREATE INDEX ix_certificate_runs_unfinished ON certificate_runs (status) WHERE status IN ('queued', 'running')`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE certificate_runs`);
    await q.query(`DROP TYPE certificate_run_status`);
  }
}
