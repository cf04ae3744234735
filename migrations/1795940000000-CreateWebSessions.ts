import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cookie sessions of the pages (src/web/). The cookie holds a random token; only its SHA-256
 * is stored, so a copy of the table signs nobody in. `token_version` is the user's at sign-in:
 * deactivation, a role change or a new password raise the user's, which ends the session on
 * its next request. Sessions go with their user.
 */
export class CreateWebSessions1795940000000 implements MigrationInterface {
  name = 'CreateWebSessions1795940000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE web_sessions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        token_hash text NOT NULL,
        user_id uuid NOT NULL,
        token_version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT pk_web_sessions PRIMARY KEY (id),
        CONSTRAINT uq_web_sessions_token_hash UNIQUE (token_hash),
        CONSTRAINT fk_web_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT ck_web_sessions_expiry CHECK (expires_at > last_seen_at)
      )`);
    await q.query(`CREATE INDEX ix_web_sessions_user_id ON web_sessions (user_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE web_sessions`);
  }
}
