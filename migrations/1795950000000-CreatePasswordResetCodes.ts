import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Codes sent by SMS to reset a forgotten password (src/auth/password-reset.service.ts). Only
 * an HMAC of the code under the server key is kept, so a copy of the table does not give the
 * codes away (six digits would be quick to guess from a plain hash). A code lasts minutes,
 * allows a few tries and is used once; codes go with their user.
 */
export class CreatePasswordResetCodes1795950000000 implements MigrationInterface {
  name = 'CreatePasswordResetCodes1795950000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE password_reset_codes (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        phone text NOT NULL,
        code_hash text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        CONSTRAINT pk_password_reset_codes PRIMARY KEY (id),
        CONSTRAINT fk_password_reset_codes_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT ck_password_reset_codes_attempts CHECK (attempts >= 0)
      )`);
    await q.query(`CREATE INDEX ix_password_reset_codes_user_id ON password_reset_codes (user_id)`);
    await q.query(`CREATE INDEX ix_password_reset_codes_phone ON password_reset_codes (phone)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE password_reset_codes`);
  }
}
