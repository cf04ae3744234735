import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { dbUrl, dropLeftovers, templateDb, withAdminClient } from './support/test-db';

/**
 * Migrates a template database once per run; every test file then gets its own copy
 * (CREATE DATABASE ... TEMPLATE), so files never share data. Fails fast when
 * PostgreSQL is unreachable instead of hanging.
 */
export default async function globalSetup(): Promise<void> {
  process.env.LMS_TEST_RUN = String(process.pid);
  await withAdminClient(async (c) => {
    await dropLeftovers(c);
    await c.query(`CREATE DATABASE "${templateDb()}"`);
  });
  const ds = await new DataSource({ ...dataSourceOptions(dbUrl(templateDb())), logging: false }).initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}
