import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A secret per user for the subscribable calendar feed; only its hash is stored. */
export class AddCalendarFeedTokens1795850003000 implements MigrationInterface {
  name = 'AddCalendarFeedTokens1795850003000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN calendar_token_hash text`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT uq_users_calendar_token_hash UNIQUE (calendar_token_hash)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP CONSTRAINT uq_users_calendar_token_hash`);
    await q.query(`ALTER TABLE users DROP COLUMN calendar_token_hash`);
  }
}
