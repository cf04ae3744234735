import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Points each attendance status earns in a class (Moodle's defaults: 2, 1, 1, 0). */
export class AddAttendancePointsToClasses1795870000000 implements MigrationInterface {
  name = 'AddAttendancePointsToClasses1795870000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE classes
        ADD COLUMN points_present smallint NOT NULL DEFAULT 2,
        ADD COLUMN points_late smallint NOT NULL DEFAULT 1,
        ADD COLUMN points_excused smallint NOT NULL DEFAULT 1,
        ADD COLUMN points_absent smallint NOT NULL DEFAULT 0,
        ADD CONSTRAINT ck_classes_attendance_points CHECK (
          least(points_present, points_late, points_excused, points_absent) >= 0
          AND greatest(points_present, points_late, points_excused, points_absent) BETWEEN 1 AND 100)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE classes
        DROP CONSTRAINT ck_classes_attendance_points,
        DROP COLUMN points_present,
        DROP COLUMN points_late,
        DROP COLUMN points_excused,
        DROP COLUMN points_absent`);
  }
}
