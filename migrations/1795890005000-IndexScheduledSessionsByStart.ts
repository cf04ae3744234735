import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live sessions by start time, across classes: what the reminder reconciler reads (the
 * sessions of the coming week) without scanning every session ever held.
 */
export class IndexScheduledSessionsByStart1795890005000 implements MigrationInterface {
  name = 'IndexScheduledSessionsByStart1795890005000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_sessions_scheduled_starts_at ON sessions (starts_at) WHERE status = 'scheduled'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_sessions_scheduled_starts_at`);
  }
}
