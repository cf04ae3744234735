import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';

const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432';
const DEFAULT_DATABASE = 'lms_bench';

export interface BenchDatabase {
  name: string;
  url: string;
  dataSource: DataSource;
}

/**
 * Where the bench database lives: BENCH_DATABASE_URL (a server, optionally with a
 * database name) or the local default. The database is dropped on every run, so a
 * name without "bench" in it is refused rather than risk dropping a real database.
 */
export function benchDatabaseTarget(
  raw = process.env.BENCH_DATABASE_URL,
  defaults: { variable: string; database: string } = { variable: 'BENCH_DATABASE_URL', database: DEFAULT_DATABASE },
): {
  name: string;
  url: string;
  adminUrl: string;
} {
  const server = new URL(raw && raw.trim() !== '' ? raw.trim() : DEFAULT_SERVER_URL);
  const name = decodeURIComponent(server.pathname.replace(/^\//, '')) || defaults.database;
  if (!/^[a-z_][a-z0-9_]*$/.test(name) || !name.includes('bench')) {
    throw new Error(
      `${defaults.variable} names database "${name}"; it is dropped and rebuilt, so it must contain "bench"`,
    );
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  const adminUrl = new URL(server);
  adminUrl.pathname = '/postgres';
  return { name, url: url.toString(), adminUrl: adminUrl.toString() };
}

/** Drops the bench database (after a scenario whose data is large: see `Scenario.dropDatabaseAfter`). */
export async function dropBenchDatabase(): Promise<void> {
  const { name, adminUrl } = benchDatabaseTarget();
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Drops and recreates the bench database, runs every migration and returns a connection to it. */
export async function recreateBenchDatabase(): Promise<BenchDatabase> {
  const { name, url, adminUrl } = benchDatabaseTarget();
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    // FORCE ends sessions left over from an interrupted run.
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const dataSource = await new DataSource({ ...dataSourceOptions(url), logging: false }).initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (e) {
    await dataSource.destroy();
    throw e;
  }
  return { name, url, dataSource };
}
