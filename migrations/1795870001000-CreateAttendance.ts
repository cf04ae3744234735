import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Attendance records (one per session and enrolment), their audit trail and check-in windows. */
export class CreateAttendance1795870001000 implements MigrationInterface {
  name = 'CreateAttendance1795870001000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE attendance_status AS ENUM ('present', 'late', 'excused', 'absent')`);
    await q.query(`CREATE TYPE attendance_source AS ENUM ('trainer', 'self')`);
    await q.query(`
      CREATE TABLE attendance_records (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL,
        enrolment_id uuid NOT NULL,
        status attendance_status NOT NULL,
        note text,
        source attendance_source NOT NULL,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1,
        CONSTRAINT pk_attendance_records PRIMARY KEY (id),
        CONSTRAINT uq_attendance_records_session_enrolment UNIQUE (session_id, enrolment_id),
        CONSTRAINT fk_attendance_records_session FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE RESTRICT,
        CONSTRAINT fk_attendance_records_enrolment FOREIGN KEY (enrolment_id) REFERENCES enrolments (id) ON DELETE RESTRICT,
        CONSTRAINT fk_attendance_records_recorded_by FOREIGN KEY (recorded_by) REFERENCES users (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX ix_attendance_records_enrolment_id ON attendance_records (enrolment_id)`);
    await q.query(`
      CREATE TABLE attendance_changes (
        id bigint GENERATED ALWAYS AS IDENTITY,
        record_id uuid NOT NULL,
        session_id uuid NOT NULL,
        enrolment_id uuid NOT NULL,
        old_status attendance_status,
        new_status attendance_status NOT NULL,
        old_note text,
        new_note text,
        source attendance_source NOT NULL,
        changed_by uuid NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_attendance_changes PRIMARY KEY (id),
        CONSTRAINT fk_attendance_changes_record FOREIGN KEY (record_id) REFERENCES attendance_records (id) ON DELETE RESTRICT,
        CONSTRAINT fk_attendance_changes_changed_by FOREIGN KEY (changed_by) REFERENCES users (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX ix_attendance_changes_session_id ON attendance_changes (session_id, id)`);
    await q.query(`
      CREATE TABLE check_in_windows (
        session_id uuid NOT NULL,
        opened_by uuid NOT NULL,
        opened_at timestamptz NOT NULL,
        closes_at timestamptz NOT NULL,
        CONSTRAINT pk_check_in_windows PRIMARY KEY (session_id),
        CONSTRAINT fk_check_in_windows_session FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE RESTRICT,
        CONSTRAINT fk_check_in_windows_opened_by FOREIGN KEY (opened_by) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT ck_check_in_windows_order CHECK (closes_at > opened_at)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE check_in_windows`);
    await q.query(`DROP TABLE attendance_changes`);
    await q.query(`DROP TABLE attendance_records`);
    await q.query(`DROP TYPE attendance_source`);
    await q.query(`DROP TYPE attendance_status`);
  }
}
