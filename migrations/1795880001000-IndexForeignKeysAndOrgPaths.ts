import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes the foreign keys that queries follow and deletes check (a class's course and
 * venue, a session's venue, an enrolment's township), and drops what nothing uses:
 * - `ix_users_role`: no query looks users up by role alone;
 * - the org tree's path had two indexes, a unique one (default operator class) and a
 *   `text_pattern_ops` one for subtree LIKEs; one unique `text_pattern_ops` index serves
 *   both equality and prefix ranges, whatever the database's collation.
 */
export class IndexForeignKeysAndOrgPaths1795880001000 implements MigrationInterface {
  name = 'IndexForeignKeysAndOrgPaths1795880001000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_classes_course_id ON classes (course_id)`);
    await q.query(`CREATE INDEX ix_classes_venue_id ON classes (venue_id)`);
    // The venue exclusion constraint's index covers live sessions only; the foreign key needs them all.
    await q.query(`CREATE INDEX ix_sessions_venue_id ON sessions (venue_id)`);
    await q.query(`CREATE INDEX ix_enrolments_township_id ON enrolments (township_id)`);
    await q.query(`DROP INDEX ix_users_role`);
    await q.query(`ALTER TABLE org_units DROP CONSTRAINT uq_org_units_path`);
    await q.query(`DROP INDEX ix_org_units_path`);
    await q.query(`CREATE UNIQUE INDEX uq_org_units_path ON org_units (path text_pattern_ops)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX uq_org_units_path`);
    await q.query(`CREATE INDEX ix_org_units_path ON org_units (path text_pattern_ops)`);
    await q.query(`ALTER TABLE org_units ADD CONSTRAINT uq_org_units_path UNIQUE (path)`);
    await q.query(`CREATE INDEX ix_users_role ON users (role)`);
    await q.query(`DROP INDEX ix_enrolments_township_id`);
    await q.query(`DROP INDEX ix_sessions_venue_id`);
    await q.query(`DROP INDEX ix_classes_venue_id`);
    await q.query(`DROP INDEX ix_classes_course_id`);
  }
}
