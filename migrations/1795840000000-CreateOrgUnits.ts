import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrgUnits1795840000000 implements MigrationInterface {
  name = 'CreateOrgUnits1795840000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE org_unit_kind AS ENUM ('province', 'city', 'county', 'township', 'village')`);
    await q.query(`
      CREATE TABLE org_units (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind org_unit_kind NOT NULL,
        name text NOT NULL,
        code text,
        parent_id uuid,
        path text NOT NULL,
        depth int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_org_units PRIMARY KEY (id),
        CONSTRAINT fk_org_units_parent FOREIGN KEY (parent_id) REFERENCES org_units (id) ON DELETE RESTRICT,
        CONSTRAINT uq_org_units_code UNIQUE (code),
        CONSTRAINT uq_org_units_path UNIQUE (path),
        CONSTRAINT ck_org_units_name_not_blank CHECK (btrim(name) <> ''),
        CONSTRAINT ck_org_units_root_or_parent CHECK ((parent_id IS NULL) = (depth = 0))
      )`);
    // "Everything under X" is a prefix match on path: text_pattern_ops makes LIKE 'prefix%' use the index.
    await q.query(`CREATE INDEX ix_org_units_path ON org_units (path text_pattern_ops)`);
    await q.query(`CREATE INDEX ix_org_units_parent_id ON org_units (parent_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE org_units`);
    await q.query(`DROP TYPE org_unit_kind`);
  }
}
