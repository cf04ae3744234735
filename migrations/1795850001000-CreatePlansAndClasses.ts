import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePlansAndClasses1795850001000 implements MigrationInterface {
  name = 'CreatePlansAndClasses1795850001000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plans (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        org_unit_id uuid NOT NULL,
        year int NOT NULL,
        title text NOT NULL,
        target_classes int,
        target_person_times int,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_plans PRIMARY KEY (id),
        CONSTRAINT uq_plans_org_unit_year UNIQUE (org_unit_id, year),
        CONSTRAINT fk_plans_org_unit FOREIGN KEY (org_unit_id) REFERENCES org_units (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE TYPE class_status AS ENUM ('draft', 'open', 'running', 'completed', 'cancelled')`);
    await q.query(`
      CREATE TABLE classes (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        plan_id uuid NOT NULL,
        course_id uuid NOT NULL,
        title text NOT NULL,
        quarter smallint NOT NULL,
        start_date date NOT NULL,
        end_date date NOT NULL,
        venue_id uuid,
        capacity int NOT NULL,
        min_per_township int NOT NULL DEFAULT 3,
        max_per_township int NOT NULL DEFAULT 5,
        enrolment_opens_at timestamptz NOT NULL,
        enrolment_closes_at timestamptz NOT NULL,
        attendance_threshold numeric(4,3) NOT NULL DEFAULT 0.8,
        status class_status NOT NULL DEFAULT 'draft',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_classes PRIMARY KEY (id),
        CONSTRAINT fk_classes_plan FOREIGN KEY (plan_id) REFERENCES plans (id) ON DELETE RESTRICT,
        CONSTRAINT fk_classes_course FOREIGN KEY (course_id) REFERENCES courses (id) ON DELETE RESTRICT,
        CONSTRAINT fk_classes_venue FOREIGN KEY (venue_id) REFERENCES venues (id) ON DELETE RESTRICT,
        CONSTRAINT ck_classes_quarter CHECK (quarter BETWEEN 1 AND 4),
        CONSTRAINT ck_classes_dates CHECK (start_date <= end_date),
        CONSTRAINT ck_classes_township_limits CHECK (min_per_township >= 0 AND min_per_township <= max_per_township AND max_per_township <= capacity),
        CONSTRAINT ck_classes_enrolment_window CHECK (enrolment_opens_at < enrolment_closes_at),
        CONSTRAINT ck_classes_attendance_threshold CHECK (attendance_threshold >= 0 AND attendance_threshold <= 1)
      )`);
    await q.query(`CREATE INDEX ix_classes_plan_id ON classes (plan_id)`);
    await q.query(`
      CREATE TABLE class_trainers (
        class_id uuid NOT NULL,
        trainer_id uuid NOT NULL,
        CONSTRAINT pk_class_trainers PRIMARY KEY (class_id, trainer_id),
        CONSTRAINT fk_class_trainers_class FOREIGN KEY (class_id) REFERENCES classes (id) ON DELETE CASCADE,
        CONSTRAINT fk_class_trainers_trainer FOREIGN KEY (trainer_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ix_class_trainers_trainer_id ON class_trainers (trainer_id)`);
    await q.query(`
      CREATE TABLE class_transitions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        class_id uuid NOT NULL,
        from_status class_status NOT NULL,
        to_status class_status NOT NULL,
        actor_id uuid NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_class_transitions PRIMARY KEY (id),
        CONSTRAINT fk_class_transitions_class FOREIGN KEY (class_id) REFERENCES classes (id) ON DELETE CASCADE,
        CONSTRAINT fk_class_transitions_actor FOREIGN KEY (actor_id) REFERENCES users (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX ix_class_transitions_class_id ON class_transitions (class_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE class_transitions`);
    await q.query(`DROP TABLE class_trainers`);
    await q.query(`DROP TABLE classes`);
    await q.query(`DROP TYPE class_status`);
    await q.query(`DROP TABLE plans`);
  }
}
