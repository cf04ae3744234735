import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why an enrolment was withdrawn: by the trainee (`self`), by an admin (`admin`), or with its
 * class (`class_completed`: still waitlisted when it ended; `class_cancelled`). Set exactly
 * when the status is `withdrawn`.
 *
 * Backfill: who withdrew was never recorded, and before this change a class's end withdrew
 * nobody, so every existing withdrawal was made by a person through the withdraw route. The
 * best evidence left is who enrolled: a trainee who enrolled itself is taken to have withdrawn
 * itself (`self`), one enrolled by an admin to have been withdrawn by an admin (`admin`).
 * Down drops the column and loses the reasons.
 */
export class AddEnrolmentWithdrawalReason1795890002000 implements MigrationInterface {
  name = 'AddEnrolmentWithdrawalReason1795890002000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TYPE enrolment_withdrawal_reason AS ENUM ('self', 'admin', 'class_completed', 'class_cancelled')`,
    );
    await q.query(`ALTER TABLE enrolments ADD COLUMN withdrawal_reason enrolment_withdrawal_reason`);
    await q.query(`
      UPDATE enrolments
         SET withdrawal_reason = CASE WHEN enrolled_by = trainee_id THEN 'self' ELSE 'admin' END::enrolment_withdrawal_reason
       WHERE status = 'withdrawn'`);
    await q.query(`
      ALTER TABLE enrolments ADD CONSTRAINT ck_enrolments_withdrawal_reason
        CHECK ((status = 'withdrawn') = (withdrawal_reason IS NOT NULL))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE enrolments DROP CONSTRAINT ck_enrolments_withdrawal_reason`);
    await q.query(`ALTER TABLE enrolments DROP COLUMN withdrawal_reason`);
    await q.query(`DROP TYPE enrolment_withdrawal_reason`);
  }
}
