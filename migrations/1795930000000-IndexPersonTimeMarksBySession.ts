import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The person-time marks (present or late) of each session, with the enrolment they belong
 * to: the reports read them for every session of a period (a province's year is about 4,700
 * sessions and 180,000 marks) from this index alone, without visiting the table.
 *
 * Built CONCURRENTLY, so attendance keeps being saved while a big table is indexed; that
 * cannot run inside a transaction, hence `transaction = false`. Should the build be
 * interrupted, PostgreSQL leaves an invalid index behind: drop it and migrate again.
 */
export class IndexPersonTimeMarksBySession1795930000000 implements MigrationInterface {
  name = 'IndexPersonTimeMarksBySession1795930000000';
  transaction = false;

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_attendance_records_person_times
         ON attendance_records (session_id) INCLUDE (enrolment_id) WHERE status IN ('present', 'late')`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_attendance_records_person_times`);
  }
}
