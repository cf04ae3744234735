import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a trainee should bring to a session (`手机（充好电）、身份证`): one short line the trainer or
 * the library writes, shown on the trainee's home page beside the date, time and place.
 */
export class AddWhatToBringToSessions1795960000000 implements MigrationInterface {
  name = 'AddWhatToBringToSessions1795960000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions ADD COLUMN what_to_bring text`);
    await q.query(
      `ALTER TABLE sessions ADD CONSTRAINT ck_sessions_what_to_bring_length CHECK (char_length(what_to_bring) <= 200)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP COLUMN what_to_bring`);
  }
}
