import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What delivering a message needs: what it is about (a session, a class, a visit: to find
 * who was reminded of a session that then moves), its tries and last error (a message that
 * keeps failing is `failed` with its reason, for admins), a delivery generation (an admin's
 * retry is a new job), and per-user channel preferences.
 */
export class AddNotificationDelivery1795890000000 implements MigrationInterface {
  name = 'AddNotificationDelivery1795890000000';

  public async up(q: QueryRunner): Promise<void> {
    // `expired`: a message that could only have gone out too late (a reminder after its session began).
    await q.query(`ALTER TYPE notification_status ADD VALUE IF NOT EXISTS 'expired'`);
    // The inbox is delivered by the commit that writes it: rows written before are delivered.
    await q.query(
      `UPDATE notifications SET status = 'sent', sent_at = created_at WHERE channel = 'inbox' AND status = 'pending'`,
    );
    await q.query(`
      ALTER TABLE notifications
        ADD COLUMN about_id uuid,
        ADD COLUMN attempts int NOT NULL DEFAULT 0,
        ADD COLUMN last_error text,
        ADD COLUMN failed_at timestamptz,
        ADD COLUMN generation int NOT NULL DEFAULT 0`);
    await q.query(
      `CREATE INDEX ix_notifications_about_id ON notifications (about_id, template) WHERE about_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX ix_notifications_undelivered ON notifications (status, created_at) WHERE status <> 'sent'`,
    );
    await q.query(`
      CREATE TABLE notification_preferences (
        user_id uuid NOT NULL,
        email boolean NOT NULL DEFAULT true,
        sms boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_notification_preferences PRIMARY KEY (user_id),
        CONSTRAINT fk_notification_preferences_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_preferences`);
    await q.query(`DROP INDEX ix_notifications_undelivered`);
    await q.query(`DROP INDEX ix_notifications_about_id`);
    await q.query(`
      ALTER TABLE notifications
        DROP COLUMN about_id, DROP COLUMN attempts, DROP COLUMN last_error, DROP COLUMN failed_at, DROP COLUMN generation`);
    // An enum value cannot be dropped: the type is made again without it (expired messages count as failed).
    await q.query(`UPDATE notifications SET status = 'failed' WHERE status = 'expired'`);
    await q.query(`ALTER TABLE notifications ALTER COLUMN status DROP DEFAULT`);
    await q.query(`ALTER TYPE notification_status RENAME TO notification_status_old`);
    await q.query(`CREATE TYPE notification_status AS ENUM ('pending', 'sent', 'failed')`);
    await q.query(
      `ALTER TABLE notifications ALTER COLUMN status TYPE notification_status USING status::text::notification_status`,
    );
    await q.query(`ALTER TABLE notifications ALTER COLUMN status SET DEFAULT 'pending'`);
    await q.query(`DROP TYPE notification_status_old`);
  }
}
