import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Follow-up visits after a class: one per class and township (the unique key lets the
 * assignment job run twice, or on two workers, without making a second), each assigned to
 * a trainer or admin, due on a local date, closed by a report or cancelled. The checks keep
 * a `done` visit with its report and a `cancelled` one with its time.
 */
export class CreateVisits1795890003000 implements MigrationInterface {
  name = 'CreateVisits1795890003000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE visit_status AS ENUM ('assigned', 'done', 'overdue', 'cancelled')`);
    await q.query(`
      CREATE TABLE visits (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        class_id uuid NOT NULL,
        township_id uuid NOT NULL,
        assignee_id uuid NOT NULL,
        due_on date NOT NULL,
        status visit_status NOT NULL DEFAULT 'assigned',
        visited_on date,
        notes text,
        trainee_ids uuid[] NOT NULL DEFAULT '{}',
        problems text,
        follow_up_needed boolean NOT NULL DEFAULT false,
        reported_at timestamptz,
        reported_by uuid,
        cancelled_at timestamptz,
        cancel_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_visits PRIMARY KEY (id),
        CONSTRAINT uq_visits_class_township UNIQUE (class_id, township_id),
        CONSTRAINT ck_visits_report CHECK ((status = 'done') = (reported_at IS NOT NULL AND visited_on IS NOT NULL)),
        CONSTRAINT ck_visits_cancelled CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
        CONSTRAINT fk_visits_class FOREIGN KEY (class_id) REFERENCES classes (id) ON DELETE RESTRICT,
        CONSTRAINT fk_visits_township FOREIGN KEY (township_id) REFERENCES org_units (id) ON DELETE RESTRICT,
        CONSTRAINT fk_visits_assignee FOREIGN KEY (assignee_id) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT fk_visits_reported_by FOREIGN KEY (reported_by) REFERENCES users (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX ix_visits_township_id ON visits (township_id)`);
    await q.query(`CREATE INDEX ix_visits_assignee_status ON visits (assignee_id, status)`);
    await q.query(`CREATE INDEX ix_visits_reported_by ON visits (reported_by)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE visits`);
    await q.query(`DROP TYPE visit_status`);
  }
}
