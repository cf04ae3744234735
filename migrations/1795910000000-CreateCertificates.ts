import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Certificates: a class may require a passed quiz (`classes.required_quiz_id`); a certificate
 * holds a snapshot of what it certifies, a serial unique per centre (numbered from
 * `certificate_serials`, one row per centre and prefix) and an unguessable verification code.
 * At most one live (not revoked) certificate per class and trainee is a partial unique index, so
 * two admins issuing at once cannot make two. Every issue and revocation is kept in
 * `certificate_events`. A centre's own template and seal live in `certificate_templates`.
 */
export class CreateCertificates1795910000000 implements MigrationInterface {
  name = 'CreateCertificates1795910000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE classes ADD COLUMN required_quiz_id uuid`);
    await q.query(
      `ALTER TABLE classes ADD CONSTRAINT fk_classes_required_quiz FOREIGN KEY (required_quiz_id) REFERENCES quizzes (id) ON DELETE RESTRICT`,
    );
    await q.query(`CREATE INDEX ix_classes_required_quiz_id ON classes (required_quiz_id)`);
    await q.query(`
      CREATE TABLE certificates (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        class_id uuid NOT NULL,
        trainee_id uuid NOT NULL,
        centre_id uuid NOT NULL,
        serial text NOT NULL,
        code text NOT NULL,
        snapshot jsonb NOT NULL,
        issued_at timestamptz NOT NULL,
        issued_by uuid NOT NULL,
        revoked_at timestamptz,
        revoked_by uuid,
        revoke_reason text,
        CONSTRAINT pk_certificates PRIMARY KEY (id),
        CONSTRAINT uq_certificates_code UNIQUE (code),
        CONSTRAINT uq_certificates_centre_serial UNIQUE (centre_id, serial),
        CONSTRAINT ck_certificates_revoked CHECK (
          (revoked_at IS NULL) = (revoked_by IS NULL) AND (revoked_at IS NULL) = (revoke_reason IS NULL)),
        CONSTRAINT fk_certificates_class FOREIGN KEY (class_id) REFERENCES classes (id) ON DELETE RESTRICT,
        CONSTRAINT fk_certificates_trainee FOREIGN KEY (trainee_id) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT fk_certificates_centre FOREIGN KEY (centre_id) REFERENCES org_units (id) ON DELETE RESTRICT,
        CONSTRAINT fk_certificates_issued_by FOREIGN KEY (issued_by) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT fk_certificates_revoked_by FOREIGN KEY (revoked_by) REFERENCES users (id) ON DELETE RESTRICT
      )`);
    await q.query(
      `CREATE UNIQUE INDEX ux_certificates_live ON certificates (class_id, trainee_id) WHERE revoked_at IS NULL`,
    );
    await q.query(`CREATE INDEX ix_certificates_class_id ON certificates (class_id)`);
    await q.query(`CREATE INDEX ix_certificates_trainee_id ON certificates (trainee_id)`);
    await q.query(`
      CREATE TABLE certificate_serials (
        centre_id uuid NOT NULL,
        prefix text NOT NULL,
        last integer NOT NULL,
        CONSTRAINT pk_certificate_serials PRIMARY KEY (centre_id, prefix),
        CONSTRAINT fk_certificate_serials_centre FOREIGN KEY (centre_id) REFERENCES org_units (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE TYPE certificate_event_kind AS ENUM ('issued', 'revoked')`);
    await q.query(`
      CREATE TABLE certificate_events (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        certificate_id uuid NOT NULL,
        kind certificate_event_kind NOT NULL,
        actor_id uuid NOT NULL,
        at timestamptz NOT NULL,
        reason text,
        CONSTRAINT pk_certificate_events PRIMARY KEY (id),
        CONSTRAINT fk_certificate_events_certificate FOREIGN KEY (certificate_id) REFERENCES certificates (id) ON DELETE RESTRICT,
        CONSTRAINT fk_certificate_events_actor FOREIGN KEY (actor_id) REFERENCES users (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX ix_certificate_events_certificate_id ON certificate_events (certificate_id)`);
    await q.query(`
      CREATE TABLE certificate_templates (
        org_unit_id uuid NOT NULL,
        svg text,
        seal bytea,
        seal_media_type text,
        logo bytea,
        logo_media_type text,
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_certificate_templates PRIMARY KEY (org_unit_id),
        CONSTRAINT ck_certificate_templates_seal CHECK ((seal IS NULL) = (seal_media_type IS NULL)),
        CONSTRAINT ck_certificate_templates_logo CHECK ((logo IS NULL) = (logo_media_type IS NULL)),
        CONSTRAINT fk_certificate_templates_org_unit FOREIGN KEY (org_unit_id) REFERENCES org_units (id) ON DELETE CASCADE,
        CONSTRAINT fk_certificate_templates_updated_by FOREIGN KEY (updated_by) REFERENCES users (id) ON DELETE SET NULL
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE certificate_templates`);
    await q.query(`DROP TABLE certificate_events`);
    await q.query(`DROP TYPE certificate_event_kind`);
    await q.query(`DROP TABLE certificate_serials`);
    await q.query(`DROP TABLE certificates`);
    await q.query(`DROP INDEX ix_classes_required_quiz_id`);
    await q.query(`ALTER TABLE classes DROP CONSTRAINT fk_classes_required_quiz`);
    await q.query(`ALTER TABLE classes DROP COLUMN required_quiz_id`);
  }
}
