import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1795840001000 implements MigrationInterface {
  name = 'CreateUsers1795840001000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE user_role AS ENUM ('admin', 'trainer', 'trainee')`);
    await q.query(`CREATE TYPE computer_proficiency AS ENUM ('none', 'basic', 'intermediate', 'advanced')`);
    await q.query(`CREATE TYPE education_level AS ENUM ('primary', 'secondary', 'tertiary')`);
    await q.query(`
      CREATE TABLE users (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        username text NOT NULL,
        password_hash text NOT NULL,
        display_name text NOT NULL,
        role user_role NOT NULL,
        org_unit_id uuid NOT NULL,
        phone text,
        email text,
        education education_level,
        proficiency computer_proficiency,
        active boolean NOT NULL DEFAULT true,
        token_version int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_users PRIMARY KEY (id),
        CONSTRAINT uq_users_username UNIQUE (username),
        CONSTRAINT fk_users_org_unit FOREIGN KEY (org_unit_id) REFERENCES org_units (id) ON DELETE RESTRICT,
        CONSTRAINT ck_users_username_lower CHECK (username = lower(btrim(username))),
        CONSTRAINT ck_users_display_name_not_blank CHECK (btrim(display_name) <> '')
      )`);
    await q.query(`CREATE INDEX ix_users_org_unit_id ON users (org_unit_id)`);
    await q.query(`CREATE INDEX ix_users_role ON users (role)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TYPE education_level`);
    await q.query(`DROP TYPE computer_proficiency`);
    await q.query(`DROP TYPE user_role`);
  }
}
