import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSessions1795850002000 implements MigrationInterface {
  name = 'CreateSessions1795850002000';

  public async up(q: QueryRunner): Promise<void> {
    // btree_gist lets one exclusion constraint compare a uuid (=) and a time range (&&).
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`CREATE TYPE session_status AS ENUM ('scheduled', 'cancelled')`);
    await q.query(`
      CREATE TABLE sessions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        class_id uuid NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        trainer_id uuid,
        venue_id uuid,
        topic text,
        status session_status NOT NULL DEFAULT 'scheduled',
        sequence int NOT NULL DEFAULT 0,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_sessions PRIMARY KEY (id),
        CONSTRAINT fk_sessions_class FOREIGN KEY (class_id) REFERENCES classes (id) ON DELETE RESTRICT,
        CONSTRAINT fk_sessions_trainer FOREIGN KEY (trainer_id) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT fk_sessions_venue FOREIGN KEY (venue_id) REFERENCES venues (id) ON DELETE RESTRICT,
        CONSTRAINT ck_sessions_time_order CHECK (ends_at > starts_at),
        CONSTRAINT xc_sessions_trainer_overlap EXCLUDE USING gist ("trainer_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&) WHERE (status = 'scheduled' AND trainer_id IS NOT NULL),
        CONSTRAINT xc_sessions_venue_overlap EXCLUDE USING gist ("venue_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&) WHERE (status = 'scheduled' AND venue_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX ix_sessions_class_id_starts_at ON sessions (class_id, starts_at)`);
    await q.query(`CREATE INDEX ix_sessions_trainer_id ON sessions (trainer_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TYPE session_status`);
    // btree_gist stays: other schemas on the server may use it, and it holds no data.
  }
}
