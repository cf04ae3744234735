import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { migrations } from '../../src/database/migrations';
import { dbUrl, runId, withAdminClient, dropDatabase } from '../support/test-db';

/** Every migration goes up and comes back down cleanly on an empty database, and up again. */
describe('migrations (e2e)', () => {
  const name = `lms_t${runId()}_migrations`;
  let ds: DataSource;

  beforeAll(async () => {
    await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
    ds = await new DataSource(dataSourceOptions(dbUrl(name))).initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await withAdminClient((c) => dropDatabase(c, name));
  });

  const tables = async () =>
    (
      await ds.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      )
    ).map((r) => r.table_name);
  const types = async () =>
    (
      await ds.query<{ typname: string }[]>(
        `SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE n.nspname = 'public' AND t.typtype = 'e' ORDER BY t.typname`,
      )
    ).map((r) => r.typname);

  it('runs every migration up, then down to an empty schema, then up again', async () => {
    const ran = await ds.runMigrations({ transaction: 'each' });
    expect(ran.map((m) => m.name)).toEqual(migrations.map((m) => m.name));
    expect(await tables()).toEqual(expect.arrayContaining(['org_units', 'users', 'idempotency_keys', 'migrations']));

    for (let i = 0; i < migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual(['migrations']);
    expect(await types()).toEqual([]);

    await ds.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual(expect.arrayContaining(['org_units', 'users', 'idempotency_keys']));
  });

  it('leaves nothing for the entities that the migrations did not create (schema matches the code)', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });
});
