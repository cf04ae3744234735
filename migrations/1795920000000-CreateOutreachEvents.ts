import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outreach events (lectures, screenings, "culture to the countryside", on-site guidance):
 * person-times counted beside the classes. Reports read them by unit subtree and date, so
 * (org_unit_id, date) is indexed; the checks hold the head count and materials in range.
 */
export class CreateOutreachEvents1795920000000 implements MigrationInterface {
  name = 'CreateOutreachEvents1795920000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE outreach_event_kind AS ENUM ('lecture', 'screening', 'outreach', 'guidance', 'other')`);
    await q.query(`
      CREATE TABLE outreach_events (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind outreach_event_kind NOT NULL,
        title text NOT NULL,
        date date NOT NULL,
        org_unit_id uuid NOT NULL,
        head_count integer NOT NULL,
        books integer NOT NULL DEFAULT 0,
        discs integer NOT NULL DEFAULT 0,
        leaflets integer NOT NULL DEFAULT 0,
        notes text,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_outreach_events PRIMARY KEY (id),
        CONSTRAINT ck_outreach_events_head_count CHECK (head_count BETWEEN 1 AND 100000),
        CONSTRAINT ck_outreach_events_materials
          CHECK (books BETWEEN 0 AND 1000000 AND discs BETWEEN 0 AND 1000000 AND leaflets BETWEEN 0 AND 1000000),
        CONSTRAINT fk_outreach_events_org_unit FOREIGN KEY (org_unit_id) REFERENCES org_units (id) ON DELETE RESTRICT,
        CONSTRAINT fk_outreach_events_created_by FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX ix_outreach_events_org_unit_date ON outreach_events (org_unit_id, date)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outreach_events`);
    await q.query(`DROP TYPE outreach_event_kind`);
  }
}
