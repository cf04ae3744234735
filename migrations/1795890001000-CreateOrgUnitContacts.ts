import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The contact people of a township or village: users of that unit, in the order an admin
 * should call them. Rows go with their unit or user (ON DELETE CASCADE); a contact who is
 * deactivated or moved to another unit keeps the row but is left out when read (see
 * `OrgUnitsService.contactsOf`).
 */
export class CreateOrgUnitContacts1795890001000 implements MigrationInterface {
  name = 'CreateOrgUnitContacts1795890001000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE org_unit_contacts (
        org_unit_id uuid NOT NULL,
        user_id uuid NOT NULL,
        position int NOT NULL,
        CONSTRAINT pk_org_unit_contacts PRIMARY KEY (org_unit_id, user_id),
        CONSTRAINT uq_org_unit_contacts_position UNIQUE (org_unit_id, position),
        CONSTRAINT ck_org_unit_contacts_position CHECK (position >= 1),
        CONSTRAINT fk_org_unit_contacts_org_unit FOREIGN KEY (org_unit_id) REFERENCES org_units (id) ON DELETE CASCADE,
        CONSTRAINT fk_org_unit_contacts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ix_org_unit_contacts_user_id ON org_unit_contacts (user_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE org_unit_contacts`);
  }
}
