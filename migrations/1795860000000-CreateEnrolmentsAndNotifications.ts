import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateEnrolmentsAndNotifications1795860000000 implements MigrationInterface {
  name = 'CreateEnrolmentsAndNotifications1795860000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE enrolment_status AS ENUM ('confirmed', 'waitlisted', 'withdrawn', 'completed')`);
    await q.query(`
      CREATE TABLE enrolments (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        class_id uuid NOT NULL,
        trainee_id uuid NOT NULL,
        township_id uuid NOT NULL,
        status enrolment_status NOT NULL,
        waitlist_position int,
        enrolled_by uuid NOT NULL,
        confirmed_at timestamptz,
        withdrawn_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_enrolments PRIMARY KEY (id),
        CONSTRAINT uq_enrolments_class_trainee UNIQUE (class_id, trainee_id),
        CONSTRAINT fk_enrolments_class FOREIGN KEY (class_id) REFERENCES classes (id) ON DELETE RESTRICT,
        CONSTRAINT fk_enrolments_trainee FOREIGN KEY (trainee_id) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT fk_enrolments_township FOREIGN KEY (township_id) REFERENCES org_units (id) ON DELETE RESTRICT,
        CONSTRAINT fk_enrolments_enrolled_by FOREIGN KEY (enrolled_by) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT ck_enrolments_waitlist_position CHECK ((status = 'waitlisted') = (waitlist_position IS NOT NULL) AND (waitlist_position IS NULL OR waitlist_position >= 1)),
        -- Positions are unique among a class's waitlist; deferred, so a shift of the whole list can run as one UPDATE.
        CONSTRAINT xc_enrolments_waitlist_position EXCLUDE USING btree (class_id WITH =, waitlist_position WITH =) WHERE (status = 'waitlisted') DEFERRABLE INITIALLY DEFERRED
      )`);
    await q.query(`CREATE INDEX ix_enrolments_class_township_status ON enrolments (class_id, township_id, status)`);
    await q.query(`CREATE INDEX ix_enrolments_trainee_id ON enrolments (trainee_id)`);

    await q.query(`CREATE TYPE notification_channel AS ENUM ('inbox', 'email', 'sms')`);
    await q.query(`CREATE TYPE notification_status AS ENUM ('pending', 'sent', 'failed')`);
    await q.query(`
      CREATE TABLE notifications (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        channel notification_channel NOT NULL,
        template text NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        dedup_key text NOT NULL,
        status notification_status NOT NULL DEFAULT 'pending',
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        read_at timestamptz,
        CONSTRAINT pk_notifications PRIMARY KEY (id),
        CONSTRAINT uq_notifications_dedup_key UNIQUE (dedup_key),
        CONSTRAINT fk_notifications_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ix_notifications_user_id_created_at ON notifications (user_id, created_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TYPE notification_status`);
    await q.query(`DROP TYPE notification_channel`);
    await q.query(`DROP TABLE enrolments`);
    await q.query(`DROP TYPE enrolment_status`);
  }
}
