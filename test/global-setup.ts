import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { dbUrl, dropDatabase, TEMPLATE_DB, withAdminClient } from './support/test-db';

/**
 * Migrates a template database once per run; every test file then gets its own copy
 * (CREATE DATABASE ... TEMPLATE), so files never share data. Fails fast when
 * PostgreSQL is unreachable instead of hanging.
 */
export default async function globalSetup(): Promise<void> {
  await withAdminClient(async (c) => {
    const stale = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'lms_test_%'`);
    for (const { datname } of stale.rows) await dropDatabase(c, datname);
    await c.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  });
  const ds = await new DataSource({ ...dataSourceOptions(dbUrl(TEMPLATE_DB)), logging: false }).initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}
