import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSurveysCoursesVenues1795850000000 implements MigrationInterface {
  name = 'CreateSurveysCoursesVenues1795850000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE surveys (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        org_unit_id uuid NOT NULL,
        year int NOT NULL,
        service_points int NOT NULL,
        staff_count int NOT NULL,
        proficiency_none int NOT NULL,
        proficiency_basic int NOT NULL,
        proficiency_intermediate int NOT NULL,
        proficiency_advanced int NOT NULL,
        education_primary int,
        education_secondary int,
        education_tertiary int,
        topics_wanted text[] NOT NULL DEFAULT '{}',
        notes text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_surveys PRIMARY KEY (id),
        CONSTRAINT uq_surveys_org_unit_year UNIQUE (org_unit_id, year),
        CONSTRAINT fk_surveys_org_unit FOREIGN KEY (org_unit_id) REFERENCES org_units (id) ON DELETE RESTRICT,
        CONSTRAINT ck_surveys_counts CHECK (service_points >= 0 AND staff_count >= 0 AND proficiency_none >= 0 AND proficiency_basic >= 0 AND proficiency_intermediate >= 0 AND proficiency_advanced >= 0)
      )`);
    await q.query(`CREATE TYPE course_level AS ENUM ('beginner', 'intermediate', 'advanced')`);
    await q.query(`
      CREATE TABLE courses (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        org_unit_id uuid NOT NULL,
        title text NOT NULL,
        description text,
        level course_level NOT NULL,
        hours numeric(6,1) NOT NULL,
        topics text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_courses PRIMARY KEY (id),
        CONSTRAINT fk_courses_org_unit FOREIGN KEY (org_unit_id) REFERENCES org_units (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX ix_courses_org_unit_id ON courses (org_unit_id)`);
    await q.query(`
      CREATE TABLE venues (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        org_unit_id uuid NOT NULL,
        name text NOT NULL,
        capacity int,
        address text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_venues PRIMARY KEY (id),
        CONSTRAINT uq_venues_org_unit_name UNIQUE (org_unit_id, name),
        CONSTRAINT fk_venues_org_unit FOREIGN KEY (org_unit_id) REFERENCES org_units (id) ON DELETE RESTRICT
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE venues`);
    await q.query(`DROP TABLE courses`);
    await q.query(`DROP TYPE course_level`);
    await q.query(`DROP TABLE surveys`);
  }
}
